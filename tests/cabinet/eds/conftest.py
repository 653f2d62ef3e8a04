"""A real PKI for the EDS tests: CAs generated once per session and served over real HTTP.

The CA's CRL and OCSP responder run in an aiohttp server on 127.0.0.1 in a background thread
(so every test, whatever its event loop, can reach it), and every certificate names that
server's port in its CDP/AIA. A fault switch lets a test make the responder go down, forge its
answers with a rogue key, or the CRL go down — the network failures a verifier must survive — or
serve an answer the test crafted.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp

from cabinet.eds import pki
from cabinet.eds.ca import CertificateAuthority, IssuedPerson
from cabinet.eds.keys import KeyFile
from cabinet.eds.profile import Organisation, Role
from cabinet.eds.revocation import RevocationChecker
from cabinet.eds.routes import add_pki_routes
from cabinet.eds.transport import AiohttpTransport
from cabinet.eds.trust import TrustStore
from cabinet.eds.verifier import Verifier
from core.clock import FixedClock, SystemClock
from tests.conftest import require

NCA_FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures" / "nca-test" / "personal"
PASSWORD = b"correct horse"


@dataclass
class Faults:
    """What the test PKI server should do wrong right now ("ok" = behave)."""

    ocsp: str = "ok"  # ok | down | forged | served (answers ocsp_answer)
    crl: str = "ok"  # ok | down | served (answers crl_answer)
    hits: Counter[str] = field(default_factory=Counter)
    ocsp_answer: bytes = b""
    crl_answer: bytes = b""

    def reset(self) -> None:
        self.ocsp, self.crl = "ok", "ok"
        self.ocsp_answer = self.crl_answer = b""
        self.hits.clear()


@dataclass(frozen=True)
class Pki:
    ca: CertificateAuthority
    stranger: CertificateAuthority  # a CA nobody configured as trusted
    unreachable: CertificateAuthority  # trusted, but its CRL/OCSP URLs point at a closed port
    faults: Faults
    rogue_key: rsa.RSAPrivateKey
    alice: IssuedPerson  # an individual, valid
    revoked: IssuedPerson  # both keys revoked (keyCompromise)
    expired: IssuedPerson
    future: IssuedPerson  # not yet valid
    director: IssuedPerson  # CEO of an organisation
    outsider: IssuedPerson  # issued by the stranger CA
    offline: IssuedPerson  # issued by the unreachable CA


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def forge_ocsp(request_der: bytes, key: rsa.RSAPrivateKey, responder: x509.Certificate) -> bytes:
    """A well-formed OCSP 'good' answer signed by a key that has no authority to sign it."""
    request = ocsp.load_der_ocsp_request(request_der)
    now = datetime.now(UTC).replace(microsecond=0)
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            request.issuer_name_hash, request.issuer_key_hash, request.serial_number, request.hash_algorithm,
            ocsp.OCSPCertStatus.GOOD, now, now + timedelta(hours=1), None, None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.NAME, responder)
        .certificates([responder])
    )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _serve(ca: CertificateAuthority, sock: socket.socket, faults: Faults, rogue: tuple) -> Callable[[], None]:
    """Run add_pki_routes in a thread with its own loop; returns a stopper."""
    rogue_key, rogue_cert = rogue

    @web.middleware
    async def fault_injection(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
        faults.hits[request.path] += 1
        if request.path.startswith("/pki/ocsp"):
            if faults.ocsp == "down":
                raise web.HTTPServiceUnavailable()
            if faults.ocsp == "forged":
                body = forge_ocsp(await request.read(), rogue_key, rogue_cert)
                return web.Response(body=body, content_type="application/ocsp-response")
            if faults.ocsp == "served":
                return web.Response(body=faults.ocsp_answer, content_type="application/ocsp-response")
        if request.path == "/pki/crl" and faults.crl == "down":
            raise web.HTTPServiceUnavailable()
        if request.path == "/pki/crl" and faults.crl == "served":
            return web.Response(body=faults.crl_answer, content_type="application/pkix-crl")
        return await handler(request)

    app = web.Application(middlewares=[fault_injection])
    add_pki_routes(app, ca)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)

    async def start() -> None:
        await runner.setup()
        await web.SockSite(runner, sock).start()

    thread = threading.Thread(target=loop.run_forever, daemon=True, name="pki-test-server")
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

    return stop


@pytest.fixture(scope="session")
def pki_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pki]:
    root = tmp_path_factory.mktemp("pki")
    clock = SystemClock()
    sock = _free_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    ca = CertificateAuthority.init(root / "ca", base_url=base, clock=clock, name="ТЕСТ ОРТАЛЫҚ")
    stranger = CertificateAuthority.init(root / "stranger", base_url=base, clock=clock, name="STRANGER CA")
    closed = _free_socket()
    dead_url = f"http://127.0.0.1:{closed.getsockname()[1]}"
    closed.close()
    unreachable = CertificateAuthority.init(root / "dead", base_url=dead_url, clock=clock, name="OFFLINE CA")
    now = datetime.now(UTC)

    def person(authority: CertificateAuthority, iin: str, **extra: object) -> IssuedPerson:
        return authority.issue_person(
            iin=iin, surname="ЖҰМАБЕКОВА", given_name="ӘЙГЕРІМ", patronymic="СЕРІКҚЫЗЫ",
            password=PASSWORD, out_dir=root / "keys" / iin, **extra,  # type: ignore[arg-type]
        )

    rogue_key = pki.new_rsa_key()
    rogue_cert = pki.ca_certificate(
        ca.issuing_certificate.subject, rogue_key, ca.issuing_certificate.subject, rogue_key,
        now - timedelta(days=1), now + timedelta(days=365),
    )
    revoked = person(ca, "900101400002")
    ca.revoke(revoked.auth.serial, "keyCompromise")
    ca.revoke(revoked.sign.serial, "keyCompromise")
    faults = Faults()
    env = Pki(
        ca=ca, stranger=stranger, unreachable=unreachable, faults=faults, rogue_key=rogue_key,
        alice=person(ca, "900101400001"),
        revoked=revoked,
        expired=person(ca, "900101400003", not_before=now - timedelta(days=400), not_after=now - timedelta(days=35)),
        future=person(ca, "900101400004", not_before=now + timedelta(days=10), not_after=now + timedelta(days=375)),
        director=person(ca, "900101400005", organisation=Organisation("123456789021", "ТОО «Сот»", Role.CEO)),
        outsider=person(stranger, "900101400006"),
        offline=person(unreachable, "900101400007"),
    )
    stop = _serve(ca, sock, faults, (rogue_key, rogue_cert))
    yield env
    stop()


@pytest.fixture
def pki_env(pki_session: Pki) -> Iterator[Pki]:
    """The session PKI with its fault switch reset before and after each test."""
    pki_session.faults.reset()
    yield pki_session
    pki_session.faults.reset()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def trust(pki_session: Pki) -> TrustStore:
    """Trusts the test CA and the unreachable CA; never the stranger CA."""
    return TrustStore(
        anchors=[pki_session.ca.root_certificate, pki_session.unreachable.root_certificate],
        intermediates=[pki_session.ca.issuing_certificate, pki_session.unreachable.issuing_certificate],
    )


@pytest.fixture
async def transport() -> AsyncIterator[AiohttpTransport]:
    async with AiohttpTransport() as real_http:
        yield real_http


@pytest.fixture
def make_verifier(trust: TrustStore, transport: AiohttpTransport, clock: FixedClock) -> Callable[..., Verifier]:
    def make(*, soft_fail: bool = False) -> Verifier:
        return Verifier(trust, RevocationChecker(transport, clock, soft_fail=soft_fail), clock)

    return make


@pytest.fixture
def verifier(make_verifier: Callable[..., Verifier]) -> Verifier:
    return make_verifier()


@pytest.fixture
def key_of() -> Callable[..., KeyFile]:
    """The KeyFile for one of a person's keys, without a round trip through the .p12."""

    def key(person: IssuedPerson, which: str = "auth") -> KeyFile:
        issued = person.auth if which == "auth" else person.sign
        return KeyFile(issued.private_key, issued.certificate)

    return key


@pytest.fixture
def nca() -> Path:
    """The real NCA vectors from ../shared; CI always has that folder beside the clone, so there a
    missing folder fails the run instead of skipping."""
    require(NCA_FIXTURES.is_dir(),
            f"NCA test fixtures not found at {NCA_FIXTURES.resolve()} (the shared folder is absent)")
    return NCA_FIXTURES
