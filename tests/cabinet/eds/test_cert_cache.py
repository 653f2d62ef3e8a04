"""The verifier's parsed-certificate cache is bounded by bytes, not only by count: a client that
logs in with ever-new (large) certificates cannot grow the server's memory past the bound."""

from __future__ import annotations

from datetime import timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cabinet.eds.keys import KeyFile
from cabinet.eds.profile import Purpose
from cabinet.eds.revocation import RevocationChecker
from cabinet.eds.verifier import FailureCode, Verifier


def _junk_signer(clock, padding: int) -> KeyFile:  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "J" * 60),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "x" * min(padding, 60))])
    now = clock.now()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("a" * 60 + f"{i}.kz") for i in range(padding)]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return KeyFile(key, cert)


async def test_the_parsed_certificate_cache_stays_within_its_byte_bound(trust, transport, clock) -> None:
    verifier = Verifier(trust, RevocationChecker(transport, clock), clock, max_cached_cert_bytes=20_000)

    for _ in range(40):
        signer = _junk_signer(clock, padding=30)  # ~2.5 KB each
        result = await verifier.verify_cms(signer.sign(b"x"), content=b"x", purpose=Purpose.LOGIN)
        assert result.code is FailureCode.CERTIFICATE_UNTRUSTED
        assert 0 < verifier.cached_cert_bytes <= 20_000

    huge = _junk_signer(clock, padding=400)  # one certificate larger than the whole bound is not kept
    before = verifier.cached_cert_bytes
    await verifier.verify_cms(huge.sign(b"x"), content=b"x", purpose=Purpose.LOGIN)
    assert verifier.cached_cert_bytes == before
