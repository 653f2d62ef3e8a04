"""The life of a case as a state machine, and who may move it.

Main line::

    submitted -register-> registered -accept-> accepted -schedule-> scheduled -hold_hearing-> heard
      -decide-> decided -enter_into_force-> in_legal_force -close-> closed

Side roads, each an action with exactly one target:

- ``return`` (clerk or judge, reason required): submitted/registered -> returned; ``withdraw``
  (the filer) does the same from submitted. ``returned`` is final: refiling opens a new case.
- ``leave_without_motion`` (judge, reason and deadline required): registered/accepted ->
  left_without_motion. ``remedy`` -> accepted is possible only up to the deadline;
  ``motion_deadline_lapsed`` -> returned only after it (the judge's return, or the system's).
- ``reschedule`` (scheduled -> scheduled) moves a hearing; ``adjourn`` (heard -> scheduled) is
  another session after one was held; ``terminate`` (accepted/scheduled/heard -> decided, reason
  required) ends the case by a ruling without a decision on the merits (settlement, withdrawal of
  the claim, leaving without consideration) — appealable like a decision.
- Appeals: ``appeal`` decided -> appealed while the decision is not yet in force. The appellate
  court then ``uphold_on_appeal`` or ``change_on_appeal`` (its act is in force on pronouncement,
  -> in_legal_force), or ``remand`` (-> accepted: the first instance hears the case anew and must
  schedule it again), or the appeal is withdrawn (``withdraw_appeal`` -> decided, the decision
  enters into force when the appeal term runs out). A cassation court quashing an act in force
  and remanding uses ``remand`` from in_legal_force. Cassation that leaves the act standing does
  not change the status.

:func:`transition` is the bare table (status × action → status). :func:`perform` is what services
call: it also checks the actor's role, the reason, the deadline against the injected clock, and
returns the :class:`TimelineEvent` to store with the new status.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from cabinet.errors import ActionNotPermitted, CaseActionInvalid, IllegalTransition
from core.clock import Clock

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 2000


class CaseStatus(enum.Enum):
    SUBMITTED = "submitted"
    REGISTERED = "registered"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    LEFT_WITHOUT_MOTION = "left_without_motion"
    SCHEDULED = "scheduled"
    HEARD = "heard"
    DECIDED = "decided"
    APPEALED = "appealed"
    IN_LEGAL_FORCE = "in_legal_force"
    CLOSED = "closed"


class CaseAction(enum.Enum):
    REGISTER = "register"
    RETURN = "return"
    WITHDRAW = "withdraw"
    ACCEPT = "accept"
    LEAVE_WITHOUT_MOTION = "leave_without_motion"
    REMEDY = "remedy"
    MOTION_DEADLINE_LAPSED = "motion_deadline_lapsed"
    SCHEDULE = "schedule"
    RESCHEDULE = "reschedule"
    HOLD_HEARING = "hold_hearing"
    ADJOURN = "adjourn"
    DECIDE = "decide"
    TERMINATE = "terminate"
    APPEAL = "appeal"
    UPHOLD_ON_APPEAL = "uphold_on_appeal"
    CHANGE_ON_APPEAL = "change_on_appeal"
    REMAND = "remand"
    WITHDRAW_APPEAL = "withdraw_appeal"
    ENTER_INTO_FORCE = "enter_into_force"
    CLOSE = "close"


class ActorRole(enum.Enum):
    """Who acts: court staff, the filing party, or the platform itself (deadlines, appeal terms)."""

    JUDGE = "judge"
    CLERK = "clerk"
    PARTY = "party"
    SYSTEM = "system"


@dataclass(frozen=True)
class ActionRule:
    sources: frozenset[CaseStatus]
    target: CaseStatus
    roles: frozenset[ActorRole]
    needs_reason: bool = False
    needs_deadline: bool = False


def _rule(
    sources: set[CaseStatus], target: CaseStatus, roles: set[ActorRole], *, reason: bool = False,
    deadline: bool = False,
) -> ActionRule:
    return ActionRule(frozenset(sources), target, frozenset(roles), reason, deadline)


S, R, A = CaseStatus, CaseAction, ActorRole

ACTIONS: dict[CaseAction, ActionRule] = {
    R.REGISTER: _rule({S.SUBMITTED}, S.REGISTERED, {A.CLERK}),
    R.RETURN: _rule({S.SUBMITTED, S.REGISTERED}, S.RETURNED, {A.CLERK, A.JUDGE}, reason=True),
    R.WITHDRAW: _rule({S.SUBMITTED}, S.RETURNED, {A.PARTY}),
    R.ACCEPT: _rule({S.REGISTERED}, S.ACCEPTED, {A.JUDGE}),
    R.LEAVE_WITHOUT_MOTION: _rule(
        {S.REGISTERED, S.ACCEPTED}, S.LEFT_WITHOUT_MOTION, {A.JUDGE}, reason=True, deadline=True
    ),
    R.REMEDY: _rule({S.LEFT_WITHOUT_MOTION}, S.ACCEPTED, {A.JUDGE}),
    R.MOTION_DEADLINE_LAPSED: _rule({S.LEFT_WITHOUT_MOTION}, S.RETURNED, {A.JUDGE, A.SYSTEM}),
    R.SCHEDULE: _rule({S.ACCEPTED}, S.SCHEDULED, {A.JUDGE, A.CLERK}),
    R.RESCHEDULE: _rule({S.SCHEDULED}, S.SCHEDULED, {A.JUDGE, A.CLERK}, reason=True),
    R.HOLD_HEARING: _rule({S.SCHEDULED}, S.HEARD, {A.JUDGE}),
    R.ADJOURN: _rule({S.HEARD}, S.SCHEDULED, {A.JUDGE}, reason=True),
    R.DECIDE: _rule({S.HEARD}, S.DECIDED, {A.JUDGE}),
    R.TERMINATE: _rule({S.ACCEPTED, S.SCHEDULED, S.HEARD}, S.DECIDED, {A.JUDGE}, reason=True),
    R.APPEAL: _rule({S.DECIDED}, S.APPEALED, {A.CLERK, A.SYSTEM}),
    R.UPHOLD_ON_APPEAL: _rule({S.APPEALED}, S.IN_LEGAL_FORCE, {A.JUDGE}),
    R.CHANGE_ON_APPEAL: _rule({S.APPEALED}, S.IN_LEGAL_FORCE, {A.JUDGE}, reason=True),
    R.REMAND: _rule({S.APPEALED, S.IN_LEGAL_FORCE}, S.ACCEPTED, {A.JUDGE}, reason=True),
    R.WITHDRAW_APPEAL: _rule({S.APPEALED}, S.DECIDED, {A.CLERK, A.SYSTEM}),
    R.ENTER_INTO_FORCE: _rule({S.DECIDED}, S.IN_LEGAL_FORCE, {A.CLERK, A.SYSTEM}),
    R.CLOSE: _rule({S.IN_LEGAL_FORCE}, S.CLOSED, {A.CLERK}),
}

FINAL_STATUSES = frozenset({CaseStatus.RETURNED, CaseStatus.CLOSED})


def transition(current: CaseStatus, action: CaseAction) -> CaseStatus:
    """The status ``action`` leads to from ``current``; ``illegal_transition`` if it cannot be taken."""
    rule = ACTIONS[action]
    if current not in rule.sources:
        raise IllegalTransition(
            f"cannot {action.value.replace('_', ' ')} a case that is {current.value.replace('_', ' ')} "
            f"({current.value} → {rule.target.value})",
            details={"from": current.value, "to": rule.target.value, "action": action.value},
        )
    return rule.target


def allowed_actions(current: CaseStatus, role: ActorRole | None = None) -> frozenset[CaseAction]:
    """What can be done next (by ``role``, if given): the buttons a cabinet page may show."""
    return frozenset(
        action
        for action, rule in ACTIONS.items()
        if current in rule.sources and (role is None or role in rule.roles)
    )


def _aware(name: str, value: datetime) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise CaseActionInvalid(f"{name} must be a timezone-aware datetime", details={"field": name})


@dataclass(frozen=True)
class CaseState:
    """The status plus what the next transitions depend on: the deadline to remedy a left-without-motion claim."""

    status: CaseStatus
    motion_deadline: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.status, CaseStatus):
            raise CaseActionInvalid(f"unknown case status {self.status!r}")
        if (self.status is CaseStatus.LEFT_WITHOUT_MOTION) != (self.motion_deadline is not None):
            raise CaseActionInvalid("a deadline belongs to a case left without motion, and only to one")
        if self.motion_deadline is not None:
            _aware("motion_deadline", self.motion_deadline)


@dataclass(frozen=True)
class TimelineEvent:
    """One entry of the case timeline, written in the same transaction as the status change."""

    action: CaseAction
    from_status: CaseStatus
    to_status: CaseStatus
    actor_role: ActorRole
    at: datetime
    reason: str | None = None
    deadline: datetime | None = None

    def __post_init__(self) -> None:
        _aware("at", self.at)
        rule = ACTIONS[self.action]
        if self.from_status not in rule.sources or self.to_status is not rule.target:
            raise CaseActionInvalid(
                f"{self.action.value} does not lead from {self.from_status.value} to {self.to_status.value}"
            )
        if self.actor_role not in rule.roles:
            raise CaseActionInvalid(f"{self.actor_role.value} cannot {self.action.value}")
        if rule.needs_reason and not self.reason:
            raise CaseActionInvalid(f"{self.action.value} needs a reason", code="reason_required")
        if self.deadline is not None:
            _aware("deadline", self.deadline)

    def to_json(self) -> dict[str, str | None]:
        return {
            "action": self.action.value,
            "from": self.from_status.value,
            "to": self.to_status.value,
            "actor_role": self.actor_role.value,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
        }


def perform(
    state: CaseState,
    action: CaseAction,
    *,
    actor: ActorRole,
    clock: Clock,
    reason: str | None = None,
    deadline: datetime | None = None,
) -> tuple[CaseState, TimelineEvent]:
    """Apply ``action`` by ``actor`` now, returning the new state and the event to record.

    Refusals: ``illegal_transition`` (409) from the wrong status, ``action_not_permitted`` (403)
    for the wrong role, ``reason_required`` / ``deadline_required`` / ``invalid_deadline`` (400) for
    missing particulars, ``motion_deadline_passed`` / ``motion_deadline_not_reached`` (409) when the
    clock says the remedy window is closed or still open.
    """
    target = transition(state.status, action)
    rule = ACTIONS[action]
    if actor not in rule.roles:
        raise ActionNotPermitted(
            f"a {actor.value} may not {action.value.replace('_', ' ')}; "
            f"allowed: {sorted(role.value for role in rule.roles)}",
            details={"action": action.value, "role": actor.value},
        )
    now = clock.now()
    _aware("now", now)
    cleaned = reason.strip() if isinstance(reason, str) else None
    if rule.needs_reason and not cleaned:
        raise CaseActionInvalid(
            f"{action.value.replace('_', ' ')} needs a reason", code="reason_required",
            details={"field": "reason"},
        )
    if cleaned is not None and len(cleaned) > MAX_REASON_LENGTH:
        raise CaseActionInvalid(
            f"a reason is at most {MAX_REASON_LENGTH} characters", details={"field": "reason"}
        )
    if rule.needs_deadline:
        if deadline is None:
            raise CaseActionInvalid(
                "leaving a claim without motion needs a deadline to remedy it", code="deadline_required",
                details={"field": "deadline"},
            )
        _aware("deadline", deadline)
        if deadline <= now:
            raise CaseActionInvalid(
                "the deadline to remedy must be in the future", code="invalid_deadline",
                details={"field": "deadline"},
            )
    elif deadline is not None:
        raise CaseActionInvalid(f"{action.value} takes no deadline", details={"field": "deadline"})
    if action is CaseAction.REMEDY and state.motion_deadline is not None and now > state.motion_deadline:
        raise IllegalTransition(
            f"the deadline to remedy ({state.motion_deadline.isoformat()}) has passed; the claim is to be returned",
            code="motion_deadline_passed",
            details={"deadline": state.motion_deadline.isoformat()},
        )
    if (
        action is CaseAction.MOTION_DEADLINE_LAPSED
        and state.motion_deadline is not None
        and now <= state.motion_deadline
    ):
        raise IllegalTransition(
            f"the deadline to remedy ({state.motion_deadline.isoformat()}) has not passed yet",
            code="motion_deadline_not_reached",
            details={"deadline": state.motion_deadline.isoformat()},
        )
    event = TimelineEvent(action, state.status, target, actor, now, cleaned or None, deadline)
    new_state = CaseState(target, deadline if target is CaseStatus.LEFT_WITHOUT_MOTION else None)
    logger.debug("case %s -> %s by %s", state.status.value, target.value, actor.value)
    return new_state, event
