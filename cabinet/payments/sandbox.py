"""The SANDBOX payment provider: a stand-in bank with a hosted payment page. No money moves.

It behaves like a bank's hosted payment page so the whole flow is exercised for real:
:meth:`SandboxPaymentProvider.create_session` returns a ``/sandbox/pay/{token}`` URL; the page
there (:mod:`cabinet.payments.sandbox_pages`) offers Pay and Decline; submitting it makes the
sandbox POST a signed callback to the callback URL of the order over real HTTP with aiohttp,
exactly as a bank's server would, and then redirects the payer to the return URL.

Signing (documented in ``API.md``): HMAC-SHA256 with a per-installation secret of 32 random
bytes kept in ``<data_dir>/payments/sandbox-merchant.key`` (created on first start, mode 0600).
The MAC covers the *canonical* form of the callback — its seven fields as JSON with sorted
keys, no whitespace, UTF-8 — and travels hex-encoded in ``X-Sandbox-Signature: sha256=<hex>``.
Canonicalising means the receiver checks what it understood, not just the bytes it got: a body
with duplicate keys, unknown keys or a value of the wrong type is refused before the MAC is
even compared. The payment-page token is a second MAC (domain-separated) over the order, so a
payer cannot edit the amount in the link.

The sandbox keeps no state of its own. Its transaction id is derived from the page token, so
pressing Pay twice sends the same transaction again — our side treats that as a replay and
nothing is paid twice, which is what a bank's own double-submit protection would give.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from cabinet.money import Money
from cabinet.payments.errors import CallbackMalformed, CallbackSignatureInvalid, SandboxSessionInvalid
from cabinet.payments.provider import (
    MAX_AMOUNT,
    PAYMENT_ID,
    TRANSACTION_ID,
    CallbackStatus,
    HostedSession,
    PaymentOrder,
    RefundConfirmation,
    RefundOrder,
    VerifiedEvent,
)
from core.clock import Clock

log = logging.getLogger(__name__)

SANDBOX = "sandbox"
SIGNATURE_HEADER = "X-Sandbox-Signature"
SECRET_FILE = Path("payments") / "sandbox-merchant.key"
SESSION_TTL = timedelta(hours=1)
MAX_REASON = 300
CALLBACK_FIELDS = frozenset({"payment_id", "status", "amount_tiyn", "currency", "transaction_id",
                             "sent_at", "reason"})


def load_or_create_secret(data_dir: Path) -> bytes:
    """The installation's sandbox merchant secret, created once with owner-only permissions."""
    path = data_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(os.urandom(32).hex() + "\n")
        log.warning("created the SANDBOX payment secret %s: no money moves through the sandbox", path)
    text = path.read_text().strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < 32:
        raise RuntimeError(f"{path} does not hold a 32-byte hex secret; delete it to have a new one made")
    return secret


def _mac(secret: bytes, domain: bytes, message: bytes) -> bytes:
    return hmac.new(secret, domain + b"\n" + message, hashlib.sha256).digest()


def _canonical_json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise CallbackMalformed(f"the callback names {key!r} twice", details={"field": key})
        result[key] = value
    return result


@dataclass(frozen=True)
class SandboxCallback:
    """The sandbox bank's notification, in the one form that is signed and checked."""

    payment_id: str
    status: CallbackStatus
    amount: Money
    transaction_id: str
    sent_at: datetime
    reason: str = ""

    def __post_init__(self) -> None:
        if self.sent_at.tzinfo is None:
            raise ValueError("sent_at must be timezone-aware")
        self.to_event()  # the same rules as every provider's event

    def canonical(self) -> bytes:
        return _canonical_json({
            "payment_id": self.payment_id, "status": self.status.value, "amount_tiyn": self.amount.tiyn,
            "currency": "KZT", "transaction_id": self.transaction_id,
            "sent_at": self.sent_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "reason": self.reason,
        })

    def signature(self, secret: bytes) -> str:
        return "sha256=" + _mac(secret, b"callback", self.canonical()).hex()

    def to_event(self) -> VerifiedEvent:
        return VerifiedEvent(self.payment_id, self.status, self.amount, self.transaction_id, self.reason)


def _field(body: Mapping[str, Any], name: str, kind: type) -> Any:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise CallbackMalformed(f"callback field {name} must be a {kind.__name__}", details={"field": name})
    return value


