"""The application shell: health, and one JSON error shape for every kind of failure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from core.config import load_config
from core.errors import Conflict
from web.app import create_app


@pytest.fixture
async def client(make_config: Any, db: Any) -> AsyncIterator[TestClient[Any, Any]]:
    app = create_app(make_config())

    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("secret internal detail")

    async def refuse(request: web.Request) -> web.Response:
        raise Conflict("that already exists", code="already_exists")

    app.router.add_get("/test/boom", boom)
    app.router.add_get("/test/refuse", refuse)
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_health_reports_the_reachable_database(client: TestClient[Any, Any], database_url: str) -> None:
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok" and body["database"]["reachable"] is True
    assert body["database"]["backend"] == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    dependencies = body["dependencies"]
    assert set(dependencies) == {"database", "storage", "relay"}  # no Redis configured: not a dependency
    assert all(d["status"] == "ok" for d in dependencies.values())
    assert dependencies["storage"]["free_bytes"] > 0
    assert dependencies["relay"] == {"status": "ok", "hearings": 0, "streams": 0}
    assert body["worker"].endswith(":8080")


async def test_health_names_the_storage_when_it_cannot_take_a_file(make_config: Any) -> None:
    config = make_config()
    async with TestClient(TestServer(create_app(config))) as c:
        config.storage_dir.rename(config.data_dir / "storage-moved")
        config.storage_dir.write_text("an operator's mistake")
        response = await c.get("/healthz")
        assert response.status == 503
        body = await response.json()
        assert body["status"] == "degraded" and body["database"]["reachable"] is True
        assert body["dependencies"]["storage"]["status"] == "failing"
        assert body["dependencies"]["storage"]["path"] == str(config.storage_dir)


async def test_health_reports_redis_when_it_is_configured(make_config: Any) -> None:
    from tests.conftest import require
    from tests.signaling.nodes import REDIS_URL, redis_up

    require(await redis_up(), f"Redis is not reachable at {REDIS_URL}")
    async with TestClient(TestServer(create_app(make_config(redis_url=REDIS_URL)))) as c:
        body = await (await c.get("/healthz")).json()
        assert body["dependencies"]["redis"] == {"status": "ok"}


async def test_health_is_503_when_the_database_is_gone(tmp_path: Any) -> None:
    config = load_config(environ={}, data_dir=tmp_path,
                         database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    async with TestClient(TestServer(create_app(config))) as c:
        response = await c.get("/healthz")
        assert response.status == 503
        body = await response.json()
        assert body["database"]["reachable"] is False
        assert body["dependencies"]["database"]["status"] == "failing"
        assert body["dependencies"]["storage"]["status"] == "ok"


async def test_a_typed_error_keeps_its_status_and_code(client: TestClient[Any, Any]) -> None:
    response = await client.get("/test/refuse")
    assert response.status == 409
    assert await response.json() == {"error": {"code": "already_exists", "message": "that already exists"}}


async def test_an_unexpected_error_is_an_opaque_500(client: TestClient[Any, Any]) -> None:
    response = await client.get("/test/boom")
    assert response.status == 500
    body = await response.json()
    assert body["error"]["code"] == "internal_error"
    assert "secret" not in body["error"]["message"] and "reference" in body["error"]["message"]


async def test_unknown_routes_and_methods_answer_in_json(client: TestClient[Any, Any]) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status == 404 and (await missing.json())["error"]["code"] == "not_found"
    wrong = await client.get("/api/v1/auth/login")
    assert wrong.status == 405 and (await wrong.json())["error"]["code"] == "method_not_allowed"
    assert "POST" in wrong.headers["Allow"]


async def test_a_body_that_is_not_json_is_a_400(client: TestClient[Any, Any]) -> None:
    response = await client.post("/api/v1/auth/login", data="nonce=1", headers={"Content-Type": "text/plain"})
    assert response.status == 400 and (await response.json())["error"]["code"] == "invalid_request"
