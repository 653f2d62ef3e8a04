"""CMS SignedData (RFC 5652) taken apart and its one signature checked by hand.

`cryptography` can make CMS but not verify it, and pyhanko's validator costs tens of
milliseconds per call — too slow for hundreds of logins a second. An RSA/SHA-2 SignerInfo is
simple to check exactly: the messageDigest attribute must equal the digest of the content, and
the signature must verify over the DER ``SET OF`` signed attributes (or over the content when
there are none). asn1crypto parses lazily and keeps the original bytes, so the signed
attributes are verified as they were signed, not as re-encoded.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, core
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from cabinet.eds.profile import GOST_OID_PREFIXES

logger = logging.getLogger(__name__)

MAX_CMS_BYTES = 16 * 1024 * 1024

_DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
_SIGNATURE_DIGESTS = {
    "sha256_rsa": "sha256", "sha384_rsa": "sha384", "sha512_rsa": "sha512",
    "sha256_ecdsa": "sha256", "sha384_ecdsa": "sha384", "sha512_ecdsa": "sha512",
}


class CmsProblem(Exception):
    """Why a CMS cannot be checked or did not check out; ``code`` is the verifier failure code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SignedMessage:
    """The parts of a one-signer SignedData the verifier needs, with original bytes kept."""

    encapsulated: bytes | None
    content_type: str
    signer_certificate: bytes
    other_certificates: tuple[bytes, ...]
    digest_algorithm: str
    signed_attributes: bytes | None
    message_digest: bytes | None
    attribute_content_type: str | None
    signing_time: datetime | None
    signature: bytes


def decode(data: bytes | str) -> bytes:
    """DER from what browsers and files carry: raw DER, base64 (NCALayer), or PEM armour."""
    if isinstance(data, str):
        data = data.encode("ascii", "replace")
    if len(data) > MAX_CMS_BYTES * 2:
        raise CmsProblem("malformed_signature", "signature is too large")
    if data[:1] == b"\x30":
        return data
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        text = b"".join(line for line in text.splitlines() if not line.startswith(b"-----"))
    try:
        der = base64.b64decode(b"".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise CmsProblem("malformed_signature", "signature is neither DER nor base64") from None
    if der[:1] != b"\x30":
        raise CmsProblem("malformed_signature", "signature is not a DER structure")
    return der


def _is_gost(oid: str) -> bool:
    return oid.startswith(GOST_OID_PREFIXES)


def parse(der: bytes) -> SignedMessage:
    """Parse a ContentInfo holding SignedData with exactly one signer and its certificate."""
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise CmsProblem("malformed_signature", "CMS does not hold SignedData")
        signed = info["content"]
        signers = signed["signer_infos"]
        if len(signers) != 1:
            raise CmsProblem(
                "malformed_signature", f"CMS has {len(signers)} signers; exactly one is expected"
            )
        signer = signers[0]
        certificates = [c.chosen for c in signed["certificates"] or () if c.name == "certificate"]
        return _signed_message(signed, signer, certificates)
    except CmsProblem:
        raise
    except Exception as exc:  # asn1crypto raises ValueError/TypeError/KeyError on bad structure
        raise CmsProblem("malformed_signature", f"CMS structure is invalid: {exc}") from exc


def _signed_message(signed: cms.SignedData, signer: cms.SignerInfo, certificates: list) -> SignedMessage:
    digest_oid = signer["digest_algorithm"]["algorithm"]
    signature_oid = signer["signature_algorithm"]["algorithm"]
    if _is_gost(digest_oid.dotted) or _is_gost(signature_oid.dotted):
        raise CmsProblem("unsupported_algorithm", "GOST signatures are not supported by this verifier")
    digest = digest_oid.native
    if digest not in _DIGESTS:
        raise CmsProblem("unsupported_algorithm", f"digest algorithm {digest} is not supported")
    signature_algorithm = signature_oid.native
    if signature_algorithm not in ("rsassa_pkcs1v15", "rsa", *_SIGNATURE_DIGESTS):
        raise CmsProblem("unsupported_algorithm", f"signature algorithm {signature_algorithm} is not supported")
    if _SIGNATURE_DIGESTS.get(signature_algorithm, digest) != digest:
        raise CmsProblem("malformed_signature", "signature and digest algorithms disagree")
    sid = signer["sid"]
    if sid.name == "issuer_and_serial_number":
        serial = sid.chosen["serial_number"].native
        issuer = sid.chosen["issuer"]
        match = [c for c in certificates if c.serial_number == serial and c.issuer == issuer]
    else:
        key_id = sid.chosen.native
        match = [c for c in certificates if c.key_identifier == key_id]
    if not match:
        raise CmsProblem("malformed_signature", "the signer's certificate is not included in the CMS")
    cert = match[0]
    if _is_gost(cert["tbs_certificate"]["subject_public_key_info"]["algorithm"]["algorithm"].dotted):
        raise CmsProblem("unsupported_algorithm", "GOST certificates are not supported by this verifier")
    attrs = signer["signed_attrs"]
    signed_attrs = message_digest = attr_type = signing_time = None
    if attrs.native is not None and len(attrs):
        signed_attrs = b"\x31" + attrs.dump()[1:]
        for attr in attrs:
            kind = attr["type"].native
            values = attr["values"]
            if len(values) != 1:
                raise CmsProblem("malformed_signature", f"signed attribute {kind} must have one value")
            if kind == "message_digest":
                message_digest = values[0].native
            elif kind == "content_type":
                attr_type = values[0].dotted
            elif kind == "signing_time":
                signing_time = values[0].native
        if message_digest is None or attr_type is None:
            raise CmsProblem("malformed_signature", "signed attributes lack messageDigest or contentType")
    content = signed["encap_content_info"]["content"]
    encapsulated = None if isinstance(content, core.Void) else bytes(content)
    return SignedMessage(
        encapsulated=encapsulated,
        content_type=signed["encap_content_info"]["content_type"].dotted,
        signer_certificate=cert.dump(),
        other_certificates=tuple(c.dump() for c in certificates if c is not cert),
        digest_algorithm=digest,
        signed_attributes=signed_attrs,
        message_digest=message_digest,
        attribute_content_type=attr_type,
        signing_time=signing_time,
        signature=signer["signature"].native,
    )


def check_signature(message: SignedMessage, content: bytes, public_key: object) -> None:
    """Raise :class:`CmsProblem` ``signature_invalid`` unless the signer signed exactly ``content``."""
    algorithm = _DIGESTS[message.digest_algorithm]()
    if message.signed_attributes is not None:
        if message.attribute_content_type != message.content_type:
            raise CmsProblem("signature_invalid", "contentType attribute differs from the content's type")
        actual = hashlib.new(message.digest_algorithm, content).digest()
        if message.message_digest is None or not hmac.compare_digest(actual, message.message_digest):
            raise CmsProblem("signature_invalid", "the content does not match what was signed (digest differs)")
        signed_bytes = message.signed_attributes
    else:
        signed_bytes = content
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(message.signature, signed_bytes, padding.PKCS1v15(), algorithm)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(message.signature, signed_bytes, ec.ECDSA(algorithm))
        else:
            raise CmsProblem("unsupported_algorithm", "the signer's key type is not supported")
    except InvalidSignature:
        raise CmsProblem("signature_invalid", "the signature does not verify with the signer's key") from None
