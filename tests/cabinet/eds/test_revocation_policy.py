"""The revocation policy against crafted PKIs: what an attacker with a CA's help, a stolen issuing
key, or an old OCSP answer can try, each shown refused (see :mod:`cabinet.eds.revocation`).

The hand-built PKI below has an RSA root, an EC intermediate that publishes the root's CRL, and
RSA leaves with the NCA profile; its OCSP and CRLs are produced per request like a real CA's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

from cabinet.eds import pki
from cabinet.eds.ca import Revocation
from cabinet.eds.keys import KeyFile
from cabinet.eds.profile import KeyType, Purpose, build_subject
from cabinet.eds.revocation import Rejected, RevocationChecker, RevocationStatus
from cabinet.eds.transport import FetchError
from cabinet.eds.trust import TrustStore
from cabinet.eds.verifier import FailureCode, Verifier
from core.clock import FixedClock

BASE = "http://pki.invalid"


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass
class CraftedPki:
    """Root (RSA) -> intermediate (EC P-256, with a CDP to the root's CRL) -> leaves (RSA)."""

    clock: FixedClock
    root_key: rsa.RSAPrivateKey = field(default_factory=pki.new_rsa_key)
    int_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    revoked_by_root: set[int] = field(default_factory=set)
    ocsp_mode: str = "normal"  # normal | no_next_update
    ocsp_age: timedelta = timedelta(0)
    crl_up: bool = True

    def __post_init__(self) -> None:
        now = self.clock.now()
        self.root = pki.ca_certificate(_name("CRAFTED ROOT"), self.root_key, _name("CRAFTED ROOT"), self.root_key,
                                       now - timedelta(days=10), now + timedelta(days=3650))
        self.intermediate = (
            x509.CertificateBuilder().subject_name(_name("CRAFTED EC CA")).issuer_name(self.root.subject)
            .public_key(self.int_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=10)).not_valid_after(now + timedelta(days=3000))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                [x509.UniformResourceIdentifier(f"{BASE}/root.crl")], None, None, None)]), critical=False)
            .sign(self.root_key, hashes.SHA256()))

    def person(self, iin: str) -> KeyFile:
        key = pki.new_rsa_key()
        now = self.clock.now()
        cert = pki.person_certificate(
            build_subject(iin=iin, surname="ТЕСТОВА", given_name="ТАҢШОЛПАН", patronymic=None), key.public_key(),
            KeyType.SIGN, None, issuer=self.intermediate, issuer_key=self.int_key,  # type: ignore[arg-type]
            not_before=now - timedelta(days=1), not_after=now + timedelta(days=300), base_url=BASE)
        return KeyFile(key, cert)

    async def fetch_ocsp(self, url: str, request_der: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(request_der)
        this_update = self.clock.now().replace(microsecond=0) - self.ocsp_age
        next_update = None if self.ocsp_mode == "no_next_update" else this_update + timedelta(hours=1)
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            request.issuer_name_hash, request.issuer_key_hash, request.serial_number, request.hash_algorithm,
            ocsp.OCSPCertStatus.GOOD, this_update, next_update, None, None,
        ).responder_id(ocsp.OCSPResponderEncoding.HASH, self.intermediate)  # by key hash of an EC key
        return builder.sign(self.int_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    async def fetch_crl(self, url: str) -> bytes:
        if not self.crl_up:
            raise FetchError(f"{url} is down")
        now = self.clock.now().replace(microsecond=0)
        if url == f"{BASE}/root.crl":
            entries = [Revocation(s, now, x509.ReasonFlags.ca_compromise) for s in self.revoked_by_root]
            return pki.build_crl(self.root, self.root_key, entries, this_update=now,
                                 next_update=now + timedelta(days=1), number=1)
        raise FetchError(f"no CRL at {url}")

    def verifier(self) -> Verifier:
        return Verifier(TrustStore([self.root], [self.intermediate]), RevocationChecker(self, self.clock), self.clock)


@pytest.fixture
def crafted(clock: FixedClock) -> CraftedPki:
    return CraftedPki(clock)


async def _verify(verifier: Verifier, key: KeyFile) -> object:
    return await verifier.verify_cms(key.sign(b"claim", detached=True), content=b"claim", purpose=Purpose.DOCUMENT)


async def test_an_ec_issuer_is_checked_like_an_rsa_one(crafted: CraftedPki) -> None:
    result = await crafted.verifier().verify_cms(crafted.person("900101400011").sign(b"x"), content=b"x",
                                                 purpose=Purpose.DOCUMENT)

    assert result.valid, result.message
    assert result.revocation is not None and result.revocation.status is RevocationStatus.GOOD


async def test_a_revoked_intermediate_ca_refuses_its_leaves(crafted: CraftedPki) -> None:
    crafted.revoked_by_root.add(crafted.intermediate.serial_number)

    result = await crafted.verifier().verify_cms(crafted.person("900101400012").sign(b"x"), content=b"x",
                                                 purpose=Purpose.DOCUMENT)

    assert result.code is FailureCode.CERTIFICATE_REVOKED
    assert "CA certificate" in result.message


async def test_an_intermediate_whose_crl_is_unreachable_fails_hard(crafted: CraftedPki) -> None:
    crafted.crl_up = False

    result = await crafted.verifier().verify_cms(crafted.person("900101400013").sign(b"x"), content=b"x",
                                                 purpose=Purpose.DOCUMENT)

    assert result.code is FailureCode.REVOCATION_UNKNOWN and "CA certificate" in result.message


@pytest.mark.parametrize(("age", "accepted"), [(timedelta(minutes=1), True), (timedelta(minutes=30), False)])
async def test_an_ocsp_answer_without_next_update_or_nonce_is_believed_only_while_young(
    crafted: CraftedPki, age: timedelta, accepted: bool
) -> None:
    crafted.ocsp_mode, crafted.ocsp_age = "no_next_update", age
    leaf = crafted.person("900101400014")
    checker = RevocationChecker(crafted, crafted.clock)
    der = await crafted.fetch_ocsp("", ocsp.OCSPRequestBuilder().add_certificate(
        leaf.certificate, crafted.intermediate, hashes.SHA1()).build().public_bytes(serialization.Encoding.DER))

    if accepted:
        assert checker.verify_ocsp_response(der, leaf.certificate, crafted.intermediate).status is RevocationStatus.GOOD
    else:
        with pytest.raises(Rejected, match="no nextUpdate, no nonce"):
            checker.verify_ocsp_response(der, leaf.certificate, crafted.intermediate)


# ------------------------------------------------------------------ against the real test CA over HTTP
def _root_signed_leaf(pki_env) -> KeyFile:  # type: ignore[no-untyped-def]
    """A leaf signed directly by the CA's root key, naming the issuing CA's CRL and OCSP URLs."""
    root_key = pki.load_private_key(pki_env.ca.directory / "root.key.pem")
    key = pki.new_rsa_key()
    now: datetime = pki_env.ca.clock.now()
    cert = pki.person_certificate(
        build_subject(iin="900101400015", surname="ТҮБІР", given_name="ТАЛҒАТ", patronymic=None), key.public_key(),
        KeyType.SIGN, None, issuer=pki_env.ca.root_certificate, issuer_key=root_key,
        not_before=now - timedelta(minutes=1), not_after=now + timedelta(days=30), base_url=pki_env.ca.base_url)
    return KeyFile(key, cert)


async def test_a_crl_of_one_ca_is_never_used_for_a_certificate_of_another(pki_env, verifier, key_of) -> None:
    pki_env.faults.ocsp = "down"
    assert (await _verify(verifier, key_of(pki_env.alice, "sign"))).valid  # caches the issuing CA's CRL

    result = await _verify(verifier, _root_signed_leaf(pki_env))

    assert result.code is FailureCode.REVOCATION_UNKNOWN  # type: ignore[attr-defined]
    assert "CRL is from another issuer" in result.message  # type: ignore[attr-defined]


async def test_ocsp_unknown_is_a_refusal_and_the_crl_is_not_asked(pki_env, verifier) -> None:
    ca = pki_env.ca
    key = pki.new_rsa_key()
    now = ca.clock.now()
    never_issued = pki.person_certificate(
        build_subject(iin="900101400016", surname="ЖАЛҒАН", given_name="ЖАН", patronymic=None), key.public_key(),
        KeyType.SIGN, None, issuer=ca.issuing_certificate, issuer_key=ca._issuing_key,
        not_before=now - timedelta(minutes=1), not_after=now + timedelta(days=30), base_url=ca.base_url)

    result = await _verify(verifier, KeyFile(key, never_issued))

    assert result.code is FailureCode.CERTIFICATE_UNKNOWN  # type: ignore[attr-defined]
    assert pki_env.faults.hits["/pki/crl"] == 0


async def test_a_cached_good_answer_lives_only_the_short_ttl(pki_env, transport, clock) -> None:
    person = pki_env.ca.issue_person(iin="900101400017", surname="КЭШ", given_name="ҚАНАТ", patronymic=None,
                                     password=b"p")
    cert, issuer = person.sign.certificate, pki_env.ca.issuing_certificate
    checker = RevocationChecker(transport, clock, good_ttl=timedelta(seconds=60))
    assert (await checker.check(cert, issuer)).status is RevocationStatus.GOOD

    pki_env.ca.revoke(person.sign.serial, "keyCompromise")  # in the responder's process, not this checker's
    clock.advance(timedelta(seconds=30))
    assert (await checker.check(cert, issuer)).status is RevocationStatus.GOOD  # still within the 60 s
    clock.advance(timedelta(seconds=31))
    assert (await checker.check(cert, issuer)).status is RevocationStatus.REVOKED
    assert pki_env.faults.hits["/pki/ocsp"] == 2


async def test_forget_and_a_new_generation_empty_the_cache(pki_env, transport, clock) -> None:
    stamp = [1]
    generation: Callable[[], object] = lambda: stamp[0]  # noqa: E731
    checker = RevocationChecker(transport, clock, generation=generation)
    cert, issuer = pki_env.alice.sign.certificate, pki_env.ca.issuing_certificate
    await checker.check(cert, issuer)
    await checker.check(cert, issuer)
    assert pki_env.faults.hits["/pki/ocsp"] == 1
    checker.forget(cert.serial_number)
    await checker.check(cert, issuer)
    stamp[0] = 2
    await checker.check(cert, issuer)
    assert pki_env.faults.hits["/pki/ocsp"] == 3
