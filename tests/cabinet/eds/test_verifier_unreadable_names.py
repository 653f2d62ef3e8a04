"""A certificate whose name cannot be read, wherever it sits, is a refusal the verifier returns and
never an exception it raises (``verify_cms`` never raises for bad input).

cryptography parses names lazily, so a name attribute DER-encoded as a BIT STRING (allowed for
X500UniqueIdentifier only) loads and raises a TypeError on the first read of ``subject`` or
``issuer`` (see :func:`tests.cabinet.conftest.retype`). Each certificate a signature brings with it
can carry one: the signer's own, the others in the CMS, the OCSP responder's, and the CRL's issuer.
Every one here is made with the test CA's real keys, so only the name can be what is refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from cabinet.eds import pki
from cabinet.eds.errors import TrustStoreError
from cabinet.eds.keys import KeyFile
from cabinet.eds.profile import Purpose
from cabinet.eds.revocation import RevocationChecker
from cabinet.eds.trust import TrustStore
from cabinet.eds.verifier import FailureCode, Verifier
from tests.cabinet.conftest import by_key_identifier, retype, with_unreadable_name
from tests.cabinet.eds.test_revocation import unreadable_crl, unreadable_responder_answer

CHALLENGE = b"sotkab-login:5f0c1e2a9b7d4e3f"
PRIVATE_ATTRIBUTE = x509.ObjectIdentifier("1.3.6.1.4.1.99999.1")  # a type asn1crypto leaves untyped


@pytest.mark.parametrize(("position", "attribute", "by_key"), [
    ("subject", NameOID.COMMON_NAME, False), ("subject", PRIVATE_ATTRIBUTE, True), ("issuer", PRIVATE_ATTRIBUTE, True),
], ids=["subject", "subject-by-key-identifier", "issuer-by-key-identifier"])
async def test_a_signer_certificate_whose_name_cannot_be_read_is_malformed(
        pki_env, verifier, key_of, position: str, attribute: x509.ObjectIdentifier, by_key: bool) -> None:
    alice = key_of(pki_env.alice)
    crafted = with_unreadable_name(alice.certificate, pki_env.ca._issuing_key, position=position,
                                   attribute=attribute)
    cms = KeyFile(alice.private_key, crafted).sign(CHALLENGE)
    if by_key:
        cms = by_key_identifier(cms, alice.certificate)

    result = await verifier.verify_cms(cms, content=CHALLENGE, purpose=Purpose.LOGIN)

    assert (result.code, result.intact, result.valid) == (FailureCode.MALFORMED_SIGNATURE, False, False)
    assert f"the {position} name cannot be read" in result.message, result.message
    assert result.signer is None and result.certificate is None


async def test_a_certificate_beside_the_signers_whose_name_cannot_be_read_is_left_out(
        pki_env, verifier, key_of) -> None:
    """The other certificates in a CMS are offers for building the path, and an unusable one is
    ignored; a signature that needs none of them is judged on its own merits."""
    ca, alice = pki_env.ca, key_of(pki_env.alice)
    offered = [with_unreadable_name(ca.issuing_certificate, ca._issuing_key, position=position,
                                    attribute=PRIVATE_ATTRIBUTE) for position in ("subject", "issuer")]
    builder = pkcs7.PKCS7SignatureBuilder().set_data(CHALLENGE).add_signer(
        alice.certificate, alice.private_key, hashes.SHA256())
    for certificate in offered:
        builder = builder.add_certificate(certificate)
    cms = builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature])

    result = await verifier.verify_cms(cms, content=CHALLENGE, purpose=Purpose.LOGIN)

    assert result.valid, result.message


@pytest.mark.parametrize("readable", [True, False], ids=["readable", "unreadable"])
async def test_a_path_through_a_certificate_whose_name_cannot_be_read_is_untrusted(
        pki_env, transport, clock, key_of, readable: bool) -> None:
    """With only the root configured the CMS must bring the issuing CA; brought readable the path is
    built, brought (signed by the same root) with an unreadable issuer name it is not."""
    ca, alice = pki_env.ca, key_of(pki_env.alice)
    verifier = Verifier(TrustStore([ca.root_certificate]), RevocationChecker(transport, clock), clock)
    root_key = pki.load_private_key(ca.directory / "root.key.pem")
    issuing = ca.issuing_certificate if readable else with_unreadable_name(
        ca.issuing_certificate, root_key, position="issuer", attribute=PRIVATE_ATTRIBUTE)
    cms = (pkcs7.PKCS7SignatureBuilder().set_data(CHALLENGE)
           .add_signer(alice.certificate, alice.private_key, hashes.SHA256()).add_certificate(issuing)
           .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature]))

    result = await verifier.verify_cms(cms, content=CHALLENGE, purpose=Purpose.LOGIN)

    assert result.intact
    assert result.code is (None if readable else FailureCode.CERTIFICATE_UNTRUSTED), result.message


async def test_an_ocsp_answer_whose_responder_name_cannot_be_read_leaves_revocation_unknown(
        pki_env, verifier, key_of) -> None:
    alice = key_of(pki_env.alice)
    pki_env.faults.ocsp = "served"
    pki_env.faults.ocsp_answer = retype(unreadable_responder_answer(pki_env, alice.certificate))
    pki_env.faults.crl = "down"

    result = await verifier.verify_cms(alice.sign(CHALLENGE), content=CHALLENGE, purpose=Purpose.LOGIN)

    assert (result.code, result.intact, result.trusted) == (FailureCode.REVOCATION_UNKNOWN, True, True)
    assert "OCSP responder's name cannot be read" in result.message, result.message


async def test_a_crl_whose_issuer_name_cannot_be_read_leaves_revocation_unknown(
        pki_env, verifier, key_of, clock) -> None:
    pki_env.faults.ocsp = "down"
    pki_env.faults.crl, pki_env.faults.crl_answer = "served", unreadable_crl(pki_env, clock)

    result = await verifier.verify_cms(key_of(pki_env.revoked).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert (result.code, result.intact, result.trusted) == (FailureCode.REVOCATION_UNKNOWN, True, True)
    assert "CRL's issuer name cannot be read" in result.message, result.message


def test_a_configured_root_whose_name_cannot_be_read_stops_start_up_naming_the_file(
        pki_session, tmp_path: Path) -> None:
    """An operator's mistake, not an attacker's: it is said at start-up, as any unreadable root is."""
    ca = pki_session.ca
    root_key = pki.load_private_key(ca.directory / "root.key.pem")
    root = with_unreadable_name(ca.root_certificate, root_key, position="subject", attribute=NameOID.COMMON_NAME)
    path = tmp_path / "root.pem"
    path.write_bytes(root.public_bytes(serialization.Encoding.PEM))

    with pytest.raises(TrustStoreError, match=r"root\.pem cannot be read as a certificate: the subject name cannot"):
        TrustStore.from_files([path])
