"""The clerk's decision on a claimed exemption from the state duty, taken at registration.

Only a clerk of the filing's court decides, and never on a filing they are themselves a party to
(a clerk who files their own claim is a filer like any other). A confirmation lets the filing be
registered without payment; a refusal needs a reason, re-quotes the duty without the exemption
and tells the filer what to pay — registration then waits for the ledger to hold it at the MRP of
its payment date. Every decision is an audit entry and a notice to the filer.
"""

from __future__ import annotations

import dataclasses
import enum
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.courts import Court
from cabinet.fees import quote
from cabinet.filing.drafts import SUBMITTED, fee_request
from cabinet.filing.errors import FilingForbidden, FilingInvalid, FilingStateConflict
from cabinet.filing.fee_checks import ExemptionStatus, fee_reference
from cabinet.filing.models import Filing
from cabinet.filing.notices import tell_user
from cabinet.filing.numbering import COURT_TIME
from cabinet.filing.staff import StaffService
from cabinet.identity.principal import Principal
from core.clock import Clock

log = logging.getLogger(__name__)

MAX_REASON = 2000


class ExemptionDecision(enum.Enum):
    CONFIRM = "confirm"
    REFUSE = "refuse"


def parse_decision(raw: str, reason: str | None) -> tuple[ExemptionDecision, str | None]:
    try:
        decision = ExemptionDecision(raw)
    except ValueError:
        raise FilingInvalid("decision must be confirm or refuse", code="invalid_field",
                            details={"field": "decision", "allowed": ["confirm", "refuse"]}) from None
    reason = (reason or "").strip() or None
    if decision is ExemptionDecision.REFUSE and reason is None:
        raise FilingInvalid("refusing an exemption needs the reason the filer will read", code="reason_required",
                            details={"field": "reason"})
    if reason is not None and len(reason) > MAX_REASON:
        raise FilingInvalid(f"the reason is at most {MAX_REASON} characters", code="invalid_field",
                            details={"field": "reason"})
    return decision, reason


async def claim_to_decide(session: AsyncSession, clock: Clock, filing_id: int,
                          principal: Principal) -> tuple[Filing, Court]:
    """The submitted filing whose claimed exemption this clerk may decide, or the refusal a decision
    would meet: what the registry's decision pages show before anything is decided."""
    filing, court = await StaffService(session, clock).submitted_filing(filing_id, principal)
    if filing.status != SUBMITTED:
        raise FilingStateConflict(f"filing {filing.id} is {filing.status}; exemptions are decided at registration",
                                  code="filing_not_submitted")
    if filing.exemption_status != ExemptionStatus.CLAIMED.value:
        raise FilingStateConflict("no exemption claim of this filing awaits a decision", code="no_exemption_claim",
                                  details={"exemption_status": filing.exemption_status})
    if principal.user_id == filing.owner_id or principal.iin in {p.iin for p in filing.parties if p.iin}:
        raise FilingForbidden("a clerk cannot decide on an exemption in their own filing", code="own_filing")
    return filing, court


async def decide_exemption(session: AsyncSession, clock: Clock, filing_id: int, principal: Principal,
                           decision: ExemptionDecision, reason: str | None) -> Filing:
    filing, court = await claim_to_decide(session, clock, filing_id, principal)
    now = clock.now()
    filing.exemption_status = (ExemptionStatus.CONFIRMED if decision is ExemptionDecision.CONFIRM
                               else ExemptionStatus.REFUSED).value
    filing.exemption_decided_by, filing.exemption_decided_at, filing.exemption_reason = principal.user_id, now, reason
    facts: dict[str, object] = {"incoming_number": filing.incoming_number}
    if decision is ExemptionDecision.REFUSE:
        request = fee_request(filing)
        assert request is not None
        fee = quote(dataclasses.replace(request, exemption=None), now.astimezone(COURT_TIME).date())
        filing.fee_quote = {**fee.to_json(), "exemption_refused": reason}
        filing.fee_tiyn = fee.amount.tiyn
        facts.update(reason=reason or "", amount=fee.amount.format(), reference=fee_reference(filing.id))
    await AuditLog(session, clock).append(
        f"filing.exemption_{filing.exemption_status}", actor=principal.audit_actor, subject=f"filing:{filing.id}",
        details={"exemption": filing.exemption, "reason": reason})
    await tell_user(session, clock, user_id=filing.owner_id, kind=f"exemption_{filing.exemption_status}",
                    facts=facts, court=court)
    log.info("exemption of filing %s %s by user %s", filing.id, filing.exemption_status, principal.user_id)
    return filing
