"""Judge controls and participants' own actions: authorized from the hearing's listing, checked
against the hearing's state and target, and every one of them logged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import FixedClock
from sessions.controls import Controls
from sessions.errors import IllegalControl, NotAllowed
from sessions.hearings import HearingPlan
from sessions.lifecycle import Action, ChatChannel, CourtPolicy, Hearing, HearingState, Lifecycle, MediaKind

JUDGE, CLERK, PLAINTIFF, LAWYER, WITNESS, OBSERVER, STRANGER = (
    "u-judge", "u-clerk", "u-plaintiff", "u-lawyer", "u-witness", "u-observer", "u-stranger",
)


@pytest.fixture
def lifecycle(clock: FixedClock) -> Lifecycle:
    return Lifecycle(clock)


@pytest.fixture
def controls(lifecycle: Lifecycle) -> Controls:
    return Controls(lifecycle)


@pytest.fixture
def live(plan: HearingPlan, lifecycle: Lifecycle, clock: FixedClock) -> Hearing:
    clock.set(plan.start)
    return lifecycle.start(Hearing("h-1", plan), JUDGE)


def test_the_judge_calls_and_dismisses_a_witness_and_each_step_is_logged(
    controls: Controls, live: Hearing, clock: FixedClock
) -> None:
    h = controls.admit(live, JUDGE, PLAINTIFF)
    clock.advance(timedelta(minutes=10))
    h = controls.call(h, JUDGE, WITNESS)
    clock.advance(timedelta(minutes=10))
    h = controls.dismiss(h, JUDGE, WITNESS)
    tail = [(e.action, e.actor, e.target, e.at) for e in h.events[-3:]]
    start = live.plan.start
    assert tail == [
        (Action.ADMIT, JUDGE, PLAINTIFF, start),
        (Action.CALL, JUDGE, WITNESS, start + timedelta(minutes=10)),
        (Action.DISMISS, JUDGE, WITNESS, start + timedelta(minutes=20)),
    ]
    assert [e.seq for e in h.events] == list(range(1, len(h.events) + 1))


def test_admission_happens_already_in_the_lobby(controls: Controls, plan: HearingPlan, clock: FixedClock) -> None:
    clock.set(plan.lobby_opens_at)
    h = controls.admit(Hearing("h-1", plan), JUDGE, PLAINTIFF)
    assert h.state is HearingState.LOBBY_OPEN
    assert [e.action for e in h.events] == [Action.OPEN_LOBBY, Action.ADMIT]


@pytest.mark.parametrize("actor", [PLAINTIFF, LAWYER, WITNESS, OBSERVER, STRANGER, CLERK])
def test_nobody_but_the_judge_uses_the_controls_by_default(controls: Controls, live: Hearing, actor: str) -> None:
    for step in (
        lambda: controls.admit(live, actor, "u-defendant"),
        lambda: controls.call(live, actor, "u-defendant"),
        lambda: controls.dismiss(live, actor, "u-defendant"),
        lambda: controls.mute(live, actor, "u-defendant"),
        lambda: controls.unmute(live, actor, "u-defendant"),
        lambda: controls.remove(live, actor, "u-defendant"),
        lambda: controls.pause_recording(live, actor),
        lambda: controls.resume_recording(live, actor),
        lambda: controls.lower_hand(live, actor, "u-defendant"),
    ):
        with pytest.raises(NotAllowed) as caught:
            step()
        assert caught.value.code == "not_allowed"


def test_a_clerk_uses_the_controls_where_the_court_allows(live: Hearing, clock: FixedClock) -> None:
    controls = Controls(Lifecycle(clock, CourtPolicy(clerk_may_run_controls=True)))
    h = controls.mute(controls.call(live, CLERK, WITNESS), CLERK, WITNESS, MediaKind.VIDEO)
    assert h.events[-1].actor == CLERK and dict(h.events[-1].details) == {"media": "video"}


def test_controls_apply_only_while_the_hearing_is_live(
    controls: Controls, plan: HearingPlan, clock: FixedClock
) -> None:
    scheduled = Hearing("h-1", plan)
    with pytest.raises(IllegalControl) as caught:
        controls.admit(scheduled, JUDGE, PLAINTIFF)
    assert caught.value.code == "illegal_control" and caught.value.details["state"] == "scheduled"
    closed = Hearing("h-1", plan, HearingState.CLOSED)
    clock.set(plan.start)
    for step in (
        lambda: controls.call(closed, JUDGE, WITNESS),
        lambda: controls.chat(closed, PLAINTIFF, "hello?"),
        lambda: controls.raise_hand(closed, PLAINTIFF),
    ):
        with pytest.raises(IllegalControl):
            step()


def test_the_presiding_judge_is_beyond_controls(live: Hearing, clock: FixedClock) -> None:
    controls = Controls(Lifecycle(clock, CourtPolicy(clerk_may_run_controls=True)))
    for step in (
        lambda: controls.mute(live, CLERK, JUDGE),
        lambda: controls.remove(live, CLERK, JUDGE),
        lambda: controls.dismiss(live, CLERK, JUDGE),
    ):
        with pytest.raises(NotAllowed):
            step()


def test_targets_must_make_sense(controls: Controls, live: Hearing) -> None:
    with pytest.raises(IllegalControl):
        controls.admit(live, JUDGE, STRANGER)
    with pytest.raises(IllegalControl):
        controls.admit(live, JUDGE, "   ")
    with pytest.raises(IllegalControl):
        controls.remove(live, JUDGE, JUDGE)
    with pytest.raises(IllegalControl):
        controls.call(live, JUDGE, CLERK)
    with pytest.raises(IllegalControl):
        controls.admit(live, JUDGE, OBSERVER)
    with pytest.raises(IllegalControl):
        controls.mute(live, JUDGE, OBSERVER)


def test_a_disruptive_member_of_the_public_can_be_removed(controls: Controls, live: Hearing) -> None:
    h = controls.remove(live, JUDGE, STRANGER, "shouting")
    assert (h.events[-1].action, h.events[-1].target, h.events[-1].details["reason"]) == (
        Action.REMOVE, STRANGER, "shouting",
    )


def test_recording_pauses_and_resumes_once_each(controls: Controls, live: Hearing, plan: HearingPlan,
                                                 clock: FixedClock) -> None:
    paused = controls.pause_recording(live, JUDGE)
    assert paused.recording_paused
    with pytest.raises(IllegalControl):
        controls.pause_recording(paused, JUDGE)
    resumed = controls.resume_recording(paused, JUDGE)
    assert not resumed.recording_paused
    with pytest.raises(IllegalControl):
        controls.resume_recording(resumed, JUDGE)
    clock.set(plan.lobby_opens_at)
    with pytest.raises(IllegalControl):
        controls.pause_recording(Hearing("h-2", plan), JUDGE)


def test_participants_raise_and_lower_their_own_hands(controls: Controls, live: Hearing) -> None:
    h = controls.raise_hand(live, PLAINTIFF)
    h = controls.lower_hand(h, PLAINTIFF)
    h = controls.raise_hand(h, WITNESS)
    h = controls.lower_hand(h, JUDGE, WITNESS)
    assert [(e.action, e.actor, e.target) for e in h.events[-4:]] == [
        (Action.RAISE_HAND, PLAINTIFF, PLAINTIFF),
        (Action.LOWER_HAND, PLAINTIFF, PLAINTIFF),
        (Action.RAISE_HAND, WITNESS, WITNESS),
        (Action.LOWER_HAND, JUDGE, WITNESS),
    ]
    for actor in (JUDGE, CLERK, OBSERVER, STRANGER):
        with pytest.raises(NotAllowed):
            controls.raise_hand(live, actor)


def test_chat_goes_to_everyone_or_to_the_staff(controls: Controls, live: Hearing) -> None:
    h = controls.chat(live, PLAINTIFF, "  I cannot hear the defendant  ")
    h = controls.chat(h, LAWYER, "May I speak to my client?", ChatChannel.STAFF)
    assert dict(h.events[-2].details) == {"channel": "all", "text": "I cannot hear the defendant"}
    assert dict(h.events[-1].details) == {"channel": "staff", "text": "May I speak to my client?"}


def test_chat_refuses_the_public_and_empty_or_endless_messages(live: Hearing, clock: FixedClock) -> None:
    controls = Controls(Lifecycle(clock, CourtPolicy(max_chat_length=10)))
    for actor in (OBSERVER, STRANGER):
        with pytest.raises(NotAllowed):
            controls.chat(live, actor, "hello")
    with pytest.raises(IllegalControl):
        controls.chat(live, PLAINTIFF, "   ")
    with pytest.raises(IllegalControl) as caught:
        controls.chat(live, PLAINTIFF, "x" * 11)
    assert caught.value.details["limit"] == 10
    assert controls.chat(live, PLAINTIFF, "x" * 10).events[-1].details["text"] == "x" * 10
