"""What has been paid towards a reference, and refunding it: the filing side's whole view of payments.

A *reference* names what is being paid for, ``<kind>:<id>`` — the filing engineer uses
``filing:{filing_id}``. :func:`paid_amount` is the sum of settled payments (paid, or paid and
later refunded) minus the refunds booked against that reference, so a refunded filing reads as
zero paid. :func:`record_refund` books a refund — all that is held, or a share (half at
cassation, the excess of an overpayment) — in the caller's transaction, naming the case event that
causes it and its article, with one audit entry per payment touched; it is idempotent per event
because the refund table holds at most one row per (payment, event). The refund is then sent back
through the provider by :mod:`cabinet.payments.refunds`. :func:`last_payment_date` tells the filing
side which MRP applies (the one of the payment date).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.money import Money
from cabinet.payments.errors import PaymentRequestInvalid
from cabinet.payments.models import Payment, PaymentRefund
from cabinet.payments.status import SETTLED, PaymentEvent, PaymentStatus, next_status
from core.clock import Clock

log = logging.getLogger(__name__)

REFERENCE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,31}:[A-Za-z0-9][A-Za-z0-9_.\-]{0,86}", re.ASCII)
MAX_REASON = 500
LEDGER_ACTOR = "system:payments"
REFUND_PENDING = "pending"
REFUND_DONE = "done"


def check_reference(reference: object) -> str:
    """A reference such as ``filing:42``; anything else is refused, never normalised."""
    if not isinstance(reference, str) or REFERENCE_PATTERN.fullmatch(reference) is None:
        raise PaymentRequestInvalid(
            "reference must look like 'filing:42' (a lowercase kind, a colon, an id of letters, "
            "digits, '.', '_' or '-'; at most 120 characters)",
            code="invalid_reference", details={"field": "reference"},
        )
    return reference


async def paid_amount(session: AsyncSession, reference: str) -> Money:
    """Settled payments minus refunds for ``reference``; ``Money.zero()`` if nothing was paid."""
    check_reference(reference)
    settled = await session.scalar(
        select(func.coalesce(func.sum(Payment.amount_tiyn), 0)).where(
            Payment.reference == reference, Payment.status.in_([s.value for s in SETTLED]))
    )
    refunded = await session.scalar(
        select(func.coalesce(func.sum(PaymentRefund.amount_tiyn), 0)).where(PaymentRefund.reference == reference)
    )
    return Money(int(settled or 0) - int(refunded or 0))


async def last_payment_date(session: AsyncSession, reference: str) -> datetime | None:
    """When the latest payment still held for ``reference`` was settled: its MRP is the one that applies
    (Tax Code No. 214-VIII, art. 664(2)); ``None`` if nothing is held."""
    check_reference(reference)
    return await session.scalar(
        select(Payment.settled_at).where(Payment.reference == reference, Payment.status == PaymentStatus.PAID.value)
        .order_by(Payment.settled_at.desc()).limit(1))


async def record_refund(session: AsyncSession, clock: Clock, reference: str, reason: str, *,
                        event: str = "claim_returned", article: str = "", amount: Money | None = None) -> Money:
    """Book a refund of ``amount`` (default: everything still held) for ``reference`` because of ``event``.

    Oldest payments are refunded first; a payment whose whole amount is refunded becomes
    ``refunded``. Each refund row is ``pending`` until :meth:`PaymentService.process_refunds`
    sends it back through the provider. Rows are locked (``FOR UPDATE`` on PostgreSQL; SQLite
    transactions already hold the write lock), and one event refunds a payment at most once, so
    repeating the event refunds nothing more. Returns the amount booked, zero if nothing was.
    """
    check_reference(reference)
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise PaymentRequestInvalid(
            f"a refund needs a reason of 1 to {MAX_REASON} characters",
            code="invalid_refund_reason", details={"field": "reason"},
        )
    if amount is not None and not amount.is_positive():
        return Money.zero()
    payments = list(await session.scalars(
        select(Payment).where(Payment.reference == reference, Payment.status == PaymentStatus.PAID.value)
        .order_by(Payment.created_at, Payment.id).with_for_update()
    ))
    audit = AuditLog(session, clock)
    now = clock.now()
    total = Money.zero()
    for payment in payments:
        if amount is not None and total >= amount:
            break
        earlier = list(await session.scalars(select(PaymentRefund).where(PaymentRefund.payment_id == payment.id)))
        if any(refund.event == event for refund in earlier):
            continue
        remaining = Money(payment.amount_tiyn - sum(refund.amount_tiyn for refund in earlier))
        share = remaining if amount is None else min(remaining, amount - total, key=lambda m: m.tiyn)
        if not share.is_positive():
            continue
        if share == remaining:
            payment.status = next_status(PaymentStatus(payment.status), PaymentEvent.REFUND).value
            payment.refunded_at = now
        session.add(PaymentRefund(payment_id=payment.id, reference=reference, amount_tiyn=share.tiyn,
                                  reason=reason.strip(), event=event, article=article, status=REFUND_PENDING,
                                  created_at=now))
        await audit.append("payment.refunded", actor=LEDGER_ACTOR, subject=f"payment:{payment.id}",
                           details={"reference": reference, "amount": share.to_json(), "reason": reason.strip(),
                                    "event": event, "article": article})
        total += share
    await session.flush()
    if total:
        log.info("refund of %s booked for %s (%s)", total, reference, event)
    return total
