"""Where a person is in a hearing, and what that lets them do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessions.admission import AdmissionDecision, AdmissionGrant
from sessions.errors import IllegalPresenceTransition, InvalidHearing
from sessions.hearings import HearingRole
from sessions.lifecycle import MediaKind
from sessions.presence import NOTHING, Capabilities, Presence, PresenceState

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
GRACE = timedelta(seconds=30)


def joined(role: HearingRole, decision: AdmissionDecision) -> Presence:
    admission = AdmissionGrant("u-1", role, decision)
    return Presence.of(admission).join(admission)


def test_a_witness_waits_is_called_dismissed_and_called_again() -> None:
    witness = joined(HearingRole.WITNESS, AdmissionDecision.WAIT_IN_WAITING_ROOM)
    assert witness.state is PresenceState.WAITING
    assert witness.capabilities == Capabilities(chat_staff=True)
    called = witness.call()
    assert called.state is PresenceState.IN_ROOM and called.capabilities.publish_audio
    back = called.raise_hand().dismiss()
    assert back.state is PresenceState.WAITING and not back.hand_raised
    assert back.call().state is PresenceState.IN_ROOM


@pytest.mark.parametrize(
    ("decision", "state"),
    [
        (AdmissionDecision.ENTER_DIRECTLY, PresenceState.IN_ROOM),
        (AdmissionDecision.AUTO_ADMITTED, PresenceState.IN_ROOM),
        (AdmissionDecision.OBSERVER_VIEW_ONLY, PresenceState.IN_ROOM),
        (AdmissionDecision.WAIT_IN_WAITING_ROOM, PresenceState.WAITING),
    ],
)
def test_the_admission_decision_picks_the_door(decision: AdmissionDecision, state: PresenceState) -> None:
    assert joined(HearingRole.PLAINTIFF, decision).state is state


def test_capabilities_by_state_and_role() -> None:
    party = joined(HearingRole.PLAINTIFF, AdmissionDecision.AUTO_ADMITTED)
    assert party.capabilities == Capabilities(True, True, True, True, True, True)
    judge = joined(HearingRole.JUDGE, AdmissionDecision.ENTER_DIRECTLY)
    assert judge.capabilities == Capabilities(True, True, True, True, True, raise_hand=False)
    observer = joined(HearingRole.OBSERVER, AdmissionDecision.OBSERVER_VIEW_ONLY)
    assert observer.capabilities == Capabilities(receive=True)
    assert Presence("u-1", HearingRole.PLAINTIFF).capabilities is NOTHING
    assert party.disconnect(NOW).capabilities is NOTHING
    assert party.remove().capabilities is NOTHING


def test_muting_stops_publishing_and_survives_leaving() -> None:
    party = joined(HearingRole.PLAINTIFF, AdmissionDecision.AUTO_ADMITTED).mute(MediaKind.AUDIO)
    assert not party.capabilities.publish_audio and party.capabilities.publish_video
    party = party.mute(MediaKind.VIDEO)
    assert not party.capabilities.publish_video
    rejoined = party.leave().join(AdmissionGrant("u-1", HearingRole.PLAINTIFF, AdmissionDecision.AUTO_ADMITTED))
    assert rejoined.audio_muted and rejoined.video_muted
    assert rejoined.unmute(MediaKind.AUDIO).capabilities.publish_audio


def test_a_dropped_connection_keeps_the_place_for_the_grace_period() -> None:
    party = joined(HearingRole.PLAINTIFF, AdmissionDecision.WAIT_IN_WAITING_ROOM).admit().raise_hand()
    dropped = party.disconnect(NOW)
    assert dropped.state is PresenceState.RECONNECTING and dropped.resume_to is PresenceState.IN_ROOM
    assert dropped.expire(NOW + GRACE, GRACE) is dropped
    back = dropped.reconnect(NOW + GRACE, GRACE)
    assert back.state is PresenceState.IN_ROOM and back.hand_raised and back.dropped_at is None


def test_after_the_grace_period_one_joins_again_through_the_door() -> None:
    dropped = joined(HearingRole.PLAINTIFF, AdmissionDecision.WAIT_IN_WAITING_ROOM).disconnect(NOW)
    late = NOW + GRACE + timedelta(seconds=1)
    with pytest.raises(IllegalPresenceTransition) as caught:
        dropped.reconnect(late, GRACE)
    assert caught.value.code == "reconnect_grace_expired"
    gone = dropped.expire(late, GRACE)
    assert gone.state is PresenceState.OUTSIDE and gone.resume_to is None


def test_removal_is_final() -> None:
    removed = joined(HearingRole.PLAINTIFF, AdmissionDecision.AUTO_ADMITTED).remove()
    with pytest.raises(IllegalPresenceTransition) as caught:
        removed.join(AdmissionGrant("u-1", HearingRole.PLAINTIFF, AdmissionDecision.AUTO_ADMITTED))
    assert caught.value.code == "removed"
    with pytest.raises(IllegalPresenceTransition):
        removed.remove()


def test_moves_that_make_no_sense_are_refused() -> None:
    waiting = joined(HearingRole.WITNESS, AdmissionDecision.WAIT_IN_WAITING_ROOM)
    in_room = waiting.call()
    outside = Presence("u-1", HearingRole.WITNESS)
    for move in (
        in_room.admit, in_room.call, waiting.dismiss, outside.leave, outside.admit,
        lambda: in_room.join(AdmissionGrant("u-1", HearingRole.WITNESS, AdmissionDecision.AUTO_ADMITTED)),
        lambda: outside.reconnect(NOW), lambda: outside.disconnect(NOW), waiting.raise_hand,
        joined(HearingRole.JUDGE, AdmissionDecision.ENTER_DIRECTLY).dismiss,
        joined(HearingRole.OBSERVER, AdmissionDecision.OBSERVER_VIEW_ONLY).raise_hand,
    ):
        with pytest.raises(IllegalPresenceTransition) as caught:
            move()
        assert caught.value.code in ("illegal_presence_transition", "removed")
    with pytest.raises(InvalidHearing):
        outside.join(AdmissionGrant("u-2", HearingRole.WITNESS, AdmissionDecision.AUTO_ADMITTED))


def test_a_presence_value_refuses_inconsistent_fields() -> None:
    with pytest.raises(InvalidHearing):
        Presence("u-1", HearingRole.PLAINTIFF, PresenceState.RECONNECTING)
    with pytest.raises(InvalidHearing):
        Presence("u-1", HearingRole.PLAINTIFF, PresenceState.IN_ROOM, resume_to=PresenceState.WAITING, dropped_at=NOW)
    with pytest.raises(InvalidHearing):
        Presence("u-1", HearingRole.PLAINTIFF, PresenceState.WAITING, hand_raised=True)
    with pytest.raises(InvalidHearing):
        Presence("u-1", HearingRole.PLAINTIFF, PresenceState.RECONNECTING, PresenceState.OUTSIDE, NOW)


MOVES = st.lists(
    st.sampled_from(["admit", "call", "dismiss", "leave", "remove", "drop", "back", "late", "join", "hand"]),
    max_size=30,
)


def apply(presence: Presence, move: str, now: datetime, admission: AdmissionGrant) -> Presence:
    simple = {"admit": presence.admit, "call": presence.call, "dismiss": presence.dismiss, "leave": presence.leave,
              "remove": presence.remove, "hand": presence.raise_hand}
    if move in simple:
        return simple[move]()
    if move == "drop":
        return presence.disconnect(now)
    if move == "back":
        return presence.reconnect(now, GRACE)
    if move == "late":
        return presence.expire(now + GRACE * 2, GRACE)
    return presence.join(admission)


@given(moves=MOVES, role=st.sampled_from(list(HearingRole)))
def test_any_sequence_of_moves_keeps_presence_consistent(moves: list[str], role: HearingRole) -> None:
    presence = Presence("u-1", role)
    now = NOW
    admission = AdmissionGrant("u-1", role, AdmissionDecision.WAIT_IN_WAITING_ROOM)
    for move in moves:
        now += timedelta(seconds=10)
        before = presence
        try:
            presence = apply(presence, move, now, admission)
        except IllegalPresenceTransition:
            assert presence is before
        if before.state is PresenceState.REMOVED:
            assert presence.state is PresenceState.REMOVED
        caps = presence.capabilities
        assert not (caps.publish_audio or caps.publish_video) or presence.state is PresenceState.IN_ROOM
        assert not caps.receive or presence.state is PresenceState.IN_ROOM
        assert not presence.hand_raised or PresenceState.IN_ROOM in (presence.state, presence.resume_to)
