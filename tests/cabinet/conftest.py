"""A running app with the built-in CA and a cast of key holders, for every cabinet test.

RSA key generation is slow, so one CA and its people are made per test session and each test
gets its own copy of the CA directory (a revocation in one test never leaks into another).
"""

from __future__ import annotations

import base64
import functools
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer, get_port_socket
from asn1crypto import cms as asn1_cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cabinet.courts import CourtSpec, CourtStore
from cabinet.eds.ca import CertificateAuthority, IssuedKey, IssuedPerson
from cabinet.eds.keys import KeyFile, load_key_file
from cabinet.eds.profile import parse_identity
from cabinet.identity.roles import Role
from cabinet.identity.users import PersonName, UserService
from core.clock import FixedClock, SystemClock
from core.config import Config
from core.db import Database
from web.app import create_app

PASSWORD = b"demo-password"


@dataclass(frozen=True)
class Cast:
    ca_dir: Path
    alice: IssuedPerson
    bob: IssuedPerson
    judge: IssuedPerson
    judge2: IssuedPerson
    clerk: IssuedPerson
    admin: IssuedPerson
    lawyer: IssuedPerson
    carol: IssuedPerson
    expired: IssuedPerson
    future: IssuedPerson
    outsider: IssuedPerson  # from a CA nobody trusts
    offline: IssuedPerson  # from a trusted CA whose OCSP and CRL are unreachable
    offline_root: Path


def _person(ca: CertificateAuthority, iin: str, surname: str, given: str, **kw: Any) -> IssuedPerson:
    return ca.issue_person(iin=iin, surname=surname, given_name=given, patronymic=None, password=PASSWORD, **kw)


@pytest.fixture(scope="session")
def cast(tmp_path_factory: pytest.TempPathFactory) -> Cast:
    base = tmp_path_factory.mktemp("identity-pki")
    clock = SystemClock()
    ca = CertificateAuthority.init(base / "pki", base_url="http://127.0.0.1:8080", clock=clock)
    now = datetime.now(UTC)
    stranger = CertificateAuthority.init(base / "stranger", base_url="http://127.0.0.1:9", clock=clock,
                                         name="STRANGER CA")
    offline = CertificateAuthority.init(base / "offline", base_url="http://127.0.0.1:9", clock=clock,
                                        name="OFFLINE CA")
    offline_root = base / "offline-root.pem"
    offline_root.write_bytes(offline.root_certificate.public_bytes(serialization.Encoding.PEM))
    offline_chain = base / "offline-issuing.pem"
    offline_chain.write_bytes(offline.issuing_certificate.public_bytes(serialization.Encoding.PEM))
    return Cast(
        ca_dir=base / "pki",
        alice=_person(ca, "900101400123", "ӘЛИЕВА", "АЛИЯ"),
        bob=_person(ca, "850505300456", "БЕКОВ", "БОЛАТ"),
        judge=_person(ca, "700707300783", "СУДЬЯЕВ", "САПАР"),
        judge2=_person(ca, "710808300123", "ТӨРЕЕВА", "ТОМИРИС"),
        clerk=_person(ca, "920202400567", "ХАТШЫ", "ХАДИША"),
        admin=_person(ca, "750303300890", "ӘКІМШІ", "ӘЛІБЕК"),
        lawyer=_person(ca, "880404300234", "АДВОКАТОВ", "АРМАН"),
        carol=_person(ca, "950606400345", "ҮШІНШІ", "ҮМІТ"),
        expired=_person(ca, "800101300111", "ЕСКІ", "ЕРЛАН", not_before=now - timedelta(days=400),
                        not_after=now - timedelta(days=35)),
        future=_person(ca, "800101300222", "БОЛАШАҚ", "БАУЫРЖАН", not_before=now + timedelta(days=3),
                       not_after=now + timedelta(days=300)),
        outsider=_person(stranger, "800101300333", "БӨТЕН", "БЕРIК"),
        offline=_person(offline, "800101300444", "ОФЛАЙН", "ОРАЛ"),
        offline_root=offline_root,
    )


@dataclass
class CabinetApp:
    client: TestClient[Any, Any]
    config: Config
    clock: FixedClock
    ca: CertificateAuthority


@pytest.fixture
async def cabinet_app(cast: Cast, db: Any, make_config: Any) -> AsyncIterator[CabinetApp]:
    """The whole application on a real port, its own copy of the CA, a movable clock.

    The listening socket is bound before the app is built so ``public_url`` names the real port
    (payment callbacks and certificate URLs go to it like a bank's or a verifier's would).
    """
    sock = get_port_socket("127.0.0.1", 0, socket.AF_INET)
    port = sock.getsockname()[1]
    config = make_config(trust_roots=(cast.offline_root, cast.offline_root.with_name("offline-issuing.pem")),
                         public_url=f"http://127.0.0.1:{port}")
    shutil.copytree(cast.ca_dir, config.pki_dir)
    clock = FixedClock(datetime.now(UTC))
    app = create_app(config, clock=clock)
    server = TestServer(app, host="127.0.0.1", port=port, socket_factory=lambda *_: sock)
    async with TestClient(server) as client:
        yield CabinetApp(client, config, clock, CertificateAuthority.open(config.pki_dir, SystemClock()))


def sign_b64(key: IssuedKey, data: bytes, *, detached: bool = True) -> str:
    """A base64 CMS over ``data`` made with one of the cast's keys, as NCALayer would return it."""
    return base64.b64encode(opened(key.p12).sign(data, detached=detached)).decode()


