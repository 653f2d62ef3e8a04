"""The interface every payment provider implements: the sandbox now, the real bank later.

A provider is a bank's hosted payment page seen from our side. Two operations matter:

* :meth:`PaymentProvider.create_session` — hand the bank an order (our payment id, amount,
  where to send the payer back, where to send the callback) and get the URL of its payment
  page to redirect the payer to;
* :meth:`PaymentProvider.verify_callback` — turn the bytes and headers of the bank's
  server-to-server notification into a :class:`VerifiedEvent`, or refuse them. Verification
  is the provider's job because each bank signs differently; everything after it (amount
  check, idempotency, the state machine, the receipt) is ours and the same for every bank.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from cabinet.money import Money

PAYMENT_ID = re.compile(r"[0-9a-f]{32}", re.ASCII)
TRANSACTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,99}", re.ASCII)
MAX_AMOUNT = Money(10**15)
"""Ten trillion tenge: far above any state duty, far below the int64 column's limit."""


class CallbackStatus(enum.Enum):
    PAID = "paid"
    FAILED = "failed"


@dataclass(frozen=True)
class PaymentOrder:
    """What we ask the bank to collect; URLs are absolute because the bank is elsewhere."""

    payment_id: str
    reference: str
    amount: Money
    purpose: str
    return_url: str
    callback_url: str

    def __post_init__(self) -> None:
        if PAYMENT_ID.fullmatch(self.payment_id) is None:
            raise ValueError(f"not a payment id: {self.payment_id!r}")
        if not self.amount.is_positive() or self.amount > MAX_AMOUNT:
            raise ValueError(f"an order amount must be positive and at most {MAX_AMOUNT}")
        for url in (self.return_url, self.callback_url):
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"not an absolute URL: {url!r}")


@dataclass(frozen=True)
class HostedSession:
    """Where to send the payer: the provider's payment page for this order."""

    redirect_url: str


@dataclass(frozen=True)
class VerifiedEvent:
    """A callback whose origin the provider has proven: what the bank says happened."""

    payment_id: str
    status: CallbackStatus
    amount: Money
    provider_txn_id: str
    reason: str = ""

    def __post_init__(self) -> None:
        if PAYMENT_ID.fullmatch(self.payment_id) is None:
            raise ValueError(f"not a payment id: {self.payment_id!r}")
        if TRANSACTION_ID.fullmatch(self.provider_txn_id) is None:
            raise ValueError(f"not a provider transaction id: {self.provider_txn_id!r}")
        if not isinstance(self.status, CallbackStatus):
            raise ValueError("status must be a CallbackStatus")
        if not self.amount.is_positive() or self.amount > MAX_AMOUNT:
            raise ValueError(f"a callback amount must be positive and at most {MAX_AMOUNT}")


@dataclass(frozen=True)
class RefundOrder:
    """Give ``amount`` of a settled payment back to the payer's account (Tax Code arts 120–122)."""

    refund_id: int
    payment_id: str
    provider_txn_id: str
    amount: Money
    reason: str

    def __post_init__(self) -> None:
        if PAYMENT_ID.fullmatch(self.payment_id) is None:
            raise ValueError(f"not a payment id: {self.payment_id!r}")
        if not self.amount.is_positive() or self.amount > MAX_AMOUNT:
            raise ValueError(f"a refund amount must be positive and at most {MAX_AMOUNT}")


@dataclass(frozen=True)
class RefundConfirmation:
    """The provider's word that the money went back: its own id for the refund transaction."""

    provider_refund_id: str

    def __post_init__(self) -> None:
        if TRANSACTION_ID.fullmatch(self.provider_refund_id) is None:
            raise ValueError(f"not a provider refund id: {self.provider_refund_id!r}")


class PaymentProvider(Protocol):
    """A bank (or the sandbox) behind a hosted payment page."""

    @property
    def name(self) -> str:
        """Stable short name, used in the callback URL ``/api/v1/payments/callback/{name}``."""
        ...

    async def create_session(self, order: PaymentOrder) -> HostedSession:
        """Register the order with the provider; raises ``ProviderUnavailable`` if it cannot."""
        ...

    async def refund(self, order: RefundOrder) -> RefundConfirmation:
        """Send money of a settled payment back; raises if the provider refuses or cannot be reached
        (the refund stays pending and is tried again)."""
        ...

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> VerifiedEvent:
        """Prove the callback came from the provider; raises ``CallbackSignatureInvalid`` or
        ``CallbackMalformed`` otherwise, before anything is read from or written to the database."""
        ...
