"""Tables of payments: each payment attempt, refunds booked against it, and the stored receipt.

Amounts are ``BigInteger`` tiyn (see :mod:`cabinet.money`). The provider's transaction id is
unique per provider, which is what makes a replayed callback harmless: the database itself
refuses to let one bank transaction settle two payments. A refund row is unique per payment, so
a payment can be refunded once however many times the filing side asks.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UtcDateTime


class Payment(Base):
    """One attempt to pay ``amount_tiyn`` towards ``reference`` (e.g. ``filing:42``)."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("provider", "provider_txn_id", name="uq_payments_provider_txn"),
        CheckConstraint("amount_tiyn > 0", name="amount_positive"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reference: Mapped[str] = mapped_column(String(120), index=True)
    purpose: Mapped[str] = mapped_column(String(300))
    amount_tiyn: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(32))
    provider_txn_id: Mapped[str | None] = mapped_column(String(100), default=None)
    payer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    payer_iin: Mapped[str] = mapped_column(String(12))
    return_url: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    settled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    refunded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    failure_reason: Mapped[str] = mapped_column(String(300), default="")


class PaymentRefund(Base):
    """Money of a paid payment given back because of a case event (arts 120–122 of the Tax Code).

    Booked ``pending`` in the transaction of the event that causes it; sent back through the
    provider that collected it afterwards, when it becomes ``done`` with the provider's refund id and
    the digest of its receipt. One refund per (payment, event): the same event never refunds twice.
    """

    __tablename__ = "payment_refunds"
    __table_args__ = (UniqueConstraint("payment_id", "event", name="uq_payment_refunds_payment_event"),
                      CheckConstraint("amount_tiyn > 0", name="refund_amount_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"), index=True)
    reference: Mapped[str] = mapped_column(String(120), index=True)
    amount_tiyn: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500))
    event: Mapped[str] = mapped_column(String(30))
    article: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), index=True)
    provider_refund_id: Mapped[str | None] = mapped_column(String(100), default=None)
    refunded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    digest: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PaymentReceipt(Base):
    """What the payer is given once the bank confirmed: written once, never changed.

    ``digest`` is the SHA-256 of the receipt's canonical JSON; the same digest is in the audit
    chain, so an edited receipt row no longer matches the tamper-evident log.
    """

    __tablename__ = "payment_receipts"

    payment_id: Mapped[str] = mapped_column(ForeignKey("payments.id"), primary_key=True)
    reference: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(String(300))
    amount_tiyn: Mapped[int] = mapped_column(BigInteger)
    payer_iin: Mapped[str] = mapped_column(String(12))
    payer_name: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(32))
    provider_txn_id: Mapped[str] = mapped_column(String(100))
    paid_at: Mapped[datetime] = mapped_column(UtcDateTime)
    digest: Mapped[str] = mapped_column(String(64))
