"""Refusals of the payments package; the ``code`` strings are part of the API contract."""

from __future__ import annotations

from cabinet.errors import CabinetError
from core.errors import BadRequest, Conflict, NotFound


class PaymentError(CabinetError):
    default_code = "payment_error"


class PaymentRequestInvalid(BadRequest, PaymentError):
    """A reference, amount, purpose, reason or return URL that cannot be accepted."""

    default_code = "payment_request_invalid"


class PaymentNotFound(NotFound, PaymentError):
    """No such payment — or not one the caller may see (the two are not told apart)."""

    default_code = "payment_not_found"


class PaymentNotPaid(Conflict, PaymentError):
    """A receipt was asked for a payment that has not been paid."""

    default_code = "payment_not_paid"


class PaymentTransitionIllegal(Conflict, PaymentError):
    """The payment is not in a status from which this change is possible (e.g. failed → paid)."""

    default_code = "payment_transition_illegal"


class CallbackSignatureInvalid(BadRequest, PaymentError):
    default_code = "callback_signature_invalid"


class CallbackMalformed(BadRequest, PaymentError):
    """The callback body is not the provider's documented shape."""

    default_code = "callback_malformed"


class CallbackAmountMismatch(Conflict, PaymentError):
    """The provider reports an amount other than the one the payment was created for."""

    default_code = "callback_amount_mismatch"


class ProviderTransactionReused(Conflict, PaymentError):
    """A provider transaction id already settled another payment (or this one differently)."""

    default_code = "provider_transaction_reused"


class UnknownProvider(NotFound, PaymentError):
    default_code = "payment_provider_unknown"


class SandboxSessionInvalid(BadRequest, PaymentError):
    """A sandbox payment-page link that is forged, damaged or expired."""

    default_code = "sandbox_session_invalid"


class ProviderUnavailable(PaymentError):
    """The provider could not open a payment session; the payment is marked failed."""

    status = 502
    default_code = "payment_provider_unavailable"
