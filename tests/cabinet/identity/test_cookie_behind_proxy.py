"""The session cookie's Secure flag follows the real scheme: https behind a *trusted* TLS proxy
(``trusted_proxies``), or an https public URL; a client cannot claim https for itself."""

from __future__ import annotations

import base64
import shutil
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from core.clock import FixedClock
from tests.cabinet.conftest import Cast, sign_b64
from web.app import create_app


async def _login_cookie(cast: Cast, make_config: Any, headers: dict[str, str], **overrides: Any) -> str:
    config = make_config(**overrides)
    shutil.copytree(cast.ca_dir, config.pki_dir)
    async with TestClient(TestServer(create_app(config, clock=FixedClock(datetime.now(UTC))))) as client:
        nonce = (await (await client.post("/api/v1/auth/challenge")).json())["nonce"]
        response = await client.post("/api/v1/auth/login", headers=headers, json={
            "nonce": nonce, "signature": sign_b64(cast.carol.auth, base64.b64decode(nonce))})
        assert response.status == 200, await response.text()
        return response.headers["Set-Cookie"]


async def test_the_cookie_is_secure_behind_a_trusted_tls_proxy(cast: Cast, make_config: Any, db: Any) -> None:
    cookie = await _login_cookie(cast, make_config, {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4"},
                                 trusted_proxies=("127.0.0.1",))
    assert "Secure" in cookie and "HttpOnly" in cookie


async def test_a_client_cannot_claim_https_without_a_trusted_proxy(cast: Cast, make_config: Any, db: Any) -> None:
    cookie = await _login_cookie(cast, make_config, {"X-Forwarded-Proto": "https"})
    assert "Secure" not in cookie


async def test_an_https_public_url_always_makes_the_cookie_secure(cast: Cast, make_config: Any, db: Any) -> None:
    cookie = await _login_cookie(cast, make_config, {}, public_url="https://sot.example.kz")
    assert "Secure" in cookie
