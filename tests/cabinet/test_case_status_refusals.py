"""The case state machine's refusals as the parties and staff read them, and its edges (the
longest reason, the deadline's exact instant, the event a service stores)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from cabinet.case_status import (
    MAX_REASON_LENGTH,
    ActorRole,
    CaseAction,
    CaseState,
    CaseStatus,
    TimelineEvent,
    perform,
)
from cabinet.errors import CabinetError
from core.clock import FixedClock

S, A = CaseStatus, CaseAction
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=10)
LEFT = CaseState(S.LEFT_WITHOUT_MOTION, motion_deadline=DEADLINE)


class _NaiveClock:
    """A misconfigured clock (local time without a zone): the rules refuse to run on it."""

    def now(self) -> datetime:
        return datetime(2026, 3, 2, 9, 0)


def at(when: datetime = NOW) -> FixedClock:
    return FixedClock(when)


REFUSALS: list[tuple[Callable[[], object], str, str, dict[str, str]]] = [
    (lambda: perform(CaseState(S.SUBMITTED), A.ACCEPT, actor=ActorRole.JUDGE, clock=at()), "illegal_transition",
     "cannot accept a case that is submitted (submitted → accepted)",
     {"from": "submitted", "to": "accepted", "action": "accept"}),
    (lambda: perform(CaseState(S.REGISTERED), A.LEAVE_WITHOUT_MOTION, actor=ActorRole.CLERK, clock=at(),
                     reason="r", deadline=DEADLINE), "action_not_permitted",
     "a clerk may not leave without motion; allowed: ['judge']", {"action": "leave_without_motion", "role": "clerk"}),
    (lambda: perform(CaseState(S.DECIDED), A.APPEAL, actor=ActorRole.PARTY, clock=at()), "action_not_permitted",
     "a party may not appeal; allowed: ['clerk', 'system']", {"action": "appeal", "role": "party"}),
    (lambda: perform(CaseState(S.SUBMITTED), A.RETURN, actor=ActorRole.CLERK, clock=at(), reason=" "),
     "reason_required", "return needs a reason", {"field": "reason"}),
    (lambda: perform(CaseState(S.SUBMITTED), A.RETURN, actor=ActorRole.CLERK, clock=at(),
                     reason="x" * (MAX_REASON_LENGTH + 1)), "case_action_invalid",
     "a reason is at most 2000 characters", {"field": "reason"}),
    (lambda: perform(CaseState(S.REGISTERED), A.LEAVE_WITHOUT_MOTION, actor=ActorRole.JUDGE, clock=at(), reason="r"),
     "deadline_required", "leaving a claim without motion needs a deadline to remedy it", {"field": "deadline"}),
    (lambda: perform(CaseState(S.REGISTERED), A.LEAVE_WITHOUT_MOTION, actor=ActorRole.JUDGE, clock=at(), reason="r",
                     deadline=NOW), "invalid_deadline", "the deadline to remedy must be in the future",
     {"field": "deadline"}),
    (lambda: perform(CaseState(S.REGISTERED), A.LEAVE_WITHOUT_MOTION, actor=ActorRole.JUDGE, clock=at(), reason="r",
                     deadline=datetime(2026, 4, 1)), "case_action_invalid",
     "deadline must be a timezone-aware datetime", {"field": "deadline"}),
    (lambda: perform(CaseState(S.SUBMITTED), A.REGISTER, actor=ActorRole.CLERK, clock=at(), deadline=DEADLINE),
     "case_action_invalid", "register takes no deadline", {"field": "deadline"}),
    (lambda: perform(CaseState(S.SUBMITTED), A.REGISTER, actor=ActorRole.CLERK, clock=_NaiveClock()),  # type: ignore[arg-type]
     "case_action_invalid", "now must be a timezone-aware datetime", {"field": "now"}),
    (lambda: perform(LEFT, A.REMEDY, actor=ActorRole.JUDGE, clock=at(DEADLINE + timedelta(microseconds=1))),
     "motion_deadline_passed",
     "the deadline to remedy (2026-03-12T09:00:00+00:00) has passed; the claim is to be returned",
     {"deadline": "2026-03-12T09:00:00+00:00"}),
    (lambda: perform(LEFT, A.MOTION_DEADLINE_LAPSED, actor=ActorRole.SYSTEM, clock=at(DEADLINE)),
     "motion_deadline_not_reached", "the deadline to remedy (2026-03-12T09:00:00+00:00) has not passed yet",
     {"deadline": "2026-03-12T09:00:00+00:00"}),
]


@pytest.mark.parametrize(("step", "code", "message", "details"), REFUSALS)
def test_each_refusal_says_what_and_why(step: Callable[[], object], code: str, message: str,
                                        details: dict[str, str]) -> None:
    with pytest.raises(CabinetError) as refused:
        step()
    assert (refused.value.code, refused.value.message, refused.value.details) == (code, message, details)


def test_the_edges_are_allowed() -> None:
    longest = "x" * MAX_REASON_LENGTH
    state, event = perform(CaseState(S.SUBMITTED), A.RETURN, actor=ActorRole.CLERK, clock=at(), reason=longest)
    assert event.reason == longest and state == CaseState(S.RETURNED)
    remedied, _ = perform(LEFT, A.REMEDY, actor=ActorRole.JUDGE, clock=at(DEADLINE))
    assert remedied == CaseState(S.ACCEPTED)
    lapsed, event = perform(LEFT, A.MOTION_DEADLINE_LAPSED, actor=ActorRole.JUDGE,
                            clock=at(DEADLINE + timedelta(microseconds=1)))
    assert lapsed == CaseState(S.RETURNED) and event.actor_role is ActorRole.JUDGE
    soon = NOW + timedelta(microseconds=1)
    left, event = perform(CaseState(S.REGISTERED), A.LEAVE_WITHOUT_MOTION, actor=ActorRole.JUDGE, clock=at(),
                          reason="fee", deadline=soon)
    assert left == CaseState(S.LEFT_WITHOUT_MOTION, soon) and event.deadline == soon
    _, plain = perform(CaseState(S.SUBMITTED), A.REGISTER, actor=ActorRole.CLERK, clock=at(), reason="   ")
    assert plain.reason is None


def test_the_event_a_service_stores() -> None:
    _, event = perform(CaseState(S.REGISTERED), A.LEAVE_WITHOUT_MOTION, actor=ActorRole.JUDGE, clock=at(),
                       reason=" state duty unpaid ", deadline=DEADLINE)
    assert event.to_json() == {
        "action": "leave_without_motion", "from": "registered", "to": "left_without_motion", "actor_role": "judge",
        "at": "2026-03-02T09:00:00+00:00", "reason": "state duty unpaid", "deadline": "2026-03-12T09:00:00+00:00",
    }
    _, plain = perform(CaseState(S.SUBMITTED), A.REGISTER, actor=ActorRole.CLERK, clock=at())
    assert plain.to_json()["deadline"] is None and plain.to_json()["reason"] is None


def test_a_stored_event_or_state_that_cannot_be_true_is_refused() -> None:
    def message(step: Callable[[], object]) -> str:
        with pytest.raises(CabinetError) as refused:
            step()
        return refused.value.message

    assert message(lambda: TimelineEvent(A.REGISTER, S.SUBMITTED, S.CLOSED, ActorRole.CLERK, NOW)) == (
        "register does not lead from submitted to closed")
    assert message(lambda: TimelineEvent(A.REGISTER, S.REGISTERED, S.REGISTERED, ActorRole.CLERK, NOW)) == (
        "register does not lead from registered to registered")
    assert message(lambda: TimelineEvent(A.REGISTER, S.SUBMITTED, S.REGISTERED, ActorRole.PARTY, NOW)) == (
        "party cannot register")
    assert message(lambda: TimelineEvent(A.RETURN, S.SUBMITTED, S.RETURNED, ActorRole.CLERK, NOW)) == (
        "return needs a reason")
    assert message(lambda: TimelineEvent(A.REGISTER, S.SUBMITTED, S.REGISTERED, ActorRole.CLERK, NOW,
                                         deadline=datetime(2026, 4, 1))) == "deadline must be a timezone-aware datetime"
    assert message(lambda: CaseState("accepted")) == "unknown case status 'accepted'"  # type: ignore[arg-type]
    assert message(lambda: CaseState(S.LEFT_WITHOUT_MOTION)) == (
        "a deadline belongs to a case left without motion, and only to one")
    assert message(lambda: CaseState(S.LEFT_WITHOUT_MOTION, datetime(2026, 4, 1))) == (
        "motion_deadline must be a timezone-aware datetime")
