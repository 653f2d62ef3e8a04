"""A case moves only along the documented transitions, by the roles allowed, and each move is an event."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cabinet.case_status import (
    ACTIONS,
    FINAL_STATUSES,
    ActorRole,
    CaseAction,
    CaseState,
    CaseStatus,
    TimelineEvent,
    allowed_actions,
    perform,
    transition,
)
from cabinet.errors import ActionNotPermitted, CabinetError, CaseActionInvalid, IllegalTransition
from core.clock import FixedClock

S, A = CaseStatus, CaseAction

LEGAL = [
    (S.SUBMITTED, A.REGISTER, S.REGISTERED),
    (S.SUBMITTED, A.RETURN, S.RETURNED),
    (S.REGISTERED, A.RETURN, S.RETURNED),
    (S.SUBMITTED, A.WITHDRAW, S.RETURNED),
    (S.REGISTERED, A.ACCEPT, S.ACCEPTED),
    (S.REGISTERED, A.LEAVE_WITHOUT_MOTION, S.LEFT_WITHOUT_MOTION),
    (S.ACCEPTED, A.LEAVE_WITHOUT_MOTION, S.LEFT_WITHOUT_MOTION),
    (S.LEFT_WITHOUT_MOTION, A.REMEDY, S.ACCEPTED),
    (S.LEFT_WITHOUT_MOTION, A.MOTION_DEADLINE_LAPSED, S.RETURNED),
    (S.ACCEPTED, A.SCHEDULE, S.SCHEDULED),
    (S.SCHEDULED, A.RESCHEDULE, S.SCHEDULED),
    (S.SCHEDULED, A.HOLD_HEARING, S.HEARD),
    (S.HEARD, A.ADJOURN, S.SCHEDULED),
    (S.HEARD, A.DECIDE, S.DECIDED),
    (S.ACCEPTED, A.TERMINATE, S.DECIDED),
    (S.SCHEDULED, A.TERMINATE, S.DECIDED),
    (S.HEARD, A.TERMINATE, S.DECIDED),
    (S.DECIDED, A.APPEAL, S.APPEALED),
    (S.APPEALED, A.UPHOLD_ON_APPEAL, S.IN_LEGAL_FORCE),
    (S.APPEALED, A.CHANGE_ON_APPEAL, S.IN_LEGAL_FORCE),
    (S.APPEALED, A.REMAND, S.ACCEPTED),
    (S.IN_LEGAL_FORCE, A.REMAND, S.ACCEPTED),
    (S.APPEALED, A.WITHDRAW_APPEAL, S.DECIDED),
    (S.DECIDED, A.ENTER_INTO_FORCE, S.IN_LEGAL_FORCE),
    (S.IN_LEGAL_FORCE, A.CLOSE, S.CLOSED),
]


@pytest.mark.parametrize(("current", "action", "expected"), LEGAL)
def test_every_legal_transition(current: CaseStatus, action: CaseAction, expected: CaseStatus) -> None:
    assert transition(current, action) is expected


def test_the_list_above_is_the_whole_table() -> None:
    table = {(source, action, rule.target) for action, rule in ACTIONS.items() for source in rule.sources}
    assert table == set(LEGAL)


ILLEGAL = [
    (status, action)
    for status in CaseStatus
    for action in CaseAction
    if (status, action) not in {(current, act) for current, act, _ in LEGAL}
]


@pytest.mark.parametrize(("current", "action"), ILLEGAL)
def test_every_other_move_is_an_illegal_transition_naming_from_and_to(
    current: CaseStatus, action: CaseAction
) -> None:
    with pytest.raises(IllegalTransition) as info:
        transition(current, action)
    error = info.value
    assert error.code == "illegal_transition"
    assert error.status == 409
    assert isinstance(error, CabinetError)
    assert error.details == {"from": current.value, "to": ACTIONS[action].target.value, "action": action.value}
    assert current.value in error.message


def test_final_statuses_have_no_way_out() -> None:
    for status in FINAL_STATUSES:
        assert allowed_actions(status) == frozenset()


def test_every_non_final_status_has_a_way_forward_and_every_status_is_reachable() -> None:
    reachable = {S.SUBMITTED}
    frontier = [S.SUBMITTED]
    while frontier:
        for action in allowed_actions(frontier.pop()):
            target = ACTIONS[action].target
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(CaseStatus)
    assert all(allowed_actions(s) for s in set(CaseStatus) - FINAL_STATUSES)


def test_allowed_actions_by_role_are_the_buttons_to_show() -> None:
    assert allowed_actions(S.SUBMITTED, ActorRole.CLERK) == {A.REGISTER, A.RETURN}
    assert allowed_actions(S.SUBMITTED, ActorRole.PARTY) == {A.WITHDRAW}
    assert allowed_actions(S.REGISTERED, ActorRole.JUDGE) == {A.ACCEPT, A.RETURN, A.LEAVE_WITHOUT_MOTION}
    assert allowed_actions(S.HEARD, ActorRole.CLERK) == frozenset()


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def clock() -> FixedClock:
    return FixedClock(NOW)


def test_registering_yields_a_timeline_event() -> None:
    state, event = perform(CaseState(S.SUBMITTED), A.REGISTER, actor=ActorRole.CLERK, clock=clock())
    assert state == CaseState(S.REGISTERED)
    assert event == TimelineEvent(A.REGISTER, S.SUBMITTED, S.REGISTERED, ActorRole.CLERK, NOW)
    assert event.to_json()["from"] == "submitted"
    assert event.to_json()["at"] == "2026-03-02T09:00:00+00:00"


def test_a_whole_case_from_filing_to_archive() -> None:
    c = clock()
    state = CaseState(S.SUBMITTED)
    steps = [
        (A.REGISTER, ActorRole.CLERK, None),
        (A.ACCEPT, ActorRole.JUDGE, None),
        (A.SCHEDULE, ActorRole.CLERK, None),
        (A.HOLD_HEARING, ActorRole.JUDGE, None),
        (A.DECIDE, ActorRole.JUDGE, None),
        (A.APPEAL, ActorRole.SYSTEM, None),
        (A.REMAND, ActorRole.JUDGE, "procedural violation: defendant not notified"),
        (A.SCHEDULE, ActorRole.JUDGE, None),
        (A.HOLD_HEARING, ActorRole.JUDGE, None),
        (A.DECIDE, ActorRole.JUDGE, None),
        (A.ENTER_INTO_FORCE, ActorRole.SYSTEM, None),
        (A.CLOSE, ActorRole.CLERK, None),
    ]
    timeline = []
    for action, actor, reason in steps:
        c.advance(timedelta(days=1))
        state, event = perform(state, action, actor=actor, clock=c, reason=reason)
        timeline.append(event)
    assert state.status is S.CLOSED
    assert [e.to_status for e in timeline][-1] is S.CLOSED
    assert all(a.to_status is b.from_status for a, b in itertools.pairwise(timeline))
    assert timeline[6].reason == "procedural violation: defendant not notified"


def test_roles_are_enforced() -> None:
    with pytest.raises(ActionNotPermitted) as info:
        perform(CaseState(S.REGISTERED), A.ACCEPT, actor=ActorRole.CLERK, clock=clock())
    assert info.value.code == "action_not_permitted"
    assert info.value.status == 403
    with pytest.raises(ActionNotPermitted):
        perform(CaseState(S.SUBMITTED), A.REGISTER, actor=ActorRole.PARTY, clock=clock())


def test_the_status_is_checked_before_the_role() -> None:
    with pytest.raises(IllegalTransition):
        perform(CaseState(S.CLOSED), A.REGISTER, actor=ActorRole.PARTY, clock=clock())


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_returning_needs_a_reason(reason: str | None) -> None:
    with pytest.raises(CaseActionInvalid) as info:
        perform(CaseState(S.SUBMITTED), A.RETURN, actor=ActorRole.CLERK, clock=clock(), reason=reason)
    assert info.value.code == "reason_required"


def test_reasons_are_trimmed_and_bounded() -> None:
    _, event = perform(CaseState(S.SUBMITTED), A.RETURN, actor=ActorRole.CLERK, clock=clock(), reason="  no fee  ")
    assert event.reason == "no fee"
    with pytest.raises(CaseActionInvalid):
        perform(CaseState(S.SUBMITTED), A.RETURN, actor=ActorRole.CLERK, clock=clock(), reason="x" * 2001)


def leave(c: FixedClock, deadline: datetime | None) -> tuple[CaseState, TimelineEvent]:
    return perform(
        CaseState(S.ACCEPTED), A.LEAVE_WITHOUT_MOTION, actor=ActorRole.JUDGE, clock=c,
        reason="state duty not paid", deadline=deadline,
    )


def test_leaving_without_motion_records_the_deadline() -> None:
    deadline = NOW + timedelta(days=10)
    state, event = leave(clock(), deadline)
    assert state == CaseState(S.LEFT_WITHOUT_MOTION, motion_deadline=deadline)
    assert event.deadline == deadline


@pytest.mark.parametrize(
    ("deadline", "code"),
    [(None, "deadline_required"), (NOW, "invalid_deadline"), (datetime(2026, 4, 1), "case_action_invalid")],
)
def test_leaving_without_motion_needs_a_future_aware_deadline(deadline: datetime | None, code: str) -> None:
    with pytest.raises(CaseActionInvalid) as info:
        leave(clock(), deadline)
    assert info.value.code == code


def test_remedied_before_the_deadline_goes_back_to_accepted() -> None:
    c = clock()
    state, _ = leave(c, NOW + timedelta(days=10))
    c.advance(timedelta(days=10))
    state, event = perform(state, A.REMEDY, actor=ActorRole.JUDGE, clock=c)
    assert state == CaseState(S.ACCEPTED)
    assert event.from_status is S.LEFT_WITHOUT_MOTION
    with pytest.raises(IllegalTransition) as info:
        perform(state, A.MOTION_DEADLINE_LAPSED, actor=ActorRole.SYSTEM, clock=c)
    assert info.value.code == "illegal_transition"


def test_a_lapsed_deadline_returns_the_claim_and_forbids_a_late_remedy() -> None:
    c = clock()
    state, _ = leave(c, NOW + timedelta(days=10))
    with pytest.raises(IllegalTransition) as early:
        perform(state, A.MOTION_DEADLINE_LAPSED, actor=ActorRole.SYSTEM, clock=c)
    assert early.value.code == "motion_deadline_not_reached"
    c.advance(timedelta(days=10, seconds=1))
    with pytest.raises(IllegalTransition) as late:
        perform(state, A.REMEDY, actor=ActorRole.JUDGE, clock=c)
    assert late.value.code == "motion_deadline_passed"
    state, event = perform(state, A.MOTION_DEADLINE_LAPSED, actor=ActorRole.SYSTEM, clock=c)
    assert state.status is S.RETURNED
    assert event.actor_role is ActorRole.SYSTEM


def test_a_deadline_is_refused_on_actions_that_take_none() -> None:
    with pytest.raises(CaseActionInvalid):
        perform(CaseState(S.SUBMITTED), A.REGISTER, actor=ActorRole.CLERK, clock=clock(), deadline=NOW)


def test_state_and_event_validate_themselves() -> None:
    with pytest.raises(CaseActionInvalid):
        CaseState(S.ACCEPTED, motion_deadline=NOW)
    with pytest.raises(CaseActionInvalid):
        CaseState(S.LEFT_WITHOUT_MOTION)
    with pytest.raises(CaseActionInvalid):
        TimelineEvent(A.REGISTER, S.SUBMITTED, S.CLOSED, ActorRole.CLERK, NOW)
    with pytest.raises(CaseActionInvalid):
        TimelineEvent(A.REGISTER, S.SUBMITTED, S.REGISTERED, ActorRole.CLERK, datetime(2026, 1, 1))
    with pytest.raises(CaseActionInvalid) as info:
        TimelineEvent(A.RETURN, S.SUBMITTED, S.RETURNED, ActorRole.CLERK, NOW)
    assert info.value.code == "reason_required"


class CaseLifecycle(RuleBasedStateMachine):
    """Random action sequences: the status is always a defined one; every refusal is illegal_transition."""

    def __init__(self) -> None:
        super().__init__()
        self.status = CaseStatus.SUBMITTED
        self.history: list[CaseStatus] = [self.status]

    @rule(action=st.sampled_from(CaseAction))
    def act(self, action: CaseAction) -> None:
        legal = action in allowed_actions(self.status)
        try:
            new = transition(self.status, action)
        except IllegalTransition as exc:
            assert not legal
            assert exc.code == "illegal_transition"
            assert exc.details["from"] == self.status.value
        except Exception as exc:  # pragma: no cover - the assertion explains
            raise AssertionError(f"refusal other than illegal_transition: {exc!r}") from exc
        else:
            assert legal
            self.status = new
            self.history.append(new)

    @invariant()
    def status_is_defined(self) -> None:
        assert isinstance(self.status, CaseStatus)
        assert self.status in set(CaseStatus)

    @invariant()
    def finals_are_final(self) -> None:
        for index, status in enumerate(self.history[:-1]):
            assert status not in FINAL_STATUSES, self.history[index:]


TestCaseLifecycle = CaseLifecycle.TestCase
