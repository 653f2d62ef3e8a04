"""Cases written straight into the tables, as registration leaves them, for public-access tests.

The road from a draft to a registered case is the filing package's (and its tests'); here we need
many cases in many statuses and categories quickly, so :func:`add_case` writes the rows a
registration writes — an opening filing, the case with its parties, its judge — in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from cabinet.courts import Court, Courtroom
from cabinet.filing.cases import fold
from cabinet.filing.models import Case, CaseParty, Filing
from cabinet.identity.models import User
from core.db import Database
from sessions.models import HearingRow
from tests.cabinet.conftest import cabinet_app, cast  # noqa: F401  (the cabinet tests' app and key holders)
from tests.cabinet.filing.conftest import court  # noqa: F401  (the filing tests' court, for end-to-end cases)

FILED = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
ALICE = ("900101400123", "ӘЛИЕВА АЛИЯ")
BOB = ("850505300456", "БЕКОВ БОЛАТ")


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    iin: str | None = None
    bin: str | None = None


@dataclass(frozen=True)
class Seeded:
    id: int
    number: str


async def add_case(db: Database, number: str, *, kind: str = "civil", category: str = "01",
                   closed: bool = False, status: str = "accepted", judge_iin: str | None = "700707300783",
                   court_code: str = "7594", title: str = "Recovery of a loan from БЕКОВ БОЛАТ",
                   parties: tuple[Party, ...] = ()) -> Seeded:
    """A registered case with Alice suing Bob (IINs, names and a title that must never go public), plus
    ``parties``."""
    async with db.transaction() as session:
        court_row = await session.scalar(select(Court).where(Court.code == court_code))
        assert court_row is not None, f"seed court {court_code} first"
        owner = await session.scalar(select(User).where(User.iin == ALICE[0]))
        if owner is None:
            owner = User(iin=ALICE[0], common_name=ALICE[1], created_at=FILED)
            session.add(owner)
            await session.flush()
        judge_id = None
        if judge_iin is not None:
            judge_id = await session.scalar(select(User.id).where(User.iin == judge_iin))
            assert judge_id is not None, f"no user {judge_iin}"
        filing = Filing(owner_id=owner.id, status="registered", court_id=court_row.id, case_kind=kind,
                        category=category, filing_type="statement_of_claim", title=title, created_at=FILED,
                        updated_at=FILED, submitted_at=FILED)
        session.add(filing)
        await session.flush()
        case = Case(number=number, court_id=court_row.id, case_kind=kind, category=category,
                    closed_category=closed, title=title, status=status, judge_id=judge_id,
                    opening_filing_id=filing.id, registered_at=FILED + timedelta(days=1))
        case.parties = [
            CaseParty(role="plaintiff", iin=ALICE[0], name=ALICE[1], name_folded=fold(ALICE[1])),
            CaseParty(role="defendant", iin=BOB[0], name=BOB[1], name_folded=fold(BOB[1])),
            *(CaseParty(role=p.role, iin=p.iin, bin=p.bin, name=p.name, name_folded=fold(p.name)) for p in parties),
        ]
        session.add(case)
        await session.flush()
        filing.case_id = case.id
        return Seeded(case.id, number)


async def add_hearing(db: Database, case_id: int, start: datetime, *, minutes: int = 60, room: str = "Зал 1",
                      state: str = "scheduled", is_open: bool = True, format_: str = "mixed") -> int:
    """A booked hearing of a case, as the hearings service stores it."""
    async with db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        courtroom = await session.scalar(select(Courtroom).where(Courtroom.court_id == case.court_id,
                                                                 Courtroom.name == room))
        assert courtroom is not None, room
        clerk = await session.scalar(select(User.id).where(User.iin == "920202400567"))
        row = HearingRow(case_id=case_id, court_id=case.court_id, courtroom_id=courtroom.id, start=start,
                         end_at=start + timedelta(minutes=minutes), duration_minutes=minutes, format=format_,
                         is_open=is_open, lobby_lead_minutes=15, state=state, created_by=clerk or case.judge_id,
                         created_at=FILED, updated_at=FILED)
        session.add(row)
        await session.flush()
        return row.id
