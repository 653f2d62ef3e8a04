"""Reading the case file: a person's filings and cases, one case in full, documents, staff search.

Every read asks :mod:`cabinet.filing.access`; an object the caller may not view is reported as
not found, so its existence is not disclosed (closed-category cases especially). A caller who may
view a case but not download a document gets ``403``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from cabinet.case_status import CaseStatus
from cabinet.courts import Court
from cabinet.filing.access import Action, Caller, Resource, Subject, permits, relations_to
from cabinet.filing.cases import CaseStore, case_subject, fold
from cabinet.filing.documents import DocumentKind
from cabinet.filing.errors import CaseNotFound, DocumentNotFound, FilingForbidden, FilingInvalid, FilingNotFound
from cabinet.filing.forms import PartyRole
from cabinet.filing.models import Case, CaseEvent, CaseParty, Document, FeeDeferral, Filing, JudicialAct
from cabinet.filing.numbering import COURT_TIME
from cabinet.identity.models import User
from cabinet.money import Money
from cabinet.payments.ledger import paid_amount

log = logging.getLogger(__name__)

MAX_PAGE = 100


async def filing_subject(session: AsyncSession, filing: Filing) -> Subject:
    owner = await session.get(User, filing.owner_id)
    owner_iin = owner.iin if owner else ""
    reps = [p for p in filing.parties if p.role == PartyRole.REPRESENTATIVE.value]
    clients = {p.represents for p in reps if p.iin == owner_iin and p.represents}
    judge_id = None
    if filing.case_id is not None:
        judge_id = await session.scalar(select(Case.judge_id).where(Case.id == filing.case_id))
    return Subject(
        court_id=filing.court_id if filing.status != "draft" else None, owner_id=filing.owner_id,
        author_iins=frozenset({owner_iin} | clients),
        party_iins=frozenset(p.iin for p in filing.parties if p.iin and p.role != PartyRole.REPRESENTATIVE.value),
        # a representative the filing names is not a lawyer of it until a case accepts them
        lawyer_iins=frozenset(p.iin for p in reps if p.iin and p.iin == owner_iin), judge_id=judge_id)


def filing_resource(filing: Filing) -> Resource:
    return Resource.FILING_DRAFT if filing.status == "draft" else Resource.SUBMITTED_FILING


def case_resource(case: Case) -> Resource:
    return Resource.CLOSED_CASE if case.closed_category else Resource.CASE


@dataclass(frozen=True)
class CaseFile:
    case: Case
    court: Court
    judge: User | None
    events: list[CaseEvent]
    documents: list[Document]
    acts: list[JudicialAct]
    fees: list[dict[str, Any]]


@dataclass(frozen=True)
class StaffQuery:
    number: str | None = None
    party: str | None = None
    judge_iin: str | None = None
    status: CaseStatus | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    court: str | None = None
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE or self.offset < 0:
            raise FilingInvalid(f"limit must be 1-{MAX_PAGE} and offset not negative", code="invalid_query")
        if self.registered_from and self.registered_to and self.registered_from > self.registered_to:
            raise FilingInvalid("from is after to", code="invalid_query")


def _like(text: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", text)


class TrackingService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.cases = CaseStore(session)

    async def filing(self, filing_id: int, caller: Caller, action: Action = Action.VIEW) -> Filing:
        filing = await self.session.scalar(
            select(Filing).where(Filing.id == filing_id).options(selectinload(Filing.parties)))
        if filing is None:
            raise FilingNotFound(f"no filing {filing_id}")
        relations = relations_to(caller, await filing_subject(self.session, filing))
        if not permits(relations, filing_resource(filing), Action.VIEW):
            raise FilingNotFound(f"no filing {filing_id}")
        if not permits(relations, filing_resource(filing), action):
            raise FilingForbidden(f"you may not {action.value} filing {filing_id}")
        return filing

    async def documents_of_filing(self, filing_id: int) -> list[Document]:
        return list(await self.session.scalars(
            select(Document).where(Document.filing_id == filing_id).order_by(Document.id)))

    async def my_filings(self, user_id: int) -> list[Filing]:
        return list(await self.session.scalars(
            select(Filing).where(Filing.owner_id == user_id).options(selectinload(Filing.parties))
            .order_by(Filing.id.desc()).limit(500)))

    async def my_cases(self, caller: Caller, limit: int, offset: int) -> list[tuple[Case, list[str]]]:
        if caller.iin is None:
            return []
        rows = list(await self.session.scalars(
            select(Case).where(Case.id.in_(select(CaseParty.case_id).where(CaseParty.iin == caller.iin)))
            .options(selectinload(Case.parties)).order_by(Case.registered_at.desc(), Case.id.desc())
            .limit(limit).offset(offset)))
        return [(case, sorted({p.role for p in case.parties if p.iin == caller.iin})) for case in rows]

    async def visible_case(self, number: str, caller: Caller) -> Case:
        try:
            case = await self.cases.by_number(number)
        except CaseNotFound:
            raise
        if not permits(relations_to(caller, case_subject(case)), case_resource(case), Action.VIEW):
            raise CaseNotFound(f"no case {case.number}")
        return case

    async def case_file(self, number: str, caller: Caller) -> CaseFile:
        case = await self.visible_case(number, caller)
        court = await self.session.get(Court, case.court_id)
        assert court is not None
        judge = await self.session.get(User, case.judge_id) if case.judge_id else None
        events = list(await self.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at, CaseEvent.id)))
        documents = list(await self.session.scalars(
            select(Document).where(Document.case_id == case.id).order_by(Document.uploaded_at, Document.id)))
        acts = list(await self.session.scalars(
            select(JudicialAct).where(JudicialAct.case_id == case.id).order_by(JudicialAct.issued_at)))
        filings = list(await self.session.scalars(
            select(Filing).where(Filing.case_id == case.id).order_by(Filing.id)))
        deferrals = {d.filing_id: d for d in await self.session.scalars(
            select(FeeDeferral).where(FeeDeferral.filing_id.in_([f.id for f in filings])))}
        fees = []
        for filing in filings:
            paid = await paid_amount(self.session, f"filing:{filing.id}")
            deferral = deferrals.get(filing.id)
            fees.append({"filing_id": filing.id, "incoming_number": filing.incoming_number,
                         "filing_type": filing.filing_type, "status": filing.status,
                         "owed": None if filing.fee_tiyn is None else Money(filing.fee_tiyn).to_json(),
                         "paid": paid.to_json(), "exemption": filing.exemption,
                         "exemption_status": filing.exemption_status,
                         "deferral": None if deferral is None else {
                             "status": deferral.status,
                             "due_date": deferral.due_date.isoformat() if deferral.due_date else None},
                         "reference": f"filing:{filing.id}", "quote": filing.fee_quote})
        return CaseFile(case, court, judge, events, documents, acts, fees)

    async def case_document(self, number: str, document_id: int, caller: Caller) -> Document:
        case = await self.visible_case(number, caller)
        document = await self.session.scalar(
            select(Document).where(Document.id == document_id, Document.case_id == case.id))
        if document is None:
            raise DocumentNotFound(f"no document {document_id} in case {case.number}")
        subject = case_subject(case)
        resource = Resource.JUDICIAL_ACT if document.kind == DocumentKind.JUDICIAL_ACT.value else Resource.DOCUMENT
        if resource is Resource.DOCUMENT and document.signer_iin:
            uploader = await self.session.get(User, document.uploaded_by)
            subject = Subject(court_id=subject.court_id, author_iins=frozenset({uploader.iin} if uploader else ()),
                              party_iins=subject.party_iins, lawyer_iins=subject.lawyer_iins,
                              judge_id=subject.judge_id)
        if not permits(relations_to(caller, subject), resource, Action.DOWNLOAD):
            raise FilingForbidden(f"you may not download documents of case {case.number}")
        return document

    async def staff_cases(self, caller: Caller, query: StaffQuery) -> tuple[list[Case], int]:
        courts = caller.judge_courts | caller.clerk_courts | caller.admin_courts
        if query.court is not None:
            court_id = await self.session.scalar(select(Court.id).where(Court.code == query.court))
            courts = courts & {court_id} if court_id is not None else frozenset()
        if not courts:
            raise FilingForbidden("only staff of a court search its cases", code="not_court_staff")
        clerk_or_judge = caller.clerk_courts
        statement: Select[Any] = select(Case).where(Case.court_id.in_(courts)).where(
            or_(Case.closed_category.is_(False), Case.court_id.in_(clerk_or_judge), Case.judge_id == caller.user_id))
        if query.number:
            statement = statement.where(Case.number.like(_like(query.number.strip()) + "%", escape="\\"))
        if query.party:
            text = query.party.strip()
            if re.fullmatch(r"[0-9]{12}", text):
                match = or_(CaseParty.iin == text, CaseParty.bin == text)
            else:
                match = CaseParty.name_folded.like("%" + _like(fold(text)) + "%", escape="\\")
            statement = statement.where(Case.id.in_(select(CaseParty.case_id).where(match)))
        if query.judge_iin:
            statement = statement.where(Case.judge_id.in_(select(User.id).where(User.iin == query.judge_iin)))
        if query.status:
            statement = statement.where(Case.status == query.status.value)
        if query.registered_from:
            start = datetime.combine(query.registered_from, time.min, COURT_TIME)
            statement = statement.where(Case.registered_at >= start)
        if query.registered_to:
            end = datetime.combine(query.registered_to, time.max, COURT_TIME)
            statement = statement.where(Case.registered_at <= end)
        total = int(await self.session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
        rows: list[Case] = list(await self.session.scalars(
            statement.options(selectinload(Case.parties)).order_by(Case.registered_at.desc(), Case.id.desc())
            .limit(query.limit).offset(query.offset)))
        return rows, total

    async def staff_filings(self, caller: Caller, status: str, limit: int, offset: int) -> list[Filing]:
        courts = caller.clerk_courts | caller.judge_courts | caller.admin_courts
        if not courts:
            raise FilingForbidden("only staff of a court see its filings", code="not_court_staff")
        if status not in ("submitted", "registered", "returned"):
            raise FilingInvalid("status must be submitted, registered or returned", code="invalid_query")
        return list(await self.session.scalars(
            select(Filing).where(Filing.court_id.in_(courts), Filing.status == status)
            .options(selectinload(Filing.parties)).order_by(Filing.submitted_at, Filing.id)
            .limit(min(limit, MAX_PAGE)).offset(offset)))
