"""The python-socketio server: created once per app, its backend chosen by configuration here only.

One process keeps rooms in memory (``AsyncManager``). With ``redis_url`` set, rooms and broadcasts
span every process through ``AsyncRedisManager`` on one pub/sub channel, so a judge connected to
one process reaches a party connected to another. Hearing state never lives in these rooms: it is
in the database, and rooms are only the addresses events are sent to.

The Redis connection is a resource of the app: it is checked and its listener started in
``cleanup_ctx`` (a wrong URL fails start-up, not the first hearing), and closed on shutdown.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import socketio
from aiohttp import web
from redis import asyncio as aioredis
from redis.exceptions import RedisError
from socketio import packet

from core.config import Config
from core.errors import ConfigError
from core.resources import CONFIG
from core.tasks import stop

log = logging.getLogger(__name__)

SIO = web.AppKey("socketio_server", socketio.AsyncServer)
CHANNEL = "sotkab-socketio"


def redis_channel(config: Config, name: str) -> str:
    """``name`` for this deployment: its processes share a database, and only they hear each other.

    Two deployments on one Redis (staging beside production, or the tests and benches of one
    machine, each cluster on its own database) would otherwise take each other's broadcasts and
    bus commands — with hearing and user ids numbered from 1 in every database, a "replaced" or a
    "hearing closed" meant for another cluster's hearing 1 ends this one's sockets. Redis keeps
    ``redis_url``'s database number for keys only; pub/sub channels span them all. So every process
    of a deployment must spell ``database_url`` the same way.
    """
    digest = hashlib.sha256(config.database_url.encode()).hexdigest()[:16]
    return f"{name}-{digest}"
PING_INTERVAL_S = 10
PING_TIMEOUT_S = 10
"""How fast a dead connection is noticed: a silent client is dropped after about 20 s."""


RESERVED_EVENTS = frozenset({"connect", "disconnect", "connect_error", "disconnecting", "newListener",
                             "removeListener", "__disconnect_final"})
"""Names socket.io uses for its own life cycle. A client may *send* an event by any name, and
python-socketio hands one named ``disconnect`` to the namespace's disconnect handler (the
server would forget a socket that stays in its rooms) and one named ``connect`` to the join."""


def refused_event(name: object) -> dict[str, Any]:
    return {"error": {"code": "reserved_event",
                      "message": f"{str(name)[:50]!r} is not an event a client may send"}}


class SignalingServer(socketio.AsyncServer):
    """The AsyncServer, refusing client events with reserved or non-text names before any handler."""

    async def _handle_event(self, eio_sid: str, namespace: str | None, id: int | None, data: Any) -> None:
        name = data[0] if isinstance(data, list) and data else None
        if isinstance(name, str) and name not in RESERVED_EVENTS:
            await super()._handle_event(eio_sid, namespace, id, data)
            return
        log.warning("refused a client event named %r on %s", str(name)[:50], namespace or "/")
        if id is not None:
            await self._send_packet(eio_sid, self.packet_class(packet.ACK, namespace=namespace or "/", id=id,
                                                               data=[refused_event(name)]))


def create_server(config: Config) -> socketio.AsyncServer:
    """The AsyncServer for ``config``: in-memory rooms, or Redis-backed rooms with ``redis_url``."""
    manager: socketio.AsyncManager
    if config.redis_url:
        manager = socketio.AsyncRedisManager(config.redis_url, channel=redis_channel(config, CHANNEL))
    else:
        manager = socketio.AsyncManager()
    return SignalingServer(
        async_mode="aiohttp",
        client_manager=manager,
        ping_interval=PING_INTERVAL_S,
        ping_timeout=PING_TIMEOUT_S,
        # None: only pages served from the host the client connected to may open a socket,
        # which (with SameSite cookies) keeps other sites from riding a logged-in user's cookie.
        cors_allowed_origins=None,
        max_http_buffer_size=256 * 1024,
        logger=False,
        engineio_logger=False,
    )


def is_multi_process(sio: socketio.AsyncServer) -> bool:
    return isinstance(sio.manager, socketio.AsyncRedisManager)


async def socketio_resources(app: web.Application) -> AsyncIterator[None]:
    """Connect the Redis backend at start-up (if configured) and stop everything on shutdown."""
    sio = app[SIO]
    manager = sio.manager
    if isinstance(manager, socketio.AsyncRedisManager):
        url = app[CONFIG].redis_url
        probe = aioredis.Redis.from_url(url)
        try:
            await probe.ping()
        except (RedisError, OSError) as exc:
            raise ConfigError(f"redis_url: cannot reach Redis at {url}: {exc}") from exc
        finally:
            await probe.aclose()
        # Subscribe now rather than on the first connection, so that this process also hears
        # broadcasts for rooms whose members connect later, and so the listener is ours to stop.
        sio.manager_initialized = True
        manager.initialize()
        log.info("socket.io rooms span processes through Redis at %s", url)
    else:
        log.info("socket.io rooms are in this process's memory (set redis_url for several processes)")
    yield
    await sio.shutdown()
    listener = getattr(manager, "thread", None)
    if isinstance(listener, asyncio.Future):
        await stop(listener)
    redis = getattr(manager, "redis", None)
    if redis is not None:
        await redis.aclose()
