"""Refuse hearing slots that would put a judge, a courtroom or a lawyer in two places at once.

The input is plain data (what the store already holds), so the rule runs the same for a new
booking and for a reschedule, and its refusal names every clash — who or what, in which hearing,
when — because a clerk who is told only "conflict" has to go and find it themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sessions.errors import InvalidHearing, ScheduleConflict
from sessions.hearings import HearingPlan, HearingRole, as_utc
from sessions.lifecycle import HearingState

logger = logging.getLogger(__name__)

BLOCKING_ROLES = frozenset(
    {HearingRole.JUDGE, HearingRole.CLERK, HearingRole.REPRESENTATIVE, HearingRole.PROSECUTOR}
)
"""Professionals who cannot sit in two hearings at once. Parties and witnesses are not blocking:
their overlaps are for the court to notice, not a reason to refuse the booking."""

NON_BLOCKING_STATES = frozenset({HearingState.CLOSED, HearingState.ADJOURNED, HearingState.CANCELLED})
MAX_BUFFER = timedelta(hours=4)


class ClashKind(StrEnum):
    JUDGE = "judge"
    COURTROOM = "courtroom"
    CLERK = "clerk"
    REPRESENTATIVE = "representative"
    PROSECUTOR = "prosecutor"


_KIND_OF_ROLE = {
    HearingRole.JUDGE: ClashKind.JUDGE,
    HearingRole.CLERK: ClashKind.CLERK,
    HearingRole.REPRESENTATIVE: ClashKind.REPRESENTATIVE,
    HearingRole.PROSECUTOR: ClashKind.PROSECUTOR,
}
_KIND_ORDER = list(ClashKind)


@dataclass(frozen=True)
class Booking:
    """A hearing's claim on a slot: its courtroom and the professionals (user id → role) it ties up."""

    hearing_id: str
    case_id: str
    courtroom_id: str
    start: datetime
    end: datetime
    people: Mapping[str, HearingRole] = field(default_factory=lambda: MappingProxyType({}))
    state: HearingState = HearingState.SCHEDULED

    def __post_init__(self) -> None:
        for name in ("hearing_id", "case_id", "courtroom_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidHearing(f"{name} must not be empty", details={"field": name})
        object.__setattr__(self, "start", as_utc(self.start, "start"))
        object.__setattr__(self, "end", as_utc(self.end, "end"))
        if self.end <= self.start:
            raise InvalidHearing("a booking ends after it starts", details={"field": "end"})
        object.__setattr__(self, "state", HearingState(self.state))
        people = {user_id: HearingRole(role) for user_id, role in self.people.items()}
        object.__setattr__(self, "people", MappingProxyType(people))

    @classmethod
    def of(cls, hearing_id: str, plan: HearingPlan, state: HearingState = HearingState.SCHEDULED) -> Booking:
        """The booking a planned hearing makes: only its blocking professionals are kept."""
        people = {p.user_id: p.role for p in plan.participants if p.role in BLOCKING_ROLES}
        return cls(hearing_id, plan.case_id, plan.courtroom_id, plan.start, plan.end, people, state)

    @property
    def blocks(self) -> bool:
        return self.state not in NON_BLOCKING_STATES

    def overlaps(self, other: Booking, buffer: timedelta = timedelta(0)) -> bool:
        """Whether the two slots, each kept ``buffer`` apart from the other, intersect.

        Back-to-back hearings (one ends as the next starts) do not overlap without a buffer.
        """
        return self.start < other.end + buffer and other.start < self.end + buffer


@dataclass(frozen=True)
class Clash:
    """One reason the proposed slot is refused."""

    kind: ClashKind
    hearing_id: str
    case_id: str
    start: datetime
    end: datetime
    user_id: str | None = None
    role_there: HearingRole | None = None
    courtroom_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": self.kind.value,
            "hearing_id": self.hearing_id,
            "case_id": self.case_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }
        if self.user_id is not None:
            body["user_id"] = self.user_id
        if self.role_there is not None:
            body["role_there"] = self.role_there.value
        if self.courtroom_id is not None:
            body["courtroom_id"] = self.courtroom_id
        return body

    def describe(self) -> str:
        what = f"courtroom {self.courtroom_id}" if self.user_id is None else f"the {self.kind.value} {self.user_id}"
        slot = f"{self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} UTC"
        return f"{what} is already booked for case {self.case_id} (hearing {self.hearing_id}) at {slot}"


def find_clashes(
    proposed: Booking, booked: Iterable[Booking], buffer: timedelta = timedelta(0)
) -> list[Clash]:
    """Every clash between ``proposed`` and the live bookings, in a stable order.

    A booking with the proposed hearing's own id is the hearing being rescheduled and never clashes
    with itself; closed, adjourned and cancelled hearings no longer hold their slots.
    """
    if not isinstance(buffer, timedelta) or not timedelta(0) <= buffer <= MAX_BUFFER:
        raise InvalidHearing(f"the buffer lies between 0 and {MAX_BUFFER}", details={"field": "buffer"})
    clashes: list[Clash] = []
    for other in booked:
        if other.hearing_id == proposed.hearing_id or not other.blocks or not proposed.overlaps(other, buffer):
            continue
        where = (other.hearing_id, other.case_id, other.start, other.end)
        if other.courtroom_id == proposed.courtroom_id:
            clashes.append(Clash(ClashKind.COURTROOM, *where, courtroom_id=other.courtroom_id))
        for user_id, role in proposed.people.items():
            if user_id in other.people:
                clashes.append(
                    Clash(_KIND_OF_ROLE[role], *where, user_id=user_id, role_there=other.people[user_id])
                )
    clashes.sort(key=lambda c: (c.start, c.hearing_id, _KIND_ORDER.index(c.kind), c.user_id or ""))
    return clashes


def ensure_free(proposed: Booking, booked: Iterable[Booking], buffer: timedelta = timedelta(0)) -> None:
    """Refuse with ``schedule_conflict`` naming every clash, or return quietly when the slot is free."""
    clashes = find_clashes(proposed, booked, buffer)
    if clashes:
        logger.info("slot for hearing %s refused: %d clashes", proposed.hearing_id, len(clashes))
        raise ScheduleConflict(
            "; ".join(c.describe() for c in clashes),
            details={"hearing_id": proposed.hearing_id, "conflicts": [c.to_json() for c in clashes]},
        )
