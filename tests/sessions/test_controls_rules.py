"""Controls in detail: what each refusal tells the client (code, action, target, state), what each
logged control records, and the edges (a hand lowered by someone else, the recording outside session)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.clock import FixedClock
from sessions.controls import Controls
from sessions.errors import IllegalControl, NotAllowed, SessionsError
from sessions.hearings import HearingPlan
from sessions.lifecycle import Action, CourtPolicy, Hearing, HearingState, Lifecycle, MediaKind, PauseReason
from tests.sessions.conftest import CLERK, INTERPRETER, JUDGE, LAWYER, OBSERVER, PLAINTIFF, STRANGER, WITNESS


@pytest.fixture
def lifecycle(clock: FixedClock) -> Lifecycle:
    return Lifecycle(clock)


@pytest.fixture
def controls(lifecycle: Lifecycle) -> Controls:
    return Controls(lifecycle)


@pytest.fixture
def live(plan: HearingPlan, lifecycle: Lifecycle, clock: FixedClock) -> Hearing:
    clock.set(plan.start)
    return lifecycle.start(lifecycle.settle(Hearing("h-1", plan)), JUDGE)


def refusal(step) -> SessionsError:  # type: ignore[no-untyped-def]
    with pytest.raises(SessionsError) as refused:
        step()
    return refused.value


def test_each_logged_control_records_actor_target_time_and_details(
    controls: Controls, live: Hearing, clock: FixedClock
) -> None:
    clock.advance(timedelta(minutes=3))
    h = controls.mute(live, JUDGE, PLAINTIFF, MediaKind.VIDEO)
    h = controls.unmute(h, JUDGE, PLAINTIFF)
    h = controls.remove(h, JUDGE, LAWYER, "   ")
    h = controls.pause_recording(h, JUDGE)
    last = h.events[-4:]
    assert [(e.action, e.actor, e.target, dict(e.details)) for e in last] == [
        (Action.MUTE, JUDGE, PLAINTIFF, {"media": "video"}),
        (Action.UNMUTE, JUDGE, PLAINTIFF, {"media": "audio"}),
        (Action.REMOVE, JUDGE, LAWYER, {}),
        (Action.RECORDING_PAUSE, JUDGE, None, {}),
    ]
    assert {e.at for e in last} == {clock.now()}
    assert controls.mute(live, JUDGE, f"  {PLAINTIFF} ").events[-1].target == PLAINTIFF
    assert controls.remove(live, JUDGE, STRANGER, " loud ").events[-1].details["reason"] == "loud"


def test_refusals_name_what_was_refused(controls: Controls, live: Hearing) -> None:
    empty = refusal(lambda: controls.admit(live, JUDGE, ""))
    assert (type(empty), empty.details) == (IllegalControl, {"action": "admit"})
    assert empty.message == "admit needs a target"
    self_target = refusal(lambda: controls.mute(live, JUDGE, JUDGE))
    assert (type(self_target), self_target.details) == (IllegalControl, {"action": "mute", "target": JUDGE})
    unknown = refusal(lambda: controls.call(live, JUDGE, STRANGER))
    assert (type(unknown), unknown.details) == (IllegalControl, {"action": "call", "target": STRANGER})
    assert unknown.message == f"{STRANGER} is not a participant of this hearing"
    staff = refusal(lambda: controls.dismiss(live, JUDGE, CLERK))
    assert (type(staff), staff.details) == (IllegalControl, {"action": "dismiss", "target": CLERK})
    assert staff.message == "a clerk does not pass through the waiting room"
    observer = refusal(lambda: controls.unmute(live, JUDGE, OBSERVER))
    assert (type(observer), observer.details) == (IllegalControl, {"action": "unmute", "target": OBSERVER})
    outsider = refusal(lambda: controls.mute(live, JUDGE, STRANGER))
    assert outsider.details == {"action": "mute", "target": STRANGER}
    judge = refusal(lambda: Controls(Lifecycle(controls.lifecycle.clock, CourtPolicy(clerk_may_run_controls=True)))
                    .lower_hand(live, CLERK, JUDGE))
    assert (type(judge), judge.details) == (NotAllowed, {"action": "lower_hand", "target": JUDGE})


def test_a_hand_lowered_by_someone_else_is_a_control(controls: Controls, live: Hearing) -> None:
    raised = controls.raise_hand(live, WITNESS)
    lowered = controls.lower_hand(raised, JUDGE, WITNESS)
    assert (lowered.events[-1].actor, lowered.events[-1].target) == (JUDGE, WITNESS)
    assert controls.lower_hand(raised, WITNESS, WITNESS).events[-1].actor == WITNESS
    party = refusal(lambda: controls.lower_hand(raised, PLAINTIFF, WITNESS))
    assert type(party) is NotAllowed
    nobody = refusal(lambda: controls.lower_hand(raised, JUDGE, STRANGER))
    assert nobody.details == {"action": "lower_hand", "target": STRANGER}
    clerk = refusal(lambda: controls.raise_hand(live, CLERK))
    assert clerk.details == {"action": "raise_hand", "role": "clerk"}
    stranger = refusal(lambda: controls.raise_hand(live, STRANGER))
    assert stranger.details == {"action": "raise_hand", "role": "none"}
    assert controls.raise_hand(live, INTERPRETER).events[-1].target == INTERPRETER
    observer = refusal(lambda: controls.raise_hand(live, OBSERVER))
    assert observer.details == {"action": "raise_hand", "role": "observer"}


def test_nothing_is_done_in_a_hearing_that_is_not_live(controls: Controls, plan: HearingPlan,
                                                       clock: FixedClock) -> None:
    clock.set(plan.lobby_opens_at - timedelta(minutes=1))
    scheduled = Hearing("h-1", plan)
    for step, action in ((lambda: controls.raise_hand(scheduled, PLAINTIFF), "raise_hand"),
                         (lambda: controls.admit(scheduled, JUDGE, PLAINTIFF), "admit"),
                         (lambda: controls.chat(scheduled, PLAINTIFF, "hi"), "chat")):
        error = refusal(step)
        assert (type(error), error.details) == (IllegalControl, {"action": action, "state": "scheduled"})
    closed = Hearing("h-1", plan, HearingState.CLOSED)
    error = refusal(lambda: controls.lower_hand(closed, PLAINTIFF))
    assert error.message == "lower hand is not possible while the hearing is closed"


def test_the_recording_is_paused_only_while_it_runs(controls: Controls, lifecycle: Lifecycle, live: Hearing) -> None:
    recess = lifecycle.pause(live, JUDGE, PauseReason.RECESS)
    paused = controls.pause_recording(recess, JUDGE)
    assert paused.recording_paused and paused.events[-1].action is Action.RECORDING_PAUSE
    again = refusal(lambda: controls.pause_recording(paused, JUDGE))
    assert (again.message, again.details) == ("the recording is already paused", {"action": "recording_pause"})
    running = refusal(lambda: controls.resume_recording(live, JUDGE))
    assert (running.message, running.details) == ("the recording is not paused", {"action": "recording_resume"})
    lobby = lifecycle.settle(Hearing("h-2", live.plan))
    wrong = refusal(lambda: controls.pause_recording(Hearing("h-3", live.plan, HearingState.LOBBY_OPEN), JUDGE))
    assert wrong.details == {"action": "recording_pause", "state": "lobby_open"}
    assert lobby.state is HearingState.LOBBY_OPEN
    party = refusal(lambda: controls.pause_recording(live, PLAINTIFF))
    assert type(party) is NotAllowed


def test_chat_refusals_say_why(live: Hearing, clock: FixedClock) -> None:
    controls = Controls(Lifecycle(clock, CourtPolicy(max_chat_length=5)))
    observer = refusal(lambda: controls.chat(live, OBSERVER, "hi"))
    assert (type(observer), observer.details) == (NotAllowed, {"action": "chat"})
    blank = refusal(lambda: controls.chat(live, PLAINTIFF, None))  # type: ignore[arg-type]
    assert (blank.message, blank.details) == ("a chat message needs some text", {"action": "chat"})
    long = refusal(lambda: controls.chat(live, PLAINTIFF, "123456"))
    assert (long.message, long.details) == ("a chat message is at most 5 characters", {"action": "chat", "limit": 5})
    assert controls.chat(live, JUDGE, "order", "staff").events[-1].details["channel"] == "staff"  # type: ignore[arg-type]


def test_the_words_of_each_refusal(controls: Controls, live: Hearing, clock: FixedClock) -> None:
    assert refusal(lambda: controls.chat(live, OBSERVER, "hi")).message == (
        "observers follow the hearing but do not write in it")
    assert refusal(lambda: controls.raise_hand(live, CLERK)).message == (
        "raising a hand is for participants who may speak and are not court staff")
    assert refusal(lambda: controls.mute(live, JUDGE, OBSERVER)).message == "observers publish nothing to mute"
    assert refusal(lambda: controls.remove(live, JUDGE, JUDGE)).message == "remove is applied to somebody else"
    missing = refusal(lambda: controls.admit(live, JUDGE, None))  # type: ignore[arg-type]
    assert (missing.message, missing.details) == ("admit needs a target", {"action": "admit"})


def test_a_hand_is_lowered_by_the_person_it_belongs_to(controls: Controls, live: Hearing, clock: FixedClock) -> None:
    own = refusal(lambda: controls.lower_hand(live, CLERK))
    assert (type(own), own.details) == (NotAllowed, {"action": "lower_hand", "role": "clerk"})
    court = Controls(Lifecycle(clock, CourtPolicy(clerk_may_run_controls=True)))
    padded = refusal(lambda: court.lower_hand(live, CLERK, f" {CLERK} "))
    assert (type(padded), padded.details) == (IllegalControl, {"action": "lower_hand", "target": CLERK})
    said = controls.chat(live, PLAINTIFF, "hello")
    assert (said.events[-1].actor, said.events[-1].target) == (PLAINTIFF, None)


def test_a_recording_pause_keeps_its_reason_trimmed_and_bounded(controls: Controls, live: Hearing) -> None:
    paused = controls.pause_recording(live, JUDGE, "  a minor testifies  ")
    assert dict(paused.events[-1].details) == {"reason": "a minor testifies"}
    assert dict(controls.pause_recording(live, JUDGE, "x" * 600).events[-1].details) == {"reason": "x" * 500}
    assert dict(controls.pause_recording(live, JUDGE, "   ").events[-1].details) == {}
    assert dict(controls.pause_recording(live, JUDGE).events[-1].details) == {}
    assert dict(controls.resume_recording(paused, JUDGE).events[-1].details) == {}


def test_no_one_admits_or_dismisses_themselves_and_the_judge_is_never_controlled(
    controls: Controls, live: Hearing
) -> None:
    """The judge, and a clerk allowed to run the room, are each refused when they name themselves, before
    anything else is asked of the target; a control aimed at the judge is refused in words."""
    clerk_controls = Controls(Lifecycle(controls.lifecycle.clock, CourtPolicy(clerk_may_run_controls=True)))
    for step, actor, action in ((clerk_controls.admit, CLERK, "admit"), (clerk_controls.dismiss, CLERK, "dismiss"),
                                (controls.call, JUDGE, "call")):
        itself = refusal(lambda step=step, actor=actor: step(live, actor, actor))
        assert (type(itself), itself.message) == (IllegalControl, f"{action} is applied to somebody else")
        assert itself.details == {"action": action, "target": actor}
    judge = refusal(lambda: clerk_controls.mute(live, CLERK, JUDGE))
    assert (type(judge), judge.message) == (NotAllowed, "the presiding judge is not subject to hearing controls")
    assert judge.details == {"action": "mute", "target": JUDGE}


def test_a_control_during_a_recording_pause_leaves_the_recording_paused(controls: Controls, live: Hearing) -> None:
    paused = controls.pause_recording(live, JUDGE)
    assert paused.recording_paused is True
    for after in (controls.mute(paused, JUDGE, PLAINTIFF), controls.remove(paused, JUDGE, LAWYER),
                  controls.chat(paused, PLAINTIFF, "may I speak?")):
        assert after.recording_paused is True
    assert controls.resume_recording(paused, JUDGE).recording_paused is False
    assert controls.mute(live, JUDGE, PLAINTIFF).recording_paused is False
