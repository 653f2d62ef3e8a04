"""A certificate whose name cannot be read is a clean refusal at login, never a 500.

cryptography parses a certificate's names lazily: one with a name attribute DER-encoded as a BIT
STRING (allowed for X500UniqueIdentifier only) loads, and the first read of ``subject`` or
``issuer`` raises a TypeError. Anyone can send such a certificate in a CMS, so the login must
answer 401 ``malformed_signature`` saying the name cannot be read, store no user and no session,
and audit the refusal — like any other unreadable signer certificate.

An unreadable issuer reaches the verifier only when the SignerInfo names its certificate by key
identifier: named by issuer and serial, asn1crypto already fails comparing the two issuer names.
"""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from cabinet.eds.keys import KeyFile
from core.db import Database
from tests.cabinet.conftest import CabinetApp, Cast, by_key_identifier, opened, with_unreadable_name
from tests.cabinet.identity.test_login import assert_refused, challenge, counts

PRIVATE_ATTRIBUTE = x509.ObjectIdentifier("1.3.6.1.4.1.99999.1")  # a type asn1crypto leaves untyped


async def _login_with(app: CabinetApp, signer: KeyFile, *extra: x509.Certificate) -> tuple[int, dict]:
    nonce = await challenge(app)
    builder = pkcs7.PKCS7SignatureBuilder().set_data(base64.b64decode(nonce)).add_signer(
        signer.certificate, signer.private_key, hashes.SHA256())
    for certificate in extra:
        builder = builder.add_certificate(certificate)
    cms = builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.DetachedSignature])
    response = await app.client.post("/api/v1/auth/login",
                                     json={"nonce": nonce, "signature": base64.b64encode(cms).decode()})
    return response.status, await response.json()


@pytest.mark.parametrize(("position", "attribute", "by_key"), [
    ("subject", NameOID.COMMON_NAME, False), ("subject", PRIVATE_ATTRIBUTE, False),
    ("subject", PRIVATE_ATTRIBUTE, True), ("issuer", PRIVATE_ATTRIBUTE, True),
], ids=["subject-common-name", "subject-private-attribute", "subject-by-key-identifier", "issuer-by-key-identifier"])
async def test_a_signer_certificate_with_an_unreadable_name_is_refused_as_malformed(
        cabinet_app: CabinetApp, cast: Cast, db: Database, position: str, attribute: x509.ObjectIdentifier,
        by_key: bool) -> None:
    alice = opened(cast.alice.auth.p12)
    ca = cabinet_app.ca
    crafted = with_unreadable_name(alice.certificate, ca._issuing_key, position=position, attribute=attribute)
    nonce = await challenge(cabinet_app)
    cms = KeyFile(alice.private_key, crafted).sign(base64.b64decode(nonce))
    if by_key:
        cms = by_key_identifier(cms, alice.certificate)

    response = await cabinet_app.client.post("/api/v1/auth/login",
                                              json={"nonce": nonce, "signature": base64.b64encode(cms).decode()})

    await assert_refused(cabinet_app, db, response, "malformed_signature")
    message = (await response.json())["error"]["message"]
    assert f"{position} name cannot be read" in message, message
    assert "Traceback" not in message


async def test_an_extra_certificate_with_an_unreadable_name_is_left_out_of_the_chain(
        cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    """Certificates beside the signer's are only offers for building the path; one that cannot be read
    is ignored like any other unusable one, and the signature is judged on its own merits."""
    alice = opened(cast.alice.auth.p12)
    ca = cabinet_app.ca
    unreadable = [with_unreadable_name(ca.issuing_certificate, ca._issuing_key, position=position,
                                       attribute=PRIVATE_ATTRIBUTE) for position in ("subject", "issuer")]

    status, body = await _login_with(cabinet_app, alice, *unreadable)

    assert status == 200, body
    assert body["user"]["iin"] == "900101400123"
    assert await counts(db) == (1, 1)
