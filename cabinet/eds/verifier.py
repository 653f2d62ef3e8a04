"""The one answer to "did this person sign this, with a key we accept, right now?".

Login and document filing both call :meth:`Verifier.verify_cms`; the result mirrors what NCANode
reports (intact / trusted / valid, signer, key usage, validity, revocation) so people who know the
Kazakh e-government stack recognise it, and it names the *first* failing check with a stable code.
Checks run cheapest first and the network is touched last, only for a signature that is otherwise
acceptable, and then mostly served from the revocation cache.

Revocation policy: the signer's certificate must have a definite answer (OCSP, else CRL; with
``revocation_hard_fail`` no answer is a refusal, and an OCSP "unknown" always is —
``certificate_unknown``). Every intermediate CA between the signer and the anchor that declares an
OCSP responder or a CRL is checked the same way against its own issuer (NCA's intermediates
publish the root's CRL); an intermediate that declares neither cannot be asked and is taken as
the anchor vouches for it. Anchors are configured by the operator and are not revocation-checked.

Names are read when a certificate is loaded: cryptography decodes them lazily and raises on one
it cannot decode (a BIT STRING attribute, say), so a signer certificate whose subject or issuer
cannot be read is ``malformed_signature`` and another certificate in the CMS, only offered for the
path, is left out (see :class:`~cabinet.eds.pki.UnreadableName`).

The parsed-certificate cache is bounded by bytes (``max_cached_cert_bytes``, the DER sizes) as
well as by count: an attacker who sends many distinct large certificates cannot grow it past that.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from cabinet.eds import cms
from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.errors import EdsError
from cabinet.eds.pki import readable
from cabinet.eds.profile import KeyType, Purpose, Role, SignerIdentity, parse_identity, policy_problem, usage_problem
from cabinet.eds.revocation import (
    RevocationChecker,
    RevocationResult,
    RevocationStatus,
    declares_revocation_source,
)
from cabinet.eds.transport import AiohttpTransport, CaTransport, Transport
from cabinet.eds.trust import TrustStore, fingerprint
from core.clock import Clock

logger = logging.getLogger(__name__)

__all__ = ["CertificateInfo", "FailureCode", "Purpose", "VerificationFailed", "VerificationResult",
           "Verifier", "build_verifier"]


class FailureCode(enum.StrEnum):
    SIGNATURE_INVALID = "signature_invalid"
    CERTIFICATE_UNTRUSTED = "certificate_untrusted"
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid"
    CERTIFICATE_REVOKED = "certificate_revoked"
    CERTIFICATE_UNKNOWN = "certificate_unknown"
    CERTIFICATE_POLICY = "certificate_policy_mismatch"
    REVOCATION_UNKNOWN = "revocation_unknown"
    WRONG_KEY_USAGE = "wrong_key_usage"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    MALFORMED_SIGNATURE = "malformed_signature"


class VerificationFailed(EdsError):
    """Raised by :meth:`VerificationResult.raise_for_failure`; ``code`` is the failing check."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class CertificateInfo:
    """The signer's certificate as the result reports it (DER kept for the case file)."""

    serial: str
    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    valid_now: bool
    valid_at_signing_time: bool | None
    sha256: str
    der: bytes = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "serial_number": self.serial, "subject": self.subject, "issuer": self.issuer,
            "not_before": _iso(self.not_before), "not_after": _iso(self.not_after),
            "valid_now": self.valid_now, "valid_at_signing_time": self.valid_at_signing_time,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class VerificationResult:
    purpose: Purpose
    checked_at: datetime
    intact: bool = False
    trusted: bool = False
    valid: bool = False
    code: FailureCode | None = None
    message: str = ""
    signer: SignerIdentity | None = None
    certificate: CertificateInfo | None = None
    signing_time: datetime | None = None
    revocation: RevocationResult | None = None
    content: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.valid != (self.code is None):
            raise ValueError("a result is valid exactly when no check failed")

    @property
    def roles(self) -> tuple[Role, ...]:
        return self.signer.roles if self.signer else ()

    @property
    def key_type(self) -> KeyType | None:
        return self.signer.key_type if self.signer else None

    def raise_for_failure(self) -> None:
        if self.code is not None:
            raise VerificationFailed(self.message, code=self.code.value, details={"result": self.to_json()})

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid, "intact": self.intact, "trusted": self.trusted,
            "code": self.code.value if self.code else None, "message": self.message,
            "purpose": self.purpose.value, "checked_at": _iso(self.checked_at),
            "signing_time": _iso(self.signing_time),
            "key_type": self.key_type.value if self.key_type else None,
            "roles": [role.value for role in self.roles],
            "signer": self.signer.to_json() if self.signer else None,
            "certificate": self.certificate.to_json() if self.certificate else None,
            "revocation": self.revocation.to_json() if self.revocation else None,
        }


