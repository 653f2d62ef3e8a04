"""The public lookup's queries: Core statements, one round trip each, on indexed columns only.

The case lookup is the busiest anonymous endpoint of a court site, so it is one ``SELECT`` — the
case by its unique number, joined by primary key to its court, its judge and its opening filing,
and to its next hearing (found through the ``hearings.case_id`` index) with that hearing's
courtroom — without an ORM session (no identity map, no unit of work: nothing is written).

On PostgreSQL the lookup runs on the database's fast path (:meth:`core.db.Database.fast_path`: the
shared asyncpg pool), not through the SQLAlchemy engine: SQLAlchemy's connection checkout, statement
cache, result rows and type processing cost about 0.15 ms of CPU per lookup, more than PostgreSQL
spends answering it. The pool also keeps anonymous traffic off the connections the cabinet's writes
need. :data:`CASE_LOOKUP` stays the one definition of the statement: the fast path runs its text as
SQLAlchemy's asyncpg dialect writes it (:func:`core.db.asyncpg_statement`), which
``bench/public_lookup.py`` also runs through bare asyncpg to measure what the HTTP layer costs on top
of it. SQLite runs the same statement through the engine.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, literal_column, or_, select

from cabinet.courts import Court, Courtroom
from cabinet.filing.models import Case, CaseParty, Filing
from cabinet.identity.models import User
from core.db import FastPath, table
from sessions.lifecycle import HearingState
from sessions.models import HearingRow
from sessions.public.calendar import ListedHearing, PartyFacts
from sessions.public.lookup import CaseRecord, CourtFacts, HearingSlot

log = logging.getLogger(__name__)

_cases, _courts, _users, _filings = table(Case), table(Court), table(User), table(Filing)
_hearings, _rooms, _parties = table(HearingRow), table(Courtroom), table(CaseParty)

UPCOMING_STATES = tuple(s.value for s in HearingState if not s.is_final)
LIVE_STATES = tuple(s.value for s in HearingState if s.is_live)



def _inline(values: tuple[str, ...]) -> list[ColumnElement[Any]]:
    """Our own enum values written into the SQL, so the statement text never varies (one prepared
    statement per connection) and carries only the parameters that do."""
    return [literal_column("'" + value + "'") for value in values if value.isidentifier()]


_next = _hearings.alias("next_hearing")
_next_id = (
    select(_next.c.id)
    .where(_next.c.case_id == _cases.c.id, _next.c.state.in_(_inline(UPCOMING_STATES)),
           or_(_next.c.end_at >= bindparam("now"), _next.c.state.in_(_inline(LIVE_STATES))))
    .order_by(_next.c.start, _next.c.id)
    .limit(1)
    .correlate(_cases)
    .scalar_subquery()
)

CASE_LOOKUP: Select[Any] = (
    select(
        _cases.c.number, _cases.c.case_kind, _cases.c.category, _cases.c.closed_category, _cases.c.status,
        _cases.c.registered_at, _filings.c.submitted_at, _courts.c.code, _courts.c.region, _courts.c.name_kk,
        _courts.c.name_ru, _courts.c.name_en, _users.c.common_name, _hearings.c.start, _hearings.c.duration_minutes,
        _hearings.c.format, _hearings.c.is_open, _rooms.c.name.label("courtroom"),
    )
    .select_from(
        _cases.join(_courts, _courts.c.id == _cases.c.court_id)
        .outerjoin(_users, _users.c.id == _cases.c.judge_id)
        .outerjoin(_filings, _filings.c.id == _cases.c.opening_filing_id)
        .outerjoin(_hearings, _hearings.c.id == _next_id)
        .outerjoin(_rooms, _rooms.c.id == _hearings.c.courtroom_id)
    )
    .where(_cases.c.number == bindparam("number"))
)

_court_by_code = select(_courts).where(_courts.c.code == bindparam("code"))

_judges = _users.alias("judge")
_DAY = (
    select(
        _hearings.c.id, _hearings.c.case_id, _hearings.c.start, _hearings.c.duration_minutes, _hearings.c.format,
        _hearings.c.is_open, _hearings.c.state, _rooms.c.name.label("courtroom"), _cases.c.number,
        _cases.c.case_kind, _cases.c.category, _cases.c.closed_category, _judges.c.common_name.label("judge"),
    )
    .select_from(
        _hearings.join(_cases, _cases.c.id == _hearings.c.case_id)
        .outerjoin(_rooms, _rooms.c.id == _hearings.c.courtroom_id)
        .outerjoin(_judges, _judges.c.id == _cases.c.judge_id)
    )
    .where(_hearings.c.court_id == bindparam("court_id"), _hearings.c.start >= bindparam("day_start"),
           _hearings.c.start < bindparam("day_end"))
)


def _slot(start: datetime, minutes: int, courtroom: str | None, format_: str, is_open: bool) -> HearingSlot:
    return HearingSlot(start=start, duration=timedelta(minutes=max(int(minutes), 1)), courtroom=courtroom,
                       format=format_, open=bool(is_open))


def case_record(row: Mapping[str, Any]) -> CaseRecord:
    """A lookup row (a SQLAlchemy row's mapping or an asyncpg record) as the rules' input."""
    hearing = None
    if row["start"] is not None:
        hearing = _slot(row["start"], row["duration_minutes"], row["courtroom"], row["format"], row["is_open"])
    return CaseRecord(
        number=row["number"], case_kind=row["case_kind"], category=row["category"],
        closed_category=row["closed_category"], status=row["status"], registered_at=row["registered_at"],
        filed_at=row["submitted_at"],
        court=CourtFacts(row["code"], row["region"], row["name_kk"], row["name_ru"], row["name_en"]),
        judge_name=row["common_name"], next_hearing=hearing,
    )


class PublicStore:
    """Reads only. The case lookup runs on the fast path's pool on PostgreSQL (see the module docstring),
    the other reads on its engine (in autocommit on PostgreSQL: a single SELECT needs no
    ``BEGIN``/``ROLLBACK`` around it, which would triple its round trips)."""

    def __init__(self, reads: FastPath) -> None:
        self.reads = reads
        self.engine = reads.engine

    async def case(self, number: str, now: datetime) -> CaseRecord | None:
        """The case with this canonical number, whatever its category (the rules decide what to show),
        with its next hearing that has not ended by ``now``."""
        found = await self.reads.fetchrow(CASE_LOOKUP, {"number": number, "now": now})
        return None if found is None else case_record(found)

    async def court(self, code: str) -> tuple[int, CourtFacts] | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(_court_by_code, {"code": code})).first()
        if row is None:
            return None
        return row.id, CourtFacts(row.code, row.region, row.name_kk, row.name_ru, row.name_en)

    async def hearings(self, court_id: int, start: datetime, end: datetime) -> list[ListedHearing]:
        """Every hearing of the court that starts in ``[start, end)``, with the parties of open hearings
        of open cases (two queries: the day's hearings, then the parties of those cases)."""
        async with self.engine.connect() as conn:
            rows = (await conn.execute(_DAY, {"court_id": court_id, "day_start": start, "day_end": end})).all()
            wanted = sorted({r.case_id for r in rows if r.is_open and not r.closed_category})
            parties: dict[int, list[PartyFacts]] = {}
            if wanted:
                found = await conn.execute(
                    select(_parties.c.case_id, _parties.c.role, _parties.c.name, _parties.c.bin)
                    .where(and_(_parties.c.case_id.in_(wanted))).order_by(_parties.c.id))
                for p in found:
                    parties.setdefault(p.case_id, []).append(PartyFacts(p.role, p.name, p.bin is not None))
        return [
            ListedHearing(
                slot=_slot(r.start, r.duration_minutes, r.courtroom, r.format, r.is_open), state=r.state,
                judge_name=r.judge, number=r.number, case_kind=r.case_kind, category=r.category,
                closed_category=r.closed_category, parties=tuple(parties.get(r.case_id, ())))
            for r in rows
        ]
