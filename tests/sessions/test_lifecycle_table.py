"""The lifecycle's table, cell by cell: every (action, state) pair either leads where the rules say
or is refused, and every step leaves the minutes what they need (reasons, times, who).

The expected table is written out here, not read from :data:`sessions.lifecycle.TRANSITIONS`, so
an edit of the module's table (CLOSE allowed from SCHEDULED, OPEN_LOBBY from SUSPENDED) fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from core.clock import FixedClock
from sessions.errors import IllegalHearingTransition, InvalidHearing, NotAllowed
from sessions.hearings import HearingPlan
from sessions.lifecycle import (
    RECORDING_STATES,
    Action,
    CourtPolicy,
    Hearing,
    HearingState,
    Lifecycle,
    PauseReason,
    SuspendReason,
)
from tests.sessions.conftest import CLERK, JUDGE, PLAINTIFF

S = HearingState
#: action -> (the states it may be taken from, the state it leads to), as the court's rules say.
EXPECTED: dict[Action, tuple[set[HearingState], HearingState]] = {
    Action.OPEN_LOBBY: ({S.SCHEDULED}, S.LOBBY_OPEN),
    Action.START: ({S.LOBBY_OPEN}, S.IN_SESSION),
    Action.PAUSE: ({S.IN_SESSION}, S.PAUSED),
    Action.RESUME: ({S.PAUSED, S.SUSPENDED}, S.IN_SESSION),
    Action.SUSPEND: ({S.IN_SESSION, S.PAUSED}, S.SUSPENDED),
    Action.CLOSE: ({S.IN_SESSION, S.PAUSED}, S.CLOSED),
    Action.ADJOURN: ({S.LOBBY_OPEN, S.IN_SESSION, S.PAUSED, S.SUSPENDED}, S.ADJOURNED),
    Action.CANCEL: ({S.SCHEDULED, S.LOBBY_OPEN}, S.CANCELLED),
}


def _in_state(plan: HearingPlan, state: HearingState) -> Hearing:
    return Hearing(
        "h-table",
        plan,
        state,
        pause_reason=PauseReason.RECESS if state is S.PAUSED else None,
        suspend_reason=SuspendReason.TECHNICAL_FAILURE if state is S.SUSPENDED else None,
    )


def _step(rules: Lifecycle, action: Action) -> Callable[[Hearing, str], Hearing]:
    return {
        Action.OPEN_LOBBY: rules.open_lobby,
        Action.START: rules.start,
        Action.PAUSE: lambda h, actor: rules.pause(h, actor, PauseReason.RECESS),
        Action.RESUME: rules.resume,
        Action.SUSPEND: rules.suspend,
        Action.CLOSE: rules.close,
        Action.ADJOURN: rules.adjourn,
        Action.CANCEL: rules.cancel,
    }[action]


@pytest.mark.parametrize("state", list(HearingState))
@pytest.mark.parametrize("action", list(EXPECTED))
def test_every_action_in_every_state(plan: HearingPlan, clock: FixedClock, action: Action, state: HearingState) -> None:
    # A scheduled hearing stays scheduled only before its lobby opens; the rest stand at the start.
    clock.set(plan.lobby_opens_at - timedelta(minutes=1) if state is S.SCHEDULED else plan.start)
    rules = Lifecycle(clock)
    hearing = _in_state(plan, state)
    sources, target = EXPECTED[action]
    if state not in sources:
        with pytest.raises(IllegalHearingTransition) as refused:
            _step(rules, action)(hearing, JUDGE)
        assert refused.value.details == {"action": action.value, "state": state.value}
        return
    after = _step(rules, action)(hearing, JUDGE)
    assert after.state is target
    last = after.events[-1]
    assert (last.seq, last.action, last.actor, last.at) == (1, action, JUDGE, clock.now())
    assert (last.details["from"], last.details["to"]) == (state.value, target.value)
    assert after.pause_reason is (PauseReason.RECESS if target is S.PAUSED else None)
    assert (after.suspend_reason is None) is (target is not S.SUSPENDED)


def test_live_final_and_recorded_states() -> None:
    assert {s for s in HearingState if s.is_live} == {S.LOBBY_OPEN, S.IN_SESSION, S.PAUSED, S.SUSPENDED}
    assert {s for s in HearingState if s.is_final} == {S.CLOSED, S.ADJOURNED, S.CANCELLED}
    assert RECORDING_STATES == {S.IN_SESSION, S.PAUSED, S.SUSPENDED}


def test_closing_during_a_recess_ends_the_recess(plan: HearingPlan, clock: FixedClock) -> None:
    rules = Lifecycle(clock)
    clock.set(plan.start)
    paused = rules.pause(rules.start(rules.settle(Hearing("h", plan)), JUDGE), JUDGE, PauseReason.DELIBERATION)
    clock.advance(timedelta(minutes=20))
    closed = rules.close(paused, JUDGE)
    assert closed.state is S.CLOSED and closed.pause_reason is None
    assert dict(closed.events[-1].details) == {"from": "paused", "to": "closed"}
    assert closed.events[-1].at == plan.start + timedelta(minutes=20)


@pytest.mark.parametrize("reason", list(SuspendReason))
def test_a_suspension_records_its_reason_for_the_minutes(
    plan: HearingPlan, clock: FixedClock, reason: SuspendReason
) -> None:
    rules = Lifecycle(clock)
    clock.set(plan.start)
    paused = rules.pause(rules.start(rules.settle(Hearing("h", plan)), JUDGE), JUDGE, PauseReason.RECESS)
    suspended = rules.suspend(paused, CLERK, reason)
    assert suspended.suspend_reason is reason and suspended.pause_reason is None
    assert dict(suspended.events[-1].details) == {"from": "paused", "to": "suspended", "reason": reason.value}
    assert suspended.events[-1].actor == CLERK
    assert rules.suspend(rules.resume(suspended, JUDGE), JUDGE).suspend_reason is SuspendReason.TECHNICAL_FAILURE
    resumed = rules.resume(suspended, JUDGE)
    assert resumed.suspend_reason is None and resumed.pause_reason is None


def test_adjourning_clears_a_pause_and_records_no_date_when_none_is_known(plan: HearingPlan, clock: FixedClock) -> None:
    rules = Lifecycle(clock)
    clock.set(plan.start)
    paused = rules.pause(rules.start(rules.settle(Hearing("h", plan)), JUDGE), JUDGE, PauseReason.RECESS)
    adjourned = rules.adjourn(paused, JUDGE)
    assert adjourned.pause_reason is None and adjourned.adjourned_to is None
    assert dict(adjourned.events[-1].details) == {"from": "paused", "to": "adjourned"}
    with pytest.raises(InvalidHearing) as today:
        rules.adjourn(rules.resume(paused, JUDGE), JUDGE, clock.now())
    assert today.value.details == {"field": "new_start"}


def test_a_cancellation_keeps_its_reason_trimmed_and_drops_a_blank_one(plan: HearingPlan, clock: FixedClock) -> None:
    rules = Lifecycle(clock)
    hearing = Hearing("h", plan)
    assert rules.cancel(hearing, CLERK, "  judge ill  ").events[-1].details["reason"] == "judge ill"
    assert "reason" not in rules.cancel(hearing, CLERK, "   ").events[-1].details
    assert dict(rules.cancel(hearing, CLERK).events[-1].details) == {"from": "scheduled", "to": "cancelled"}


def test_the_log_never_goes_back_in_time(plan: HearingPlan, clock: FixedClock) -> None:
    """A clock stepped back (NTP, another node) must not put an entry before the one it follows."""
    rules = Lifecycle(clock)
    clock.set(plan.start)
    started = rules.start(rules.settle(Hearing("h", plan)), JUDGE)
    clock.set(plan.start + timedelta(minutes=10))
    paused = rules.pause(started, JUDGE, PauseReason.RECESS)
    clock.set(plan.start + timedelta(minutes=5))
    resumed = rules.resume(paused, JUDGE)
    assert resumed.events[-1].at == plan.start + timedelta(minutes=10)  # the last entry's time, not an older one
    assert [e.at for e in resumed.events] == sorted(e.at for e in resumed.events)
    clock.set(plan.start + timedelta(minutes=13))
    assert rules.pause(resumed, JUDGE, PauseReason.RECESS).events[-1].at == plan.start + timedelta(minutes=13)


def test_when_the_hearing_entered_its_state(plan: HearingPlan, clock: FixedClock) -> None:
    rules = Lifecycle(clock)
    hearing = Hearing("h", plan)
    assert hearing.state_since is None
    clock.set(plan.start)
    started = rules.start(rules.settle(hearing), JUDGE)
    assert started.state_since == plan.start
    clock.advance(timedelta(minutes=7))
    assert rules.watch(started, {JUDGE: clock.now()}).state_since == plan.start


def test_the_judge_lost_while_the_lobby_is_open_does_not_suspend(plan: HearingPlan, clock: FixedClock) -> None:
    rules = Lifecycle(clock, CourtPolicy(judge_loss_timeout=timedelta(seconds=10)))
    clock.set(plan.start + timedelta(hours=2))
    lobby = rules.settle(Hearing("h", plan))
    assert lobby.state is S.LOBBY_OPEN
    assert rules.watch(lobby, {}) is lobby


def test_a_judge_seen_lately_keeps_the_session_going_long_after_it_started(
    plan: HearingPlan, clock: FixedClock
) -> None:
    rules = Lifecycle(clock, CourtPolicy(judge_loss_timeout=timedelta(seconds=60)))
    clock.set(plan.start)
    live = rules.start(rules.settle(Hearing("h", plan)), JUDGE)
    clock.advance(timedelta(minutes=30))
    assert rules.watch(live, {JUDGE: clock.now() - timedelta(seconds=59)}) is live
    assert rules.watch(live, {PLAINTIFF: clock.now()}).state is S.SUSPENDED


def test_a_refusal_names_the_action_and_the_actor_role(plan: HearingPlan, clock: FixedClock) -> None:
    rules = Lifecycle(clock)
    clock.set(plan.start)
    lobby = rules.settle(Hearing("h", plan))
    with pytest.raises(NotAllowed) as party:
        rules.start(lobby, PLAINTIFF)
    assert party.value.details == {"action": "start", "role": "plaintiff"}
    assert "start is for the judge" in party.value.message
    with pytest.raises(NotAllowed) as nobody:
        rules.open_lobby(Hearing("h", plan), "u-nobody")
    assert nobody.value.details == {"action": "open_lobby", "role": "none"}
    assert "not a participant" in nobody.value.message
    with pytest.raises(IllegalHearingTransition) as illegal:
        rules.pause(lobby, JUDGE, PauseReason.RECESS)
    assert illegal.value.message == "cannot pause a hearing that is lobby_open"
    with pytest.raises(IllegalHearingTransition) as twice:
        rules.open_lobby(lobby, JUDGE)
    assert twice.value.message == "cannot open lobby a hearing that is lobby_open"
    with pytest.raises(NotAllowed) as listed:
        rules.open_lobby(Hearing("h", plan), PLAINTIFF)
    assert listed.value.message == "open lobby is for the judge; the actor is a plaintiff"
    assert nobody.value.message == "open lobby is for the judge; the actor is not a participant"


def _refusal(step: Callable[[], object]) -> tuple[dict, str]:
    with pytest.raises(InvalidHearing) as refused:
        step()
    return refused.value.details, refused.value.message


def test_each_bad_value_is_refused_naming_its_field(plan: HearingPlan, clock: FixedClock) -> None:
    """A client that sends a naive time or an inconsistent record is told which field is wrong."""
    from datetime import datetime

    from sessions.lifecycle import HearingEvent, judge_connection_lost

    naive = datetime(2026, 1, 15, 10, 0)
    aware = clock.now()
    rules = Lifecycle(clock)
    clock.set(plan.start)
    live = rules.start(rules.settle(Hearing("h", plan)), JUDGE)
    cases: list[tuple[Callable[[], object], str, str]] = [
        (lambda: judge_connection_lost(live, {JUDGE: naive}, aware, timedelta(seconds=1)), "last_seen", ""),
        (lambda: judge_connection_lost(live, {JUDGE: aware}, naive, timedelta(seconds=1)), "now", ""),
        (lambda: rules.watch(live, {JUDGE: naive}), "last_seen", ""),
        (lambda: Hearing("h", plan).effective_state(naive), "now", ""),
        (lambda: rules.adjourn(live, JUDGE, naive + timedelta(days=9)), "new_start", ""),
        (lambda: rules.adjourn(live, JUDGE, aware - timedelta(days=1)), "new_start",
         "a hearing is adjourned to a future date"),
        (lambda: HearingEvent(1, naive, JUDGE, Action.START), "at", ""),
        (lambda: HearingEvent(0, aware, JUDGE, Action.START), "seq", "event seq starts at 1"),
        (lambda: HearingEvent(1, aware, JUDGE, Action.START, details={"n": 1}), "details", "event details are text"),
        (lambda: Hearing("", plan), "hearing_id", "hearing_id must not be empty"),
        (lambda: Hearing("h", plan, events=(HearingEvent(2, aware, JUDGE, Action.START),)), "events",
         "the event log is numbered 1, 2, 3, ... without gaps"),
        (lambda: Hearing("h", plan, S.PAUSED), "pause_reason", "a pause reason goes with the paused state only"),
        (lambda: Hearing("h", plan, S.SUSPENDED), "suspend_reason",
         "a suspension reason goes with the suspended state only"),
        (lambda: Hearing("h", plan, S.CLOSED, adjourned_to=aware), "adjourned_to",
         "only an adjourned hearing has a new date"),
        (lambda: Hearing("h", plan, S.ADJOURNED, adjourned_to=naive), "adjourned_to", ""),
        (lambda: CourtPolicy(judge_loss_timeout=timedelta(0)), "judge_loss_timeout",
         "judge_loss_timeout must be positive"),
        (lambda: CourtPolicy(judge_loss_timeout=60), "judge_loss_timeout", ""),  # type: ignore[arg-type]
        (lambda: CourtPolicy(max_chat_length=0), "max_chat_length", "max_chat_length must be positive"),
        (lambda: CourtPolicy(max_chat_length="9"), "max_chat_length", ""),  # type: ignore[arg-type]
    ]
    for step, field_name, message in cases:
        details, text = _refusal(step)
        assert details == {"field": field_name}, (field_name, details)
        assert text and (not message or text == message), (field_name, text)


def test_well_formed_values_are_kept_as_given(plan: HearingPlan, clock: FixedClock) -> None:
    from sessions.lifecycle import HearingEvent

    event = HearingEvent(1, clock.now(), None, "start", details={"k": "v"})  # type: ignore[arg-type]
    assert event.action is Action.START and dict(event.details) == {"k": "v"} and event.target is None
    later = clock.now() + timedelta(days=3)
    adjourned = Hearing("h", plan, "adjourned", adjourned_to=later)  # type: ignore[arg-type]
    assert adjourned.state is S.ADJOURNED and adjourned.adjourned_to == later
    assert CourtPolicy(max_chat_length=1).max_chat_length == 1
    assert CourtPolicy(judge_loss_timeout=timedelta(microseconds=1)).judge_loss_timeout == timedelta(microseconds=1)


def test_an_automatic_suspension_tells_the_minutes_when_the_judge_was_last_seen(
    plan: HearingPlan, clock: FixedClock
) -> None:
    from datetime import timezone

    rules = Lifecycle(clock, CourtPolicy(judge_loss_timeout=timedelta(seconds=60)))
    clock.set(plan.start)
    live = rules.start(rules.settle(Hearing("h", plan)), JUDGE)
    almaty = timezone(timedelta(hours=5))
    seen = (plan.start + timedelta(minutes=1)).astimezone(almaty)
    clock.set(plan.start + timedelta(minutes=2, seconds=1))
    suspended = rules.watch(live, {JUDGE: seen})
    assert dict(suspended.events[-1].details) == {
        "from": "in_session", "to": "suspended", "reason": "judge_connection_lost",
        "judge_last_seen": "2026-01-15T10:01:00+00:00",
    }
    assert (suspended.events[-1].at, suspended.events[-1].target) == (clock.now(), JUDGE)


def test_an_event_keeps_its_time_in_utc_and_its_details_read_only(clock: FixedClock) -> None:
    from datetime import UTC, timezone

    from sessions.lifecycle import HearingEvent

    almaty = clock.now().astimezone(timezone(timedelta(hours=5)))
    given = {"reason": "recess"}
    event = HearingEvent(1, almaty, JUDGE, Action.PAUSE, details=given)
    assert event.at == clock.now() and event.at.tzinfo is UTC
    given["reason"] = "edited later"
    assert dict(event.details) == {"reason": "recess"}
    with pytest.raises(TypeError):
        event.details["reason"] = "edited"  # type: ignore[index]


def test_a_hearing_keeps_its_log_as_a_tuple_and_its_new_date_in_utc(plan: HearingPlan, clock: FixedClock) -> None:
    """A log handed over as a list is frozen with the hearing (a caller's later append cannot rewrite the
    minutes), and a new date given in Almaty time is kept in UTC like every other stored time."""
    from datetime import UTC, timezone

    from sessions.lifecycle import HearingEvent

    given = [HearingEvent(1, clock.now(), JUDGE, Action.OPEN_LOBBY)]
    hearing = Hearing("h", plan, S.LOBBY_OPEN, events=given)  # type: ignore[arg-type]
    given.append(HearingEvent(2, clock.now(), JUDGE, Action.START))
    assert isinstance(hearing.events, tuple) and len(hearing.events) == 1
    almaty = (clock.now() + timedelta(days=3)).astimezone(timezone(timedelta(hours=5)))
    adjourned = Hearing("h", plan, S.ADJOURNED, adjourned_to=almaty)
    assert adjourned.adjourned_to is not None and adjourned.adjourned_to.tzinfo is UTC
    assert adjourned.adjourned_to.isoformat() == almaty.astimezone(UTC).isoformat()
