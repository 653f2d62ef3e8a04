"""The verifier's verdicts: one valid case per purpose, then every way a signature must be refused,
each with its own code. Revocation is checked over real HTTP against the test CA's server."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path

import pytest
from asn1crypto import cms as asn1_cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from cabinet.eds.errors import EdsError
from cabinet.eds.keys import load_key_file
from cabinet.eds.profile import KeyType, Purpose, Role
from cabinet.eds.revocation import RevocationChecker, RevocationSource, RevocationStatus
from cabinet.eds.trust import TrustStore
from cabinet.eds.verifier import FailureCode, VerificationFailed, Verifier

CHALLENGE = b"sotkab-login:5f0c1e2a9b7d4e3f"
DOCUMENT = "Талап арыз: сотқа өтініш".encode()


async def test_a_login_with_the_auth_key_is_valid_and_names_the_person(pki_env, verifier, key_of) -> None:
    cms = key_of(pki_env.alice, "auth").sign(CHALLENGE)

    result = await verifier.verify_cms(cms, content=CHALLENGE, purpose=Purpose.LOGIN)

    assert (result.valid, result.intact, result.trusted, result.code) == (True, True, True, None)
    assert result.signer is not None
    assert result.signer.iin == "900101400001"
    assert (result.signer.surname, result.signer.given_name, result.signer.patronymic) == (
        "ЖҰМАБЕКОВА", "ӘЙГЕРІМ", "СЕРІКҚЫЗЫ")
    assert result.key_type is KeyType.AUTH
    assert result.roles == (Role.INDIVIDUAL,)
    assert result.revocation is not None
    assert (result.revocation.status, result.revocation.source) == (RevocationStatus.GOOD, RevocationSource.OCSP)
    assert result.revocation.evidence  # the signed OCSP response, for the case file
    assert result.certificate is not None and result.certificate.valid_now
    assert result.signing_time is not None and result.certificate.valid_at_signing_time
    assert result.content == CHALLENGE


async def test_an_attached_document_signature_with_the_sign_key_is_valid(pki_env, verifier, key_of) -> None:
    cms = key_of(pki_env.director, "sign").sign(DOCUMENT, detached=False)

    result = await verifier.verify_cms(cms, content=None, purpose=Purpose.DOCUMENT)

    assert result.valid, result.message
    assert result.content == DOCUMENT
    assert result.key_type is KeyType.SIGN
    assert result.roles == (Role.ORGANIZATION, Role.CEO)
    assert result.signer is not None and result.signer.bin == "123456789021"
    assert result.signer.organisation == "ТОО «Сот»"


async def test_base64_as_ncalayer_returns_it_is_accepted(pki_env, verifier, key_of) -> None:
    cms = base64.b64encode(key_of(pki_env.alice).sign(CHALLENGE)).decode()

    result = await verifier.verify_cms(cms, content=CHALLENGE, purpose=Purpose.LOGIN)

    assert result.valid, result.message


async def test_a_key_loaded_from_its_p12_file_signs_verifiably(pki_env, verifier) -> None:
    assert pki_env.alice.sign.path is not None
    key = load_key_file(pki_env.alice.sign.path, b"correct horse")

    result = await verifier.verify_cms(key.sign(DOCUMENT), content=DOCUMENT, purpose=Purpose.DOCUMENT)

    assert result.valid, result.message


async def test_tampered_content_is_signature_invalid(pki_env, verifier, key_of) -> None:
    cms = key_of(pki_env.alice, "sign").sign(DOCUMENT)

    result = await verifier.verify_cms(cms, content=DOCUMENT + b" and 1,000,000 tenge", purpose=Purpose.DOCUMENT)

    assert (result.code, result.intact, result.valid) == (FailureCode.SIGNATURE_INVALID, False, False)


async def test_a_tampered_signature_value_is_signature_invalid(pki_env, verifier, key_of) -> None:
    info = asn1_cms.ContentInfo.load(key_of(pki_env.alice).sign(CHALLENGE))
    signer = info["content"]["signer_infos"][0]
    value = bytearray(signer["signature"].native)
    value[10] ^= 0x01
    signer["signature"] = bytes(value)

    result = await verifier.verify_cms(info.dump(force=True), content=CHALLENGE, purpose=Purpose.LOGIN)

    assert result.code == FailureCode.SIGNATURE_INVALID


async def test_attached_content_that_differs_from_the_expected_challenge_is_refused(
    pki_env, verifier, key_of
) -> None:
    cms = key_of(pki_env.alice).sign(b"an old challenge", detached=False)

    result = await verifier.verify_cms(cms, content=CHALLENGE, purpose=Purpose.LOGIN)

    assert result.code == FailureCode.SIGNATURE_INVALID


async def test_an_expired_certificate_is_certificate_expired(pki_env, verifier, key_of) -> None:
    result = await verifier.verify_cms(key_of(pki_env.expired).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert (result.code, result.intact, result.trusted) == (FailureCode.CERTIFICATE_EXPIRED, True, True)
    assert result.certificate is not None and not result.certificate.valid_now


async def test_a_not_yet_valid_certificate_is_certificate_not_yet_valid(pki_env, verifier, key_of) -> None:
    result = await verifier.verify_cms(key_of(pki_env.future).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert result.code == FailureCode.CERTIFICATE_NOT_YET_VALID


async def test_a_certificate_from_an_unknown_ca_is_certificate_untrusted(pki_env, verifier, key_of) -> None:
    result = await verifier.verify_cms(key_of(pki_env.outsider).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert (result.code, result.intact, result.trusted) == (FailureCode.CERTIFICATE_UNTRUSTED, True, False)
    assert pki_env.faults.hits["/pki/ocsp"] == 0  # no network for a certificate we would refuse anyway


async def test_a_chain_supplied_in_the_cms_to_an_unconfigured_root_is_untrusted(
    pki_env, transport, clock, key_of
) -> None:
    outsider = key_of(pki_env.outsider)

    cms = (
        pkcs7.PKCS7SignatureBuilder().set_data(CHALLENGE)
        .add_signer(outsider.certificate, outsider.private_key, hashes.SHA256())
        .add_certificate(pki_env.stranger.issuing_certificate)
        .add_certificate(pki_env.stranger.root_certificate)
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature])
    )
    only_ours = TrustStore([pki_env.ca.root_certificate], [pki_env.ca.issuing_certificate])
    verifier = Verifier(only_ours, RevocationChecker(transport, clock), clock)

    result = await verifier.verify_cms(cms, content=CHALLENGE, purpose=Purpose.LOGIN)

    assert result.code == FailureCode.CERTIFICATE_UNTRUSTED


async def test_revoked_via_ocsp_is_certificate_revoked(pki_env, verifier, key_of) -> None:
    result = await verifier.verify_cms(key_of(pki_env.revoked).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert result.code == FailureCode.CERTIFICATE_REVOKED
    assert result.revocation is not None
    assert (result.revocation.source, result.revocation.reason) == (RevocationSource.OCSP, "keyCompromise")


async def test_revoked_via_crl_when_ocsp_is_unreachable(pki_env, verifier, key_of) -> None:
    pki_env.faults.ocsp = "down"

    result = await verifier.verify_cms(key_of(pki_env.revoked).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert result.code == FailureCode.CERTIFICATE_REVOKED
    assert result.revocation is not None and result.revocation.source is RevocationSource.CRL
    assert pki_env.faults.hits["/pki/ocsp"] == 1 and pki_env.faults.hits["/pki/crl"] == 1


async def test_ocsp_and_crl_unreachable_is_revocation_unknown_under_hard_fail(pki_env, verifier, key_of) -> None:
    result = await verifier.verify_cms(key_of(pki_env.offline).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert (result.code, result.intact, result.trusted) == (FailureCode.REVOCATION_UNKNOWN, True, True)
    assert "unreachable" in result.message


async def test_ocsp_and_crl_answering_errors_is_revocation_unknown(pki_env, verifier, key_of) -> None:
    pki_env.faults.ocsp = pki_env.faults.crl = "down"

    result = await verifier.verify_cms(key_of(pki_env.alice).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert result.code == FailureCode.REVOCATION_UNKNOWN


async def test_soft_fail_accepts_when_revocation_cannot_be_checked(pki_env, make_verifier, key_of) -> None:
    result = await make_verifier(soft_fail=True).verify_cms(
        key_of(pki_env.offline).sign(CHALLENGE), content=CHALLENGE, purpose=Purpose.LOGIN)

    assert result.valid
    assert result.revocation is not None and result.revocation.status is RevocationStatus.UNKNOWN


async def test_the_auth_key_cannot_sign_a_document(pki_env, verifier, key_of) -> None:
    result = await verifier.verify_cms(key_of(pki_env.alice, "auth").sign(DOCUMENT), content=DOCUMENT,
                                       purpose=Purpose.DOCUMENT)

    assert result.code == FailureCode.WRONG_KEY_USAGE
    assert result.intact and result.trusted


async def test_the_sign_key_cannot_log_in(pki_env, verifier, key_of) -> None:
    result = await verifier.verify_cms(key_of(pki_env.alice, "sign").sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert result.code == FailureCode.WRONG_KEY_USAGE


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not base64 at all!!", "%%%", base64.b64encode(b"\x30\x03\x02\x01"), b"\x30\x80\x00",
     base64.b64encode(b"hello world")],
)
async def test_garbage_is_malformed_signature(verifier, garbage: bytes | str) -> None:
    result = await verifier.verify_cms(garbage, content=CHALLENGE, purpose=Purpose.LOGIN)

    assert result.code == FailureCode.MALFORMED_SIGNATURE
    assert result.signer is None


async def test_a_detached_signature_without_content_is_malformed(pki_env, verifier, key_of) -> None:
    result = await verifier.verify_cms(key_of(pki_env.alice).sign(CHALLENGE), content=None, purpose=Purpose.LOGIN)

    assert result.code == FailureCode.MALFORMED_SIGNATURE


async def test_cms_that_is_not_signed_data_is_malformed(verifier) -> None:
    data = asn1_cms.ContentInfo({"content_type": "data", "content": b"just data"}).dump()

    result = await verifier.verify_cms(data, content=None, purpose=Purpose.LOGIN)

    assert result.code == FailureCode.MALFORMED_SIGNATURE


async def test_signed_data_without_a_signer_is_malformed(pki_env, verifier, key_of) -> None:
    info = asn1_cms.ContentInfo.load(key_of(pki_env.alice).sign(CHALLENGE))
    info["content"]["signer_infos"] = []

    result = await verifier.verify_cms(info.dump(force=True), content=CHALLENGE, purpose=Purpose.LOGIN)

    assert result.code == FailureCode.MALFORMED_SIGNATURE


async def test_a_gost_signature_is_unsupported_algorithm(pki_env, verifier, key_of) -> None:
    info = asn1_cms.ContentInfo.load(key_of(pki_env.alice).sign(CHALLENGE))
    info["content"]["signer_infos"][0]["signature_algorithm"] = {"algorithm": "1.2.398.3.10.1.1.1.2"}

    result = await verifier.verify_cms(info.dump(force=True), content=CHALLENGE, purpose=Purpose.LOGIN)

    assert result.code == FailureCode.UNSUPPORTED_ALGORITHM


async def test_a_forged_ocsp_answer_is_not_believed(pki_env, verifier, key_of) -> None:
    pki_env.faults.ocsp = "forged"  # says "good" for a revoked certificate, signed by a rogue key
    pki_env.faults.crl = "down"

    result = await verifier.verify_cms(key_of(pki_env.revoked).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert result.code == FailureCode.REVOCATION_UNKNOWN
    assert "signature does not verify" in result.message


async def test_a_forged_ocsp_answer_falls_back_to_the_crl(pki_env, verifier, key_of) -> None:
    pki_env.faults.ocsp = "forged"

    result = await verifier.verify_cms(key_of(pki_env.revoked).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert result.code == FailureCode.CERTIFICATE_REVOKED
    assert result.revocation is not None and result.revocation.source is RevocationSource.CRL


async def test_a_stale_ocsp_answer_is_rejected(pki_env, verifier, clock, key_of) -> None:
    clock.advance(pki_env.ca.ocsp_validity + timedelta(minutes=30))  # the responder's answer is old news now
    pki_env.faults.crl = "down"

    result = await verifier.verify_cms(key_of(pki_env.alice).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    assert result.code == FailureCode.REVOCATION_UNKNOWN
    assert "stale" in result.message


async def test_a_failed_result_raises_a_401_error_with_its_code(pki_env, verifier, key_of) -> None:
    result = await verifier.verify_cms(key_of(pki_env.alice, "sign").sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    with pytest.raises(VerificationFailed) as caught:
        result.raise_for_failure()
    assert isinstance(caught.value, EdsError)
    assert (caught.value.status, caught.value.code) == (401, "wrong_key_usage")


async def test_the_json_result_is_shaped_for_the_api(pki_env, verifier, key_of) -> None:
    result = await verifier.verify_cms(key_of(pki_env.alice).sign(CHALLENGE), content=CHALLENGE,
                                       purpose=Purpose.LOGIN)

    body = result.to_json()

    assert body["valid"] and body["code"] is None and body["key_type"] == "AUTH"
    assert body["signer"]["iin"] == "900101400001" and body["signer"]["surname"] == "ЖҰМАБЕКОВА"
    assert body["roles"] == ["INDIVIDUAL"]
    assert body["revocation"]["status"] == "good" and body["revocation"]["source"] == "ocsp"
    assert {"not_before", "not_after", "valid_now", "valid_at_signing_time"} <= body["certificate"].keys()


# ----------------------------------------------------------------------------- real NCA material
def _kalkan_cms(folder: Path, prefix: str) -> bytes:
    return next(folder.glob(f"{prefix}*.cms")).read_bytes()


async def test_kalkan_cms_is_intact_but_expired_and_untrusted(nca: Path, verifier) -> None:
    result = await verifier.verify_cms(_kalkan_cms(nca / "active", "AUTH_"), content=None, purpose=Purpose.LOGIN)

    assert (result.intact, result.trusted, result.valid) == (True, False, False)
    assert result.code == FailureCode.CERTIFICATE_UNTRUSTED
    assert result.signer is not None and result.signer.iin == "123456789011"
    assert result.signer.common_name == "ТЕСТОВ ТЕСТ" and result.signer.patronymic == "ТЕСТОВИЧ"
    assert result.certificate is not None
    assert (result.certificate.valid_now, result.certificate.valid_at_signing_time) == (False, True)
    assert result.key_type is KeyType.AUTH


async def test_kalkan_cms_with_the_nca_cert_as_a_configured_root_is_then_just_expired(
    nca: Path, transport, clock
) -> None:
    leaf = x509.load_pem_x509_certificate(next((nca / "active").glob("RSA256_*.cer")).read_bytes())
    verifier = Verifier(TrustStore([leaf]), RevocationChecker(transport, clock), clock)

    result = await verifier.verify_cms(_kalkan_cms(nca / "active", "RSA256_"), content=None,
                                       purpose=Purpose.DOCUMENT)

    assert (result.intact, result.trusted, result.code) == (True, True, FailureCode.CERTIFICATE_EXPIRED)


@pytest.mark.parametrize("folder", ["active", "revoked"])
async def test_every_kalkan_signature_is_intact(nca: Path, verifier, folder: str) -> None:
    for path in sorted((nca / folder).glob("*.cms")):
        result = await verifier.verify_cms(path.read_bytes(), content=None, purpose=Purpose.LOGIN)
        assert result.intact, (path.name, result.code, result.message)


async def test_kalkan_content_altered_is_signature_invalid(nca: Path, verifier) -> None:
    result = await verifier.verify_cms(_kalkan_cms(nca / "active", "AUTH_"), content=b"asdasX",
                                       purpose=Purpose.LOGIN)

    assert result.code == FailureCode.SIGNATURE_INVALID
