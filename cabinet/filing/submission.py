"""Submitting a draft: complete, paid (or exempt), numbered by the registry, and acknowledged by a signed receipt.

In one transaction: the draft is locked and re-checked (complete, the filer entitled to file it,
a lawyer's power of attorney attached), the state duty is quoted again for today and compared with
what the payments ledger says was paid for ``filing:<id>`` unless an exemption is claimed, the
court's registry gives the next incoming number of the court and year, the receipt is signed with
the court's system key, and every document is entered in the registry. A refusal at any step
leaves the draft exactly as it was.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.case_status import FINAL_STATUSES, CaseStatus
from cabinet.courts import Court
from cabinet.fees import FilingType, quote
from cabinet.filing.access import Action, Resource, caller_of, permits, relations_to
from cabinet.filing.cases import CaseStore
from cabinet.filing.documents import DocumentKind
from cabinet.filing.drafts import SUBMITTED, DraftService, fee_request
from cabinet.filing.errors import FilingForbidden, FilingIncomplete, FilingStateConflict
from cabinet.filing.fee_checks import ExemptionStatus, check_exemption_proof, fee_reference, require_paid
from cabinet.filing.forms import OPENING_TYPES, PartyRole
from cabinet.filing.models import Document, FeeDeferral, Filing
from cabinet.filing.numbering import COURT_TIME, allocate_incoming_number
from cabinet.filing.registry import receipt_content, register_document, sign_receipt
from cabinet.filing.systemkey import CourtKeys
from cabinet.identity.models import User
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Role
from cabinet.payments.ledger import paid_amount
from core.clock import Clock

log = logging.getLogger(__name__)


def missing_for_submission(filing: Filing, documents: Sequence[Document]) -> list[str]:
    """What a draft still lacks before it can be sent; empty when complete."""
    missing = [name for name in ("court_id", "case_kind", "filing_type") if getattr(filing, name) is None]
    missing = [m.removesuffix("_id") for m in missing]
    if filing.filing_type is not None:
        opening = FilingType(filing.filing_type) in OPENING_TYPES
        if opening:
            roles = {p.role for p in filing.parties}
            if not roles & {PartyRole.PLAINTIFF.value, PartyRole.APPLICANT.value}:
                missing.append("parties.plaintiff_or_applicant")
            if filing.filing_type == FilingType.STATEMENT_OF_CLAIM.value and PartyRole.DEFENDANT.value not in roles:
                missing.append("parties.defendant")
        elif filing.case_id is None:
            missing.append("case_number")
        if filing.case_kind is not None and fee_request(filing) is None:
            missing.extend(name for name in ("claim_kind", "payer_kind") if getattr(filing, name) is None)
    if not any(d.kind == DocumentKind.STATEMENT.value for d in documents):
        missing.append("documents.statement")
    return missing


def filer_position(filing: Filing, filer_iin: str) -> PartyRole | None:
    """How the filer appears among the filing's parties (a representative wins over nothing)."""
    roles = [PartyRole(p.role) for p in filing.parties if p.iin == filer_iin]
    for role in roles:
        if role is not PartyRole.REPRESENTATIVE:
            return role
    return roles[0] if roles else None


async def deferral_of(session: AsyncSession, filing_id: int) -> FeeDeferral | None:
    return await session.scalar(select(FeeDeferral).where(FeeDeferral.filing_id == filing_id))