@dataclass(frozen=True)
class _Parsed:
    certificate: x509.Certificate
    public_key: object
    identity: SignerIdentity
    fingerprint: bytes
    size: int


class Verifier:
    """Verifies CMS signatures against configured trust anchors and live revocation status."""

    def __init__(
        self, trust: TrustStore, revocation: RevocationChecker, clock: Clock, *, max_cached_certs: int = 50_000,
        max_cached_cert_bytes: int = 16 * 1024 * 1024,
    ) -> None:
        self.trust = trust
        self.revocation = revocation
        self.clock = clock
        self._parsed: OrderedDict[bytes, _Parsed] = OrderedDict()
        self._max_cached = max_cached_certs
        self._max_cached_bytes = max_cached_cert_bytes
        self._cached_bytes = 0

    @property
    def cached_cert_bytes(self) -> int:
        """DER bytes of the certificates now held parsed (what the byte bound limits)."""
        return self._cached_bytes

    async def close(self) -> None:
        close = getattr(self.revocation.transport, "close", None)
        if close is not None:
            await close()

    def _parse(self, der: bytes) -> _Parsed:
        key = hashlib.sha256(der).digest()
        cached = self._parsed.get(key)
        if cached is not None:
            self._parsed.move_to_end(key)
            return cached
        try:
            cert = readable(x509.load_der_x509_certificate(der))
        except ValueError as exc:  # UnreadableName is one: a name that loads but cannot be read
            raise cms.CmsProblem("malformed_signature", f"signer certificate is invalid: {exc}") from exc
        try:
            public_key: object = cert.public_key()
        except (UnsupportedAlgorithm, ValueError) as exc:
            raise cms.CmsProblem("unsupported_algorithm", "the signer's key algorithm is not supported") from exc
        parsed = _Parsed(cert, public_key, parse_identity(cert), fingerprint(cert), len(der))
        if len(der) > self._max_cached_bytes:
            return parsed
        self._parsed[key] = parsed
        self._cached_bytes += parsed.size
        while len(self._parsed) > self._max_cached or self._cached_bytes > self._max_cached_bytes:
            self._cached_bytes -= self._parsed.popitem(last=False)[1].size
        return parsed

    async def verify_cms(
        self, cms_data: bytes | str, *, content: bytes | None, purpose: Purpose
    ) -> VerificationResult:
        """Check an attached CMS, or a detached one over ``content``; never raises for bad input."""
        now = self.clock.now()
        base: dict[str, Any] = {"purpose": purpose, "checked_at": now}

        def fail(code: str, message: str, **extra: Any) -> VerificationResult:
            logger.info("signature refused for %s: %s (%s)", purpose.value, code, message)
            return VerificationResult(**{**base, **extra}, code=FailureCode(code), message=message)

        try:
            message = cms.parse(cms.decode(cms_data))
            signer = self._parse(message.signer_certificate)
        except cms.CmsProblem as problem:
            return fail(problem.code, problem.message)
        cert = signer.certificate
        signing_time = message.signing_time
        base.update(
            signer=signer.identity, signing_time=signing_time,
            certificate=CertificateInfo(
                serial=format(cert.serial_number, "x"), subject=cert.subject.rfc4514_string(),
                issuer=cert.issuer.rfc4514_string(), not_before=cert.not_valid_before_utc,
                not_after=cert.not_valid_after_utc,
                valid_now=cert.not_valid_before_utc <= now <= cert.not_valid_after_utc,
                valid_at_signing_time=(cert.not_valid_before_utc <= signing_time <= cert.not_valid_after_utc
                                       if signing_time else None),
                sha256=signer.fingerprint.hex(), der=message.signer_certificate,
            ),
        )
        if message.encapsulated is not None:
            if content is not None and content != message.encapsulated:
                return fail("signature_invalid", "the signed content differs from the content presented")
            signed = message.encapsulated
        elif content is None:
            return fail("malformed_signature", "a detached signature needs the signed content")
        else:
            signed = content
        base["content"] = signed
        try:
            cms.check_signature(message, signed, signer.public_key)
        except cms.CmsProblem as problem:
            return fail(problem.code, problem.message)
        base["intact"] = True

        supplied = []
        for der in message.other_certificates:
            try:
                supplied.append(self._parse(der).certificate)
            except cms.CmsProblem as problem:
                logger.info("ignoring an unusable extra certificate in a CMS: %s", problem.message)
        chain = self.trust.build_path(cert, supplied, leaf_print=signer.fingerprint)
        if chain is None:
            issuer = cert.issuer.rfc4514_string()
            return fail("certificate_untrusted", f"no trusted certification path for issuer {issuer}")
        base["trusted"] = True
        for link in chain:
            role = "certificate" if link is cert else f"CA certificate {link.subject.rfc4514_string()}"
            if now < link.not_valid_before_utc:
                start = _iso(link.not_valid_before_utc)
                return fail("certificate_not_yet_valid", f"the {role} is valid only from {start}")
            if now > link.not_valid_after_utc:
                return fail("certificate_expired", f"the {role} expired on {_iso(link.not_valid_after_utc)}")
        unusable = usage_problem(cert, purpose)
        if unusable is not None:
            return fail("wrong_key_usage", unusable)
        off_policy = policy_problem(cert, purpose)
        if off_policy is not None:
            return fail("certificate_policy_mismatch", off_policy)
        for position in range(len(chain) - 1):
            link, parent = chain[position], chain[position + 1]
            if link is not cert and not declares_revocation_source(link):
                continue
            status = await self.revocation.check(link, parent)
            role = "certificate" if link is cert else f"CA certificate {link.subject.rfc4514_string()}"
            if link is cert:
                base["revocation"] = status
            if status.status is RevocationStatus.REVOKED:
                return fail("certificate_revoked", f"the {role} was revoked on {_iso(status.revoked_at)} "
                                                   f"({status.reason})")
            if status.status is RevocationStatus.UNRECOGNISED:
                return fail("certificate_unknown", f"the issuer's OCSP responder does not know the {role}: "
                                                   "it was never issued by that CA")
            if status.status is RevocationStatus.UNKNOWN and not self.revocation.soft_fail:
                return fail("revocation_unknown", f"revocation status of the {role} could not be established: "
                                                  + "; ".join(status.problems))
        return VerificationResult(**base, valid=True, message="signature is valid")


