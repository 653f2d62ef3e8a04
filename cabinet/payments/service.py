"""Payments orchestrated: start one with a provider, apply its callbacks, show it and its receipt.

The service owns the unit of work. Starting a payment writes the pending row and its audit entry
and commits *before* the provider is asked for a payment page, so no database lock is held while
a bank answers. A callback is verified by its provider before the database is touched; then, in
one transaction with the payment row locked, it is checked against what we asked for (amount,
provider), recognised as a replay if it repeats what is already recorded, and otherwise moved
through :mod:`cabinet.payments.status` — with the receipt and the audit entry in the same commit.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.identity.models import User
from cabinet.identity.principal import Principal
from cabinet.money import Money
from cabinet.payments.errors import (
    CallbackAmountMismatch,
    PaymentNotFound,
    PaymentNotPaid,
    PaymentRequestInvalid,
    ProviderTransactionReused,
    ProviderUnavailable,
    UnknownProvider,
)
from cabinet.payments.ledger import check_reference
from cabinet.payments.models import Payment, PaymentReceipt
from cabinet.payments.provider import MAX_AMOUNT, PAYMENT_ID, CallbackStatus, PaymentOrder, PaymentProvider
from cabinet.payments.status import PaymentEvent, PaymentStatus, next_status
from core.clock import Clock
from core.db import Database

log = logging.getLogger(__name__)

CALLBACK_PATH = "/api/v1/payments/callback/{provider}"
RETURN_PATH = re.compile(r"/(?!/)[A-Za-z0-9/_\-.~]{0,299}", re.ASCII)
MAX_PURPOSE = 300
_EVENTS = {CallbackStatus.PAID: PaymentEvent.PAY, CallbackStatus.FAILED: PaymentEvent.FAIL}


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class StartedPayment:
    payment_id: str
    amount: Money
    redirect_url: str

    def to_json(self) -> dict[str, Any]:
        return {"payment_id": self.payment_id, "status": PaymentStatus.PENDING.value,
                "amount": self.amount.to_json(), "redirect_url": self.redirect_url}


@dataclass(frozen=True)
class PaymentView:
    id: str
    reference: str
    purpose: str
    amount: Money
    status: PaymentStatus
    provider: str
    provider_txn_id: str | None
    created_at: datetime
    settled_at: datetime | None
    refunded_at: datetime | None
    failure_reason: str

    @classmethod
    def of(cls, row: Payment) -> PaymentView:
        return cls(row.id, row.reference, row.purpose, Money(row.amount_tiyn), PaymentStatus(row.status),
                   row.provider, row.provider_txn_id, row.created_at, row.settled_at, row.refunded_at,
                   row.failure_reason)

    def to_json(self) -> dict[str, Any]:
        return {
            "payment_id": self.id, "reference": self.reference, "purpose": self.purpose,
            "amount": self.amount.to_json(), "amount_text": self.amount.format(), "status": self.status.value,
            "provider": self.provider, "provider_transaction_id": self.provider_txn_id,
            "created_at": _iso(self.created_at), "settled_at": _iso(self.settled_at),
            "refunded_at": _iso(self.refunded_at), "failure_reason": self.failure_reason or None,
        }


@dataclass(frozen=True)
class Receipt:
    payment_id: str
    reference: str
    purpose: str
    amount: Money
    payer_iin: str
    payer_name: str
    provider: str
    provider_txn_id: str
    paid_at: datetime

    def body(self) -> dict[str, Any]:
        return {
            "payment_id": self.payment_id, "reference": self.reference, "purpose": self.purpose,
            "amount": self.amount.to_json(), "amount_text": self.amount.format(),
            "payer": {"iin": self.payer_iin, "name": self.payer_name}, "provider": self.provider,
            "provider_transaction_id": self.provider_txn_id, "paid_at": self.paid_at.isoformat(),
        }

    def digest(self) -> str:
        canonical = json.dumps(self.body(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {**self.body(), "digest": self.digest()}

    @classmethod
    def of(cls, row: PaymentReceipt) -> Receipt:
        return cls(row.payment_id, row.reference, row.purpose, Money(row.amount_tiyn), row.payer_iin,
                   row.payer_name, row.provider, row.provider_txn_id, row.paid_at)


@dataclass(frozen=True)
class CallbackOutcome:
    payment_id: str
    status: PaymentStatus
    replayed: bool

    def to_json(self) -> dict[str, Any]:
        return {"payment_id": self.payment_id, "status": self.status.value, "replayed": self.replayed}


def check_amount(amount: object) -> Money:
    if not isinstance(amount, Money) or not amount.is_positive() or amount > MAX_AMOUNT:
        raise PaymentRequestInvalid(f"the amount must be positive and at most {MAX_AMOUNT.format()}",
                                    code="invalid_amount", details={"field": "amount"})
    return amount


def check_return_path(path: str | None, default: str) -> str:
    if path is None or path == "":
        return default
    if RETURN_PATH.fullmatch(path) is None:
        raise PaymentRequestInvalid(
            "return_path must be a path on this site such as /cabinet/filings/42 (no scheme, host or query)",
            code="invalid_return_path", details={"field": "return_path"},
        )
    return path


class PaymentService:
    def __init__(self, db: Database, clock: Clock, providers: Mapping[str, PaymentProvider], *,
                 base_url: str, default_provider: str) -> None:
        if default_provider not in providers:
            raise ValueError(f"no provider {default_provider!r}")
        self.db = db
        self.clock = clock
        self.providers = dict(providers)
        self.base_url = base_url.rstrip("/")
        self.default_provider = default_provider

    def provider(self, name: str) -> PaymentProvider:
        try:
            return self.providers[name]
        except KeyError:
            raise UnknownProvider(f"no payment provider {name[:40]!r}", details={"provider": name[:40]}) from None

    async def start(self, payer: Principal, *, reference: str, amount: Money, purpose: str,
                    return_path: str | None = None) -> StartedPayment:
        """Create a pending payment and a provider payment page; the caller redirects the payer there."""
        check_reference(reference)
        check_amount(amount)
        if not isinstance(purpose, str) or not purpose.strip() or len(purpose) > MAX_PURPOSE:
            raise PaymentRequestInvalid(f"purpose must be 1 to {MAX_PURPOSE} characters",
                                        code="invalid_purpose", details={"field": "purpose"})
        payment_id = secrets.token_hex(16)
        back = check_return_path(return_path, f"/api/v1/payments/{payment_id}")
        provider = self.provider(self.default_provider)
        async with self.db.transaction() as session:
            session.add(Payment(
                id=payment_id, reference=reference, purpose=purpose.strip(), amount_tiyn=amount.tiyn,
                status=PaymentStatus.PENDING.value, provider=provider.name, payer_user_id=payer.user_id,
                payer_iin=payer.iin, return_url=back, created_at=self.clock.now(),
            ))
            await AuditLog(session, self.clock).append(
                "payment.created", actor=payer.audit_actor, subject=f"payment:{payment_id}",
                details={"reference": reference, "amount": amount.to_json(), "provider": provider.name})
        order = PaymentOrder(payment_id, reference, amount, purpose.strip(), self.base_url + back,
                             self.base_url + CALLBACK_PATH.format(provider=provider.name))
        try:
            hosted = await provider.create_session(order)
        except Exception as exc:
            log.exception("provider %s refused to open a session for %s", provider.name, payment_id)
            await self._fail_unopened(payment_id, provider.name)
            raise ProviderUnavailable(f"the payment provider {provider.name} is unavailable; try again later",
                                      details={"payment_id": payment_id}) from exc
        log.info("payment %s started: %s for %s via %s", payment_id, amount, reference, provider.name)
        return StartedPayment(payment_id, amount, hosted.redirect_url)

    async def _fail_unopened(self, payment_id: str, provider: str) -> None:
        async with self.db.transaction() as session:
            payment = await session.get(Payment, payment_id, with_for_update=True)
            assert payment is not None
            payment.status = next_status(PaymentStatus(payment.status), PaymentEvent.FAIL).value
            payment.settled_at = self.clock.now()
            payment.failure_reason = "the provider could not open a payment page"
            await AuditLog(session, self.clock).append(
                "payment.failed", actor=f"provider:{provider}", subject=f"payment:{payment_id}",
                details={"reason": payment.failure_reason})

    async def apply_callback(self, provider_name: str, body: bytes, headers: Mapping[str, str]) -> CallbackOutcome:
        """Verify and apply a provider's callback; replays answer as before and change nothing."""
        provider = self.provider(provider_name)
        event = provider.verify_callback(body, headers)
        try:
            async with self.db.transaction() as session:
                payment = await session.get(Payment, event.payment_id, with_for_update=True)
                if payment is None or payment.provider != provider.name:
                    raise PaymentNotFound(f"the callback names an unknown payment {event.payment_id}",
                                          details={"payment_id": event.payment_id})
                if event.amount.tiyn != payment.amount_tiyn:
                    raise CallbackAmountMismatch(
                        f"the provider reports {event.amount.to_json()} but the payment is for "
                        f"{Money(payment.amount_tiyn).to_json()}",
                        details={"expected": Money(payment.amount_tiyn).to_json(), "got": event.amount.to_json()})
                status = PaymentStatus(payment.status)
                target = next_status(PaymentStatus.PENDING, _EVENTS[event.status])
                if payment.provider_txn_id == event.provider_txn_id and (
                        status is target or (target is PaymentStatus.PAID and status is PaymentStatus.REFUNDED)):
                    return CallbackOutcome(payment.id, status, replayed=True)
                if payment.provider_txn_id is not None and payment.provider_txn_id != event.provider_txn_id:
                    raise ProviderTransactionReused(
                        f"payment {payment.id} was already settled by transaction {payment.provider_txn_id}",
                        code="payment_already_settled", details={"status": status.value})
                new = next_status(status, _EVENTS[event.status])
                await self._settle(session, payment, new, event.provider_txn_id, event.reason)
                await session.flush()
                return CallbackOutcome(payment.id, new, replayed=False)
        except IntegrityError:
            raise ProviderTransactionReused(
                f"transaction {event.provider_txn_id} already settled another payment",
                details={"transaction_id": event.provider_txn_id}) from None

    async def _settle(self, session: AsyncSession, payment: Payment, new: PaymentStatus, txn: str, reason: str) -> None:
        now = self.clock.now()
        payment.status = new.value
        payment.provider_txn_id = txn
        payment.settled_at = now
        details: dict[str, Any] = {"reference": payment.reference, "amount": Money(payment.amount_tiyn).to_json(),
                                   "transaction_id": txn}
        if new is PaymentStatus.PAID:
            payer = await session.get(User, payment.payer_user_id)
            receipt = Receipt(payment.id, payment.reference, payment.purpose, Money(payment.amount_tiyn),
                              payment.payer_iin, payer.common_name if payer else "", payment.provider, txn, now)
            session.add(PaymentReceipt(
                payment_id=receipt.payment_id, reference=receipt.reference, purpose=receipt.purpose,
                amount_tiyn=receipt.amount.tiyn, payer_iin=receipt.payer_iin, payer_name=receipt.payer_name,
                provider=receipt.provider, provider_txn_id=txn, paid_at=now, digest=receipt.digest()))
            details["receipt_digest"] = receipt.digest()
        else:
            payment.failure_reason = (reason or "declined by the provider")[:300]
            details["reason"] = payment.failure_reason
        await AuditLog(session, self.clock).append(
            f"payment.{new.value}", actor=f"provider:{payment.provider}", subject=f"payment:{payment.id}",
            details=details)

    async def _own(self, session: AsyncSession, principal: Principal, payment_id: str) -> Payment:
        payment = None
        if PAYMENT_ID.fullmatch(payment_id):
            payment = await session.get(Payment, payment_id)
        if payment is None or payment.payer_user_id != principal.user_id:
            raise PaymentNotFound("no such payment among yours", details={"payment_id": payment_id[:40]})
        return payment

    async def get(self, principal: Principal, payment_id: str) -> PaymentView:
        async with self.db.transaction() as session:
            return PaymentView.of(await self._own(session, principal, payment_id))

    async def receipt(self, principal: Principal, payment_id: str) -> Receipt:
        async with self.db.transaction() as session:
            payment = await self._own(session, principal, payment_id)
            row = await session.get(PaymentReceipt, payment.id)
            if row is None:
                raise PaymentNotPaid(f"payment {payment.id} is {payment.status}: a receipt exists once it is paid",
                                     details={"status": payment.status})
            return Receipt.of(row)
