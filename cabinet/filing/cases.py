"""The case store: finding cases and their parties, and the facts access decisions need.

Representation policy (README, Security): naming someone as a party's representative in a filing
gives them nothing by itself. The case accepts a representative — when the clerk registers the
filing that names them — only on an authority it can check: the representative holds a lawyer
grant, or the filing carries a power of attorney signed with the represented party's own SIGN
key (a document of kind ``power_of_attorney`` whose verified signer is that party's IIN or, for
an organisation, its BIN). Until accepted a representative has no access to the case, gets no
notices and cannot file in the party's name; a later filing that brings the authority has them
accepted then.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from cabinet.case_numbers import parse_case_number
from cabinet.filing.access import Subject
from cabinet.filing.documents import DocumentKind
from cabinet.filing.errors import CaseNotFound
from cabinet.filing.forms import PartyRole
from cabinet.filing.models import Case, CaseParty, Document, Filing, FilingParty
from cabinet.identity.models import RoleGrant, User

log = logging.getLogger(__name__)


def fold(name: str) -> str:
    """Names compared case-blind in any script (SQLite's lower() knows only ASCII)."""
    return " ".join(name.casefold().split())


LAWYER_AUTHORITY = "lawyer"
POWER_OF_ATTORNEY_AUTHORITY = "power_of_attorney"


def _representative(party: CaseParty | FilingParty) -> bool:
    return party.role == PartyRole.REPRESENTATIVE.value


def accepted_representative(party: CaseParty) -> bool:
    return _representative(party) and party.accepted_at is not None


def case_subject(case: Case) -> Subject:
    return Subject(
        court_id=case.court_id,
        party_iins=frozenset(p.iin for p in case.parties if p.iin and not _representative(p)),
        lawyer_iins=frozenset(p.iin for p in case.parties if p.iin and accepted_representative(p)),
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

    async def representative_authority(self, parties: Sequence[FilingParty],
                                       documents: Sequence[Document]) -> dict[tuple[str, str], str]:
        """(representative IIN, represented IIN/BIN) -> the authority the case can accept them on."""
        reps = [p for p in parties if _representative(p) and p.iin and p.represents]
        if not reps:
            return {}
        lawyers = set(await self.session.scalars(
            select(User.iin).join(RoleGrant, RoleGrant.user_id == User.id).where(
                User.iin.in_({p.iin for p in reps}), RoleGrant.role == "lawyer", RoleGrant.revoked_at.is_(None))))
        signed_by: set[str] = set()
        for document in documents:
            if document.kind != DocumentKind.POWER_OF_ATTORNEY.value or not document.verification.get("valid"):
                continue
            signer = document.verification.get("signer") or {}
            signed_by.update(x for x in (document.signer_iin, signer.get("iin"), signer.get("bin")) if x)
        found: dict[tuple[str, str], str] = {}
        for party in reps:
            assert party.iin is not None and party.represents is not None
            if party.iin in lawyers:
                found[(party.iin, party.represents)] = LAWYER_AUTHORITY
            elif party.represents in signed_by:
                found[(party.iin, party.represents)] = POWER_OF_ATTORNEY_AUTHORITY
        return found

    def add_parties(self, case: Case, parties: Sequence[FilingParty], filing_id: int, *,
                    authority: dict[tuple[str, str], str], now: datetime) -> None:
        """Join a filing's parties to the case, skipping anyone already there in the same role;
        representatives are accepted when ``authority`` names them (also one already there)."""
        present = {(p.role, p.iin or p.bin): p for p in case.parties}
        for party in parties:
            key = (party.role, party.iin or party.bin)
            ground = authority.get((party.iin, party.represents)) if party.iin and party.represents else None
            existing = present.get(key)
            if existing is not None:
                if ground and existing.accepted_at is None and existing.represents == party.represents:
                    existing.accepted_at, existing.authority = now, ground
                continue
            row = CaseParty(role=party.role, iin=party.iin, bin=party.bin, name=party.name,
                            name_folded=fold(party.name), represents=party.represents,
                            joined_by_filing_id=filing_id, accepted_at=now if ground else None, authority=ground)
            present[key] = row
            case.parties.append(row)

    async def party_users(self, case: Case) -> list[tuple[CaseParty, User]]:
        """Parties (and representatives) who have a cabinet: they can be notified there."""
        iins = {p.iin for p in case.parties if p.iin and (not _representative(p) or p.accepted_at is not None)}
        if not iins:
            return []
        users = {u.iin: u for u in await self.session.scalars(select(User).where(User.iin.in_(iins)))}
        seen: set[int] = set()
        result = []
        for party in case.parties:
            if _representative(party) and party.accepted_at is None:
                continue
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
