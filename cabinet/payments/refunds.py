"""Refunds sent back through the provider that collected the money, each with its receipt.

The filing side books a refund ``pending`` in the transaction of the case event that causes it
(:func:`cabinet.payments.ledger.record_refund`). Sending it is a bank call, so it happens here,
after that commit and outside any transaction: :meth:`RefundService.process` asks the provider,
then, with the refund row locked, records the provider's refund id, the moment and the digest of
the receipt (also in the audit chain) — once; a refund already done by a concurrent run is left
alone. A provider that fails leaves the refund pending for the next run (every few seconds from
:mod:`cabinet.payments.setup`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from cabinet.audit import AuditLog
from cabinet.identity.principal import Principal
from cabinet.money import Money
from cabinet.payments.errors import PaymentNotFound
from cabinet.payments.ledger import REFUND_DONE, REFUND_PENDING
from cabinet.payments.models import Payment, PaymentRefund
from cabinet.payments.provider import PAYMENT_ID, PaymentProvider, RefundOrder
from core.clock import Clock
from core.db import Database

log = logging.getLogger(__name__)

BATCH = 50


@dataclass(frozen=True)
class RefundReceipt:
    refund_id: int
    payment_id: str
    reference: str
    amount: Money
    reason: str
    event: str
    article: str
    payer_iin: str
    provider: str
    provider_refund_id: str
    refunded_at: datetime

    def body(self) -> dict[str, Any]:
        return {"refund_id": self.refund_id, "payment_id": self.payment_id, "reference": self.reference,
                "amount": self.amount.to_json(), "amount_text": self.amount.format(), "reason": self.reason,
                "event": self.event, "article": self.article, "payer_iin": self.payer_iin,
                "provider": self.provider, "provider_refund_id": self.provider_refund_id,
                "refunded_at": self.refunded_at.isoformat()}

    def digest(self) -> str:
        canonical = json.dumps(self.body(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def refund_json(refund: PaymentRefund, payment: Payment) -> dict[str, Any]:
    receipt = None
    if refund.status == REFUND_DONE and refund.provider_refund_id and refund.refunded_at:
        done = _receipt(refund, payment)
        receipt = {**done.body(), "digest": done.digest()}
    return {"refund_id": refund.id, "amount": Money(refund.amount_tiyn).to_json(), "event": refund.event,
            "article": refund.article, "reason": refund.reason, "status": refund.status,
            "created_at": refund.created_at.isoformat(), "receipt": receipt}


def _receipt(refund: PaymentRefund, payment: Payment) -> RefundReceipt:
    assert refund.provider_refund_id is not None and refund.refunded_at is not None
    return RefundReceipt(refund.id, payment.id, refund.reference, Money(refund.amount_tiyn), refund.reason,
                         refund.event, refund.article, payment.payer_iin, payment.provider,
                         refund.provider_refund_id, refund.refunded_at)


class RefundService:
    def __init__(self, db: Database, clock: Clock, providers: Mapping[str, PaymentProvider]) -> None:
        self.db = db
        self.clock = clock
        self.providers = dict(providers)

    async def process(self) -> int:
        """Send every pending refund to its provider; returns how many were done in this run."""
        async with self.db.sessions() as session:
            pending = list((await session.execute(
                select(PaymentRefund.id, PaymentRefund.payment_id, PaymentRefund.amount_tiyn, PaymentRefund.reason,
                       Payment.provider, Payment.provider_txn_id)
                .join(Payment, Payment.id == PaymentRefund.payment_id)
                .where(PaymentRefund.status == REFUND_PENDING).order_by(PaymentRefund.id).limit(BATCH))).all())
        done = 0
        for refund_id, payment_id, amount_tiyn, reason, provider_name, txn in pending:
            provider = self.providers.get(provider_name)
            if provider is None or txn is None:
                log.error("refund %s: payment %s has no usable provider %r", refund_id, payment_id, provider_name)
                continue
            try:
                confirmation = await provider.refund(RefundOrder(refund_id, payment_id, txn, Money(amount_tiyn),
                                                                 reason))
            except Exception:
                log.exception("provider %s did not take refund %s; it stays pending", provider_name, refund_id)
                continue
            done += await self._record(refund_id, confirmation.provider_refund_id)
        return done

    async def _record(self, refund_id: int, provider_refund_id: str) -> int:
        async with self.db.transaction() as session:
            refund = await session.get(PaymentRefund, refund_id, with_for_update=True)
            if refund is None or refund.status != REFUND_PENDING:
                return 0
            payment = await session.get(Payment, refund.payment_id)
            assert payment is not None
            refund.status, refund.provider_refund_id, refund.refunded_at = REFUND_DONE, provider_refund_id, \
                self.clock.now()
            receipt = _receipt(refund, payment)
            refund.digest = receipt.digest()
            await AuditLog(session, self.clock).append(
                "payment.refund_sent", actor=f"provider:{payment.provider}", subject=f"payment:{payment.id}",
                details={"refund_id": refund.id, "amount": receipt.amount.to_json(),
                         "provider_refund_id": provider_refund_id, "receipt_digest": refund.digest})
            log.info("refund %s of %s sent back by %s as %s", refund.id, receipt.amount, payment.provider,
                     provider_refund_id)
            return 1

    async def of_payment(self, principal: Principal, payment_id: str) -> list[dict[str, Any]]:
        """The refunds of one of the caller's own payments, each with its receipt once done."""
        async with self.db.sessions() as session:
            payment = await session.get(Payment, payment_id) if PAYMENT_ID.fullmatch(payment_id) else None
            if payment is None or payment.payer_user_id != principal.user_id:
                raise PaymentNotFound("no such payment among yours", details={"payment_id": payment_id[:40]})
            refunds = await session.scalars(select(PaymentRefund).where(PaymentRefund.payment_id == payment.id)
                                            .order_by(PaymentRefund.id))
            return [refund_json(refund, payment) for refund in refunds]
