"""The ledger the filing side reads: paid amount per reference, and refunds that happen once."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from cabinet.audit import AuditEntry, verify_chain
from cabinet.identity.models import User
from cabinet.money import Money
from cabinet.payments.errors import PaymentRequestInvalid
from cabinet.payments.ledger import last_payment_date, paid_amount, record_refund
from cabinet.payments.models import Payment, PaymentRefund
from cabinet.payments.status import PaymentStatus
from core.clock import FixedClock
from core.db import Database

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


async def _payment(db: Database, reference: str, tenge: int, status: PaymentStatus) -> str:
    async with db.transaction() as session:
        user = await session.scalar(select(User).where(User.iin == "900101400123"))
        if user is None:
            user = User(iin="900101400123", common_name="ӘЛИЕВА АЛИЯ", created_at=T0)
            session.add(user)
            await session.flush()
        payment = Payment(
            id=secrets.token_hex(16), reference=reference, purpose="state duty", amount_tiyn=tenge * 100,
            status=status.value, provider="sandbox", payer_user_id=user.id, payer_iin=user.iin,
            return_url="/", created_at=T0,
            provider_txn_id=None if status is PaymentStatus.PENDING else secrets.token_hex(8),
        )
        session.add(payment)
        return payment.id


async def test_nothing_paid_reads_as_zero(db: Database) -> None:
    async with db.transaction() as session:
        assert await paid_amount(session, "filing:1") == Money.zero()


async def test_only_paid_payments_of_that_reference_count(db: Database) -> None:
    await _payment(db, "filing:1", 1297, PaymentStatus.PAID)
    await _payment(db, "filing:1", 500, PaymentStatus.PAID)
    await _payment(db, "filing:1", 9999, PaymentStatus.PENDING)
    await _payment(db, "filing:1", 7777, PaymentStatus.FAILED)
    await _payment(db, "filing:2", 100, PaymentStatus.PAID)
    async with db.transaction() as session:
        assert await paid_amount(session, "filing:1") == Money.tenge(1797)
        assert await paid_amount(session, "filing:2") == Money.tenge(100)


async def test_a_refund_gives_back_everything_paid_once_and_is_audited(db: Database) -> None:
    clock = FixedClock(T0 + timedelta(days=3))
    first = await _payment(db, "filing:7", 1297, PaymentStatus.PAID)
    await _payment(db, "filing:7", 300, PaymentStatus.PAID)
    await _payment(db, "filing:7", 50, PaymentStatus.FAILED)
    async with db.transaction() as session:
        refunded = await record_refund(session, clock, "filing:7", "claim returned to the plaintiff")
    assert refunded == Money.tenge(1597)
    async with db.transaction() as session:
        assert await record_refund(session, clock, "filing:7", "asked again") == Money.zero()
        assert await paid_amount(session, "filing:7") == Money.zero()
        assert await session.scalar(select(func.count()).select_from(PaymentRefund)) == 2
        payment = await session.get(Payment, first)
        assert payment is not None and payment.status == "refunded" and payment.refunded_at == clock.now()
        actions = list(await session.scalars(select(AuditEntry.action)))
        assert actions == ["payment.refunded", "payment.refunded"]
        assert (await verify_chain(session)).ok


async def test_refunding_a_reference_with_nothing_paid_refunds_nothing(db: Database) -> None:
    async with db.transaction() as session:
        assert await record_refund(session, FixedClock(T0), "filing:404", "returned") == Money.zero()
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize("reference", ["", "filing", "filing:", ":1", "Filing:1", "filing:1 2",
                                       "filing:" + "9" * 200, "filing:../1"])
async def test_a_malformed_reference_is_refused(db: Database, reference: str) -> None:
    async with db.transaction() as session:
        with pytest.raises(PaymentRequestInvalid) as error:
            await paid_amount(session, reference)
        assert error.value.code == "invalid_reference"


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
async def test_a_refund_needs_a_reason(db: Database, reason: str) -> None:
    await _payment(db, "filing:8", 100, PaymentStatus.PAID)
    with pytest.raises(PaymentRequestInvalid):
        async with db.transaction() as session:
            await record_refund(session, FixedClock(T0), "filing:8", reason)
    async with db.transaction() as session:
        assert await paid_amount(session, "filing:8") == Money.tenge(100)


async def test_a_share_is_refunded_from_the_oldest_payment_once_per_event(db: Database) -> None:
    clock = FixedClock(T0 + timedelta(days=3))
    first = await _payment(db, "filing:8", 1000, PaymentStatus.PAID)
    second = await _payment(db, "filing:8", 500, PaymentStatus.PAID)
    async with db.transaction() as session:
        (await session.get(Payment, second)).created_at = T0 + timedelta(minutes=1)  # type: ignore[union-attr]
    async with db.transaction() as session:
        booked = await record_refund(session, clock, "filing:8", "overpaid", event="overpayment",
                                     article="art. 120(4)(6)", amount=Money.tenge(1200))
        assert booked == Money.tenge(1200)
        assert await record_refund(session, clock, "filing:8", "overpaid again", event="overpayment",
                                   amount=Money.tenge(100)) == Money.zero()
        assert await paid_amount(session, "filing:8") == Money.tenge(300)
        rows = list(await session.scalars(select(PaymentRefund).order_by(PaymentRefund.id)))
        assert [(r.payment_id, r.amount_tiyn, r.status, r.event) for r in rows] == [
            (first, 100_000, "pending", "overpayment"), (second, 20_000, "pending", "overpayment")]
        assert (await session.get(Payment, first)).status == "refunded"  # type: ignore[union-attr]
        assert (await session.get(Payment, second)).status == "paid"  # type: ignore[union-attr]
        rest = await record_refund(session, clock, "filing:8", "claim returned", event="claim_returned")
        assert rest == Money.tenge(300) and await paid_amount(session, "filing:8") == Money.zero()
        assert await record_refund(session, clock, "filing:8", "zero", amount=Money.zero()) == Money.zero()


async def test_the_last_payment_date_is_the_latest_settled_payment_still_held(db: Database) -> None:
    ids = [await _payment(db, "filing:9", 100, status)
           for status in (PaymentStatus.PAID, PaymentStatus.PAID, PaymentStatus.REFUNDED)]
    async with db.transaction() as session:
        for days, payment_id in enumerate(ids):
            (await session.get(Payment, payment_id)).settled_at = T0 + timedelta(days=days)  # type: ignore[union-attr]
    async with db.transaction() as session:
        assert await last_payment_date(session, "filing:9") == T0 + timedelta(days=1)
        assert await last_payment_date(session, "filing:10") is None
