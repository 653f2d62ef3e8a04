"""The state duty given back because of what happened to a filing or its case (arts 120–122).

Each function is called in the transaction of the event that causes the refund — a claim returned,
a case terminated by a ruling on a named ground, a registration that finds the duty overpaid — so
the refund is booked exactly when the event is, and not at all if it rolls back. The share comes
from :mod:`cabinet.fee_refunds`; the money goes back through the payment provider afterwards
(:mod:`cabinet.payments.refunds`), and the payer finds the receipt under the payment.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.courts import Court
from cabinet.fee_refunds import Instance, RefundDecision, RefundEvent, refund_due
from cabinet.filing.fee_checks import fee_reference
from cabinet.filing.models import Case, Filing
from cabinet.filing.notices import tell_user
from cabinet.money import Money
from cabinet.payments.ledger import paid_amount, record_refund
from core.clock import Clock

log = logging.getLogger(__name__)


async def _book(session: AsyncSession, clock: Clock, filing: Filing, decision: RefundDecision, *, actor: str,
                court: Court, case: Case | None) -> Money:
    event = decision.rule.event
    booked = Money.zero()
    if decision.amount.is_positive():
        booked = await record_refund(session, clock, fee_reference(filing.id),
                                     f"{event.value}: {decision.basis}"[:500], event=event.value,
                                     article=decision.rule.article, amount=decision.amount)
    await AuditLog(session, clock).append(
        "filing.fee_refund", actor=actor, subject=f"filing:{filing.id}",
        details={"event": event.value, "article": decision.rule.article, "basis": decision.basis,
                 "refunded": booked.to_json()})
    if booked.is_positive():
        await tell_user(session, clock, user_id=filing.owner_id, kind="fee_refunded",
                        facts={"incoming_number": filing.incoming_number, "amount": booked.format(),
                               "article": decision.rule.article.rsplit("art. ", 1)[-1]}, court=court, case=case)
    return booked


async def refund_for_event(session: AsyncSession, clock: Clock, filing: Filing, event: RefundEvent,
                           instance: Instance, *, actor: str, court: Court, case: Case | None = None) -> Money:
    """Refund the share of what was paid for ``filing`` that ``event`` gives back (zero for withdrawal…)."""
    paid = await paid_amount(session, fee_reference(filing.id))
    if not paid.is_positive():
        return Money.zero()
    return await _book(session, clock, filing, refund_due(event, instance, paid=paid), actor=actor, court=court,
                       case=case)


async def refund_overpayment(session: AsyncSession, clock: Clock, filing: Filing, owed: Money, *, actor: str,
                             court: Court) -> Money:
    """Give back what exceeds the duty, unless the filer reduced the claim after paying (art. 120(4)(6))."""
    paid = await paid_amount(session, fee_reference(filing.id))
    if paid <= owed:
        return Money.zero()
    if filing.claim_reduced_after_payment:
        decision = refund_due(RefundEvent.CLAIM_REDUCED, Instance.FIRST, paid=paid)
    else:
        decision = refund_due(RefundEvent.OVERPAYMENT, Instance.FIRST, paid=paid, owed=owed)
    return await _book(session, clock, filing, decision, actor=actor, court=court, case=None)
