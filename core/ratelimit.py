"""Rate limits on the endpoints anyone can call without logging in.

A loop of garbage logins costs the server an audit entry each, written under the audit chain's
head lock, so one client could serialize every audited write on the platform; a flood of
challenges or public look-ups costs little each but adds up. The policy (README, Security):

- the unauthenticated endpoints (:data:`LIMITED_PREFIXES`: EDS challenge and login, the public
  look-up, the built-in CA's CRL/OCSP) are counted per client address (``rate_limit_per_client``
  requests per ``rate_limit_window_s``) and all together (``rate_limit_global``); ``0`` switches a
  limit off;
- the client address is the one :mod:`core.proxies` resolved, so behind a trusted proxy each real
  client has its own budget, and a client cannot pick a fresh address by writing a header;
- over a limit the answer is ``429`` with ``Retry-After`` (seconds to the window's end) and the
  usual ``{"error": {"code": "rate_limited", ...}}`` body, before anything else is done;
- the counts are fixed windows kept in Redis when ``redis_url`` is set (so several server
  processes share one budget) and in process memory otherwise.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from aiohttp import web
from aiohttp.typedefs import Handler

from core.errors import TooManyRequests
from core.proxies import origin_of
from core.resources import CONFIG

log = logging.getLogger(__name__)

LIMITED_PREFIXES = ("/api/v1/auth/challenge", "/api/v1/auth/login", "/api/v1/public/", "/pki/")
_GLOBAL = "*"


class Counter(Protocol):
    async def hit(self, key: str, window: int, window_s: int) -> int:
        """Count one request for ``key`` in window number ``window``; the count so far."""

    async def close(self) -> None: ...


class MemoryCounter:
    """Fixed windows in a dict; windows that ended are dropped as the next one begins."""

    def __init__(self) -> None:
        self._window = -1
        self._counts: dict[str, int] = {}

    async def hit(self, key: str, window: int, window_s: int) -> int:
        if window != self._window:
            self._window, self._counts = window, {}
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count

    async def close(self) -> None:
        self._counts.clear()


class RedisCounter:
    """Fixed windows in Redis: ``INCR`` + ``EXPIRE`` in one pipeline, shared by every process."""

    def __init__(self, url: str, prefix: str = "sotkab:ratelimit:") -> None:
        from redis import asyncio as aioredis

        self._redis = aioredis.from_url(url)
        self._prefix = prefix

    async def hit(self, key: str, window: int, window_s: int) -> int:
        name = f"{self._prefix}{window}:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_s * 2)
            count, _ = await pipe.execute()
        return int(count)

    async def close(self) -> None:
        await self._redis.aclose()


COUNTER = web.AppKey("rate_limit_counter", Counter)
NOW: web.AppKey[Callable[[], float]] = web.AppKey("rate_limit_now")


def _limited(path: str) -> bool:
    return path.startswith(LIMITED_PREFIXES)


@web.middleware
async def rate_limit_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    config = request.app[CONFIG]
    if not _limited(request.path) or COUNTER not in request.app:
        return await handler(request)
    window_s = config.rate_limit_window_s
    now = request.app[NOW]()
    window = int(now // window_s)
    retry_after = math.ceil((window + 1) * window_s - now)
    counter = request.app[COUNTER]
    client = origin_of(request).client
    if config.rate_limit_per_client:
        key = f"client:{client}" if client is not None else "client:unknown"
        if await counter.hit(key, window, window_s) > config.rate_limit_per_client:
            log.info("rate limit: %s over %d requests in %d s", key, config.rate_limit_per_client, window_s)
            raise TooManyRequests(f"too many requests from your address; try again in {retry_after} s",
                                  retry_after=retry_after)
    if config.rate_limit_global:
        if await counter.hit(_GLOBAL, window, window_s) > config.rate_limit_global:
            log.warning("rate limit: the global %d requests in %d s reached", config.rate_limit_global, window_s)
            raise TooManyRequests(f"the court's server is busy; try again in {retry_after} s",
                                  retry_after=retry_after)
    return await handler(request)


def setup(app: web.Application, *, now: Callable[[], float] = time.time) -> None:
    """Count in Redis when ``redis_url`` is set, else in memory; nothing when both limits are 0."""
    app[NOW] = now
    app.cleanup_ctx.append(_counter)


async def _counter(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    if not (config.rate_limit_per_client or config.rate_limit_global):
        yield
        return
    counter: Counter = RedisCounter(config.redis_url) if config.redis_url else MemoryCounter()
    app[COUNTER] = counter
    yield
    await counter.close()
