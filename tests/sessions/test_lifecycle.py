"""The hearing lifecycle: scheduled → lobby open → in session ⇄ paused → closed, plus suspended,
adjourned and cancelled; who may take each step, and the log each step leaves."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from core.clock import FixedClock
from sessions.errors import IllegalHearingTransition, InvalidHearing, NotAllowed, SessionsError
from sessions.hearings import HearingFormat, HearingPlan, HearingRole, Participant
from sessions.lifecycle import (
    CLERK_ALWAYS,
    TRANSITIONS,
    Action,
    CourtPolicy,
    Hearing,
    HearingEvent,
    HearingState,
    Lifecycle,
    PauseReason,
    SuspendReason,
    judge_connection_lost,
)

JUDGE, CLERK, PLAINTIFF, LAWYER, WITNESS, OBSERVER, STRANGER = (
    "u-judge", "u-clerk", "u-plaintiff", "u-lawyer", "u-witness", "u-observer", "u-stranger",
)


@pytest.fixture
def rules(clock: FixedClock) -> Lifecycle:
    return Lifecycle(clock)


@pytest.fixture
def hearing(plan: HearingPlan) -> Hearing:
    return Hearing("h-1", plan)


def at_lobby(clock: FixedClock, plan: HearingPlan) -> None:
    clock.set(plan.lobby_opens_at)


def in_session(rules: Lifecycle, hearing: Hearing, clock: FixedClock) -> Hearing:
    clock.set(hearing.plan.start)
    return rules.start(hearing, JUDGE)


def test_a_full_hearing_leaves_a_numbered_log(rules: Lifecycle, hearing: Hearing, clock: FixedClock) -> None:
    clock.set(hearing.plan.start)
    h = rules.start(hearing, JUDGE)
    clock.advance(timedelta(minutes=40))
    h = rules.pause(h, JUDGE, PauseReason.DELIBERATION)
    assert h.state is HearingState.PAUSED and h.pause_reason is PauseReason.DELIBERATION
    clock.advance(timedelta(minutes=15))
    h = rules.resume(h, JUDGE)
    assert h.pause_reason is None
    clock.advance(timedelta(minutes=5))
    h = rules.close(h, JUDGE)

    assert h.state is HearingState.CLOSED
    assert [(e.seq, e.action, e.actor) for e in h.events] == [
        (1, Action.OPEN_LOBBY, None),
        (2, Action.START, JUDGE),
        (3, Action.PAUSE, JUDGE),
        (4, Action.RESUME, JUDGE),
        (5, Action.CLOSE, JUDGE),
    ]
    assert h.events[0].at == hearing.plan.lobby_opens_at
    assert dict(h.events[0].details) == {"from": "scheduled", "to": "lobby_open", "automatic": "yes"}
    assert dict(h.events[2].details) == {"from": "in_session", "to": "paused", "reason": "deliberation"}
    assert h.events[4].at == hearing.plan.start + timedelta(minutes=60)
    assert hearing.events == () and hearing.state is HearingState.SCHEDULED


def test_the_lobby_opens_by_itself_at_its_lead_time(rules: Lifecycle, hearing: Hearing, clock: FixedClock) -> None:
    clock.set(hearing.plan.lobby_opens_at - timedelta(seconds=1))
    assert rules.settle(hearing) is hearing
    assert hearing.effective_state(clock.now()) is HearingState.SCHEDULED
    clock.set(hearing.plan.lobby_opens_at)
    assert hearing.effective_state(clock.now()) is HearingState.LOBBY_OPEN
    settled = rules.settle(hearing)
    assert settled.state is HearingState.LOBBY_OPEN and settled.events[0].actor is None
    assert rules.settle(settled) is settled


def test_the_clerk_may_open_the_lobby_early(rules: Lifecycle, hearing: Hearing, clock: FixedClock) -> None:
    h = rules.open_lobby(hearing, CLERK)
    assert h.state is HearingState.LOBBY_OPEN
    assert (h.events[0].actor, h.events[0].at) == (CLERK, clock.now())
    with pytest.raises(IllegalHearingTransition):
        rules.open_lobby(h, JUDGE)


def test_a_hearing_cannot_start_before_its_lobby_opens(rules: Lifecycle, hearing: Hearing) -> None:
    with pytest.raises(IllegalHearingTransition) as caught:
        rules.start(hearing, JUDGE)
    assert caught.value.code == "illegal_hearing_transition"
    assert caught.value.status == 409
    assert caught.value.details == {"action": "start", "state": "scheduled"}


@pytest.mark.parametrize("actor", [PLAINTIFF, LAWYER, WITNESS, OBSERVER, STRANGER])
def test_only_the_judge_runs_the_hearing(rules: Lifecycle, hearing: Hearing, clock: FixedClock, actor: str) -> None:
    at_lobby(clock, hearing.plan)
    with pytest.raises(NotAllowed) as caught:
        rules.start(hearing, actor)
    assert caught.value.code == "not_allowed" and caught.value.status == 403
    live = in_session(rules, hearing, clock)
    for step in (
        lambda: rules.pause(live, actor, PauseReason.RECESS),
        lambda: rules.close(live, actor),
        lambda: rules.suspend(live, actor),
        lambda: rules.adjourn(live, actor),
        lambda: rules.cancel(hearing, actor),
    ):
        with pytest.raises(NotAllowed):
            step()


def test_a_clerk_runs_the_hearing_only_where_the_court_allows(hearing: Hearing, clock: FixedClock) -> None:
    at_lobby(clock, hearing.plan)
    with pytest.raises(NotAllowed) as caught:
        Lifecycle(clock).start(hearing, CLERK)
    assert caught.value.details == {"action": "start", "role": "clerk"}
    started = Lifecycle(clock, CourtPolicy(clerk_may_run_controls=True)).start(hearing, CLERK)
    assert started.state is HearingState.IN_SESSION and started.events[-1].actor == CLERK


def test_a_clerk_may_always_open_cancel_and_call_for_technical_help(
    rules: Lifecycle, hearing: Hearing, clock: FixedClock
) -> None:
    assert CLERK_ALWAYS == {Action.OPEN_LOBBY, Action.CANCEL, Action.SUSPEND}
    assert rules.cancel(hearing, CLERK, "judge on sick leave").events[-1].details["reason"] == "judge on sick leave"
    live = in_session(rules, hearing, clock)
    suspended = rules.suspend(live, CLERK)
    assert suspended.suspend_reason is SuspendReason.TECHNICAL_FAILURE
    with pytest.raises(NotAllowed):
        rules.resume(suspended, CLERK)


def test_a_suspended_hearing_resumes_or_is_adjourned(rules: Lifecycle, hearing: Hearing, clock: FixedClock) -> None:
    suspended = rules.suspend(in_session(rules, hearing, clock), JUDGE)
    assert rules.resume(suspended, JUDGE).state is HearingState.IN_SESSION
    with pytest.raises(IllegalHearingTransition):
        rules.close(suspended, JUDGE)
    new_date = clock.now() + timedelta(days=7)
    adjourned = rules.adjourn(suspended, JUDGE, new_date)
    assert adjourned.state is HearingState.ADJOURNED and adjourned.adjourned_to == new_date
    assert adjourned.suspend_reason is None
    assert adjourned.events[-1].details["new_start"] == new_date.isoformat()


def test_adjourning_to_a_past_or_naive_date_is_refused(rules: Lifecycle, hearing: Hearing, clock: FixedClock) -> None:
    live = in_session(rules, hearing, clock)
    with pytest.raises(InvalidHearing):
        rules.adjourn(live, JUDGE, clock.now() - timedelta(days=1))
    with pytest.raises(InvalidHearing):
        rules.adjourn(live, JUDGE, clock.now().replace(tzinfo=None) + timedelta(days=1))
    assert rules.adjourn(live, JUDGE).adjourned_to is None


def test_a_running_hearing_is_not_cancelled_but_adjourned(
    rules: Lifecycle, hearing: Hearing, clock: FixedClock
) -> None:
    at_lobby(clock, hearing.plan)
    assert rules.cancel(hearing, JUDGE).state is HearingState.CANCELLED
    live = in_session(rules, hearing, clock)
    with pytest.raises(IllegalHearingTransition):
        rules.cancel(live, JUDGE)


@pytest.mark.parametrize("final", [HearingState.CLOSED, HearingState.ADJOURNED, HearingState.CANCELLED])
def test_nothing_follows_the_end(rules: Lifecycle, plan: HearingPlan, clock: FixedClock, final: HearingState) -> None:
    done = Hearing("h-1", plan, final)
    clock.set(plan.start)
    for action, step in [
        (Action.OPEN_LOBBY, lambda: rules.open_lobby(done, JUDGE)),
        (Action.START, lambda: rules.start(done, JUDGE)),
        (Action.PAUSE, lambda: rules.pause(done, JUDGE, PauseReason.RECESS)),
        (Action.RESUME, lambda: rules.resume(done, JUDGE)),
        (Action.SUSPEND, lambda: rules.suspend(done, JUDGE)),
        (Action.CLOSE, lambda: rules.close(done, JUDGE)),
        (Action.ADJOURN, lambda: rules.adjourn(done, JUDGE)),
        (Action.CANCEL, lambda: rules.cancel(done, JUDGE)),
    ]:
        with pytest.raises(IllegalHearingTransition) as caught:
            step()
        assert caught.value.details["action"] == action.value
    assert final.is_final and not final.is_live


def test_the_judge_lost_for_longer_than_the_timeout_suspends_the_hearing(
    hearing: Hearing, clock: FixedClock
) -> None:
    rules = Lifecycle(clock, CourtPolicy(judge_loss_timeout=timedelta(seconds=60)))
    live = in_session(rules, hearing, clock)
    seen = {JUDGE: clock.now()}
    clock.advance(timedelta(seconds=60))
    assert not judge_connection_lost(live, seen, clock.now(), timedelta(seconds=60))
    assert rules.watch(live, seen) is live
    clock.advance(timedelta(seconds=1))
    assert judge_connection_lost(live, seen, clock.now(), timedelta(seconds=60))
    suspended = rules.watch(live, seen)
    assert suspended.state is HearingState.SUSPENDED
    assert suspended.suspend_reason is SuspendReason.JUDGE_CONNECTION_LOST
    last = suspended.events[-1]
    assert (last.actor, last.action, last.target) == (None, Action.SUSPEND, JUDGE)
    assert last.details["judge_last_seen"] == hearing.plan.start.isoformat()


def test_a_judge_never_seen_counts_from_the_start_of_the_session(hearing: Hearing, clock: FixedClock) -> None:
    rules = Lifecycle(clock, CourtPolicy(judge_loss_timeout=timedelta(seconds=30)))
    live = in_session(rules, hearing, clock)
    clock.advance(timedelta(seconds=30))
    assert rules.watch(live, {}) is live
    clock.advance(timedelta(seconds=1))
    assert rules.watch(live, {}).events[-1].details["judge_last_seen"] == "never"
    no_record = Hearing("h-2", hearing.plan, HearingState.IN_SESSION)
    assert judge_connection_lost(no_record, {}, clock.now(), timedelta(seconds=30))


def test_a_judge_in_the_deliberation_room_does_not_suspend_the_hearing(
    rules: Lifecycle, hearing: Hearing, clock: FixedClock
) -> None:
    paused = rules.pause(in_session(rules, hearing, clock), JUDGE, PauseReason.DELIBERATION)
    clock.advance(timedelta(hours=1))
    assert not judge_connection_lost(paused, {}, clock.now(), timedelta(seconds=60))
    assert rules.watch(paused, {}) is paused


def test_watch_also_opens_the_lobby(rules: Lifecycle, hearing: Hearing, clock: FixedClock) -> None:
    at_lobby(clock, hearing.plan)
    assert rules.watch(hearing, {}).state is HearingState.LOBBY_OPEN


def test_a_hearing_value_refuses_inconsistent_state(plan: HearingPlan, clock: FixedClock) -> None:
    with pytest.raises(InvalidHearing):
        Hearing("h", plan, HearingState.PAUSED)
    with pytest.raises(InvalidHearing):
        Hearing("h", plan, HearingState.IN_SESSION, pause_reason=PauseReason.RECESS)
    with pytest.raises(InvalidHearing):
        Hearing("h", plan, HearingState.SUSPENDED)
    with pytest.raises(InvalidHearing):
        Hearing("h", plan, HearingState.CLOSED, adjourned_to=clock.now())
    with pytest.raises(InvalidHearing):
        Hearing("h", plan, events=(HearingEvent(2, clock.now(), JUDGE, Action.START),))
    with pytest.raises(InvalidHearing):
        Hearing(" ", plan)
    with pytest.raises(InvalidHearing):
        HearingEvent(1, clock.now().replace(tzinfo=None), JUDGE, Action.START)
    with pytest.raises(InvalidHearing):
        CourtPolicy(judge_loss_timeout=timedelta(0))


def test_every_action_has_one_label_in_the_transition_table() -> None:
    lifecycle = {Action.OPEN_LOBBY, Action.START, Action.PAUSE, Action.RESUME, Action.SUSPEND, Action.CLOSE,
                 Action.ADJOURN, Action.CANCEL}
    assert set(TRANSITIONS) == lifecycle
    reachable = {target for _, target in TRANSITIONS.values()}
    assert reachable == set(HearingState) - {HearingState.SCHEDULED}


# -- the state machine, explored -------------------------------------------------------------

ROLES_BY_ACTOR = {JUDGE: "judge", CLERK: "clerk", PLAINTIFF: "plaintiff", OBSERVER: "observer", STRANGER: None}


class LifecycleMachine(RuleBasedStateMachine):
    """Drives the lifecycle with any actor and any step at any time, against a tiny model of the rules."""

    def __init__(self) -> None:
        super().__init__()
        plan = HearingPlan(
            case_id="2-1/2026",
            courtroom_id="room-1",
            start=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
            duration=timedelta(hours=1),
            format=HearingFormat.ONLINE,
            is_open=True,
            participants=(
                Participant(JUDGE, HearingRole.JUDGE, "Judge"),
                Participant(CLERK, HearingRole.CLERK, "Clerk"),
                Participant(PLAINTIFF, HearingRole.PLAINTIFF, "Plaintiff"),
                Participant(OBSERVER, HearingRole.OBSERVER, "Observer"),
            ),
        )
        self.clock = FixedClock(plan.start - timedelta(hours=1))
        self.clerk_runs = False
        self.hearing = Hearing("h-sm", plan)
        self.model = HearingState.SCHEDULED

    @rule(policy=st.booleans())
    def court_changes_policy(self, policy: bool) -> None:
        self.clerk_runs = policy

    @rule(minutes=st.integers(min_value=0, max_value=50))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @rule(
        action=st.sampled_from(sorted(TRANSITIONS)),
        actor=st.sampled_from(sorted(ROLES_BY_ACTOR)),
        pause=st.sampled_from(PauseReason),
        suspend=st.sampled_from(SuspendReason),
    )
    def someone_acts(self, action: Action, actor: str, pause: PauseReason, suspend: SuspendReason) -> None:
        rules = Lifecycle(self.clock, CourtPolicy(clerk_may_run_controls=self.clerk_runs))
        before = len(self.hearing.events)
        if self.hearing.state is HearingState.SCHEDULED and self.clock.now() >= self.hearing.plan.lobby_opens_at:
            self.model = HearingState.LOBBY_OPEN
            before += 1
        role = ROLES_BY_ACTOR[actor]
        allowed = role == "judge" or (role == "clerk" and (action in CLERK_ALWAYS or self.clerk_runs))
        sources, target = TRANSITIONS[action]
        step: Callable[[], Hearing] = {
            Action.OPEN_LOBBY: lambda: rules.open_lobby(self.hearing, actor),
            Action.START: lambda: rules.start(self.hearing, actor),
            Action.PAUSE: lambda: rules.pause(self.hearing, actor, pause),
            Action.RESUME: lambda: rules.resume(self.hearing, actor),
            Action.SUSPEND: lambda: rules.suspend(self.hearing, actor, suspend),
            Action.CLOSE: lambda: rules.close(self.hearing, actor),
            Action.ADJOURN: lambda: rules.adjourn(self.hearing, actor),
            Action.CANCEL: lambda: rules.cancel(self.hearing, actor),
        }[action]
        try:
            self.hearing = step()
        except SessionsError as error:
            expected = "not_allowed" if not allowed else "illegal_hearing_transition"
            assert error.code == expected
            assert (allowed and self.model not in sources) or not allowed
            return
        assert allowed and self.model in sources
        self.model = target
        assert self.hearing.state is target
        assert len(self.hearing.events) == before + 1
        last = self.hearing.events[-1]
        assert (last.action, last.actor, last.at) == (action, actor, self.clock.now())

    @precondition(lambda self: self.model is HearingState.IN_SESSION)
    @rule(seconds=st.integers(min_value=0, max_value=600))
    def judge_drops(self, seconds: int) -> None:
        rules = Lifecycle(self.clock, CourtPolicy(judge_loss_timeout=timedelta(seconds=120)))
        seen = self.clock.now()
        self.clock.advance(timedelta(seconds=seconds))
        self.hearing = rules.watch(self.hearing, {JUDGE: seen})
        if seconds > 120:
            self.model = HearingState.SUSPENDED
            assert self.hearing.suspend_reason is SuspendReason.JUDGE_CONNECTION_LOST
        assert self.hearing.state is self.model

    @invariant()
    def log_is_numbered_and_ordered(self) -> None:
        events = self.hearing.events
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert all(a.at <= b.at for a, b in itertools.pairwise(events))

    @invariant()
    def reasons_match_state(self) -> None:
        h = self.hearing
        assert (h.pause_reason is not None) == (h.state is HearingState.PAUSED)
        assert (h.suspend_reason is not None) == (h.state is HearingState.SUSPENDED)
        assert h.state is self.model or (
            self.model is HearingState.LOBBY_OPEN and h.state is HearingState.SCHEDULED
        )

    @invariant()
    def transitions_in_the_log_replay_to_the_state(self) -> None:
        state = HearingState.SCHEDULED
        for event in self.hearing.events:
            if event.action in TRANSITIONS:
                assert event.details["from"] == state.value
                state = HearingState(event.details["to"])
        assert state is self.hearing.state


LifecycleMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_lifecycle_state_machine = LifecycleMachine.TestCase
