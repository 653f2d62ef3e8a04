"""The revocation checker believes only authentic, current answers about the right certificate,
and serves repeated questions from its cache until the answer's nextUpdate."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

from cabinet.eds import pki
from cabinet.eds.revocation import Rejected, RevocationChecker, RevocationSource, RevocationStatus
from tests.cabinet.conftest import UNREADABLE, marked, retype, with_unreadable_name


def _respond(env, cert, *, key=None, responder=None, status=ocsp.OCSPCertStatus.GOOD, this_update=None,
             next_update=None, about=None, nonce=None, by_name=False) -> bytes:
    """An OCSP response built by hand, so each field can be wrong on purpose."""
    ca = env.ca
    now = ca.clock.now().replace(microsecond=0)
    this_update = this_update or now
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=about or cert, issuer=ca.issuing_certificate,
        algorithm=hashes.SHA1(), cert_status=status, this_update=this_update,
        next_update=next_update or this_update + timedelta(hours=1),
        revocation_time=now if status is ocsp.OCSPCertStatus.REVOKED else None, revocation_reason=None,
    )
    responder = responder or ca.issuing_certificate
    encoding = ocsp.OCSPResponderEncoding.NAME if by_name else ocsp.OCSPResponderEncoding.HASH
    builder = builder.responder_id(encoding, responder).certificates([responder])
    if nonce:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    signing_key = key or ca._issuing_key
    return builder.sign(signing_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@pytest.fixture
def checker(transport, clock) -> RevocationChecker:
    return RevocationChecker(transport, clock)


async def test_an_answer_is_cached_until_its_next_update(pki_env, checker, clock) -> None:
    cert, issuer = pki_env.alice.sign.certificate, pki_env.ca.issuing_certificate

    first = await checker.check(cert, issuer)
    second = await checker.check(cert, issuer)
    assert pki_env.faults.hits["/pki/ocsp"] == 1
    assert second is first and first.source is RevocationSource.OCSP

    clock.advance(pki_env.ca.ocsp_validity + timedelta(minutes=1))
    await checker.check(cert, issuer)
    assert pki_env.faults.hits["/pki/ocsp"] == 2


async def test_concurrent_checks_of_one_certificate_share_one_request(pki_env, checker) -> None:
    cert, issuer = pki_env.alice.auth.certificate, pki_env.ca.issuing_certificate

    results = await asyncio.gather(*(checker.check(cert, issuer) for _ in range(20)))

    assert {r.status for r in results} == {RevocationStatus.GOOD}
    assert pki_env.faults.hits["/pki/ocsp"] == 1


async def test_a_crl_is_fetched_once_for_many_certificates(pki_env, checker) -> None:
    pki_env.faults.ocsp = "down"
    issuer = pki_env.ca.issuing_certificate

    statuses = [(await checker.check(p.sign.certificate, issuer)).status
                for p in (pki_env.alice, pki_env.director, pki_env.revoked)]

    assert statuses == [RevocationStatus.GOOD, RevocationStatus.GOOD, RevocationStatus.REVOKED]
    assert pki_env.faults.hits["/pki/crl"] == 1


async def test_a_stale_ocsp_answer_gives_way_to_a_fresh_crl(pki_env, checker, clock) -> None:
    clock.advance(pki_env.ca.ocsp_validity + timedelta(minutes=10))

    result = await checker.check(pki_env.alice.sign.certificate, pki_env.ca.issuing_certificate)

    assert (result.status, result.source) == (RevocationStatus.GOOD, RevocationSource.CRL)
    assert any("stale" in problem for problem in result.problems)


async def test_soft_fail_is_a_flag_the_verifier_reads_not_a_fake_answer(pki_env, transport, clock) -> None:
    checker = RevocationChecker(transport, clock, soft_fail=True)

    result = await checker.check(pki_env.offline.sign.certificate, pki_env.unreachable.issuing_certificate)

    assert result.status is RevocationStatus.UNKNOWN and result.source is None
    assert len(result.problems) == 2


def test_a_response_signed_by_the_issuer_itself_is_accepted(pki_session, checker) -> None:
    cert = pki_session.alice.sign.certificate

    result = checker.verify_ocsp_response(_respond(pki_session, cert), cert, pki_session.ca.issuing_certificate)

    assert result.status is RevocationStatus.GOOD


def test_a_responder_the_issuer_never_certified_is_rejected(pki_session, checker) -> None:
    cert = pki_session.alice.sign.certificate
    rogue_key = pki_session.rogue_key
    rogue = pki.ocsp_responder_certificate(rogue_key, pki_session.ca.issuing_certificate, rogue_key, "rogue",
                                           cert.not_valid_before_utc, cert.not_valid_after_utc)
    der = _respond(pki_session, cert, key=rogue_key, responder=rogue)

    with pytest.raises(Rejected, match="not issued by"):
        checker.verify_ocsp_response(der, cert, pki_session.ca.issuing_certificate)


def test_a_certificate_without_ocsp_signing_cannot_answer_for_the_issuer(pki_session, checker) -> None:
    cert = pki_session.alice.sign.certificate
    imposter = pki_session.director.sign  # issued by the CA, but for signing documents

    der = _respond(pki_session, cert, key=imposter.private_key, responder=imposter.certificate)

    with pytest.raises(Rejected, match="not authorised for OCSP signing"):
        checker.verify_ocsp_response(der, cert, pki_session.ca.issuing_certificate)


def test_an_answer_about_another_certificate_is_rejected(pki_session, checker) -> None:
    cert = pki_session.revoked.sign.certificate
    der = _respond(pki_session, cert, about=pki_session.alice.sign.certificate)  # a genuine "good" for alice, replayed

    with pytest.raises(Rejected, match="certID"):
        checker.verify_ocsp_response(der, cert, pki_session.ca.issuing_certificate)


def test_an_answer_from_the_future_is_rejected(pki_session, checker, clock) -> None:
    cert = pki_session.alice.sign.certificate
    der = _respond(pki_session, cert, this_update=clock.now().replace(microsecond=0) + timedelta(hours=2))

    with pytest.raises(Rejected, match="future"):
        checker.verify_ocsp_response(der, cert, pki_session.ca.issuing_certificate)


def test_a_replayed_nonce_is_rejected(pki_session, checker) -> None:
    cert = pki_session.alice.sign.certificate
    der = _respond(pki_session, cert, nonce=b"old" * 5)

    with pytest.raises(Rejected, match="nonce"):
        checker.verify_ocsp_response(der, cert, pki_session.ca.issuing_certificate, nonce=b"new" * 5)


@pytest.mark.parametrize("garbage", [b"", b"\x30\x03\x0a\x01\x00", b"junk"])
def test_garbage_or_unsuccessful_responses_are_rejected(pki_session, checker, garbage: bytes) -> None:
    with pytest.raises(Rejected):
        checker.verify_ocsp_response(garbage, pki_session.alice.sign.certificate,
                                     pki_session.ca.issuing_certificate)


async def test_a_crl_signed_by_someone_else_is_rejected(pki_session, clock) -> None:
    now = clock.now()
    forged = pki.build_crl(pki_session.ca.issuing_certificate, pki_session.rogue_key, (),
                           this_update=now, next_update=now + timedelta(days=1), number=1)

    class Forger:
        async def fetch_ocsp(self, url: str, request_der: bytes) -> bytes:
            raise OSError("down")

        async def fetch_crl(self, url: str) -> bytes:
            return forged

    result = await RevocationChecker(Forger(), clock).check(pki_session.revoked.sign.certificate,
                                                            pki_session.ca.issuing_certificate)

    assert result.status is RevocationStatus.UNKNOWN
    assert any("CRL signature does not verify" in p for p in result.problems)


def unreadable_responder_answer(env, cert) -> bytes:
    """A delegated responder the CA really issued, named "QQQQ" and named so in the answer, with
    that name retyped as a BIT STRING in both places (see :func:`tests.cabinet.conftest.retype`)."""
    ca, key = env.ca, env.rogue_key
    responder = pki.ocsp_responder_certificate(key, ca.issuing_certificate, ca._issuing_key, UNREADABLE,
                                               cert.not_valid_before_utc, cert.not_valid_after_utc)
    return _respond(env, cert, key=key, responder=responder, by_name=True)


def test_an_answer_whose_responder_name_cannot_be_read_is_rejected(pki_session, checker) -> None:
    cert = pki_session.alice.sign.certificate
    der = retype(unreadable_responder_answer(pki_session, cert))

    with pytest.raises(Rejected, match="OCSP responder's name cannot be read"):
        checker.verify_ocsp_response(der, cert, pki_session.ca.issuing_certificate)


def test_an_answer_whose_named_responder_certificate_cannot_be_read_is_rejected(pki_session, checker) -> None:
    cert = pki_session.alice.sign.certificate
    der = retype(unreadable_responder_answer(pki_session, cert), only=1)  # the certificate, not the ResponderID

    with pytest.raises(Rejected, match="responder certificate's subject name cannot be read"):
        checker.verify_ocsp_response(der, cert, pki_session.ca.issuing_certificate)


def test_a_responder_found_by_key_hash_is_believed_though_its_name_cannot_be_read(pki_session, checker) -> None:
    """The name of a responder matched by its key is never needed, so it is never read: the answer is
    authentic (signed by the key the CA certified for OCSP signing) and stands."""
    ca = pki_session.ca
    cert = pki_session.alice.sign.certificate
    responder = with_unreadable_name(ca.ocsp_certificate, ca._issuing_key, position="subject",
                                     attribute=NameOID.COMMON_NAME)
    der = _respond(pki_session, cert, key=ca._ocsp_key, responder=responder)

    result = checker.verify_ocsp_response(der, cert, ca.issuing_certificate)

    assert result.status is RevocationStatus.GOOD


def unreadable_crl(env, clock) -> bytes:
    """A fresh, empty CRL signed by the issuing CA's key, naming it with one attribute retyped."""
    ca = env.ca
    now = clock.now().replace(microsecond=0)
    crl = (x509.CertificateRevocationListBuilder()
           .issuer_name(marked(ca.issuing_certificate.subject, NameOID.COMMON_NAME))
           .last_update(now - timedelta(minutes=1)).next_update(now + timedelta(hours=1))
           .sign(ca._issuing_key, hashes.SHA256()))
    return retype(crl.public_bytes(serialization.Encoding.DER))


async def test_a_crl_whose_issuer_name_cannot_be_read_is_no_answer(pki_env, checker, clock) -> None:
    pki_env.faults.ocsp = "down"
    pki_env.faults.crl, pki_env.faults.crl_answer = "served", unreadable_crl(pki_env, clock)

    result = await checker.check(pki_env.revoked.sign.certificate, pki_env.ca.issuing_certificate)

    assert (result.status, result.source) == (RevocationStatus.UNKNOWN, None)
    assert any("CRL's issuer name cannot be read" in problem for problem in result.problems), result.problems
