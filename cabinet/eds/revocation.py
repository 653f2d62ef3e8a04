"""Is this certificate revoked? OCSP first, CRL as fallback, and every answer verified.

A revocation answer is only evidence if it is authentic and current, so unlike NCANode we check
the OCSP response's signature (issuer or a delegated responder the issuer certified for
id-kp-OCSPSigning), that it is about *this* certificate (certID), its nonce, and that thisUpdate /
nextUpdate bracket "now" on the injected clock; CRLs likewise by signature, issuer and freshness.
The raw response is kept as evidence for the case file.

Policies (also in README's Security section):

- **Caching.** Logins come in bursts and an OCSP round trip costs more than the rest of
  verification, so answers are cached — but a "good" answer only for ``good_ttl`` (default 60 s,
  ``SOTKAB_REVOCATION_GOOD_TTL_S``) however late its nextUpdate: a revocation must bite within a
  minute, not at the responder's next update. :meth:`RevocationChecker.forget` empties the cache
  (the built-in CA calls it on revoke), and a ``generation`` callable (the built-in CA's index
  stamp) empties it when another process revoked.
- **"unknown" is a refusal.** An authentic OCSP answer saying the responder does not know the
  serial means the issuer never issued it (a certificate made with a stolen or test key): the
  result is ``UNRECOGNISED`` and the CRL is *not* asked — a CRL only lists revoked serials, so a
  never-issued certificate would look good there. The CRL is the fallback only when OCSP gives
  no usable answer at all.
- **CRLs are per issuer.** The CRL cache is keyed by (URL, issuer), and the CRL's issuer name and
  signature are re-checked against the certificate's issuer on every use.
- **Answers without nextUpdate or nonce.** An OCSP answer that neither echoes our nonce nor has a
  nextUpdate says nothing about how fresh it is: it is accepted only while its thisUpdate is
  within ``unbounded_max_age`` (default 5 min).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp

from cabinet.eds.pki import UnreadableName, issuer_hashes, public_key_bits, read_name, subject_of
from cabinet.eds.profile import EKU_OCSP_SIGNING, extended_key_usages
from cabinet.eds.transport import Transport
from core.clock import Clock

logger = logging.getLogger(__name__)


class RevocationStatus(enum.Enum):
    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"  # no usable answer could be had (network, forged, stale): soft-fail may accept
    UNRECOGNISED = "unrecognised"  # the issuer's responder answered "unknown": never issued, always refused


class RevocationSource(enum.Enum):
    OCSP = "ocsp"
    CRL = "crl"


@dataclass(frozen=True)
class RevocationResult:
    """One verified revocation answer (or the reasons none could be had)."""

    status: RevocationStatus
    source: RevocationSource | None
    checked_at: datetime
    revoked_at: datetime | None = None
    reason: str | None = None
    this_update: datetime | None = None
    next_update: datetime | None = None
    url: str | None = None
    evidence: bytes = b""
    problems: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "status": self.status.value,
            "source": self.source.value if self.source else None,
            "checked_at": iso(self.checked_at),
            "revoked_at": iso(self.revoked_at),
            "reason": self.reason,
            "this_update": iso(self.this_update),
            "next_update": iso(self.next_update),
            "url": self.url,
            "problems": list(self.problems),
        }


class Rejected(Exception):
    """A revocation answer arrived but cannot be relied on; the message says why."""


def _verify_signature(public_key: object, signature: bytes, data: bytes, algorithm: Any) -> None:
    if algorithm is None:
        raise Rejected("signature hash algorithm not supported")
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(algorithm))
        else:
            raise Rejected("responder key type not supported")
    except InvalidSignature:
        raise Rejected("signature does not verify") from None


def _urls(cert: x509.Certificate, kind: str) -> list[str]:
    try:
        if kind == "ocsp":
            aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
            return [d.access_location.value for d in aia
                    if d.access_method == x509.AuthorityInformationAccessOID.OCSP
                    and isinstance(d.access_location, x509.UniformResourceIdentifier)]
        cdp = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
        return [name.value for point in cdp for name in (point.full_name or ())
                if isinstance(name, x509.UniformResourceIdentifier)]
    except x509.ExtensionNotFound:
        return []


def _key_hash(cert: x509.Certificate) -> bytes:
    """SHA-1 of the subjectPublicKey bits (ResponderID byKey); works for RSA and EC issuers alike."""
    digest = hashes.Hash(hashes.SHA1())  # noqa: S303 - ResponderID byKey is defined as SHA-1
    digest.update(public_key_bits(cert))
    return digest.finalize()


def declares_revocation_source(cert: x509.Certificate) -> bool:
    """Does the certificate name an OCSP responder or a CRL distribution point?"""
    return bool(_urls(cert, "ocsp") or _urls(cert, "crl"))


@dataclass(frozen=True)
class _CachedCrl:
    crl: x509.CertificateRevocationList
    der: bytes
    next_update: datetime


@dataclass(frozen=True)
class _Cached:
    result: RevocationResult
    until: datetime


class RevocationChecker:
    """Checks one certificate against its issuer's OCSP responder, else its CRL."""

    def __init__(
        self,
        transport: Transport,
        clock: Clock,
        *,
        soft_fail: bool = False,
        clock_skew: timedelta = timedelta(minutes=5),
        max_cached: int = 100_000,
        good_ttl: timedelta = timedelta(seconds=60),
        unbounded_max_age: timedelta = timedelta(minutes=5),
        generation: Callable[[], object] | None = None,
    ) -> None:
        if good_ttl < timedelta(0):
            raise ValueError("good_ttl must not be negative")
        self.transport = transport
        self.clock = clock
        self.soft_fail = soft_fail
        self.clock_skew = clock_skew
        self.good_ttl = good_ttl
        self.unbounded_max_age = unbounded_max_age
        self._generation = generation
        self._seen_generation: object = generation() if generation is not None else None
        self._max_cached = max_cached
        self._answers: OrderedDict[tuple[bytes, int], _Cached] = OrderedDict()
        self._crls: dict[tuple[str, bytes], _CachedCrl] = {}
        self._inflight: dict[tuple[bytes, int], asyncio.Future[RevocationResult]] = {}

    def forget(self, serial: int | None = None) -> None:
        """Drop cached answers (of one serial, or all) and cached CRLs: a revocation just happened."""
        if serial is None:
            self._answers.clear()
        else:
            for key in [k for k in self._answers if k[1] == serial]:
                del self._answers[key]
        self._crls.clear()

    def _check_generation(self) -> None:
        if self._generation is None:
            return
        current = self._generation()
        if current != self._seen_generation:
            self._seen_generation = current
            self.forget()

    def _cache_until(self, result: RevocationResult) -> datetime | None:
        """How long an answer may be served again; ``None`` when it must not be cached."""
        if result.status is RevocationStatus.GOOD:
            limit = result.checked_at + self.good_ttl
            return min(limit, result.next_update) if result.next_update else limit
        if result.status is RevocationStatus.REVOKED:
            return result.next_update or result.checked_at + self.good_ttl
        return None

    async def check(self, cert: x509.Certificate, issuer: x509.Certificate) -> RevocationResult:
        """The cached answer while it is fresh, otherwise one fetch shared by concurrent callers."""
        self._check_generation()
        key = (_key_hash(issuer), cert.serial_number)
        cached = self._answers.get(key)
        if cached is not None and self.clock.now() < cached.until:
            self._answers.move_to_end(key)
            return cached.result
        pending = self._inflight.get(key)
        if pending is None:
            pending = asyncio.ensure_future(self._check_uncached(cert, issuer))
            self._inflight[key] = pending
            pending.add_done_callback(lambda _: self._inflight.pop(key, None))
        result = await asyncio.shield(pending)
        until = self._cache_until(result)
        if until is not None:
            self._answers[key] = _Cached(result, until)
            self._answers.move_to_end(key)
            while len(self._answers) > self._max_cached:
                self._answers.popitem(last=False)
        return result

    async def _check_uncached(self, cert: x509.Certificate, issuer: x509.Certificate) -> RevocationResult:
        problems: list[str] = []
        ocsp_urls = _urls(cert, "ocsp")
        if not ocsp_urls:
            problems.append("certificate names no OCSP responder")
        for url in ocsp_urls:
            try:
                return await self._ask_ocsp(url, cert, issuer)
            except Exception as exc:  # FetchError, Rejected, or a transport's own failure
                logger.warning("OCSP %s for serial %x failed: %s", url, cert.serial_number, exc)
                problems.append(f"OCSP {url}: {exc}")
        crl_urls = _urls(cert, "crl")
        if not crl_urls:
            problems.append("certificate names no CRL distribution point")
        for url in crl_urls:
            try:
                return self._from_crl(await self._crl(url, issuer), url, cert, issuer, problems)
            except Exception as exc:
                logger.warning("CRL %s for serial %x failed: %s", url, cert.serial_number, exc)
                problems.append(f"CRL {url}: {exc}")
        return RevocationResult(RevocationStatus.UNKNOWN, None, self.clock.now(), problems=tuple(problems))

    # ------------------------------------------------------------------------------ OCSP
    async def _ask_ocsp(self, url: str, cert: x509.Certificate, issuer: x509.Certificate) -> RevocationResult:
        nonce = os.urandom(16)
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate(cert, issuer, hashes.SHA1())  # noqa: S303 - RFC 5019 certID
            .add_extension(x509.OCSPNonce(nonce), critical=False)
            .build()
            .public_bytes(serialization.Encoding.DER)
        )
        der = await self.transport.fetch_ocsp(url, request)
        return self.verify_ocsp_response(der, cert, issuer, nonce=nonce, url=url)

    def verify_ocsp_response(
        self,
        der: bytes,
        cert: x509.Certificate,
        issuer: x509.Certificate,
        *,
        nonce: bytes | None = None,
        url: str | None = None,
    ) -> RevocationResult:
        """Trust an OCSP answer only if authentic, about ``cert`` and current; else :class:`Rejected`."""
        now = self.clock.now()
        try:
            response = ocsp.load_der_ocsp_response(der)
        except ValueError as exc:
            raise Rejected(f"not an OCSP response: {exc}") from exc
        if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
            raise Rejected(f"responder said {response.response_status.name}")
        signer = self._ocsp_signer(response, issuer, now)
        try:
            algorithm = response.signature_hash_algorithm
        except UnsupportedAlgorithm as exc:
            raise Rejected("unsupported signature algorithm") from exc
        _verify_signature(signer.public_key(), response.signature, response.tbs_response_bytes, algorithm)
        single = None
        for candidate in response.responses:
            if candidate.serial_number != cert.serial_number:
                continue
            if (candidate.issuer_name_hash, candidate.issuer_key_hash) == issuer_hashes(
                issuer, candidate.hash_algorithm
            ):
                single = candidate
                break
        if single is None:
            raise Rejected("response is not about this certificate (certID mismatch)")
        if nonce is not None:
            try:
                echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
            except x509.ExtensionNotFound:
                echoed = None
            if echoed is not None and echoed != nonce:
                raise Rejected("nonce does not match the request")
        else:
            echoed = None
        this_update, next_update = single.this_update_utc, single.next_update_utc
        if this_update > now + self.clock_skew:
            raise Rejected(f"thisUpdate {this_update.isoformat()} is in the future")
        if next_update is not None and next_update + self.clock_skew < now:
            raise Rejected(f"stale: nextUpdate {next_update.isoformat()} has passed")
        if next_update is None and echoed is None and now - this_update > self.unbounded_max_age:
            raise Rejected(f"stale: no nextUpdate, no nonce, and thisUpdate {this_update.isoformat()} is older "
                           f"than {int(self.unbounded_max_age.total_seconds())} s")
        status = {
            ocsp.OCSPCertStatus.GOOD: RevocationStatus.GOOD,
            ocsp.OCSPCertStatus.REVOKED: RevocationStatus.REVOKED,
        }.get(single.certificate_status, RevocationStatus.UNRECOGNISED)
        reason = single.revocation_reason
        return RevocationResult(
            status, RevocationSource.OCSP, now,
            revoked_at=single.revocation_time_utc,
            reason=(reason.value if reason else "unspecified") if status is RevocationStatus.REVOKED else None,
            this_update=this_update, next_update=next_update, url=url, evidence=der,
        )

    def _ocsp_signer(self, response: ocsp.OCSPResponse, issuer: x509.Certificate, now: datetime) -> x509.Certificate:
        """The issuer itself, or an embedded responder certificate the issuer delegated to.

        The responder is named by key hash or by name (RFC 6960 ResponderID); a name in the answer or
        in an embedded certificate is read only when the match is by name, and one that cannot be
        read rejects the answer (:class:`~cabinet.eds.pki.UnreadableName`).
        """
        by_key = response.responder_key_hash
        try:
            by_name = read_name(lambda: response.responder_name, "OCSP responder's")
            issuer_signed = by_key == _key_hash(issuer) if by_key is not None else by_name == issuer.subject
            if issuer_signed:
                return issuer
            for candidate in response.certificates:
                if by_key is not None:
                    named = by_key == _key_hash(candidate)
                else:
                    named = by_name == subject_of(candidate, "responder certificate's")
                if named:
                    return self._delegated(candidate, issuer, now)
        except UnreadableName as exc:
            raise Rejected(str(exc)) from exc
        raise Rejected("response is signed by neither the issuer nor a delegated responder")

    @staticmethod
    def _delegated(candidate: x509.Certificate, issuer: x509.Certificate, now: datetime) -> x509.Certificate:
        """``candidate`` if the issuer certified it, for OCSP signing, valid ``now``; else :class:`Rejected`."""
        try:
            candidate.verify_directly_issued_by(issuer)
        except (ValueError, TypeError, InvalidSignature):
            raise Rejected("responder certificate was not issued by the certificate's issuer") from None
        if EKU_OCSP_SIGNING not in extended_key_usages(candidate):
            raise Rejected("responder certificate is not authorised for OCSP signing")
        if not candidate.not_valid_before_utc <= now <= candidate.not_valid_after_utc:
            raise Rejected("responder certificate is outside its validity period")
        return candidate

    # ------------------------------------------------------------------------------ CRL
    async def _crl(self, url: str, issuer: x509.Certificate) -> _CachedCrl:
        now = self.clock.now()
        key = (url, _key_hash(issuer) + issuer.subject.public_bytes())
        cached = self._crls.get(key)
        if cached is not None and now < cached.next_update:
            return cached
        der = await self.transport.fetch_crl(url)
        try:
            crl = x509.load_der_x509_crl(der)
        except ValueError:
            try:
                crl = x509.load_pem_x509_crl(der)
            except ValueError as exc:
                raise Rejected("not a CRL") from exc
        self._check_crl_issuer(crl, issuer)
        if crl.last_update_utc > now + self.clock_skew:
            raise Rejected(f"CRL thisUpdate {crl.last_update_utc.isoformat()} is in the future")
        next_update = crl.next_update_utc
        if next_update is None:
            raise Rejected("CRL has no nextUpdate, so its freshness cannot be judged")
        if next_update + self.clock_skew < now:
            raise Rejected(f"stale CRL: nextUpdate {next_update.isoformat()} has passed")
        fresh = _CachedCrl(crl, der, next_update)
        self._crls[key] = fresh
        return fresh

    @staticmethod
    def _check_crl_issuer(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> None:
        try:
            named = read_name(lambda: crl.issuer, "CRL's issuer")
        except UnreadableName as exc:
            raise Rejected(str(exc)) from exc
        if named != issuer.subject:
            raise Rejected("CRL is from another issuer")
        if not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
            raise Rejected("CRL signature does not verify")

    def _from_crl(self, cached: _CachedCrl, url: str, cert: x509.Certificate, issuer: x509.Certificate,
                  problems: list[str]) -> RevocationResult:
        self._check_crl_issuer(cached.crl, issuer)  # on every use, cached or not
        entry = cached.crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        reason: str | None = None
        if entry is not None:
            try:
                reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason.value
            except x509.ExtensionNotFound:
                reason = "unspecified"
        return RevocationResult(
            RevocationStatus.GOOD if entry is None else RevocationStatus.REVOKED,
            RevocationSource.CRL,
            self.clock.now(),
            revoked_at=entry.revocation_date_utc if entry is not None else None,
            reason=reason,
            this_update=cached.crl.last_update_utc,
            next_update=cached.next_update,
            url=url,
            evidence=cached.der,
            problems=tuple(problems),
        )