class SubmissionService:
    def __init__(self, session: AsyncSession, clock: Clock, keys: CourtKeys) -> None:
        self.session = session
        self.clock = clock
        self.keys = keys

    async def submit(self, filing_id: int, user: User, principal: Principal) -> Filing:
        drafts = DraftService(self.session, self.clock)
        filing = await drafts.own_draft(filing_id, user)
        documents = await drafts.documents(filing.id)
        missing = missing_for_submission(filing, documents)
        if missing:
            raise FilingIncomplete(f"the filing is not complete: {', '.join(missing)}", details={"missing": missing})
        case_number = await self._check_standing(filing, principal, documents)
        court = await self.session.get(Court, filing.court_id)
        assert court is not None
        now = self.clock.now()
        request = fee_request(filing)
        assert request is not None
        deferral = await deferral_of(self.session, filing.id)
        if filing.exemption:
            fee = quote(request, now.astimezone(COURT_TIME).date())
            if deferral is not None:
                raise FilingStateConflict("a filing either claims an exemption or asks for a deferral, not both",
                                          code="deferral_with_exemption")
            check_exemption_proof(filing, documents)
            filing.exemption_status = ExemptionStatus.CLAIMED.value
            paid = await paid_amount(self.session, fee_reference(filing.id))
        elif deferral is not None:  # art. 135: proceeds unpaid, the judge decides
            fee = quote(request, now.astimezone(COURT_TIME).date())
            paid = await paid_amount(self.session, fee_reference(filing.id))
        else:
            fee, paid = await require_paid(self.session, filing, request, now)
        filing.incoming_number = await allocate_incoming_number(self.session, court, now)
        filing.submitted_at = now
        filing.updated_at = now
        filing.status = SUBMITTED
        filing.fee_quote = {**fee.to_json(), "paid": paid.to_json()}
        filing.fee_tiyn = fee.amount.tiyn
        await self.session.flush()
        content = receipt_content(filing, court, documents, filer_iin=user.iin, filer_name=user.common_name,
                                  case_number=case_number, fee=filing.fee_quote)
        filing.receipt, filing.receipt_cms = await sign_receipt(await self.keys.key_for(court), content)
        actor = principal.audit_actor
        await AuditLog(self.session, self.clock).append(
            "filing.submitted", actor=actor, subject=f"filing:{filing.id}",
            details={"incoming_number": filing.incoming_number, "court": court.code, "case_number": case_number,
                     "fee": fee.amount.to_json(), "exemption": filing.exemption})
        for document in documents:
            await register_document(self.session, self.clock, actor=actor, direction="incoming",
                                    sha256=document.sha256, kind=document.kind, name=document.original_name,
                                    filing_id=filing.id, case_number=case_number, document_id=document.id)
        await register_document(self.session, self.clock, actor="system:registry", direction="outgoing",
                                sha256=hashlib.sha256(filing.receipt).hexdigest(), kind="receipt",
                                name=f"receipt {filing.incoming_number}", filing_id=filing.id,
                                case_number=case_number, document_id=None)
        log.info("filing %s submitted as %s", filing.id, filing.incoming_number)
        return filing

    async def _check_standing(self, filing: Filing, principal: Principal, documents: Sequence[Document]) -> str | None:
        """The filer may file this: a party (or lawyer) of the case, or the initiating side of a new one."""
        assert filing.filing_type is not None
        if FilingType(filing.filing_type) not in OPENING_TYPES:
            assert filing.case_id is not None
            case = await CaseStore(self.session).by_id(filing.case_id)
            if CaseStatus(case.status) in FINAL_STATUSES:
                raise FilingStateConflict(f"case {case.number} is {case.status}; nothing more can be filed in it",
                                          code="case_closed")
            resource = Resource.CLOSED_CASE if case.closed_category else Resource.CASE
            if not permits(relations_to(caller_of(principal), await CaseStore(self.session).subject(case)),
                           resource, Action.ACT):
                raise FilingForbidden(f"you are not a party to case {case.number}", code="not_a_party")
            return case.number
        position = filer_position(filing, principal.iin)
        if position is None or not (position.initiating or position is PartyRole.REPRESENTATIVE):
            raise FilingForbidden("you must be the plaintiff or applicant of this filing, or represent them",
                                  code="filer_not_party")
        if position is PartyRole.REPRESENTATIVE:
            if not principal.has_role(Role.LAWYER):
                raise FilingForbidden("only a lawyer may file for someone else", code="not_a_lawyer")
            if not any(d.kind == DocumentKind.POWER_OF_ATTORNEY.value for d in documents):
                raise FilingIncomplete("a lawyer filing for a client must attach the power of attorney",
                                       code="power_of_attorney_required",
                                       details={"missing": ["documents.power_of_attorney"]})
        return None
