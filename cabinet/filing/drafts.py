"""Drafts: created, changed field by field, resumed later, seen only by their owner.

Every save re-checks what changed (court exists, category belongs to the kind, typed IINs and
BINs pass their check digits, the case a motion attaches to is one the filer is a party to) and
re-quotes the state duty when the draft says enough to quote it; a quote that cannot be given
yet (say, a property claim without its amount) is stored as the reason, not refused, so a draft
can be saved half-done. Completeness is the submission's question.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from cabinet.case_numbers import CaseKind
from cabinet.courts import Court, CourtStore
from cabinet.eds.verifier import Verifier
from cabinet.errors import FeeRequestInvalid
from cabinet.fees import ClaimKind, FeeRequest, FilingType, PayerKind, quote
from cabinet.filing.access import Action, Caller, Resource, permits, relations_to
from cabinet.filing.cases import CaseStore
from cabinet.filing.categories import category
from cabinet.filing.documents import (
    DocumentKind,
    InspectedDocument,
    StoredDocument,
    check_signer,
    document_row,
    inspect,
    parse_kind,
)
from cabinet.filing.errors import FilingForbidden, FilingInvalid, FilingNotFound, FilingStateConflict
from cabinet.filing.forms import OPENING_TYPES, DraftChanges, PartyRole, PartySpec, check_party_list
from cabinet.filing.models import Document, Filing, FilingParty
from cabinet.filing.numbering import COURT_TIME
from cabinet.filing.storage import DocumentStorage
from cabinet.filing.uploads import ReceivedUpload
from cabinet.identity.models import User
from cabinet.money import Money
from cabinet.payments.ledger import paid_amount
from core.clock import Clock
from core.db import Database

log = logging.getLogger(__name__)

DRAFT = "draft"
SUBMITTED = "submitted"
MAX_DOCUMENTS = 100
DRAFT_DOCUMENT_KINDS = frozenset({DocumentKind.STATEMENT, DocumentKind.ATTACHMENT, DocumentKind.POWER_OF_ATTORNEY,
                                  DocumentKind.EXEMPTION_PROOF})
PROCEDURAL_TYPES = frozenset({FilingType.MOTION, FilingType.RESPONSE, FilingType.RECORD_REMARKS})


def fee_request(filing: Filing) -> FeeRequest | None:
    """The fee question a draft asks, or None while it lacks kind, type, claim kind or payer."""
    if filing.case_kind is None or filing.filing_type is None:
        return None
    filing_type = FilingType(filing.filing_type)
    claim_kind = ClaimKind(filing.claim_kind) if filing.claim_kind else None
    payer_kind = PayerKind(filing.payer_kind) if filing.payer_kind else None
    if filing_type in PROCEDURAL_TYPES:
        claim_kind = claim_kind or ClaimKind.PROCEDURAL
        payer_kind = payer_kind or PayerKind.INDIVIDUAL
    if claim_kind is None or payer_kind is None:
        return None
    amount = Money(filing.claim_amount_tiyn) if filing.claim_amount_tiyn is not None else None
    counts = (filing.copy_documents, filing.copy_pages) if claim_kind is ClaimKind.COPY_REISSUE else (None, None)
    return FeeRequest(CaseKind(filing.case_kind), filing_type, claim_kind, payer_kind, amount, filing.exemption,
                      *counts)


def requote(filing: Filing, now: datetime) -> None:
    request = fee_request(filing)
    if request is None:
        filing.fee_quote, filing.fee_tiyn = None, None
        return
    try:
        fee = quote(request, now.astimezone(COURT_TIME).date())
    except FeeRequestInvalid as exc:
        filing.fee_quote, filing.fee_tiyn = exc.to_json(), None
        return
    filing.fee_quote, filing.fee_tiyn = fee.to_json(), fee.amount.tiyn


def signer_iins(filing: Filing, owner_iin: str) -> frozenset[str]:
    """Who may sign the filing's documents: the filer, and a representative the filing names for the filer."""
    reps = {p.iin for p in filing.parties
            if p.role == PartyRole.REPRESENTATIVE.value and p.represents == owner_iin and p.iin}
    return frozenset({owner_iin} | reps)


