"""Attacks on login through revocation, each reproduced over HTTP against the running app.

- A certificate revoked with ``sotkab pki revoke`` (another process) must stop logging in at once,
  and the sessions it already opened must end.
- A certificate made with the issuing key but never recorded by the CA (OCSP "unknown") must not
  log in by way of the CRL, where a never-issued serial looks good.
- A trusted certificate without an IIN, or with another policy than NCA's AUTH policy, is a clean
  401 refusal with its own code: audited, challenge burnt.
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from cabinet.audit import AuditEntry
from cabinet.eds import pki
from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.keys import KeyFile
from cabinet.eds.profile import KeyType, build_subject
from core.db import Database
from tests.cabinet.conftest import CabinetApp, Cast
from tests.cabinet.identity.test_login import assert_refused, challenge, login
from web.cli import build_parser


async def _cli_revoke(app: CabinetApp, serial: int) -> None:
    """``sotkab pki revoke SERIAL``, run as the operator would, against the app's data dir and DB."""
    args = build_parser().parse_args(["pki", "revoke", format(serial, "x"), "--reason", "keyCompromise"])
    assert await args.func(args, app.config) == 0


async def test_a_revoked_key_stops_logging_in_at_once_and_its_sessions_end(cabinet_app: CabinetApp, cast: Cast,
                                                                           db: Database) -> None:
    first = await login(cabinet_app, cast.alice.auth)
    assert first.status == 200
    token = (await first.json())["token"]
    cabinet_app.client.session.cookie_jar.clear()
    me = await cabinet_app.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 200

    await _cli_revoke(cabinet_app, cast.alice.auth.serial)

    again = await login(cabinet_app, cast.alice.auth)
    assert again.status == 401 and (await again.json())["error"]["code"] == "certificate_revoked"
    me = await cabinet_app.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 401
    async with db.sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "pki.revoke"))
    assert entry is not None and entry.details["sessions_ended"] == 1


async def test_a_revoke_in_this_process_clears_the_cache_at_once(cabinet_app: CabinetApp, cast: Cast) -> None:
    assert (await login(cabinet_app, cast.bob.auth)).status == 200
    from cabinet.eds.routes import CA_KEY

    cabinet_app.client.app[CA_KEY].revoke(cast.bob.auth.serial, "keyCompromise")

    again = await login(cabinet_app, cast.bob.auth)
    assert (await again.json())["error"]["code"] == "certificate_revoked"


def _forge(ca: CertificateAuthority, *, subject: x509.Name | None = None, policy: x509.ObjectIdentifier | None = None,
           record: bool = False) -> KeyFile:
    """A certificate signed with the CA's real issuing key; recorded in its index only if ``record``."""
    key = pki.new_rsa_key()
    now = ca.clock.now()
    cert = pki.person_certificate(
        subject or build_subject(iin="770707300111", surname="ЖАЛҒАН", given_name="ЖАН", patronymic=None),
        key.public_key(), KeyType.AUTH, None, issuer=ca.issuing_certificate, issuer_key=ca._issuing_key,
        not_before=now - timedelta(minutes=1), not_after=now + timedelta(days=30), base_url=ca.base_url)
    if policy is not None:  # re-issue the same certificate under another policy
        builder = x509.CertificateBuilder().subject_name(cert.subject).issuer_name(cert.issuer) \
            .public_key(key.public_key()).serial_number(cert.serial_number) \
            .not_valid_before(cert.not_valid_before_utc).not_valid_after(cert.not_valid_after_utc)
        for ext in cert.extensions:
            value = x509.CertificatePolicies([x509.PolicyInformation(policy, None)]) \
                if isinstance(ext.value, x509.CertificatePolicies) else ext.value
            builder = builder.add_extension(value, critical=ext.critical)
        cert = builder.sign(ca._issuing_key, hashes.SHA256())
    if record:
        with ca._locked_index() as index:
            index.issued[format(cert.serial_number, "x")] = {"subject": cert.subject.rfc4514_string(),
                                                              "key_type": "AUTH"}
    return KeyFile(key, cert)


async def _login_with(app: CabinetApp, key: KeyFile, nonce: str | None = None) -> Any:
    nonce = nonce or await challenge(app)
    signature = base64.b64encode(key.sign(base64.b64decode(nonce), detached=True)).decode()
    return await app.client.post("/api/v1/auth/login", json={"nonce": nonce, "signature": signature})


async def test_a_certificate_the_ca_never_issued_is_refused_as_unknown(cabinet_app: CabinetApp,
                                                                      db: Database) -> None:
    forged = _forge(cabinet_app.ca)

    response = await _login_with(cabinet_app, forged)

    await assert_refused(cabinet_app, db, response, "certificate_unknown")


async def test_a_trusted_certificate_without_an_iin_is_a_clean_refusal(cabinet_app: CabinetApp, cast: Cast,
                                                                       db: Database) -> None:
    nameless = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "БЕЗ ИИН"),
                          x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")])
    key = _forge(cabinet_app.ca, subject=nameless, record=True)
    nonce = await challenge(cabinet_app)

    response = await _login_with(cabinet_app, key, nonce)

    await assert_refused(cabinet_app, db, response, "certificate_without_iin")
    replay = await login(cabinet_app, cast.alice.auth, nonce=nonce)  # the refusal burnt the challenge
    await assert_refused(cabinet_app, db, replay, "nonce_reused")


async def test_a_certificate_under_another_policy_cannot_log_in(cabinet_app: CabinetApp, db: Database) -> None:
    tls_policy = x509.ObjectIdentifier("1.2.398.3.3.1.1")
    key = _forge(cabinet_app.ca, policy=tls_policy, record=True)

    response = await _login_with(cabinet_app, key)

    await assert_refused(cabinet_app, db, response, "certificate_policy_mismatch")
