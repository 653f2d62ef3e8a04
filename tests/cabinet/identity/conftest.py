"""A running app with the built-in CA and a cast of key holders, for identity tests.

RSA key generation is slow, so one CA and its people are made per test session and each test
gets its own copy of the CA directory (a revocation in one test never leaks into another).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives import serialization

from cabinet.eds.ca import CertificateAuthority, IssuedPerson
from web.app import create_app
from web.clock import FixedClock, SystemClock
from web.config import Config

PASSWORD = b"demo-password"


@dataclass(frozen=True)
class Cast:
    ca_dir: Path
    alice: IssuedPerson
    bob: IssuedPerson
    judge: IssuedPerson
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
        judge=_person(ca, "700707300789", "СУДЬЯЕВ", "САПАР"),
        expired=_person(ca, "800101300111", "ЕСКІ", "ЕРЛАН", not_before=now - timedelta(days=400),
                        not_after=now - timedelta(days=35)),
        future=_person(ca, "800101300222", "БОЛАШАҚ", "БАУЫРЖАН", not_before=now + timedelta(days=3),
                       not_after=now + timedelta(days=300)),
        outsider=_person(stranger, "800101300333", "БӨТЕН", "БЕРIК"),
        offline=_person(offline, "800101300444", "ОФЛАЙН", "ОРАЛ"),
        offline_root=offline_root,
    )


@dataclass
class IdentityApp:
    client: TestClient[Any, Any]
    config: Config
    clock: FixedClock
    ca: CertificateAuthority


@pytest.fixture
async def identity_app(cast: Cast, db: Any, make_config: Any, tmp_path: Path) -> AsyncIterator[IdentityApp]:
    config = make_config(trust_roots=(cast.offline_root, cast.offline_root.with_name("offline-issuing.pem")))
    shutil.copytree(cast.ca_dir, config.pki_dir)
    clock = FixedClock(datetime.now(UTC))
    app = create_app(config, clock=clock)
    async with TestClient(TestServer(app)) as client:
        yield IdentityApp(client, config, clock, CertificateAuthority.open(config.pki_dir, SystemClock()))
