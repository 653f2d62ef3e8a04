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


#: Who may take each action, as the module's docstring and the procedure codes assign it.
WHO_MAY: dict[CaseAction, set[ActorRole]] = {
    A.REGISTER: {ActorRole.CLERK},
    A.RETURN: {ActorRole.CLERK, ActorRole.JUDGE},
    A.WITHDRAW: {ActorRole.PARTY},
    A.ACCEPT: {ActorRole.JUDGE},
    A.LEAVE_WITHOUT_MOTION: {ActorRole.JUDGE},
    A.REMEDY: {ActorRole.JUDGE},
    A.MOTION_DEADLINE_LAPSED: {ActorRole.JUDGE, ActorRole.SYSTEM},
    A.SCHEDULE: {ActorRole.JUDGE, ActorRole.CLERK},
    A.RESCHEDULE: {ActorRole.JUDGE, ActorRole.CLERK},
    A.HOLD_HEARING: {ActorRole.JUDGE},
    A.ADJOURN: {ActorRole.JUDGE},
    A.DECIDE: {ActorRole.JUDGE},
    A.TERMINATE: {ActorRole.JUDGE},
    A.APPEAL: {ActorRole.CLERK, ActorRole.SYSTEM},
    A.UPHOLD_ON_APPEAL: {ActorRole.JUDGE},
    A.CHANGE_ON_APPEAL: {ActorRole.JUDGE},
    A.REMAND: {ActorRole.JUDGE},
    A.WITHDRAW_APPEAL: {ActorRole.CLERK, ActorRole.SYSTEM},
    A.ENTER_INTO_FORCE: {ActorRole.CLERK, ActorRole.SYSTEM},
    A.CLOSE: {ActorRole.CLERK},
}
#: The actions whose record must say why: a return, leaving without motion, moving or adjourning a
#: hearing, ending a case without a decision on the merits, changing or remanding on appeal.
NEEDS_REASON = {A.RETURN, A.LEAVE_WITHOUT_MOTION, A.RESCHEDULE, A.ADJOURN, A.TERMINATE, A.CHANGE_ON_APPEAL,
                A.REMAND}
#: Every status each action is taken from.
FROM: dict[CaseAction, list[CaseStatus]] = {
    A.REGISTER: [S.SUBMITTED], A.RETURN: [S.SUBMITTED, S.REGISTERED], A.WITHDRAW: [S.SUBMITTED],
    A.ACCEPT: [S.REGISTERED], A.LEAVE_WITHOUT_MOTION: [S.REGISTERED, S.ACCEPTED], A.REMEDY: [S.LEFT_WITHOUT_MOTION],
    A.MOTION_DEADLINE_LAPSED: [S.LEFT_WITHOUT_MOTION], A.SCHEDULE: [S.ACCEPTED], A.RESCHEDULE: [S.SCHEDULED],
    A.HOLD_HEARING: [S.SCHEDULED], A.ADJOURN: [S.HEARD], A.DECIDE: [S.HEARD],
    A.TERMINATE: [S.ACCEPTED, S.SCHEDULED, S.HEARD], A.APPEAL: [S.DECIDED], A.UPHOLD_ON_APPEAL: [S.APPEALED],
    A.CHANGE_ON_APPEAL: [S.APPEALED], A.REMAND: [S.APPEALED, S.IN_LEGAL_FORCE], A.WITHDRAW_APPEAL: [S.APPEALED],
    A.ENTER_INTO_FORCE: [S.DECIDED], A.CLOSE: [S.IN_LEGAL_FORCE],
}


def _attempt(status: CaseStatus, action: CaseAction, actor: ActorRole,
             reason: str | None = "grounds") -> tuple[CaseState, TimelineEvent]:
    """``action`` by ``actor`` from ``status``, with whatever else the action needs supplied."""
    if status is S.LEFT_WITHOUT_MOTION:
        # A remedy comes before the deadline, a lapse after it.
        lapsed = action is A.MOTION_DEADLINE_LAPSED
        state = CaseState(status, motion_deadline=NOW - timedelta(days=1) if lapsed else DEADLINE)
    else:
        state = CaseState(status)
    deadline = DEADLINE if action is A.LEAVE_WITHOUT_MOTION else None
    return perform(state, action, actor=actor, clock=at(), reason=reason, deadline=deadline)


@pytest.mark.parametrize("action", list(CaseAction), ids=[a.value for a in CaseAction])
def test_each_action_is_taken_by_its_roles_only_from_each_of_its_statuses(action: CaseAction) -> None:
    for status in FROM[action]:
        for actor in ActorRole:
            if actor in WHO_MAY[action]:
                state, event = _attempt(status, action, actor)
                assert (event.from_status, event.to_status, event.actor_role) == (status, state.status, actor)
            else:
                with pytest.raises(CabinetError) as refused:
                    _attempt(status, action, actor)
                assert refused.value.code == "action_not_permitted", (action, status, actor)
                assert refused.value.details == {"action": action.value, "role": actor.value}


@pytest.mark.parametrize("action", list(CaseAction), ids=[a.value for a in CaseAction])
def test_exactly_the_actions_that_must_say_why_refuse_to_go_without_a_reason(action: CaseAction) -> None:
    status, actor = FROM[action][0], sorted(WHO_MAY[action], key=lambda role: role.value)[0]
    if action in NEEDS_REASON:
        with pytest.raises(CabinetError) as refused:
            _attempt(status, action, actor, reason=None)
        assert refused.value.code == "reason_required"
        with pytest.raises(CabinetError):
            TimelineEvent(action, status, _attempt(status, action, actor)[0].status, actor, NOW)
    else:
        _, event = _attempt(status, action, actor, reason=None)
        assert event.reason is None


def test_refusals_spell_actions_and_statuses_in_words() -> None:
    with pytest.raises(CabinetError) as wrong:
        perform(CaseState(S.LEFT_WITHOUT_MOTION, motion_deadline=DEADLINE), A.HOLD_HEARING, actor=ActorRole.JUDGE,
                clock=at())
    assert wrong.value.message == (
        "cannot hold hearing a case that is left without motion (left_without_motion → heard)")
    with pytest.raises(CabinetError) as why:
        perform(CaseState(S.REGISTERED), A.LEAVE_WITHOUT_MOTION, actor=ActorRole.JUDGE, clock=at(),
                deadline=DEADLINE)
    assert (why.value.code, why.value.message) == ("reason_required", "leave without motion needs a reason")
    with pytest.raises(CabinetError) as naive:
        TimelineEvent(A.REGISTER, S.SUBMITTED, S.REGISTERED, ActorRole.CLERK, datetime(2026, 3, 2, 9, 0))
    assert (naive.value.message, naive.value.details) == ("at must be a timezone-aware datetime", {"field": "at"})
