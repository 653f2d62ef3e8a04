"""The public lookup's queries: Core statements, one round trip each, on indexed columns only.

The case lookup is the busiest anonymous endpoint of a court site, so it is one ``SELECT`` — the
case by its unique number, joined by primary key to its court, its judge and its opening filing —
run on a pooled connection without an ORM session (no identity map, no unit of work: nothing is
written). :data:`CASE_LOOKUP` is the exact statement; ``bench/public_lookup.py`` runs the same
SQL through bare asyncpg to measure what the HTTP layer costs on top of it.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Select, bindparam, select

from cabinet.courts import Court
from cabinet.filing.models import Case, Filing
from cabinet.identity.models import User
from cabinet.public.lookup import CaseRecord, CourtFacts
from web.db import Database, table

log = logging.getLogger(__name__)

_cases, _courts, _users, _filings = table(Case), table(Court), table(User), table(Filing)

CASE_LOOKUP: Select[Any] = (
    select(
        _cases.c.number, _cases.c.case_kind, _cases.c.category, _cases.c.closed_category, _cases.c.status,
        _cases.c.registered_at, _filings.c.submitted_at, _courts.c.code, _courts.c.region, _courts.c.name_kk,
        _courts.c.name_ru, _courts.c.name_en, _users.c.common_name,
    )
    .select_from(
        _cases.join(_courts, _courts.c.id == _cases.c.court_id)
        .outerjoin(_users, _users.c.id == _cases.c.judge_id)
        .outerjoin(_filings, _filings.c.id == _cases.c.opening_filing_id)
    )
    .where(_cases.c.number == bindparam("number"))
)


def _record(row: Any) -> CaseRecord:
    return CaseRecord(
        number=row.number, case_kind=row.case_kind, category=row.category, closed_category=row.closed_category,
        status=row.status, registered_at=row.registered_at, filed_at=row.submitted_at,
        court=CourtFacts(row.code, row.region, row.name_kk, row.name_ru, row.name_en),
        judge_name=row.common_name,
    )


class PublicStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def case(self, number: str) -> CaseRecord | None:
        """The case with this canonical number, whatever its category (the rules decide what to show)."""
        async with self.db.engine.connect() as conn:
            row = (await conn.execute(CASE_LOOKUP, {"number": number})).first()
        return None if row is None else _record(row)
