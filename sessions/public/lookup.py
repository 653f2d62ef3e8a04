"""What the public may learn about one case from its number: the rules, with no database in sight.

Anyone may type a case number and see what a court would tell them at the registry window —
that the case exists, its court, kind and category, its status, the judge, when it was filed and
registered, and the next hearing (date, time, courtroom, format). Never the parties: their names,
IINs and BINs, the claim's title (typed by the filer, it often names people) and the documents
stay in the cabinet, behind a login and the access table of :mod:`cabinet.filing.access`.

Closed categories (juveniles, family matters, state secrets, sexual offences — the ``closed`` rows
of :mod:`cabinet.filing.categories`) reveal nothing, *not even that the case exists*: the answer
is the very same ``404 case_not_found`` an unknown number gets, with a message built from the
number alone. The category is part of the number, so most closed cases are refused before any
query (no timing difference either: every number of a closed category is refused the same way);
a case flagged ``closed_category`` in the database is refused too, whatever its number says.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cabinet.case_numbers import CaseKind, CaseNumber, parse_case_number
from cabinet.case_status import CaseStatus
from cabinet.filing.categories import CATEGORIES
from sessions.public.errors import PublicCaseNotFound

log = logging.getLogger(__name__)

_OPEN_TITLES: dict[tuple[CaseKind, str], str] = {(c.kind, c.code): c.title for c in CATEGORIES if not c.closed}


def publishable(kind: CaseKind, category: str) -> bool:
    """Whether cases of this kind and category may be shown at all. Unknown combinations are not:
    no case can carry them, and "not publishable" is the answer that can never leak anything."""
    return (kind, category) in _OPEN_TITLES


def category_title(kind: CaseKind, category: str) -> str:
    return _OPEN_TITLES[(kind, category)]


def requested_number(text: str) -> CaseNumber:
    """The number asked for, in canonical form; ``400 invalid_case_number`` if it is not one."""
    return parse_case_number(text)


def not_found(number: CaseNumber) -> PublicCaseNotFound:
    """The one refusal for unknown and closed cases: it depends on nothing but the number typed."""
    return PublicCaseNotFound(f"no public case with number {number}", details={"number": str(number)})


@dataclass(frozen=True)
class HearingSlot:
    """A hearing as the public sees it: when, where, how, and whether the public may attend."""

    start: datetime
    duration: timedelta
    courtroom: str | None
    format: str
    open: bool

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("a hearing's start must be timezone-aware")
        if self.duration <= timedelta(0):
            raise ValueError("a hearing's duration must be positive")

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": (self.start + self.duration).isoformat(),
                "duration_minutes": int(self.duration.total_seconds() // 60), "courtroom": self.courtroom,
                "format": self.format, "open": self.open}


@dataclass(frozen=True)
class CourtFacts:
    code: str
    region: str
    name_kk: str
    name_ru: str
    name_en: str

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "region": self.region,
                "name": {"kk": self.name_kk, "ru": self.name_ru, "en": self.name_en}}


@dataclass(frozen=True)
class CaseRecord:
    """The row the store reads for a number: everything the public answer may be made of, and the flag
    that decides whether it may be made at all."""

    number: str
    case_kind: str
    category: str
    closed_category: bool
    status: str
    registered_at: datetime
    filed_at: datetime | None
    court: CourtFacts
    judge_name: str | None
    next_hearing: HearingSlot | None = None


@dataclass(frozen=True)
class PublicCase:
    number: str
    court: CourtFacts
    kind: CaseKind
    category: str
    status: CaseStatus
    filed_at: datetime
    registered_at: datetime
    judge_name: str | None
    next_hearing: HearingSlot | None

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "court": self.court.to_json(),
            "case_kind": self.kind.value,
            "category": {"code": self.category, "title": category_title(self.kind, self.category)},
            "status": self.status.value,
            "filed_at": self.filed_at.isoformat(),
            "registered_at": self.registered_at.isoformat(),
            "judge": None if self.judge_name is None else {"name": self.judge_name},
            "next_hearing": None if self.next_hearing is None else self.next_hearing.to_json(),
        }


def public_case(number: CaseNumber, record: CaseRecord | None) -> PublicCase:
    """The public view of ``record`` (found by ``number``), or the one not-found refusal."""
    if record is None or record.closed_category:
        raise not_found(number)
    try:
        kind = CaseKind(record.case_kind)
        status = CaseStatus(record.status)
    except ValueError:
        log.error("case %s has an unknown kind %r or status %r; not shown", record.number, record.case_kind,
                  record.status)
        raise not_found(number) from None
    if not publishable(kind, record.category):
        raise not_found(number)
    return PublicCase(
        number=record.number, court=record.court, kind=kind, category=record.category, status=status,
        filed_at=record.filed_at or record.registered_at, registered_at=record.registered_at,
        judge_name=record.judge_name, next_hearing=record.next_hearing,
    )
