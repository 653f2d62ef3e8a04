"""The bench offers exactly what the rules would do: for every hearing state, every role and every
presence, each control it shows is taken by the real rules, and each it hides is refused by them
(apart from the few it leaves out on purpose: removing somebody who never came, muting the muted,
anything on somebody already removed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import product

import pytest

from core.clock import FixedClock
from sessions.actions import apply_action
from sessions.bench import HEARING_CONTROLS, PERSON_CONTROLS, hearing_controls, person_controls
from sessions.controls import Controls
from sessions.errors import SessionsError
from sessions.hearings import HearingPlan, HearingRole
from sessions.lifecycle import Action, Hearing, HearingState, Lifecycle, PauseReason
from sessions.presence import Presence, PresenceState
from tests.sessions.conftest import EVERYONE, JUDGE, START

REASONS = {Action.PAUSE: {"reason": PauseReason.DELIBERATION.value}}


def hearings(plan: HearingPlan, clock: FixedClock) -> list[Hearing]:
    """A hearing in every state, and in each recording state with the recording paused too."""
    life = Lifecycle(clock)
    controls = Controls(life)
    clock.set(START - timedelta(hours=1))
    scheduled = Hearing("h-1", plan)
    clock.set(START)
    lobby = life.settle(scheduled)
    session = life.start(lobby, JUDGE)
    paused = life.pause(session, JUDGE, PauseReason.RECESS)
    suspended = life.suspend(session, JUDGE)
    unrecorded = controls.pause_recording(session, JUDGE)
    found = [scheduled, lobby, session, paused, suspended, unrecorded,
             life.pause(unrecorded, JUDGE, PauseReason.RECESS), life.suspend(unrecorded, JUDGE),
             life.close(session, JUDGE), life.adjourn(session, JUDGE), life.cancel(lobby, JUDGE)]
    assert {h.state for h in found} == set(HearingState)
    return found


def at_its_time(hearing: Hearing, clock: FixedClock) -> Hearing:
    """The clock where the hearing stands (a scheduled one before its lobby opens)."""
    clock.set(START - timedelta(hours=1) if hearing.state is HearingState.SCHEDULED else START)
    return hearing


def taken(step: Callable[[], object]) -> bool:
    try:
        step()
    except SessionsError:
        return False
    return True


def test_the_bench_offers_each_hearing_step_exactly_when_the_lifecycle_takes_it(
        plan: HearingPlan, clock: FixedClock) -> None:
    for hearing in map(lambda h: at_its_time(h, clock), hearings(plan, clock)):
        life = Lifecycle(clock)
        offered = hearing_controls(hearing.state, hearing.recording_paused)
        for action in HEARING_CONTROLS:
            args = REASONS.get(action, {})
            accepted = taken(lambda: apply_action(life, Controls(life), hearing, JUDGE, action, None, args))  # noqa: B023
            assert (action in offered) == accepted, (hearing.state, hearing.recording_paused, action)


MOVES: dict[Action, Callable[[Presence], object]] = {
    Action.ADMIT: Presence.admit, Action.CALL: Presence.call, Action.DISMISS: Presence.dismiss,
    Action.REMOVE: Presence.remove, Action.MUTE: Presence.mute, Action.UNMUTE: Presence.unmute}


def presence(user: str, role: HearingRole, state: PresenceState, muted: bool) -> Presence:
    if state is PresenceState.RECONNECTING:
        return Presence(user, role, state, resume_to=PresenceState.IN_ROOM, dropped_at=START, audio_muted=muted)
    return Presence(user, role, state, audio_muted=muted)


@pytest.mark.parametrize("person", EVERYONE, ids=lambda p: p.role.value)
def test_the_bench_offers_a_control_on_a_person_only_when_the_rules_take_it(
        person: object, plan: HearingPlan, clock: FixedClock) -> None:
    listing = plan.participant(person.user_id)  # type: ignore[attr-defined]
    assert listing is not None
    for hearing, state, muted in product(hearings(plan, clock), PresenceState, (False, True)):
        at_its_time(hearing, clock)
        life = Lifecycle(clock)
        now = presence(listing.user_id, listing.role, state, muted)
        offered = person_controls(hearing.state, listing.role, state, muted_audio=muted)
        for action in PERSON_CONTROLS:
            accepted = (taken(lambda: apply_action(life, Controls(life), hearing, JUDGE, action,  # noqa: B023
                                                   listing.user_id, {}))
                        and taken(lambda: MOVES[action](now)))  # noqa: B023
            where = (hearing.state, listing.role, state, muted, action)
            if action in offered:
                assert accepted, where
            elif accepted:  # hidden on purpose: nobody to remove, already (un)muted, removed for good
                assert (state is PresenceState.REMOVED
                        or (action is Action.REMOVE and state is PresenceState.OUTSIDE)
                        or (action is Action.MUTE and muted) or (action is Action.UNMUTE and not muted)), where


def test_nothing_is_offered_on_the_judge_on_the_removed_or_after_the_hearing() -> None:
    for state in PresenceState:
        assert person_controls(HearingState.IN_SESSION, HearingRole.JUDGE, state) == ()
    assert person_controls(HearingState.IN_SESSION, HearingRole.PLAINTIFF, PresenceState.REMOVED) == ()
    for final in (HearingState.CLOSED, HearingState.ADJOURNED, HearingState.CANCELLED, HearingState.SCHEDULED):
        assert person_controls(final, HearingRole.PLAINTIFF, PresenceState.WAITING) == ()
        assert hearing_controls(final, False) == ()
    # An unlisted member of the public is only ever removed.
    assert person_controls(HearingState.IN_SESSION, HearingRole.OBSERVER, PresenceState.IN_ROOM,
                           listed=False) == (Action.REMOVE,)
