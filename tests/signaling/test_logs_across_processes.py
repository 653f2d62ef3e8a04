"""Structured logs follow a request across processes: JSON lines, one request id from HAProxy to the
process that acted on it.

Two real server processes share the database and Redis and log JSON lines. A logout sent to process
one through a trusted proxy carries ``X-Request-Id``; process one logs the request under that id
and answers with it; the ending of the session's socket held by process two travels on the bus and
is logged there under the same id. A client that is not a trusted proxy cannot choose the id.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import aiohttp
import pytest

from tests.conftest import require
from tests.signaling.conftest import Courthouse, connect, leave_all
from tests.signaling.nodes import Node, redis_up, start_node

pytestmark = pytest.mark.redis

JSON_LOGS = {"SOTKAB_LOG_FORMAT": "json", "SOTKAB_LOG_LEVEL": "INFO", "SOTKAB_TRUSTED_PROXIES": "127.0.0.1"}


def entries(node: Node) -> list[dict[str, Any]]:
    """Every line the process wrote is one JSON object (tracebacks included)."""
    return [json.loads(line) for line in node.lines if line.strip()]


async def logged(node: Node, match: Any, within: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for entry in entries(node):
            if match(entry):
                return entry
        await asyncio.sleep(0.05)
    raise AssertionError(f"no such line in {node.url}'s log:\n" + "\n".join(node.lines[-30:]))


async def test_a_request_id_follows_a_logout_to_the_process_holding_its_socket(courthouse: Courthouse) -> None:
    require(await redis_up(), "Redis is not reachable at 127.0.0.1:6379")
    h = courthouse
    config = h.app.config
    one = await start_node(database_url=config.database_url, data_dir=config.data_dir, **JSON_LOGS)
    two = await start_node(database_url=config.database_url, data_dir=config.data_dir, **JSON_LOGS)
    sockets = []
    try:
        cabinet = await connect(two.url, "/cabinet", {"token": h.tokens["alice"]})
        sockets.append(cabinet)
        async with aiohttp.ClientSession() as http:
            response = await http.post(f"{one.url}/api/v1/auth/logout",
                                       headers={"Authorization": f"Bearer {h.tokens['alice']}",
                                                "X-Request-Id": "haproxy-7f3a9c", "X-Forwarded-For": "203.0.113.7"})
            assert response.status in (200, 204), await response.text()
            assert response.headers["X-Request-Id"] == "haproxy-7f3a9c"
        assert (await cabinet.wait("ended", within=4))["code"] == "session_ended"

        access = await logged(one, lambda e: e["logger"] == "sotkab.access" and "/api/v1/auth/logout" in e["message"])
        assert access["request_id"] == "haproxy-7f3a9c" and access["worker"].endswith(one.url.rsplit(":", 1)[1])
        ended = await logged(two, lambda e: "ending /cabinet socket" in e["message"])
        assert ended["request_id"] == "haproxy-7f3a9c"
        assert ended["worker"] != access["worker"] and ended["worker"].endswith(two.url.rsplit(":", 1)[1])
        assert ended["level"] == "INFO" and ended["ts"].endswith("+00:00")
    finally:
        await leave_all(*sockets)
        await one.stop()
        await two.stop()
