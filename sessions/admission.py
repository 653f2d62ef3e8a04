"""Who may enter a hearing, and how: a pure function of identity, hearing, state and time.

The rule the court cares about most is the negative one: a closed hearing admits only the
EDS-authenticated people listed on it, and nobody enters before the waiting room opens or after
the hearing is over. Everything else follows from the participant's capacity: court staff walk in,
parties wait to be admitted (unless the judge chose auto-admission), a witness waits until called,
and the public — only at an open hearing — may watch but not be seen or heard.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sessions.errors import AdmissionRefused, InvalidHearing, NotAuthenticated
from sessions.hearings import HearingPlan, HearingRole, as_utc
from sessions.lifecycle import HearingState

logger = logging.getLogger(__name__)


class StaffRole(StrEnum):
    """What the court's staff register says an account is, independent of any one hearing."""

    JUDGE = "judge"
    CLERK = "clerk"


class AdmissionDecision(StrEnum):
    ENTER_DIRECTLY = "enter_directly"
    WAIT_IN_WAITING_ROOM = "wait_in_waiting_room"
    AUTO_ADMITTED = "auto_admitted"
    OBSERVER_VIEW_ONLY = "observer_view_only"


class RefusalCode(StrEnum):
    UNAUTHENTICATED = "unauthenticated"
    NOT_A_PARTICIPANT = "not_a_participant"
    HEARING_NOT_OPEN = "hearing_not_open"
    HEARING_CLOSED = "hearing_closed"
    STAFF_ROLE_REQUIRED = "staff_role_required"
    """Listed as judge or clerk, but the account is not court staff: a booking error, not a pass."""


@dataclass(frozen=True)
class Identity:
    """Who is knocking: ``user_id`` is ``None`` for somebody not logged in at all."""

    user_id: str | None
    eds_authenticated: bool = False
    staff_roles: frozenset[StaffRole] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.user_id is not None and (not isinstance(self.user_id, str) or not self.user_id.strip()):
            raise InvalidHearing("user_id is text or None", details={"field": "user_id"})
        if not isinstance(self.eds_authenticated, bool):
            raise InvalidHearing("eds_authenticated is true or false", details={"field": "eds_authenticated"})
        if self.user_id is None and self.eds_authenticated:
            raise InvalidHearing("an EDS login always names a user", details={"field": "eds_authenticated"})
        object.__setattr__(self, "staff_roles", frozenset(StaffRole(r) for r in self.staff_roles))

    @classmethod
    def anonymous(cls) -> Identity:
        return cls(None)


@dataclass(frozen=True)
class AdmissionGrant:
    """A positive decision: how this user enters, and in what capacity."""

    user_id: str
    role: HearingRole
    decision: AdmissionDecision

    @property
    def may_publish(self) -> bool:
        """Whether the media relay may accept this user's audio and video."""
        return self.decision is not AdmissionDecision.OBSERVER_VIEW_ONLY and self.role.may_publish

    @property
    def waits(self) -> bool:
        return self.decision is AdmissionDecision.WAIT_IN_WAITING_ROOM


_STAFF_ROLE_OF = {HearingRole.JUDGE: StaffRole.JUDGE, HearingRole.CLERK: StaffRole.CLERK}
_CLOSED_STATES = frozenset({HearingState.CLOSED, HearingState.ADJOURNED, HearingState.CANCELLED})


def _refuse(code: RefusalCode, message: str, **details: str) -> AdmissionRefused:
    error_type = NotAuthenticated if code is RefusalCode.UNAUTHENTICATED else AdmissionRefused
    return error_type(message, code=code.value, details=details)


def decide_admission(identity: Identity, plan: HearingPlan, state: HearingState, now: datetime) -> AdmissionGrant:
    """Decide how ``identity`` enters the hearing planned as ``plan``, now in ``state``.

    ``state`` is the stored lifecycle state; the lobby's opening at its lead time is derived from
    ``now`` here as well, so a participant never has to wait for some process to flip a flag.
    Refusals raise :class:`~sessions.errors.AdmissionRefused` whose ``code`` is a
    :class:`RefusalCode` value; checks run from who you are, to whether you belong, to when it is.
    """
    now = as_utc(now, "now")
    state = HearingState(state)
    if identity.user_id is None:
        raise _refuse(RefusalCode.UNAUTHENTICATED, "log in with your electronic digital signature to join")
    person = plan.participant(identity.user_id)
    if person is None:
        if not plan.is_open:
            raise _refuse(
                RefusalCode.NOT_A_PARTICIPANT,
                "this hearing is closed to the public and you are not listed as a participant",
                user_id=identity.user_id,
            )
    elif not identity.eds_authenticated:
        raise _refuse(
            RefusalCode.UNAUTHENTICATED,
            "participants join after logging in with their electronic digital signature",
            user_id=identity.user_id,
        )
    elif person.role in _STAFF_ROLE_OF and _STAFF_ROLE_OF[person.role] not in identity.staff_roles:
        raise _refuse(
            RefusalCode.STAFF_ROLE_REQUIRED,
            f"the account listed as {person.role.value} is not registered as court staff",
            user_id=identity.user_id,
            role=person.role.value,
        )

    if state in _CLOSED_STATES:
        raise _refuse(RefusalCode.HEARING_CLOSED, f"the hearing is {state.value}", state=state.value)
    if state is HearingState.SCHEDULED and now < plan.lobby_opens_at:
        raise _refuse(
            RefusalCode.HEARING_NOT_OPEN,
            "the waiting room opens at " + plan.lobby_opens_at.strftime("%Y-%m-%d %H:%M UTC"),
            opens_at=plan.lobby_opens_at.isoformat(),
        )

    if person is None or person.role is HearingRole.OBSERVER:
        decision = AdmissionDecision.OBSERVER_VIEW_ONLY
        role = HearingRole.OBSERVER
    else:
        role = person.role
        if role.is_staff:
            decision = AdmissionDecision.ENTER_DIRECTLY
        elif plan.auto_admit and not role.waits_to_be_called:
            decision = AdmissionDecision.AUTO_ADMITTED
        else:
            decision = AdmissionDecision.WAIT_IN_WAITING_ROOM
    logger.debug("admission of %s: %s as %s", identity.user_id, decision, role)
    return AdmissionGrant(identity.user_id, role, decision)