def parse_callback(body: bytes) -> SandboxCallback:
    """Read a callback body strictly; anything but the documented shape is ``callback_malformed``."""
    try:
        document = json.loads(body.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise CallbackMalformed("the callback body is not UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise CallbackMalformed("the callback body must be a JSON object")
    if set(document) != CALLBACK_FIELDS:
        raise CallbackMalformed(
            f"the callback must have exactly the fields {sorted(CALLBACK_FIELDS)}",
            details={"missing": sorted(CALLBACK_FIELDS - set(document)),
                     "unexpected": sorted(set(document) - CALLBACK_FIELDS)[:10]},
        )
    payment_id = _field(document, "payment_id", str)
    transaction_id = _field(document, "transaction_id", str)
    reason = _field(document, "reason", str)
    amount_tiyn = _field(document, "amount_tiyn", int)
    if _field(document, "currency", str) != "KZT":
        raise CallbackMalformed("the sandbox only collects tenge (currency KZT)", details={"field": "currency"})
    try:
        status = CallbackStatus(_field(document, "status", str))
    except ValueError:
        raise CallbackMalformed("callback status must be 'paid' or 'failed'", details={"field": "status"}) from None
    try:
        sent_at = datetime.fromisoformat(_field(document, "sent_at", str))
        if sent_at.tzinfo is not None:
            sent_at = sent_at.astimezone(UTC)
    except (ValueError, OverflowError):
        raise CallbackMalformed("sent_at must be an ISO 8601 timestamp with a zone, in range",
                                details={"field": "sent_at"}) from None
    problems = []
    if PAYMENT_ID.fullmatch(payment_id) is None:
        problems.append("payment_id")
    if TRANSACTION_ID.fullmatch(transaction_id) is None:
        problems.append("transaction_id")
    if not 0 < amount_tiyn <= MAX_AMOUNT.tiyn:
        problems.append("amount_tiyn")
    if sent_at.tzinfo is None:
        problems.append("sent_at")
    if len(reason) > MAX_REASON or (status is CallbackStatus.PAID and reason):
        problems.append("reason")
    try:
        reason.encode("utf-8")
    except UnicodeEncodeError:
        problems.append("reason")
    if problems:
        raise CallbackMalformed(f"callback fields out of range: {', '.join(sorted(set(problems)))}",
                                details={"fields": sorted(set(problems))})
    return SandboxCallback(payment_id, status, Money(amount_tiyn), transaction_id, sent_at, reason)


@dataclass(frozen=True)
class SandboxSession:
    """The order as the sandbox bank remembers it — inside the MAC-protected page token."""

    payment_id: str
    reference: str
    amount: Money
    purpose: str
    return_url: str
    callback_url: str
    expires_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {"payment_id": self.payment_id, "reference": self.reference, "amount_tiyn": self.amount.tiyn,
                "purpose": self.purpose, "return_url": self.return_url, "callback_url": self.callback_url,
                "expires_at": self.expires_at.astimezone(UTC).isoformat(timespec="seconds")}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SandboxPaymentProvider:
    """The SANDBOX bank: hosted page at ``/sandbox/pay/{token}``, HMAC-signed callbacks. No money moves."""

    name = SANDBOX

    def __init__(self, secret: bytes, *, base_url: str, clock: Clock) -> None:
        if len(secret) < 32:
            raise ValueError("the sandbox secret must be at least 32 bytes")
        self._secret = secret
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.http: aiohttp.ClientSession | None = None

    async def create_session(self, order: PaymentOrder) -> HostedSession:
        session = SandboxSession(order.payment_id, order.reference, order.amount, order.purpose,
                                 order.return_url, order.callback_url, self.clock.now() + SESSION_TTL)
        payload = _canonical_json(session.to_json())
        token = f"{_b64(payload)}.{_b64(_mac(self._secret, b'session', payload))}"
        return HostedSession(f"{self.base_url}/sandbox/pay/{token}")

    def open_session(self, token: str) -> SandboxSession:
        """The order behind a payment-page token; a forged, damaged or expired token is refused."""
        try:
            encoded, mac = token.split(".")
            payload, given = _unb64(encoded), _unb64(mac)
        except (ValueError, binascii.Error):
            raise SandboxSessionInvalid("this sandbox payment link is damaged") from None
        if not hmac.compare_digest(given, _mac(self._secret, b"session", payload)):
            raise SandboxSessionInvalid("this sandbox payment link was not issued by this installation")
        fields = json.loads(payload)
        session = SandboxSession(
            fields["payment_id"], fields["reference"], Money(fields["amount_tiyn"]), fields["purpose"],
            fields["return_url"], fields["callback_url"], datetime.fromisoformat(fields["expires_at"]),
        )
        if self.clock.now() >= session.expires_at:
            raise SandboxSessionInvalid("this sandbox payment link has expired; start the payment again",
                                        code="sandbox_session_expired")
        return session

    def transaction_id(self, token: str) -> str:
        """One transaction per payment page, so a double submit is a replay, not a second payment."""
        return "SBX-" + _mac(self._secret, b"transaction", token.encode("ascii")).hex()[:24].upper()

    def callback_for(self, token: str, session: SandboxSession, decision: CallbackStatus) -> SandboxCallback:
        reason = "" if decision is CallbackStatus.PAID else "declined by the payer on the SANDBOX page"
        return SandboxCallback(session.payment_id, decision, session.amount, self.transaction_id(token),
                               self.clock.now(), reason)

    async def refund(self, order: RefundOrder) -> RefundConfirmation:
        """The sandbox bank "returns" the money at once: its refund id is derived from the order, so a
        retried refund gets the same id (the bank's own idempotency)."""
        message = f"{order.refund_id}:{order.payment_id}:{order.provider_txn_id}:{order.amount.tiyn}".encode()
        return RefundConfirmation("SBXR-" + _mac(self._secret, b"refund", message).hex()[:24].upper())

    def sign(self, callback: SandboxCallback) -> str:
        return callback.signature(self._secret)

    async def send_callback(self, url: str, callback: SandboxCallback) -> tuple[int, dict[str, Any]]:
        """POST the signed callback to the merchant like a bank's server; returns its status and JSON."""
        if self.http is None:
            raise RuntimeError("the sandbox provider is not started (no HTTP client)")
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: self.sign(callback)}
        async with self.http.post(url, data=callback.canonical(), headers=headers) as response:
            try:
                answer = await response.json(content_type=None)
            except (json.JSONDecodeError, UnicodeDecodeError):
                answer = {}
            return response.status, answer if isinstance(answer, dict) else {}

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> VerifiedEvent:
        callback = parse_callback(body)
        given = headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(given.encode("ascii", "replace"), self.sign(callback).encode("ascii")):
            raise CallbackSignatureInvalid(
                f"the callback's {SIGNATURE_HEADER} does not match its content under this installation's "
                "sandbox secret")
        return callback.to_event()
