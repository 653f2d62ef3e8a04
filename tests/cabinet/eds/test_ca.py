"""The test CA mirrors NCA: the key profile it issues, its files, its CRL and its OCSP answers."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.errors import CaError
from cabinet.eds.profile import (
    EKU_CLIENT_AUTH,
    EKU_EMAIL_PROTECTION,
    POLICY_INDIVIDUAL_AUTH,
    POLICY_INDIVIDUAL_SIGN,
    POLICY_ORGANIZATION_SIGN,
    ROLE_CEO,
    ROLE_INDIVIDUAL,
    ROLE_ORGANIZATION,
)
from core.clock import FixedClock


def _ext(cert: x509.Certificate, kind: type) -> x509.ExtensionType:
    return cert.extensions.get_extension_for_class(kind).value


def _ocsp_request(cert: x509.Certificate, issuer: x509.Certificate, nonce: bytes | None = None) -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA1())
    if nonce:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def test_the_auth_key_has_the_nca_auth_profile(pki_session) -> None:
    cert = pki_session.alice.auth.certificate
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)

    assert usage.critical and usage.value.digital_signature and usage.value.key_encipherment
    assert not usage.value.content_commitment
    assert list(_ext(cert, x509.ExtendedKeyUsage)) == [EKU_CLIENT_AUTH, ROLE_INDIVIDUAL]
    assert [p.policy_identifier for p in _ext(cert, x509.CertificatePolicies)] == [POLICY_INDIVIDUAL_AUTH]
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    assert cert.public_key().key_size == 2048


def test_the_sign_key_has_the_nca_sign_profile_and_revocation_urls(pki_session) -> None:
    cert = pki_session.alice.sign.certificate
    usage = _ext(cert, x509.KeyUsage)
    base = pki_session.ca.base_url

    assert usage.digital_signature and usage.content_commitment and not usage.key_encipherment
    assert list(_ext(cert, x509.ExtendedKeyUsage)) == [EKU_EMAIL_PROTECTION, ROLE_INDIVIDUAL]
    assert [p.policy_identifier for p in _ext(cert, x509.CertificatePolicies)] == [POLICY_INDIVIDUAL_SIGN]
    assert [n.value for d in _ext(cert, x509.CRLDistributionPoints) for n in d.full_name] == [f"{base}/pki/crl"]
    assert {(d.access_method._name, d.access_location.value) for d in _ext(cert, x509.AuthorityInformationAccess)} == {
        ("OCSP", f"{base}/pki/ocsp"), ("caIssuers", f"{base}/pki/ca.cer")}


def test_an_organisation_key_carries_the_legal_entity_role_and_policy(pki_session) -> None:
    cert = pki_session.director.sign.certificate

    assert list(_ext(cert, x509.ExtendedKeyUsage)) == [EKU_EMAIL_PROTECTION, ROLE_ORGANIZATION, ROLE_CEO]
    assert [p.policy_identifier for p in _ext(cert, x509.CertificatePolicies)] == [POLICY_ORGANIZATION_SIGN]


def test_key_files_are_named_like_nca_and_readable_only_by_the_owner(pki_session) -> None:
    auth, sign = pki_session.alice.auth, pki_session.alice.sign
    ski = _ext(auth.certificate, x509.SubjectKeyIdentifier).digest.hex()

    assert auth.filename == f"AUTH_RSA256_{ski}.p12"
    assert sign.filename.startswith("RSA256_") and len(sign.filename) == len("RSA256_") + 40 + 4
    assert auth.path is not None and auth.path.read_bytes() == auth.p12
    assert auth.path.stat().st_mode & 0o777 == 0o600


def test_ca_private_keys_are_0600_and_the_ca_reopens(pki_session) -> None:
    directory = pki_session.ca.directory
    for stem in ("root", "issuing", "ocsp"):
        assert (directory / f"{stem}.key.pem").stat().st_mode & 0o777 == 0o600
    reopened = CertificateAuthority.open(directory, FixedClock())

    assert reopened.issuing_certificate == pki_session.ca.issuing_certificate
    assert reopened.is_issued(pki_session.alice.auth.serial)


def test_init_refuses_to_overwrite_an_existing_ca(pki_session) -> None:
    with pytest.raises(CaError) as caught:
        CertificateAuthority.init(pki_session.ca.directory, base_url="http://x", clock=FixedClock())
    assert caught.value.code == "ca_exists"


def test_the_crl_is_signed_fresh_and_lists_revoked_serials_with_reasons(pki_session) -> None:
    crl = x509.load_der_x509_crl(pki_session.ca.crl())

    assert crl.is_signature_valid(pki_session.ca.issuing_certificate.public_key())
    assert crl.next_update_utc is not None and crl.next_update_utc > crl.last_update_utc
    entry = crl.get_revoked_certificate_by_serial_number(pki_session.revoked.auth.serial)
    assert entry is not None and _ext_reason(entry) is x509.ReasonFlags.key_compromise
    assert crl.get_revoked_certificate_by_serial_number(pki_session.alice.auth.serial) is None


def _ext_reason(entry: x509.RevokedCertificate) -> x509.ReasonFlags:
    return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason


@pytest.mark.parametrize(
    ("person", "status"),
    [("alice", ocsp.OCSPCertStatus.GOOD), ("revoked", ocsp.OCSPCertStatus.REVOKED)],
)
def test_ocsp_answers_good_or_revoked_and_echoes_the_nonce(pki_session, person: str, status) -> None:
    ca = pki_session.ca
    cert = getattr(pki_session, person).auth.certificate

    response = ocsp.load_der_ocsp_response(ca.ocsp_response(_ocsp_request(cert, ca.issuing_certificate, b"n" * 16)))

    assert response.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert response.certificate_status is status
    assert response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"n" * 16
    assert response.next_update_utc == response.this_update_utc + ca.ocsp_validity
    assert response.certificates == [ca.ocsp_certificate]  # delegated responder, issued by the CA
    ca.ocsp_certificate.verify_directly_issued_by(ca.issuing_certificate)


def test_ocsp_says_unknown_for_a_serial_it_never_issued(pki_session) -> None:
    ca = pki_session.ca
    stranger_cert = pki_session.outsider.auth.certificate
    forged = x509.CertificateBuilder().subject_name(stranger_cert.subject).issuer_name(
        ca.issuing_certificate.subject).public_key(stranger_cert.public_key()).serial_number(12345).not_valid_before(
        stranger_cert.not_valid_before_utc).not_valid_after(stranger_cert.not_valid_after_utc).sign(
        pki_session.rogue_key, hashes.SHA256())

    response = ocsp.load_der_ocsp_response(ca.ocsp_response(_ocsp_request(forged, ca.issuing_certificate)))

    assert response.certificate_status is ocsp.OCSPCertStatus.UNKNOWN


def test_ocsp_refuses_requests_about_another_issuer(pki_session) -> None:
    outsider = pki_session.outsider.auth.certificate
    request = _ocsp_request(outsider, pki_session.stranger.issuing_certificate)

    response = ocsp.load_der_ocsp_response(pki_session.ca.ocsp_response(request))

    assert response.response_status is ocsp.OCSPResponseStatus.UNAUTHORIZED


# the same "random" bytes in every process: parallel workers must collect the same test ids
@pytest.mark.parametrize("garbage", [b"", b"\x30\x00", b"hello", random.Random(151).randbytes(64)],
                         ids=["empty", "empty-sequence", "text", "random-64"])
def test_a_malformed_ocsp_request_gets_a_malformed_request_response(pki_session, garbage: bytes) -> None:
    response = ocsp.load_der_ocsp_response(pki_session.ca.ocsp_response(garbage))

    assert response.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


def test_a_revocation_by_another_process_is_seen_without_restart(tmp_path) -> None:
    clock = FixedClock()
    server_side = CertificateAuthority.init(tmp_path / "ca", base_url="http://127.0.0.1:9", clock=clock)
    person = server_side.issue_person(iin="900101400001", surname="А", given_name="Б", patronymic=None,
                                      password=b"pw")
    request = _ocsp_request(person.sign.certificate, server_side.issuing_certificate)
    assert ocsp.load_der_ocsp_response(server_side.ocsp_response(request)).certificate_status is (
        ocsp.OCSPCertStatus.GOOD)
    first_crl = server_side.crl()

    cli_side = CertificateAuthority.open(tmp_path / "ca", clock)  # as `sotkab pki revoke` would
    cli_side.revoke(person.sign.serial, "keyCompromise")

    assert ocsp.load_der_ocsp_response(server_side.ocsp_response(request)).certificate_status is (
        ocsp.OCSPCertStatus.REVOKED)
    crl = x509.load_der_x509_crl(server_side.crl())
    assert crl != x509.load_der_x509_crl(first_crl)
    assert crl.get_revoked_certificate_by_serial_number(person.sign.serial) is not None


def test_revoking_twice_or_an_unknown_serial_is_refused(pki_session) -> None:
    with pytest.raises(CaError) as twice:
        pki_session.ca.revoke(pki_session.revoked.auth.serial, "keyCompromise")
    with pytest.raises(CaError) as unknown:
        pki_session.ca.revoke(0xDEADBEEF)

    assert (twice.value.code, unknown.value.code) == ("already_revoked", "serial_unknown")


def test_issue_rejects_bad_subject_data_and_inverted_validity(pki_session) -> None:
    ca = pki_session.ca
    now = ca.clock.now()
    with pytest.raises(CaError, match="IIN"):
        ca.issue_person(iin="12345", surname="А", given_name="Б", patronymic=None, password=b"pw")
    with pytest.raises(CaError) as inverted:
        ca.issue_person(iin="900101400001", surname="А", given_name="Б", patronymic=None, password=b"pw",
                        not_before=now, not_after=now - timedelta(days=1))
    assert inverted.value.code == "validity_invalid"
