"""The payment state machine: pending → paid | failed, and paid → refunded. Pure, no I/O.

A payment never goes back: a failed one stays failed (the payer starts a new one), a paid one
only ever becomes refunded. Keeping this a tiny pure function lets the service, the ledger and a
hypothesis test agree on one table of legal moves.
"""

from __future__ import annotations

import enum

from cabinet.payments.errors import PaymentTransitionIllegal


class PaymentStatus(enum.Enum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    REFUNDED = "refunded"


class PaymentEvent(enum.Enum):
    PAY = "pay"
    FAIL = "fail"
    REFUND = "refund"


TRANSITIONS: dict[tuple[PaymentStatus, PaymentEvent], PaymentStatus] = {
    (PaymentStatus.PENDING, PaymentEvent.PAY): PaymentStatus.PAID,
    (PaymentStatus.PENDING, PaymentEvent.FAIL): PaymentStatus.FAILED,
    (PaymentStatus.PAID, PaymentEvent.REFUND): PaymentStatus.REFUNDED,
}

SETTLED = frozenset({PaymentStatus.PAID, PaymentStatus.REFUNDED})
"""Statuses whose money reached the court's account (a refund is booked separately)."""


def next_status(current: PaymentStatus, event: PaymentEvent) -> PaymentStatus:
    try:
        return TRANSITIONS[(current, event)]
    except KeyError:
        raise PaymentTransitionIllegal(
            f"a {current.value} payment cannot {event.value}",
            details={"status": current.value, "event": event.value},
        ) from None
