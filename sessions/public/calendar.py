"""The day's cause list of a court, as the public may read it: which rows show what.

A court publishes its list of the day's hearings (India's daily cause list, the board outside a
Kazakh courtroom); people come to watch open hearings, journalists plan their day. What a row
shows depends on the case and on the hearing:

=====================================  =================================================================
case / hearing                         published
=====================================  =================================================================
open category, open hearing            time, courtroom, format, state, judge, case number, kind,
                                       category, and the parties *as courts print them*: an individual
                                       by surname and initials (``ӘЛИЕВА А.``), an organisation by its
                                       name; never an IIN or BIN, never representatives
open category, hearing closed to the   time, courtroom, format, state, judge, case number, kind and
public (``is_open`` false)             category — no parties
closed category (juveniles, family,    time, courtroom, format, state, judge and "closed" — no case
state secrets, sexual offences)        number, kind or category: the case lookup must not be able to
                                       confirm such a case exists, and the courtroom is visibly busy
=====================================  =================================================================

The day is the court's local day (Kazakhstan keeps UTC+5). Cancelled and adjourned hearings stay on
the list with their state, so someone who came for them learns why nothing happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from cabinet.case_numbers import CaseKind
from core.clock import COURT_TIME
from sessions.public.errors import PublicQueryInvalid
from sessions.public.lookup import CourtFacts, HearingSlot, category_title, publishable

PUBLISHED_ROLES = ("plaintiff", "applicant", "defendant", "third_party")


def court_day(day: date) -> tuple[datetime, datetime]:
    """The UTC-aware bounds ``[start, end)`` of a calendar day in court time."""
    start = datetime.combine(day, time(0), COURT_TIME)
    return start, start + timedelta(days=1)


def requested_day(text: str | None, now: datetime) -> date:
    """``YYYY-MM-DD``; today in court time when absent; ``400 invalid_date`` otherwise."""
    if text is None or text == "":
        return now.astimezone(COURT_TIME).date()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise PublicQueryInvalid(f"date {text[:40]!r} is not a date (YYYY-MM-DD)", code="invalid_date",
                                 details={"field": "date"}) from None


def published_name(name: str, *, organisation: bool) -> str:
    """How a party is printed on a public list: organisations by name, people by surname and initials.

    Names come as the certificate has them, surname first (``ӘЛИЕВА АЛИЯ ҚАНАТҚЫЗЫ``)."""
    words = name.split()
    if organisation or len(words) <= 1:
        return " ".join(words)
    return " ".join([words[0], *(f"{w[0]}." for w in words[1:])])


@dataclass(frozen=True)
class PartyFacts:
    role: str
    name: str
    organisation: bool


@dataclass(frozen=True)
class ListedHearing:
    """One hearing of the day with the facts the policy chooses from."""

    slot: HearingSlot
    state: str
    judge_name: str | None
    number: str
    case_kind: str
    category: str
    closed_category: bool
    parties: tuple[PartyFacts, ...] = ()


def _case_is_public(row: ListedHearing) -> bool:
    if row.closed_category:
        return False
    try:
        return publishable(CaseKind(row.case_kind), row.category)
    except ValueError:
        return False


def row_json(row: ListedHearing) -> dict[str, Any]:
    """One line of the published list, per the table in the module docstring."""
    body: dict[str, Any] = {**row.slot.to_json(), "state": row.state,
                            "judge": None if row.judge_name is None else {"name": row.judge_name}}
    if not _case_is_public(row):
        return {**body, "open": False, "closed_category": True, "case": None, "parties": None}
    kind = CaseKind(row.case_kind)
    case = {"number": row.number, "case_kind": kind.value,
            "category": {"code": row.category, "title": category_title(kind, row.category)}}
    parties = None
    if row.slot.open:
        parties = [{"role": p.role, "name": published_name(p.name, organisation=p.organisation)}
                   for p in row.parties if p.role in PUBLISHED_ROLES]
    return {**body, "closed_category": False, "case": case, "parties": parties}


def cause_list_json(court: CourtFacts, day: date, rows: list[ListedHearing]) -> dict[str, Any]:
    ordered = sorted(rows, key=lambda r: (r.slot.start, r.slot.courtroom or "", r.number))
    return {"court": court.to_json(), "date": day.isoformat(), "timezone": "+05:00",
            "hearings": [row_json(r) for r in ordered]}