def build_verifier(
    *,
    clock: Clock,
    trust_roots: Iterable[Path] = (),
    builtin_ca: CertificateAuthority | None = None,
    transport: Transport | None = None,
    soft_fail: bool = False,
    good_ttl: timedelta = timedelta(seconds=60),
) -> Verifier:
    """The verifier an app or CLI needs: configured roots (+ the built-in CA) and real HTTP.

    The built-in CA's issuing certificate is an intermediate, not an anchor, so a leaf must
    chain to its root; its OCSP/CRL URLs are answered in-process (see :class:`CaTransport`).
    Its revocations reach the cache at once: a revoke in this process calls
    :meth:`RevocationChecker.forget`, and one in another process (``sotkab pki revoke``) changes
    the index file whose stamp is the checker's ``generation``.
    """
    network: Transport = transport or AiohttpTransport()
    anchors: list[x509.Certificate] = []
    intermediates: list[x509.Certificate] = []
    if builtin_ca is not None:
        anchors.append(builtin_ca.root_certificate)
        intermediates.append(builtin_ca.issuing_certificate)
        network = CaTransport(builtin_ca, fallback=network)
    trust = TrustStore.from_files(trust_roots, extra_anchors=anchors, intermediates=intermediates)
    generation = builtin_ca.revocation_generation if builtin_ca is not None else None
    checker = RevocationChecker(network, clock, soft_fail=soft_fail, good_ttl=good_ttl, generation=generation)
    if builtin_ca is not None:
        builtin_ca.on_revoke(checker.forget)
    return Verifier(trust, checker, clock)