@functools.lru_cache(maxsize=256)
def opened(p12: bytes, password: bytes = PASSWORD) -> KeyFile:
    """The key file opened once per run: decrypting a .p12 costs ~35 ms of CPU, and the cast's keys
    sign every login of every test (the signatures are made, and checked by the server, each time)."""
    return load_key_file(p12, password)


UNREADABLE = "QQQQ"  # a UTF8String name value that retype() re-encodes as a BIT STRING


def marked(name: x509.Name, attribute: x509.ObjectIdentifier) -> x509.Name:
    """``name`` with one more attribute whose value is :data:`UNREADABLE`, for :func:`retype`."""
    return x509.Name([*name.rdns, x509.RelativeDistinguishedName([x509.NameAttribute(attribute, UNREADABLE)])])


def retype(der: bytes, *, only: int | None = None) -> bytes:
    """``der`` with each :data:`UNREADABLE` UTF8String (or only the ``only``-th, from 0) turned into a
    BIT STRING of the same length, so every enclosing length stays right.

    cryptography loads such a certificate, CRL or OCSP answer and raises a TypeError only when the
    name is read (a BIT STRING is allowed for X500UniqueIdentifier alone); asn1crypto, which takes the
    CMS apart, leaves an attribute type it does not know untyped.
    """
    utf8, bits = b"\x0c\x04" + UNREADABLE.encode(), b"\x03\x04\x00" + UNREADABLE.encode()[:3]
    assert utf8 in der
    if only is None:
        return der.replace(utf8, bits)
    at = -1
    for _ in range(only + 1):
        at = der.index(utf8, at + 1)
    return der[:at] + bits + der[at + len(utf8):]


def with_unreadable_name(cert: x509.Certificate, signing_key: rsa.RSAPrivateKey, *, position: str,
                         attribute: x509.ObjectIdentifier) -> x509.Certificate:
    """``cert`` again, with one more attribute in its ``position`` name ("subject" or "issuer")
    encoded as a BIT STRING (see :func:`retype`), signed by ``signing_key`` over exactly those bytes.

    Signed by a CA's real key, the certificate is sound in every respect but its name, so a refusal
    can only come from the name.
    """
    name = marked(getattr(cert, position), attribute)
    builder = (x509.CertificateBuilder()
               .subject_name(name if position == "subject" else cert.subject)
               .issuer_name(name if position == "issuer" else cert.issuer)
               .public_key(cert.public_key()).serial_number(cert.serial_number)
               .not_valid_before(cert.not_valid_before_utc).not_valid_after(cert.not_valid_after_utc))
    for extension in cert.extensions:
        builder = builder.add_extension(extension.value, critical=extension.critical)
    made = builder.sign(signing_key, hashes.SHA256())
    tbs = made.tbs_certificate_bytes
    unreadable = retype(tbs)
    signature = signing_key.sign(unreadable, padding.PKCS1v15(), hashes.SHA256())
    der = made.public_bytes(serialization.Encoding.DER).replace(tbs, unreadable).replace(made.signature, signature)
    return x509.load_der_x509_certificate(der)


def by_key_identifier(cms: bytes, certificate: x509.Certificate) -> bytes:
    """The same CMS with its SignerInfo naming the signer by subjectKeyIdentifier (v3), as RFC 5652
    allows; the sid is outside the signed attributes, so the signature still verifies."""
    info = asn1_cms.ContentInfo.load(cms)
    signer = info["content"]["signer_infos"][0]
    identifier = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    signer["sid"] = asn1_cms.SignerIdentifier({"subject_key_identifier": identifier})
    signer["version"] = "v3"
    return bytes(info.dump())


async def bearer(app: CabinetApp, person: IssuedPerson) -> dict[str, str]:
    """Log ``person`` in with their AUTH key; the headers an API client then sends."""
    response = await app.client.post("/api/v1/auth/challenge")
    nonce = (await response.json())["nonce"]
    response = await app.client.post(
        "/api/v1/auth/login", json={"nonce": nonce, "signature": sign_b64(person.auth, base64.b64decode(nonce))})
    assert response.status == 200, await response.text()
    app.client.session.cookie_jar.clear()
    return {"Authorization": f"Bearer {(await response.json())['token']}"}


DEMO_COURT = CourtSpec("7594", "Алматы", "Алматы қаласының Алмалы аудандық соты",
                       "Алмалинский районный суд города Алматы", "Almaly District Court of Almaty")


async def seed_court(db: Database, cast: Cast) -> None:
    """Court 7594 with two courtrooms, two judges, a clerk, a court administrator and a lawyer."""
    async with db.transaction() as session:
        courts = CourtStore(session)
        await courts.add(DEMO_COURT)
        await courts.add_courtroom("7594", "Зал 1")
        await courts.add_courtroom("7594", "Зал 2")
        users = UserService(session, SystemClock())
        for person, role, court in ((cast.judge, Role.JUDGE, "7594"), (cast.judge2, Role.JUDGE, "7594"),
                                    (cast.clerk, Role.CLERK, "7594"), (cast.admin, Role.COURT_ADMIN, "7594"),
                                    (cast.lawyer, Role.LAWYER, None)):
            identity = parse_identity(person.auth.certificate)
            assert identity.iin is not None
            await users.grant(PersonName(identity.iin, identity.common_name), role, court,
                              granter=None, actor="test")
