"""The hearing service on a stored hearing: admission for every role and refusal, controls in the log
and the minutes, no forked state under concurrent control, automatic suspension, reconnection."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cabinet.identity.roles import Role
from cabinet.identity.users import UserService
from core.clock import SystemClock
from core.db import Database
from sessions.admission import AdmissionDecision
from sessions.errors import (
    AdmissionRefused,
    IllegalHearingTransition,
    IllegalPresenceTransition,
    NotAllowed,
    NotInHearingRoom,
)
from sessions.lifecycle import Action, HearingState
from sessions.models import HearingEventRow
from sessions.presence import PresenceState
from sessions.service import HearingService
from sessions.views import MediaGrant, Outcome
from tests.cabinet.conftest import cabinet_app, cast  # noqa: F401
from tests.cabinet.filing.conftest import Court, court  # noqa: F401
from tests.sessions.hearing_world import IIN, accepted_case, book, booking, principal, service, when


async def _hearing(court: Court, **extra: Any) -> tuple[int, str]:  # noqa: F811
    """A hearing of Alice v. Bob with a witness (Carol); the clock stands 10 minutes before its start."""
    number, judge = await accepted_case(court)
    start = when(court)
    body = booking(number, start, **extra)
    body["participants"] = [*body["participants"], {"iin": IIN["carol"], "role": "witness"}]
    hearing = await book(court, body)
    court.app.clock.set(start - timedelta(minutes=10))
    return int(hearing["id"]), judge


async def test_everyone_enters_the_way_their_capacity_says(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id, judge = await _hearing(court)
    hearings = service(court)
    expected = {judge: (AdmissionDecision.ENTER_DIRECTLY, PresenceState.IN_ROOM),
                "clerk": (AdmissionDecision.ENTER_DIRECTLY, PresenceState.IN_ROOM),
                "alice": (AdmissionDecision.WAIT_IN_WAITING_ROOM, PresenceState.WAITING),
                "lawyer": (AdmissionDecision.WAIT_IN_WAITING_ROOM, PresenceState.WAITING),
                "carol": (AdmissionDecision.WAIT_IN_WAITING_ROOM, PresenceState.WAITING)}
    for name, (decision, state) in expected.items():
        joined = await hearings.join(await principal(db, name), hearing_id)
        assert (joined.admission.decision, joined.presence_state) == (decision, state), name
        assert joined.is_staff == (name in (judge, "clerk"))
    again = await hearings.join(await principal(db, "alice"), hearing_id)
    assert again.presence_state is PresenceState.WAITING, "a second tab keeps the place"
    view = await hearings.view(hearing_id)
    assert view.state is HearingState.LOBBY_OPEN and view.case_number and view.courtroom_name == "Зал 1"
    assert {p.presence for p in view.participants if p.role.value == "defendant"} == {PresenceState.OUTSIDE}


async def test_auto_admission_and_the_public_at_an_open_hearing(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id, _ = await _hearing(court, is_open=True, auto_admit=True)
    hearings = service(court)
    assert (await hearings.join(await principal(db, "alice"), hearing_id)).presence_state is PresenceState.IN_ROOM
    witness = await hearings.join(await principal(db, "carol"), hearing_id)
    assert witness.presence_state is PresenceState.WAITING, "a witness waits to be called even so"
    public = await hearings.join(await principal(db, "admin"), hearing_id)
    assert public.admission.decision is AdmissionDecision.OBSERVER_VIEW_ONLY
    assert not public.capabilities.publish_audio and public.capabilities.receive
    view = await hearings.view(hearing_id)
    assert [p.listed for p in view.participants if p.user_id == public.user_id] == [False]


async def test_every_refusal_has_its_code(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id, judge = await _hearing(court)
    hearings = service(court)
    start = court.app.clock.now() + timedelta(minutes=10)

    async def refused(who: Any) -> str:
        with pytest.raises(AdmissionRefused) as caught:
            await hearings.join(who, hearing_id)
        return str(caught.value.code)

    assert await refused(None) == "unauthenticated"
    assert await refused(await principal(db, "admin")) == "not_a_participant"
    court.app.clock.set(start - timedelta(hours=1))
    assert await refused(await principal(db, "alice")) == "hearing_not_open"
    court.app.clock.set(start - timedelta(minutes=5))
    async with db.transaction() as session:
        await UserService(session, SystemClock()).revoke(IIN["clerk"], Role.CLERK, "7594", granter=None,
                                                         actor="test")
    assert await refused(await principal(db, "clerk")) == "staff_role_required"
    await hearings.join(await principal(db, judge), hearing_id)
    await hearings.join(await principal(db, "alice"), hearing_id)
    await hearings.control(await principal(db, judge), hearing_id, Action.REMOVE,
                           target_user_id=(await principal(db, "alice")).user_id, details={"reason": "rude"})
    assert await refused(await principal(db, "alice")) == "removed"
    await hearings.control(await principal(db, judge), hearing_id, Action.CANCEL, details={"reason": "settled"})
    assert await refused(await principal(db, "bob")) == "hearing_closed"


async def test_controls_are_authorized_logged_and_drawn_into_the_minutes(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id, judge_name = await _hearing(court)
    hearings = service(court)
    judge, alice, carol = [await principal(db, n) for n in (judge_name, "alice", "carol")]
    for who in (judge, alice, carol):
        await hearings.join(who, hearing_id)
    with pytest.raises(NotAllowed):
        await hearings.control(alice, hearing_id, Action.START)
    started = await hearings.control(judge, hearing_id, Action.START)
    assert [(e.action, e.state) for e in started.events] == [(Action.START, HearingState.IN_SESSION)]
    assert started.view.state is HearingState.IN_SESSION, "a control returns the hearing as it now stands"
    admitted = await hearings.control(judge, hearing_id, Action.ADMIT, target_user_id=alice.user_id)
    assert admitted.view == await hearings.view(hearing_id), "the returned view is the stored one"
    me = admitted.view.participant(alice.user_id)
    assert me is not None and me.presence is PresenceState.IN_ROOM
    await hearings.control(judge, hearing_id, Action.CALL, target_user_id=carol.user_id)
    await hearings.control(judge, hearing_id, Action.MUTE, target_user_id=alice.user_id, details={"media": "video"})
    await hearings.control(alice, hearing_id, Action.RAISE_HAND)
    await hearings.control(alice, hearing_id, Action.CHAT, details={"text": "Прошу слова"})
    await hearings.control(judge, hearing_id, Action.DISMISS, target_user_id=carol.user_id)
    await hearings.control(judge, hearing_id, Action.RECORDING_PAUSE)
    await hearings.control(judge, hearing_id, Action.PAUSE, details={"reason": "deliberation"})
    view = await hearings.view(hearing_id)
    me = view.participant(alice.user_id)
    assert me is not None and me.presence is PresenceState.IN_ROOM and me.muted_video and me.hand_raised
    witness = view.participant(carol.user_id)
    assert witness is not None and witness.presence is PresenceState.WAITING
    assert view.state is HearingState.PAUSED and view.recording_paused
    with pytest.raises(IllegalPresenceTransition):
        await hearings.control(judge, hearing_id, Action.ADMIT, target_user_id=alice.user_id)
    with pytest.raises(IllegalHearingTransition):
        await hearings.control(judge, hearing_id, Action.START)
    await hearings.control(judge, hearing_id, Action.RESUME)
    closed = await hearings.control(judge, hearing_id, Action.CLOSE)
    assert closed.events[-1].state is HearingState.CLOSED

    async with db.sessions() as session:
        logged = list(await session.scalars(select(HearingEventRow).where(HearingEventRow.hearing_id == hearing_id)
                                            .order_by(HearingEventRow.seq)))
    assert [e.seq for e in logged] == list(range(1, len(logged) + 1))
    assert [e.action for e in logged] == ["open_lobby", "start", "admit", "call", "mute", "raise_hand", "chat",
                                          "dismiss", "recording_pause", "pause", "resume", "close"]
    minutes = await hearings.minutes(hearing_id, "ru")
    assert "допустил(а) в зал" in minutes and "«Прошу слова»" in minutes and "закрыто" in minutes
    assert "суд удалился в совещательную комнату" in minutes
    assert "Open the hearing" not in minutes
    assert "opened the hearing" in await hearings.minutes(hearing_id, "en")
    gone = (await hearings.view(hearing_id)).participant(alice.user_id)
    assert gone is not None and gone.presence is PresenceState.OUTSIDE, "a closed hearing empties the room"


async def test_two_processes_controlling_at_once_never_fork_the_state(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id, judge_name = await _hearing(court)
    judge, alice = await principal(db, judge_name), await principal(db, "alice")
    clock = court.app.clock
    processes = [HearingService(Database(db.url), clock) for _ in range(4)]
    try:
        await processes[0].join(judge, hearing_id)
        await processes[0].join(alice, hearing_id)
        results = await asyncio.gather(*(p.control(judge, hearing_id, Action.START) for p in processes),
                                       return_exceptions=True)
        started = [r for r in results if isinstance(r, Outcome)]
        refused = [r for r in results if isinstance(r, IllegalHearingTransition)]
        assert len(started) == 1 and len(refused) == 3, results
        admits = await asyncio.gather(*(p.control(judge, hearing_id, Action.ADMIT, target_user_id=alice.user_id)
                                        for p in processes), return_exceptions=True)
        assert len([a for a in admits if isinstance(a, Outcome)]) == 1, admits
        chats = await asyncio.gather(*(processes[i % 4].control(alice, hearing_id, Action.CHAT,
                                                                details={"text": f"m{i}"}) for i in range(6)),
                                     return_exceptions=True)
        assert all(isinstance(c, Outcome) for c in chats), chats
    finally:
        for p in processes:
            await p.db.close()
    async with db.sessions() as session:
        logged = list(await session.scalars(select(HearingEventRow).where(HearingEventRow.hearing_id == hearing_id)
                                            .order_by(HearingEventRow.seq)))
    assert [e.seq for e in logged] == list(range(1, len(logged) + 1))
    actions = [e.action for e in logged]
    assert actions.count("start") == 1 and actions.count("admit") == 1 and actions.count("chat") == 6
    assert (await service(court).view(hearing_id)).state is HearingState.IN_SESSION


async def test_a_hearing_whose_judge_is_gone_too_long_is_suspended_by_the_sweep(
    court: Court, db: Database  # noqa: F811
) -> None:
    hearing_id, judge_name = await _hearing(court)
    hearings = service(court)
    judge = await principal(db, judge_name)
    clock = court.app.clock
    await hearings.join(judge, hearing_id)
    await hearings.control(judge, hearing_id, Action.START)
    clock.advance(timedelta(seconds=50))
    await hearings.heartbeat(judge.user_id, hearing_id, {"packet_loss": 0.01, "rtt_ms": 42.0, "bitrate": 1.2e6})
    clock.advance(timedelta(seconds=50))
    assert await hearings.sweep(hearing_id) == [], "heard from 50 s ago: within the 60 s the policy allows"
    await hearings.disconnected(judge.user_id, hearing_id)
    clock.advance(timedelta(seconds=20))
    assert await hearings.sweep(hearing_id) == [], "the judge dropped 20 s ago and may yet come back"
    reconnecting = (await hearings.view(hearing_id)).participant(judge.user_id)
    assert reconnecting is not None and reconnecting.presence is PresenceState.RECONNECTING
    clock.advance(timedelta(seconds=41))
    events = await hearings.sweep(hearing_id)
    assert [(e.action, e.details["reason"], e.state) for e in events] == [
        (Action.SUSPEND, "judge_connection_lost", HearingState.SUSPENDED)]
    assert events[0].actor_user_id is None and events[0].target_user_id == judge.user_id
    view = await hearings.view(hearing_id)
    assert view.state is HearingState.SUSPENDED
    judge_view = view.participant(judge.user_id)
    assert judge_view is not None and judge_view.presence is PresenceState.OUTSIDE, "grace expired meanwhile"
    assert await hearings.sweep(hearing_id) == []


async def test_a_reconnection_within_the_grace_keeps_the_admitted_place(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id, judge_name = await _hearing(court)
    hearings = service(court)
    judge, alice, bob = [await principal(db, n) for n in (judge_name, "alice", "bob")]
    for who in (judge, alice, bob):
        await hearings.join(who, hearing_id)
    await hearings.control(judge, hearing_id, Action.START)
    await hearings.control(judge, hearing_id, Action.ADMIT, target_user_id=alice.user_id)
    await hearings.control(judge, hearing_id, Action.ADMIT, target_user_id=bob.user_id)
    await hearings.disconnected(alice.user_id, hearing_id)
    await hearings.disconnected(bob.user_id, hearing_id)
    view = (await hearings.view(hearing_id)).participant(alice.user_id)
    assert view is not None and view.presence is PresenceState.RECONNECTING
    court.app.clock.advance(timedelta(seconds=20))
    back = await hearings.reconnected(alice.user_id, hearing_id)
    assert back.presence_state is PresenceState.IN_ROOM and back.capabilities.publish_audio
    court.app.clock.advance(timedelta(seconds=20))
    with pytest.raises(IllegalPresenceTransition) as late:
        await hearings.reconnected(bob.user_id, hearing_id)
    assert late.value.code == "reconnect_grace_expired"
    rejoined = await hearings.join(bob, hearing_id)
    assert rejoined.presence_state is PresenceState.WAITING, "past the grace one is admitted again"
    assert (await hearings.left(alice.user_id, hearing_id)).events == ()
    out = (await hearings.view(hearing_id)).participant(alice.user_id)
    assert out is not None and out.presence is PresenceState.OUTSIDE


async def test_bad_control_arguments_are_refused_and_logged_nowhere(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id, judge_name = await _hearing(court)
    hearings = service(court)
    judge, alice = await principal(db, judge_name), await principal(db, "alice")
    outsider = await principal(db, "admin")
    await hearings.join(judge, hearing_id)
    await hearings.control(judge, hearing_id, Action.START)
    cases: list[tuple[Any, dict[str, Any], str]] = [
        (Action.ADMIT, {}, "target_required"),
        (Action.PAUSE, {"details": {"reason": "lunch"}}, "invalid_hearing"),
        (Action.MUTE, {"target_user_id": alice.user_id, "details": {"media": "smell"}}, "invalid_hearing"),
        (Action.ADJOURN, {"details": {"new_start": "soon"}}, "invalid_hearing"),
        ("explode", {}, "unknown_action"),
        (Action.ADMIT, {"target_user_id": alice.user_id}, "illegal_presence_transition"),
        (Action.REMOVE, {"target_user_id": outsider.user_id}, "target_not_present"),
        (Action.CHAT, {"details": {"text": "hi"}}, "chat_not_allowed"),
    ]
    for action, kwargs, code in cases:
        who = alice if action is Action.CHAT else judge
        if action is Action.CHAT:
            await hearings.join(alice, hearing_id)
        with pytest.raises(Exception) as caught:
            await hearings.control(who, hearing_id, action, **kwargs)
        assert getattr(caught.value, "code", None) == code, (action, caught.value)
    with pytest.raises(Exception) as caught:
        await hearings.heartbeat(judge.user_id, hearing_id, {"rtt": float("nan")})
    assert getattr(caught.value, "code", None) == "invalid_stats"
    with pytest.raises(Exception) as caught:
        await hearings.minutes(hearing_id, "xx")
    assert getattr(caught.value, "code", None) == "unsupported_language"
    with pytest.raises(Exception) as caught:
        await hearings.view(999999)
    assert getattr(caught.value, "code", None) == "hearing_not_found"
    async with db.sessions() as session:
        actions = list(await session.scalars(select(HearingEventRow.action).where(
            HearingEventRow.hearing_id == hearing_id).order_by(HearingEventRow.seq)))
    assert actions == ["open_lobby", "start"]



async def test_a_media_grant_follows_the_stored_hearing(court: Court, db: Database) -> None:  # noqa: F811
    """Media sessions start from the stored state: a mute, the pause, presence (issue 9, items 5/6)."""
    hearing_id, judge_name = await _hearing(court, is_open=True)
    hearings = service(court)
    judge, alice, observer = [await principal(db, n) for n in (judge_name, "alice", "admin")]
    for who in (judge, alice, observer):
        await hearings.join(who, hearing_id)
    with pytest.raises(NotInHearingRoom) as waiting:
        await hearings.media_grant(alice.user_id, hearing_id)
    assert waiting.value.code == "not_in_hearing_room" and waiting.value.status == 409
    await hearings.control(judge, hearing_id, Action.START)
    await hearings.control(judge, hearing_id, Action.ADMIT, target_user_id=alice.user_id)
    assert await hearings.media_grant(alice.user_id, hearing_id) == MediaGrant(
        may_publish=True, privileged=False, muted_audio=False, muted_video=False, paused=False)
    await hearings.control(judge, hearing_id, Action.MUTE, target_user_id=alice.user_id, details={"media": "video"})
    await hearings.control(judge, hearing_id, Action.PAUSE)
    grant = await hearings.media_grant(alice.user_id, hearing_id)
    assert grant.muted_video and not grant.muted_audio and grant.paused
    staff = await hearings.media_grant(judge.user_id, hearing_id)
    assert staff.privileged and staff.may_publish and staff.paused
    public = await hearings.media_grant(observer.user_id, hearing_id)
    assert not public.may_publish and not public.privileged
    await hearings.control(judge, hearing_id, Action.REMOVE, target_user_id=alice.user_id)
    with pytest.raises(NotInHearingRoom):
        await hearings.media_grant(alice.user_id, hearing_id)
    with pytest.raises(NotInHearingRoom):
        await hearings.media_grant(10**9, hearing_id)


async def test_staff_stay_admitted_only_while_their_grant_lives(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id, _ = await _hearing(court)
    hearings = service(court)
    clerk, alice = await principal(db, "clerk"), await principal(db, "alice")
    clerk_joined, alice_joined = await hearings.join(clerk, hearing_id), await hearings.join(alice, hearing_id)
    assert hearings.still_admitted(clerk_joined, clerk.grants)
    async with db.transaction() as session:
        await UserService(session, SystemClock()).revoke(IIN["clerk"], Role.CLERK, "7594", granter=None,
                                                         actor="test")
    revoked = await principal(db, "clerk")
    assert not hearings.still_admitted(clerk_joined, revoked.grants)
    assert hearings.still_admitted(alice_joined, frozenset()), "a party's place rests on no grant"
