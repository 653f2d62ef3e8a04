"""Which certification authorities we believe, and the path from a signer up to one of them.

Trust comes only from what the operator configured (the NCA roots, the built-in demo CA) —
never the operating system's store, which is full of web CAs that have no say over Kazakh
identities. Path building is cached per leaf: the same people log in again and again, and a
chain that was sound a minute ago is still sound (time validity and revocation are re-checked
by the verifier on every use; only the signature links are remembered).
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from cabinet.eds.errors import TrustStoreError
from cabinet.eds.pki import parse_certificates

logger = logging.getLogger(__name__)

_MAX_DEPTH = 6


def fingerprint(cert: x509.Certificate) -> bytes:
    return hashlib.sha256(cert.tbs_certificate_bytes + cert.signature).digest()


def _may_issue(cert: x509.Certificate) -> bool:
    try:
        if not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            return False
    except x509.ExtensionNotFound:
        return False
    try:
        return cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    except x509.ExtensionNotFound:
        return True


def _signed_by(child: x509.Certificate, parent: x509.Certificate) -> bool:
    try:
        child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


class TrustStore:
    """Anchors (trusted outright) plus known intermediates (usable only to reach an anchor)."""

    def __init__(
        self,
        anchors: Iterable[x509.Certificate],
        intermediates: Iterable[x509.Certificate] = (),
        *,
        max_cached_paths: int = 50_000,
    ) -> None:
        self.anchors = tuple(anchors)
        self.intermediates = tuple(intermediates)
        self._anchor_prints = {fingerprint(a) for a in self.anchors}
        self._by_subject: dict[bytes, list[x509.Certificate]] = {}
        for cert in (*self.anchors, *self.intermediates):
            self._by_subject.setdefault(cert.subject.public_bytes(), []).append(cert)
        self._paths: OrderedDict[tuple[bytes, bytes], tuple[x509.Certificate, ...] | None] = OrderedDict()
        self._max_cached = max_cached_paths

    @classmethod
    def from_files(
        cls, paths: Iterable[Path], *, extra_anchors: Iterable[x509.Certificate] = (),
        intermediates: Iterable[x509.Certificate] = (),
    ) -> TrustStore:
        """Anchors from PEM/DER files (a PEM file may hold several); unreadable files fail loudly."""
        anchors = list(extra_anchors)
        for path in paths:
            try:
                anchors.extend(parse_certificates(Path(path).read_bytes()))
            except (OSError, ValueError) as exc:
                raise TrustStoreError(f"trust root {path} cannot be read as a certificate: {exc}") from exc
        if not anchors:
            logger.warning("no trust roots configured: every signature will be untrusted")
        return cls(anchors, intermediates)

    def is_anchor(self, cert: x509.Certificate) -> bool:
        return fingerprint(cert) in self._anchor_prints

    def build_path(
        self, leaf: x509.Certificate, supplied: Sequence[x509.Certificate] = (), *, leaf_print: bytes | None = None
    ) -> tuple[x509.Certificate, ...] | None:
        """Leaf first, anchor last; ``None`` when no signed path reaches a configured anchor."""
        # one fixed-size key however many certificates a CMS carries: the cache stays bounded in bytes
        others = hashlib.sha256(b"".join(sorted(fingerprint(c) for c in supplied))).digest()
        key = (leaf_print or fingerprint(leaf), others)
        if key in self._paths:
            self._paths.move_to_end(key)
            return self._paths[key]
        path = self._search(leaf, supplied)
        self._paths[key] = path
        while len(self._paths) > self._max_cached:
            self._paths.popitem(last=False)
        return path

    def _search(
        self, leaf: x509.Certificate, supplied: Sequence[x509.Certificate]
    ) -> tuple[x509.Certificate, ...] | None:
        extra: dict[bytes, list[x509.Certificate]] = {}
        for cert in supplied:
            extra.setdefault(cert.subject.public_bytes(), []).append(cert)
        chain = [leaf]
        seen = {fingerprint(leaf)}
        current = leaf
        while len(chain) <= _MAX_DEPTH:
            if fingerprint(current) in self._anchor_prints:
                return tuple(chain)
            issuer_name = current.issuer.public_bytes()
            candidates = self._by_subject.get(issuer_name, []) + extra.get(issuer_name, [])
            parent = next(
                (c for c in candidates
                 if fingerprint(c) not in seen and _may_issue(c) and _signed_by(current, c)),
                None,
            )
            if parent is None:
                return None
            chain.append(parent)
            seen.add(fingerprint(parent))
            current = parent
        return None
