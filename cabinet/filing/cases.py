"""The case store: finding cases and their parties, and the facts access decisions need."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from cabinet.case_numbers import parse_case_number
from cabinet.filing.access import Subject
from cabinet.filing.errors import CaseNotFound
from cabinet.filing.forms import PartyRole
from cabinet.filing.models import Case, CaseParty, Filing, FilingParty
from cabinet.identity.models import User

log = logging.getLogger(__name__)


def fold(name: str) -> str:
    """Names compared case-blind in any script (SQLite's lower() knows only ASCII)."""
    return " ".join(name.casefold().split())


def case_subject(case: Case) -> Subject:
    return Subject(
        court_id=case.court_id,
        party_iins=frozenset(p.iin for p in case.parties if p.iin and p.role != PartyRole.REPRESENTATIVE.value),
        lawyer_iins=frozenset(p.iin for p in case.parties if p.iin and p.role == PartyRole.REPRESENTATIVE.value),
        judge_id=case.judge_id,
    )


class CaseStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_number(self, number: str, *, for_update: bool = False) -> Case:
        canonical = str(parse_case_number(number))
        query = select(Case).where(Case.number == canonical).options(selectinload(Case.parties))
        if for_update:
            query = query.with_for_update(of=Case)
        case = await self.session.scalar(query)
        if case is None:
            raise CaseNotFound(f"no case {canonical}")
        return case

    async def by_id(self, case_id: int, *, for_update: bool = False) -> Case:
        query = select(Case).where(Case.id == case_id).options(selectinload(Case.parties))
        if for_update:
            query = query.with_for_update(of=Case)
        case = await self.session.scalar(query)
        if case is None:
            raise CaseNotFound(f"no case with id {case_id}")
        return case

    async def subject(self, case: Case) -> Subject:
        return case_subject(case)

    def add_parties(self, case: Case, parties: Sequence[FilingParty], filing_id: int) -> None:
        """Join a filing's parties to the case, skipping anyone already there in the same role."""
        present = {(p.role, p.iin or p.bin) for p in case.parties}
        for party in parties:
            key = (party.role, party.iin or party.bin)
            if key in present:
                continue
            present.add(key)
            case.parties.append(CaseParty(role=party.role, iin=party.iin, bin=party.bin, name=party.name,
                                          name_folded=fold(party.name), represents=party.represents,
                                          joined_by_filing_id=filing_id))

    async def party_users(self, case: Case) -> list[tuple[CaseParty, User]]:
        """Parties (and representatives) who have a cabinet: they can be notified there."""
        iins = {p.iin for p in case.parties if p.iin}
        if not iins:
            return []
        users = {u.iin: u for u in await self.session.scalars(select(User).where(User.iin.in_(iins)))}
        seen: set[int] = set()
        result = []
        for party in case.parties:
            user = users.get(party.iin or "")
            if user is not None and user.id not in seen:
                seen.add(user.id)
                result.append((party, user))
        return result

    async def dutiable_filings(self, case: Case) -> list[Filing]:
        """The registered claims of the case that carried a state duty: what a terminating ruling refunds."""
        return list(await self.session.scalars(
            select(Filing).where(Filing.case_id == case.id, Filing.status == "registered",
                                 Filing.filing_type.in_(("statement_of_claim", "counterclaim", "application",
                                                         "complaint")))
            .order_by(Filing.id).with_for_update()))