class DraftService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def load(self, filing_id: int, *, for_update: bool = False) -> Filing:
        query = select(Filing).where(Filing.id == filing_id).options(selectinload(Filing.parties))
        if for_update:
            query = query.with_for_update()
        filing = await self.session.scalar(query)
        if filing is None:
            raise FilingNotFound(f"no filing {filing_id}")
        return filing

    async def own_draft(self, filing_id: int, user: User, *, for_update: bool = True) -> Filing:
        filing = await self.load(filing_id, for_update=for_update)
        if filing.owner_id != user.id:
            raise FilingNotFound(f"no filing {filing_id}")
        if filing.status != DRAFT:
            raise FilingStateConflict(f"filing {filing_id} was already {filing.status}; it can no longer change")
        return filing

    async def create(self, user: User, caller: Caller, changes: DraftChanges) -> Filing:
        now = self.clock.now()
        filing = Filing(owner_id=user.id, status=DRAFT, created_at=now, updated_at=now, title="")
        filing.parties = []
        self.session.add(filing)
        await self._apply(filing, changes, caller)
        await self.session.flush()
        return filing

    async def update(self, filing_id: int, user: User, caller: Caller, changes: DraftChanges) -> Filing:
        filing = await self.own_draft(filing_id, user)
        await self._apply(filing, changes, caller)
        filing.updated_at = self.clock.now()
        await self.session.flush()
        return filing

    async def _apply(self, filing: Filing, changes: DraftChanges, caller: Caller) -> None:
        values = changes.values
        if "court" in values:
            court: Court | None = await CourtStore(self.session).get(values["court"]) if values["court"] else None
            filing.court_id = court.id if court else None
        for name in ("case_kind", "filing_type", "claim_kind", "payer_kind"):
            if name in values:
                setattr(filing, name, values[name].value if values[name] is not None else None)
        if "category" in values:
            filing.category = values["category"]
        if filing.case_kind is not None and filing.category is None:
            filing.category = "00"
        if filing.case_kind is not None and filing.category is not None:
            category(CaseKind(filing.case_kind), filing.category)
        if "claim_amount" in values:
            new = values["claim_amount"].tiyn if values["claim_amount"] else None
            old = filing.claim_amount_tiyn
            if old is not None and (new is None or new < old) and filing.id is not None and (
                    await paid_amount(self.session, f"filing:{filing.id}")).is_positive():
                filing.claim_reduced_after_payment = True  # art. 120(4)(6): no refund of the difference
            filing.claim_amount_tiyn = new
        if "exemption" in values:
            filing.exemption = values["exemption"]
        for name in ("copy_documents", "copy_pages"):
            if name in values:
                setattr(filing, name, values[name])
        if "title" in values:
            filing.title = values["title"] or ""
        if "case_number" in values:
            await self._attach_to_case(filing, values["case_number"], caller)
        elif filing.case_id is not None and {"court", "case_kind", "category"} & values.keys():
            await self._keep_the_cases_court(filing)
        if filing.filing_type is not None and FilingType(filing.filing_type) in OPENING_TYPES:
            if filing.case_id is not None:
                raise FilingInvalid(f"a {filing.filing_type} opens a new case; it cannot name an existing one",
                                    code="case_not_allowed", details={"field": "case_number"})
        if "parties" in values:
            await self._set_parties(filing, values["parties"] or ())
        requote(filing, self.clock.now())

    async def _attach_to_case(self, filing: Filing, number: str | None, caller: Caller) -> None:
        if number is None:
            filing.case_id = None
            return
        cases = CaseStore(self.session)
        case = await cases.by_number(number)
        subject = await cases.subject(case)
        if not permits(relations_to(caller, subject),
                       Resource.CLOSED_CASE if case.closed_category else Resource.CASE, Action.ACT):
            raise FilingForbidden(f"you are not a party to case {number} or a representative of one; "
                                  "only they can file into it", code="not_a_party", details={"case_number": number})
        filing.case_id, filing.court_id = case.id, case.court_id
        filing.case_kind, filing.category = case.case_kind, case.category

    async def _keep_the_cases_court(self, filing: Filing) -> None:
        """A filing attached to a case belongs to that case's court (and kind, and category).

        Changing the court of an attached filing would let another court's clerk register
        documents into this court's case; so the change is refused — detach first
        (``case_number: null``), then choose the court.
        """
        assert filing.case_id is not None
        case = await CaseStore(self.session).by_id(filing.case_id)
        if (filing.court_id, filing.case_kind, filing.category) != (case.court_id, case.case_kind, case.category):
            raise FilingInvalid(f"this filing is attached to case {case.number}: it goes to that case's court, "
                                "kind and category; detach it (case_number: null) to file elsewhere",
                                code="attached_to_case", details={"case_number": case.number})

    async def _set_parties(self, filing: Filing, parties: tuple[PartySpec, ...]) -> None:
        iins = [p.iin for p in parties if p.iin]
        known: frozenset[str] = frozenset()
        if iins:
            known = frozenset(await self.session.scalars(select(User.iin).where(User.iin.in_(iins))))
        check_party_list(parties, known)
        filing.parties.clear()
        await self.session.flush()
        for position, party in enumerate(parties):
            filing.parties.append(FilingParty(position=position, role=party.role.value, iin=party.iin, bin=party.bin,
                                              name=party.name, represents=party.represents))

    async def documents(self, filing_id: int) -> list[Document]:
        return list(await self.session.scalars(
            select(Document).where(Document.filing_id == filing_id).order_by(Document.id)))

    async def add_document(self, filing: Filing, owner: User, document: InspectedDocument,
                           kind: DocumentKind, title: str) -> Document:
        if len(await self.documents(filing.id)) >= MAX_DOCUMENTS:
            raise FilingInvalid(f"a filing carries at most {MAX_DOCUMENTS} documents", code="too_many_documents")
        row = document_row(document, filing_id=filing.id, case_id=None, direction="incoming", kind=kind.value,
                           title=title[:300], uploaded_by=owner.id, uploaded_at=self.clock.now())
        self.session.add(row)
        filing.updated_at = self.clock.now()
        await self.session.flush()
        return row


async def file_document(db: Database, clock: Clock, storage: DocumentStorage, verifier: Verifier, *,
                        filing_id: int, user: User, upload: ReceivedUpload) -> Document:
    """Attach an uploaded, signed document to the owner's draft; nothing is kept on any refusal."""
    try:
        kind = parse_kind(upload.fields.get("kind"), allowed=DRAFT_DOCUMENT_KINDS)
        async with db.sessions() as session:
            filing = await DraftService(session, clock).own_draft(filing_id, user, for_update=False)
            allowed = signer_iins(filing, user.iin)
    except BaseException:
        upload.discard()
        raise
    inspected = await inspect(upload, verifier)
    check_signer(inspected, allowed, who="the filer or a representative the filing names for the filer")
    async with StoredDocument(db, storage, inspected) as stored, db.transaction() as session:
        service = DraftService(session, clock)
        filing = await service.own_draft(filing_id, user)
        await stored.promote()
        return await service.add_document(filing, user, inspected, kind, upload.fields.get("title", ""))
