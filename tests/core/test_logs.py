"""Request ids and JSON lines: an id a client chose is believed only from a trusted proxy, and only
when it is plain; every record is one JSON line naming the worker, the request and the socket."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from core.logs import REQUEST_ID, ContextFilter, JsonFormatter, accepted_request_id
from web.app import create_app

log = logging.getLogger(__name__)


async def _client(make_config: Any, seen: list[str | None], **overrides: Any) -> TestClient[Any, Any]:
    app = create_app(make_config(**overrides))

    async def echo(request: web.Request) -> web.Response:
        seen.append(REQUEST_ID.get())
        return web.json_response({})

    app.router.add_get("/test/echo", echo)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_a_client_cannot_choose_its_request_id_unless_it_is_a_trusted_proxy(make_config: Any) -> None:
    seen: list[str | None] = []
    client = await _client(make_config, seen)
    try:
        response = await client.get("/test/echo", headers={"X-Request-Id": "forged-by-a-party"})
        assert response.headers["X-Request-Id"] != "forged-by-a-party"
        assert seen[-1] == response.headers["X-Request-Id"] and len(seen[-1] or "") == 16
        other = await client.get("/test/echo")
        assert other.headers["X-Request-Id"] != response.headers["X-Request-Id"]  # one id per request
        refused = await client.get("/api/v1/no/such/thing")
        assert refused.status == 404 and len(refused.headers["X-Request-Id"]) == 16
    finally:
        await client.close()


async def test_a_trusted_proxy_sets_the_id_but_not_a_line_break_or_a_novel(make_config: Any) -> None:
    seen: list[str | None] = []
    client = await _client(make_config, seen, trusted_proxies=("127.0.0.1",))
    try:
        response = await client.get("/test/echo", headers={"X-Request-Id": "0a1b2c3d:4e5f"})
        assert response.headers["X-Request-Id"] == "0a1b2c3d:4e5f" and seen[-1] == "0a1b2c3d:4e5f"
        for hostile in ('x" , "level": "ERROR', "a" * 65, "id with spaces"):
            answer = await client.get("/test/echo", headers={"X-Request-Id": hostile})
            assert answer.headers["X-Request-Id"] != hostile and seen[-1] == answer.headers["X-Request-Id"]
    finally:
        await client.close()


def test_only_plain_short_ids_are_accepted() -> None:
    assert accepted_request_id("haproxy-7f3a9c") == "haproxy-7f3a9c"
    assert accepted_request_id(None) is None
    assert accepted_request_id("") is None
    assert accepted_request_id("a\nb") is None
    assert accepted_request_id("ä") is None


def test_a_record_is_one_json_line_with_the_worker_request_and_socket() -> None:
    record = log.makeRecord(__name__, logging.ERROR, __file__, 1, "refund %s failed", ("7",), None)
    try:
        raise RuntimeError("provider down")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    token = REQUEST_ID.set("req-1")
    try:
        assert ContextFilter("vm:8081").filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "refund 7 failed" and entry["level"] == "ERROR" and entry["worker"] == "vm:8081"
    assert entry["request_id"] == "req-1" and "socket_id" not in entry
    assert "RuntimeError: provider down" in entry["exception"] and entry["ts"].endswith("+00:00")
