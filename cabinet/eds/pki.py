"""X.509 building blocks: reading certificates and keys, and minting NCA-profile certificates.

Kept apart from :mod:`cabinet.eds.ca` so the CA module reads as policy (what is issued, when, to
whom) while the byte-level construction — extensions, PKCS#12 encryption, CRL layout — lives here
and can be reused by tests that need a deliberately wrong certificate or a rogue responder.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from cabinet.eds.profile import (
    EKU_CLIENT_AUTH,
    EKU_EMAIL_PROTECTION,
    EKU_OCSP_SIGNING,
    KeyType,
    Organisation,
    Role,
    policy_for,
)

logger = logging.getLogger(__name__)

_Name = TypeVar("_Name", x509.Name, x509.Name | None)


@dataclass(frozen=True)
class Revocation:
    """One revoked serial as a CRL lists it (kept here, below :mod:`cabinet.eds.ca`, which imports it)."""

    serial: int
    revoked_at: datetime
    reason: x509.ReasonFlags


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(path: Path) -> rsa.RSAPrivateKey:
    key = _private_key(path.read_bytes())
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA key")
    return key


@functools.lru_cache(maxsize=32)
def _private_key(pem: bytes) -> object:
    """Parsing checks the RSA key's consistency, ~30 ms of CPU a key: each CA key is checked once a
    process, however often the CA is opened (every app start, every CLI command; every test's app)."""
    return serialization.load_pem_private_key(pem, password=None)


class UnreadableName(ValueError):
    """A certificate, CRL or OCSP response that loaded but whose name cannot be decoded.

    cryptography parses names lazily: a DER name attribute encoded as a BIT STRING (allowed for
    X500UniqueIdentifier only) loads fine and raises ``TypeError`` on the first read of ``subject``,
    ``issuer`` or ``responder_name``. Anyone can put one in a CMS or an OCSP answer, so every read
    of an untrusted name goes through :func:`read_name` and fails as bad input, never as a crash.
    """


def read_name(read: Callable[[], _Name], what: str) -> _Name:
    """``read()`` (a name property), or :class:`UnreadableName` saying which name cannot be read."""
    try:
        return read()
    except (TypeError, ValueError) as exc:
        raise UnreadableName(f"the {what} name cannot be read ({exc})") from exc


def subject_of(cert: x509.Certificate, whose: str) -> x509.Name:
    """``cert.subject``, or :class:`UnreadableName` naming ``whose`` subject it is."""
    return read_name(lambda: cert.subject, f"{whose} subject")


def readable(cert: x509.Certificate) -> x509.Certificate:
    """``cert``, once its subject and issuer names are known to decode (see :class:`UnreadableName`)."""
    read_name(lambda: cert.subject, "subject")
    read_name(lambda: cert.issuer, "issuer")
    return cert


def parse_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in PEM (one or many) or DER bytes, names readable; ``ValueError`` if none."""
    if b"-----BEGIN" in data:
        return [readable(cert) for cert in x509.load_pem_x509_certificates(data)]
    return [readable(x509.load_der_x509_certificate(data))]


def load_certificate(path: Path) -> x509.Certificate:
    return parse_certificates(path.read_bytes())[0]


def public_key_bits(cert: x509.Certificate) -> bytes:
    """The contents of the certificate's subjectPublicKey BIT STRING, whatever the key type.

    OCSP's issuerKeyHash and ResponderID byKey hash exactly these bytes (RFC 6960 4.1.1), which
    for RSA happen to be the PKCS#1 encoding; an EC issuer's are its X9.62 point. The field is
    the last element of SubjectPublicKeyInfo, so it is read from the DER rather than rebuilt
    per algorithm.
    """
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    offset = _skip_header(spki, 0)[1]  # into the outer SEQUENCE
    algorithm_end = sum(_skip_header(spki, offset))  # past the AlgorithmIdentifier
    length, start = _skip_header(spki, algorithm_end)
    if spki[algorithm_end] != 0x03 or spki[start] != 0:
        raise ValueError("subjectPublicKey is not a whole-byte BIT STRING")
    return spki[start + 1:start + length]


def _skip_header(der: bytes, offset: int) -> tuple[int, int]:
    """(content length, content offset) of the DER element starting at ``offset``."""
    first = der[offset + 1]
    if first < 0x80:
        return first, offset + 2
    count = first & 0x7F
    return int.from_bytes(der[offset + 2:offset + 2 + count], "big"), offset + 2 + count


def issuer_hashes(issuer: x509.Certificate, algorithm: hashes.HashAlgorithm) -> tuple[bytes, bytes]:
    """(issuerNameHash, issuerKeyHash) of an OCSP certID for certificates ``issuer`` signed."""
    name = hashes.Hash(algorithm)
    name.update(issuer.subject.public_bytes())
    key = hashes.Hash(algorithm)
    key.update(public_key_bits(issuer))
    return name.finalize(), key.finalize()


def _ski_hex(public_key: rsa.RSAPublicKey) -> str:
    return x509.SubjectKeyIdentifier.from_public_key(public_key).digest.hex()


def _authority_builder(subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Name,
                       issuer_key: rsa.RSAPrivateKey, not_before: datetime, not_after: datetime, *,
                       ca: bool, path_length: int | None = None) -> x509.CertificateBuilder:
    """What a CA and its OCSP responder share: a signing key usage (certificate and CRL signing for a
    CA only) and the key identifiers that chain them."""
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )


def ca_certificate(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: x509.Name,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    *,
    path_length: int | None = None,
) -> x509.Certificate:
    builder = _authority_builder(subject, key, issuer, issuer_key, not_before, not_after, ca=True,
                                 path_length=path_length)
    return builder.sign(issuer_key, hashes.SHA256())


def ocsp_responder_certificate(
    key: rsa.RSAPrivateKey,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    common_name: str,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """A delegated responder (RFC 6960 §4.2.2.2): issued by the CA, id-kp-OCSPSigning, no-check."""
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
                         x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        _authority_builder(subject, key, issuer.subject, issuer_key, not_before, not_after, ca=False)
        .add_extension(x509.ExtendedKeyUsage([EKU_OCSP_SIGNING]), critical=False)
        .add_extension(x509.OCSPNoCheck(), critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def person_certificate(
    subject: x509.Name,
    public_key: rsa.RSAPublicKey,
    key_type: KeyType,
    organisation: Organisation | None,
    *,
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    not_before: datetime,
    not_after: datetime,
    base_url: str,
) -> x509.Certificate:
    """An NCA-profile leaf: the key usage, EKU (with role OIDs), policy, CDP and AIA of NCA."""
    auth = key_type is KeyType.AUTH
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=not auth, key_encipherment=auth,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )
    ekus = [EKU_CLIENT_AUTH if auth else EKU_EMAIL_PROTECTION]
    if organisation is None:
        ekus.append(Role.INDIVIDUAL.oid)
    else:
        ekus += [Role.ORGANIZATION.oid, organisation.role.oid]
    policy = policy_for(key_type, organisation=organisation is not None)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.CertificatePolicies([x509.PolicyInformation(policy, None)]), critical=False)
        .add_extension(
            x509.CRLDistributionPoints([
                x509.DistributionPoint([x509.UniformResourceIdentifier(f"{base_url}/pki/crl")], None, None, None)
            ]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityInformationAccess([
                x509.AccessDescription(
                    x509.AuthorityInformationAccessOID.CA_ISSUERS,
                    x509.UniformResourceIdentifier(f"{base_url}/pki/ca.cer"),
                ),
                x509.AccessDescription(
                    x509.AuthorityInformationAccessOID.OCSP,
                    x509.UniformResourceIdentifier(f"{base_url}/pki/ocsp"),
                ),
            ]),
            critical=False,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def key_file(
    cert: x509.Certificate, key: rsa.RSAPrivateKey, key_type: KeyType, password: bytes
) -> tuple[str, bytes]:
    """NCA's file name (``AUTH_RSA256_<SKI hex>.p12``) and a legacy-encrypted PKCS#12, leaf only.

    NCA names the file, and the PKCS#12 friendly name, after the SHA-1 subject key identifier;
    3DES + SHA-1 MAC keeps the file openable by NCALayer-era tools and node-forge in the browser.
    """
    ski = _ski_hex(cert.public_key())  # type: ignore[arg-type]
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(2048)
        .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC)
        .hmac_hash(hashes.SHA1())  # noqa: S303 - legacy MAC is the NCA file format
        .build(password)
    )
    p12 = pkcs12.serialize_key_and_certificates(ski.encode(), key, cert, None, encryption)
    prefix = "AUTH_RSA256_" if key_type is KeyType.AUTH else "RSA256_"
    return f"{prefix}{ski}.p12", p12


def build_crl(
    issuer: x509.Certificate,
    issuer_key: rsa.RSAPrivateKey,
    revocations: Iterable[Revocation],
    *,
    this_update: datetime,
    next_update: datetime,
    number: int,
) -> bytes:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    )
    for revocation in revocations:
        entry = x509.RevokedCertificateBuilder().serial_number(revocation.serial).revocation_date(
            revocation.revoked_at
        )
        if revocation.reason is not x509.ReasonFlags.unspecified:
            entry = entry.add_extension(x509.CRLReason(revocation.reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
