"""Rate limits on unauthenticated endpoints, attacked over HTTP on both counters (memory, real Redis).

The attacks: one client floods the challenge/login endpoints; many clients (behind our proxy)
flood them together; a client forges X-Forwarded-For to get a fresh budget per request; several
server processes each give a client a full budget.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core import ratelimit
from tests.conftest import require
from web.app import create_app

REDIS_URL = "redis://127.0.0.1:6379/0"


async def _redis_up() -> bool:
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()


class FakeTime:
    def __init__(self) -> None:
        # a window nobody else uses, so parallel runs on one Redis never share counts
        self.now = 3_999_999_960 + secrets.randbelow(10**9) * 60 + 10.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _client(make_config: Any, backend: str, clock: FakeTime, **overrides: Any) -> TestClient[Any, Any]:
    if backend == "redis":
        require(await _redis_up(), f"Redis is not reachable at {REDIS_URL}")
        overrides["redis_url"] = REDIS_URL
    app = create_app(make_config(**overrides))
    app[ratelimit.NOW] = clock
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_one_client_is_limited_with_retry_after_and_a_json_body(make_config: Any, db: Any,
                                                                      backend: str) -> None:
    clock = FakeTime()
    client = await _client(make_config, backend, clock, rate_limit_per_client=3, rate_limit_window_s=60)
    try:
        statuses = [(await client.post("/api/v1/auth/challenge")).status for _ in range(3)]
        refused = await client.post("/api/v1/auth/login", json={"nonce": "x", "signature": "y"})
        assert statuses == [200, 200, 200] and refused.status == 429
        assert refused.headers["Retry-After"] == "50"
        assert (await refused.json())["error"]["code"] == "rate_limited"
        forged = await client.post("/api/v1/auth/challenge", headers={"X-Forwarded-For": "198.51.100.77"})
        assert forged.status == 429  # a header from a client that is no trusted proxy buys nothing
        assert (await client.get("/api/v1/me")).status == 401  # logged-in endpoints are not counted here
        clock.now += 50
        assert (await client.post("/api/v1/auth/challenge")).status == 200
    finally:
        await client.close()


async def test_clients_behind_a_trusted_proxy_each_have_a_budget_and_all_share_one(make_config: Any, db: Any,
                                                                                    backend: str) -> None:
    clock = FakeTime()
    client = await _client(make_config, backend, clock, trusted_proxies=("127.0.0.1",), rate_limit_per_client=2,
                           rate_limit_global=5)
    try:
        def via(address: str) -> dict[str, str]:
            return {"X-Forwarded-For": address}

        assert [(await client.post("/api/v1/auth/challenge", headers=via("198.51.100.1"))).status
                for _ in range(3)] == [200, 200, 429]
        others = [(await client.post("/api/v1/auth/challenge", headers=via(f"198.51.100.{n}"))).status
                  for n in range(2, 6)]
        assert others == [200, 200, 200, 429]  # the global budget of 5 is spent
    finally:
        await client.close()


async def test_several_processes_share_one_budget_in_redis(make_config: Any, db: Any) -> None:
    clock = FakeTime()
    first = await _client(make_config, "redis", clock, rate_limit_per_client=3)
    second = await _client(make_config, "redis", clock, rate_limit_per_client=3)
    try:
        assert (await first.post("/api/v1/auth/challenge")).status == 200
        assert (await second.post("/api/v1/auth/challenge")).status == 200
        assert (await first.post("/api/v1/auth/challenge")).status == 200
        assert (await second.post("/api/v1/auth/challenge")).status == 429
    finally:
        await first.close()
        await second.close()


async def test_a_login_body_over_16_kib_is_refused_before_it_is_read(make_config: Any, db: Any) -> None:
    client = await _client(make_config, "memory", FakeTime())
    try:
        server = client.server
        reader, writer = await asyncio.open_connection(server.host, server.port)
        head = (f"POST /api/v1/auth/login HTTP/1.1\r\nHost: {server.host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {20 * 1024 * 1024}\r\n\r\n")
        writer.write(head.encode() + b'{"nonce": "' + b"a" * 1024)  # and the other 20 MB never come
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout=30)
        writer.close()
        assert status_line.split()[1] == b"413"

        async def chunked() -> Any:
            for _ in range(64):
                yield b"a" * 1024

        response = await client.post("/api/v1/auth/login", data=chunked(),
                                     headers={"Content-Type": "application/json"})
        assert response.status == 413 and (await response.json())["error"]["code"] == "body_too_large"
    finally:
        await client.close()
