"""Running numbers that stay unique under concurrency: incoming numbers and case numbers.

Each series lives in one :class:`~cabinet.filing.models.RegistryCounter` row, advanced by a single
``UPDATE … SET value = value + 1 … RETURNING value``. On PostgreSQL that statement takes the row
lock, so concurrent registrations line up behind each other and each reads the value it wrote;
on SQLite every transaction already holds the write lock (``BEGIN IMMEDIATE``). The row is created
on first use with ``INSERT … ON CONFLICT DO NOTHING``, so two first users do not collide either.
A rolled-back registration gives its number back with the rollback: numbers have no gaps.

Years are the court's local years: Kazakhstan keeps one time zone, UTC+5, since 1 March 2024.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.case_numbers import MAX_SEQUENCE, CaseKind, format_case_number
from cabinet.courts import Court
from cabinet.filing.errors import FilingStateConflict
from cabinet.filing.models import RegistryCounter
from core.clock import COURT_TIME

log = logging.getLogger(__name__)

INCOMING = "incoming"
CASE = "case"


def court_year(moment: datetime) -> int:
    return moment.astimezone(COURT_TIME).year


async def next_value(session: AsyncSession, series: str, court_id: int, year: int, kind: str = "") -> int:
    advance = (
        update(RegistryCounter)
        .where(RegistryCounter.series == series, RegistryCounter.court_id == court_id,
               RegistryCounter.year == year, RegistryCounter.kind == kind)
        .values(value=RegistryCounter.value + 1)
        .returning(RegistryCounter.value)
        .execution_options(synchronize_session=False)
    )
    value = (await session.execute(advance)).scalar_one_or_none()
    if value is None:
        values = {"series": series, "court_id": court_id, "year": year, "kind": kind, "value": 0}
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(insert(RegistryCounter).values(values).on_conflict_do_nothing())
        value = (await session.execute(advance)).scalar_one()
    return int(value)


def format_incoming_number(court_code: str, year: int, sequence: int) -> str:
    """``7594-26-IN/000042``: the court, the year, and the running number of what it received."""
    return f"{court_code}-{year % 100:02d}-IN/{sequence:06d}"


async def allocate_incoming_number(session: AsyncSession, court: Court, moment: datetime) -> str:
    year = court_year(moment)
    return format_incoming_number(court.code, year, await next_value(session, INCOMING, court.id, year))


async def allocate_case_number(session: AsyncSession, court: Court, kind: CaseKind, category: str,
                               moment: datetime) -> str:
    """The next case number of (court, year, kind); the category is part of the number, not the series."""
    year = court_year(moment)
    sequence = await next_value(session, CASE, court.id, year, kind.value)
    if sequence > MAX_SEQUENCE:
        raise FilingStateConflict(f"court {court.code} has used every case number of {year} for {kind.value} "
                                  "cases", code="case_numbers_exhausted")
    return format_case_number(court.code, year, kind, sequence, category)
