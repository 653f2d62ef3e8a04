"""``GET /healthz``: whether this process can serve, dependency by dependency.

A load balancer (HAProxy's ``option httpchk``) reads only the status code: 200 when every
dependency this process needs answers, 503 when one does not, so the router stops sending it
traffic it would fail. An operator reads the body: each dependency with ``status`` ``ok`` or
``failing`` and what was seen (the database backend, the Redis round trip, the free space of the
storage directory, the relay's hearings), and the ``worker`` it came from.

Core checks the database, Redis (only when ``redis_url`` is set) and the storage directory; a
layer above adds its own with :func:`register_check` (signaling adds the media relay). The same
checks run once at start-up (:mod:`web.startup`), so a server that would be unhealthy refuses to
start instead.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from core.config import Config
from core.resources import CONFIG, DB

log = logging.getLogger(__name__)

#: A check must answer within this long; one that does not is failing (HAProxy's own timeout is longer).
CHECK_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class Status:
    """One dependency's state: ``ok`` and what an operator would want to see about it."""

    ok: bool
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "failing", **self.details}


Check = Callable[[web.Application], Awaitable[Status]]
CHECKS = web.AppKey("health_checks", dict[str, Check])


def register_check(app: web.Application, name: str, check: Check) -> None:
    """Add a dependency to ``/healthz`` (a layer's own part, e.g. the relay); names are unique."""
    if name in app[CHECKS]:
        raise ValueError(f"health check {name!r} is registered twice")
    app[CHECKS][name] = check


async def database_status(app: web.Application) -> Status:
    db = app[DB]
    return Status(await db.ping(), {"backend": db.dialect})


async def redis_status(url: str) -> Status:
    """PING on a fresh connection: the socket.io manager's own pool would hide a dead server a while."""
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT_S, socket_timeout=CHECK_TIMEOUT_S)
    try:
        await client.ping()
        return Status(True)
    except Exception as exc:
        return Status(False, {"error": _reason(exc)})
    finally:
        await client.aclose()


def storage_status(config: Config) -> Status:
    """The data directory's storage can take a new file (created and removed), and how much room is left."""
    directory = config.storage_dir
    error = writable_error(directory)
    if error is not None:
        return Status(False, {"path": str(directory), "error": error})
    return Status(True, {"free_bytes": shutil.disk_usage(directory).free})


def writable_error(directory: Path) -> str | None:
    """Why ``directory`` cannot hold new files (it is created when missing), or None when it can."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".sotkab-"):
            return None
    except OSError as exc:
        return _reason(exc)


def _reason(exc: BaseException) -> str:
    text = (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).splitlines()[0]
    return text[:200]


async def _redis(app: web.Application) -> Status:
    return await redis_status(app[CONFIG].redis_url)


async def _storage(app: web.Application) -> Status:
    return await asyncio.to_thread(storage_status, app[CONFIG])


async def _run(app: web.Application, check: Check) -> Status:
    try:
        return await asyncio.wait_for(check(app), CHECK_TIMEOUT_S)
    except TimeoutError:
        return Status(False, {"error": f"no answer within {CHECK_TIMEOUT_S:g} s"})
    except Exception as exc:
        log.exception("health check %r failed", check)
        return Status(False, {"error": _reason(exc)})


async def healthz(request: web.Request) -> web.Response:
    app = request.app
    checks: dict[str, Check] = app[CHECKS]
    names = list(checks)
    results = await asyncio.gather(*(_run(app, checks[name]) for name in names))
    statuses = dict(zip(names, results, strict=True))
    healthy = all(status.ok for status in statuses.values())
    database = statuses["database"]
    body = {"status": "ok" if healthy else "degraded", "worker": app[CONFIG].worker,
            "dependencies": {name: status.to_json() for name, status in statuses.items()},
            # kept from the first version of this endpoint, which monitoring already reads
            "database": {"backend": database.details.get("backend"), "reachable": database.ok}}
    return web.json_response(body, status=200 if healthy else 503)


def setup(app: web.Application) -> None:
    checks: dict[str, Check] = {"database": database_status, "storage": _storage}
    if app[CONFIG].redis_url:
        checks["redis"] = _redis
    app[CHECKS] = checks
    app.router.add_get("/healthz", healthz)
