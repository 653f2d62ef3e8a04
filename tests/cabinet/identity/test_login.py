"""EDS login: a signed single-use challenge becomes a session; every failure has its own code.

Each refusal is a 401 with ``{"error": {"code", "message"}}``, creates no user and no session,
and is written to the audit log with its code.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import os
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from cabinet.audit import AuditEntry, verify_chain
from cabinet.eds.ca import IssuedKey
from cabinet.eds.keys import load_key_file
from cabinet.identity.http import LOGIN
from cabinet.identity.models import AuthSession, User
from core.db import Database, FastPath
from tests.cabinet.conftest import PASSWORD, CabinetApp, Cast, sign_b64


def sign(key: IssuedKey, data: bytes, *, detached: bool = True) -> str:
    return base64.b64encode(load_key_file(key.p12, PASSWORD).sign(data, detached=detached)).decode()


async def challenge(app: CabinetApp) -> str:
    response = await app.client.post("/api/v1/auth/challenge")
    assert response.status == 200
    return str((await response.json())["nonce"])


async def login(app: CabinetApp, key: IssuedKey, *, detached: bool = True, nonce: str | None = None,
                signed: bytes | None = None) -> Any:
    nonce = nonce or await challenge(app)
    payload = signed if signed is not None else base64.b64decode(nonce)
    return await app.client.post("/api/v1/auth/login",
                                 json={"nonce": nonce, "signature": sign(key, payload, detached=detached)})


async def counts(db: Database) -> tuple[int, int]:
    async with db.sessions() as session:
        users = await session.scalar(select(func.count()).select_from(User))
        sessions = await session.scalar(select(func.count()).select_from(AuthSession))
    return int(users or 0), int(sessions or 0)


async def assert_refused(app: CabinetApp, db: Database, response: Any, code: str) -> None:
    assert response.status == 401, await response.text()
    body = await response.json()
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    assert await counts(db) == (0, 0)
    async with db.sessions() as session:
        last = await session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert last is not None and last.action == "auth.login_failed" and last.details["code"] == code


async def test_a_challenge_is_32_random_bytes_valid_for_five_minutes(cabinet_app: CabinetApp) -> None:
    response = await cabinet_app.client.post("/api/v1/auth/challenge")
    body = await response.json()
    assert len(base64.b64decode(body["nonce"])) >= 32
    assert body["nonce"] != await challenge(cabinet_app)
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(minutes=4, seconds=59) <= expires - cabinet_app.clock.now() <= timedelta(minutes=5)


@pytest.mark.parametrize("detached", [True, False], ids=["detached", "attached"])
async def test_first_login_creates_the_citizen_and_a_session(cabinet_app: CabinetApp, cast: Cast,
                                                             db: Database, detached: bool) -> None:
    response = await login(cabinet_app, cast.alice.auth, detached=detached)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["created_account"] is True
    assert body["user"]["iin"] == "900101400123"
    assert body["user"]["name"] == "ӘЛИЕВА АЛИЯ"
    assert body["user"]["roles"] == []
    assert body["certificate"]["valid"] is True
    cookie = response.cookies["sotkab_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"

    me = await cabinet_app.client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert (await me.json())["surname"] == "ӘЛИЕВА"
    again = await login(cabinet_app, cast.alice.auth)
    assert (await again.json())["created_account"] is False
    assert await counts(db) == (1, 2)


async def test_the_cookie_session_works_and_logout_ends_it(cabinet_app: CabinetApp, cast: Cast) -> None:
    assert (await login(cabinet_app, cast.bob.auth)).status == 200
    client = cabinet_app.client
    assert (await client.get("/api/v1/me")).status == 200
    assert (await client.post("/api/v1/auth/logout")).status == 200
    client.session.cookie_jar.clear()
    refused = await client.get("/api/v1/me")
    assert refused.status == 401 and (await refused.json())["error"]["code"] == "unauthenticated"


async def test_a_logged_out_token_is_dead(cabinet_app: CabinetApp, cast: Cast) -> None:
    token = (await (await login(cabinet_app, cast.bob.auth)).json())["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await cabinet_app.client.post("/api/v1/auth/logout", headers=headers)).status == 200
    assert (await cabinet_app.client.get("/api/v1/me", headers=headers)).status == 401


async def test_a_session_expires(cabinet_app: CabinetApp, cast: Cast) -> None:
    token = (await (await login(cabinet_app, cast.bob.auth)).json())["token"]
    cabinet_app.clock.advance(timedelta(seconds=cabinet_app.config.session_ttl_s + 1))
    assert (await cabinet_app.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).status == 401


async def test_a_cookie_session_refuses_cross_site_posts(cabinet_app: CabinetApp, cast: Cast) -> None:
    assert (await login(cabinet_app, cast.bob.auth)).status == 200
    response = await cabinet_app.client.post("/api/v1/auth/logout", headers={"Origin": "https://evil.example"})
    assert response.status == 403 and (await response.json())["error"]["code"] == "cross_site_request"


async def test_a_replayed_nonce_is_refused(cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    nonce = await challenge(cabinet_app)
    assert (await login(cabinet_app, cast.alice.auth, nonce=nonce)).status == 200
    before = await counts(db)
    response = await login(cabinet_app, cast.alice.auth, nonce=nonce)
    assert response.status == 401 and (await response.json())["error"]["code"] == "nonce_reused"
    assert await counts(db) == before


async def test_an_expired_nonce_is_refused(cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    nonce = await challenge(cabinet_app)
    cabinet_app.clock.advance(timedelta(minutes=5, seconds=1))
    await assert_refused(cabinet_app, db, await login(cabinet_app, cast.alice.auth, nonce=nonce), "nonce_expired")


@pytest.mark.parametrize("forge", ["random", "tampered", "not-base64"])
async def test_a_challenge_the_server_never_issued_is_refused(cabinet_app: CabinetApp, cast: Cast, db: Database,
                                                              forge: str) -> None:
    genuine = base64.b64decode(await challenge(cabinet_app))
    forged = {
        "random": base64.b64encode(os.urandom(len(genuine))).decode(),
        "tampered": base64.b64encode(bytes([genuine[0] ^ 1]) + genuine[1:]).decode(),
        "not-base64": "%%%",
    }[forge]
    response = await cabinet_app.client.post("/api/v1/auth/login", json={
        "nonce": forged, "signature": sign_b64(cast.alice.auth, b"x")})
    await assert_refused(cabinet_app, db, response, "nonce_unknown")


async def test_concurrent_logins_with_one_challenge_open_one_session(cabinet_app: CabinetApp, cast: Cast,
                                                                     db: Database) -> None:
    nonce = await challenge(cabinet_app)
    signature = sign_b64(cast.alice.auth, base64.b64decode(nonce))
    responses = await asyncio.gather(*(
        cabinet_app.client.post("/api/v1/auth/login", json={"nonce": nonce, "signature": signature})
        for _ in range(5)))
    statuses = sorted(r.status for r in responses)
    assert statuses == [200, 401, 401, 401, 401]
    assert await counts(db) == (1, 1)


async def test_a_failed_attempt_burns_the_nonce(cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    nonce = await challenge(cabinet_app)
    assert (await login(cabinet_app, cast.alice.sign, nonce=nonce)).status == 401
    response = await login(cabinet_app, cast.alice.auth, nonce=nonce)
    await assert_refused(cabinet_app, db, response, "nonce_reused")


async def test_a_signature_over_other_bytes_is_refused(cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    response = await login(cabinet_app, cast.alice.auth, signed=b"something else")
    await assert_refused(cabinet_app, db, response, "signature_invalid")


async def test_an_attached_signature_of_other_content_is_refused(cabinet_app: CabinetApp, cast: Cast,
                                                                 db: Database) -> None:
    response = await login(cabinet_app, cast.alice.auth, signed=b"other", detached=False)
    await assert_refused(cabinet_app, db, response, "signature_invalid")


async def test_the_sign_key_cannot_log_in(cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    await assert_refused(cabinet_app, db, await login(cabinet_app, cast.alice.sign), "wrong_key_usage")


async def test_an_expired_certificate_is_refused(cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    await assert_refused(cabinet_app, db, await login(cabinet_app, cast.expired.auth), "certificate_expired")


async def test_a_not_yet_valid_certificate_is_refused(cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    response = await login(cabinet_app, cast.future.auth)
    await assert_refused(cabinet_app, db, response, "certificate_not_yet_valid")


async def test_a_certificate_of_an_unknown_ca_is_refused(cabinet_app: CabinetApp, cast: Cast,
                                                         db: Database) -> None:
    response = await login(cabinet_app, cast.outsider.auth)
    await assert_refused(cabinet_app, db, response, "certificate_untrusted")


async def test_a_revoked_certificate_is_refused(cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    cabinet_app.ca.revoke(cast.bob.auth.serial, "keyCompromise")
    await assert_refused(cabinet_app, db, await login(cabinet_app, cast.bob.auth), "certificate_revoked")


async def test_unreachable_revocation_services_fail_hard(cabinet_app: CabinetApp, cast: Cast,
                                                         db: Database) -> None:
    response = await login(cabinet_app, cast.offline.auth)
    await assert_refused(cabinet_app, db, response, "revocation_unknown")


@pytest.mark.parametrize("signature", ["not base64 at all!", base64.b64encode(b"\x30\x03garbage").decode(), ""],
                         ids=["garbage-base64", "garbage-der", "empty"])
async def test_garbage_signatures_are_malformed(cabinet_app: CabinetApp, db: Database, signature: str) -> None:
    nonce = await challenge(cabinet_app)
    response = await cabinet_app.client.post("/api/v1/auth/login", json={"nonce": nonce, "signature": signature})
    await assert_refused(cabinet_app, db, response, "malformed_signature")


@pytest.mark.parametrize("body", [b"{", b"[]", b'{"nonce": 5, "signature": "x"}', b'{"signature": "x"}'])
async def test_malformed_requests_are_400_with_a_code(cabinet_app: CabinetApp, db: Database, body: bytes) -> None:
    response = await cabinet_app.client.post("/api/v1/auth/login", data=body,
                                              headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["error"]["code"] in ("invalid_json", "invalid_request")
    assert await counts(db) == (0, 0)


async def test_logins_and_failures_are_in_an_intact_audit_chain(cabinet_app: CabinetApp, cast: Cast,
                                                                db: Database) -> None:
    await login(cabinet_app, cast.alice.auth)
    await login(cabinet_app, cast.alice.sign)
    async with db.sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
        report = await verify_chain(session)
    assert actions == ["auth.login", "auth.login_failed"]
    assert report.ok


async def test_the_session_check_reads_the_same_on_its_pool_and_on_the_engine(cabinet_app: CabinetApp,
                                                                             cast: Cast) -> None:
    """On PostgreSQL sessions are checked on a bare asyncpg pool; both roads give one principal."""
    token = (await (await login(cabinet_app, cast.bob.auth)).json())["token"]
    service = cabinet_app.client.app[LOGIN]
    engine_only = copy.copy(service)
    engine_only.reads = FastPath(None, service.db.engine)
    assert (service.reads.pool is not None) == (service.db.dialect == "postgresql")
    assert await service.authenticate(token) == await engine_only.authenticate(token) is not None
    assert await service.authenticate(token + "x") is None and await engine_only.authenticate(token + "x") is None
    cabinet_app.clock.advance(timedelta(seconds=cabinet_app.config.session_ttl_s + 1))
    assert await service.authenticate(token) is None and await engine_only.authenticate(token) is None
