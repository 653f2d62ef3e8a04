"""Opening a person's .p12 key file and making CMS signatures with it.

The server signs on behalf of the court (sealed recordings, notices) and the CLI signs for people
who do not use a browser; both produce exactly what NCALayer produces: CMS SignedData, SHA-256,
signed attributes (contentType, signingTime, messageDigest), signer certificate included.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from cabinet.eds.errors import KeyFileError
from cabinet.eds.pki import UnreadableName, readable
from cabinet.eds.profile import SignerIdentity, parse_identity

logger = logging.getLogger(__name__)

_MAX_KEY_FILE = 1 << 20


@dataclass(frozen=True)
class KeyFile:
    """An opened key file: the private key, its certificate and any chain certificates."""

    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    additional_certificates: tuple[x509.Certificate, ...] = ()

    @property
    def identity(self) -> SignerIdentity:
        return parse_identity(self.certificate)

    def sign(self, data: bytes, *, detached: bool = True) -> bytes:
        return sign_cms(self, data, detached=detached)


def load_key_file(source: Path | str | bytes, password: str | bytes) -> KeyFile:
    """Open a PKCS#12 file; a wrong password or a file that is not a key file is a typed error."""
    if isinstance(source, bytes):
        data, label = source, "key file"
    else:
        path = Path(source)
        try:
            if path.stat().st_size > _MAX_KEY_FILE:
                raise KeyFileError(f"{path.name} is too large to be a key file", code="key_file_invalid")
            data = path.read_bytes()
        except OSError as exc:
            raise KeyFileError(f"cannot read {path}: {exc.strerror}", code="key_file_unreadable") from exc
        label = path.name
    secret = password.encode() if isinstance(password, str) else password
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, secret)
    except ValueError as exc:
        if "password" in str(exc).lower() and _looks_like_pkcs12(data):
            raise KeyFileError(f"wrong password for {label}", code="key_password_wrong") from exc
        raise KeyFileError(f"{label} is not a PKCS#12 key file", code="key_file_invalid") from exc
    if key is None or cert is None:
        raise KeyFileError(f"{label} holds no private key with a certificate", code="key_file_invalid")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise KeyFileError(f"{label} holds a key type we cannot sign with", code="unsupported_algorithm")
    try:
        readable(cert)
    except UnreadableName as exc:
        raise KeyFileError(f"{label} holds a certificate that cannot be used: {exc}", code="key_file_invalid") from exc
    return KeyFile(key, cert, tuple(extra))


def _looks_like_pkcs12(data: bytes) -> bool:
    """True when the bytes parse as a PFX (so a failure must be the password, not the format)."""
    try:
        from asn1crypto import pkcs12 as asn1_pkcs12

        asn1_pkcs12.Pfx.load(data, strict=True).native  # noqa: B018 - forces a full parse
    except Exception:  # asn1crypto raises many types on garbage
        return False
    return True


def sign_cms(key_file: KeyFile, data: bytes, *, detached: bool = True) -> bytes:
    """DER CMS SignedData over ``data`` (SHA-256, signed attributes, signer certificate)."""
    options = [pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoCapabilities]
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    builder = pkcs7.PKCS7SignatureBuilder().set_data(data).add_signer(
        key_file.certificate, key_file.private_key, hashes.SHA256()
    )
    return builder.sign(serialization.Encoding.DER, options)
