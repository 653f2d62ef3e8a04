"""Commands between signaling processes, for what only the process holding a socket can do.

socket.io's Redis manager carries *client* traffic between processes (rooms, broadcasts). Some
actions must run in server code where the socket lives: a participant's media session is in the
relay of the process their socket is connected to, so "mute X" taken by a judge on process A must
be applied by process B; so must moving a socket between rooms after an admission, closing the
old socket of somebody who reconnected elsewhere, or ending the sockets of a session that was
logged out. Those go over this bus: every process receives every command (including its own) and
acts only on the sockets and media sessions it holds.

Commands are the typed values of :mod:`signaling.commands`. Without Redis there is one process
and a command is dispatched in place; on Redis it travels as JSON and is decoded strictly (a
malformed message is dropped with a warning). Handlers must tolerate commands about sockets they
do not hold.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from redis import asyncio as aioredis

from core.logs import REQUEST_ID, accepted_request_id
from core.tasks import stop
from signaling.commands import Command, CommandInvalid, decode, encode

log = logging.getLogger(__name__)

CHANNEL = "sotkab-signaling-bus"
REQUEST_KEY = "request_id"
"""Beside a command on the wire: the request that caused it, so the acting process logs under its id."""
Handler = Callable[[Command], Awaitable[None]]


class Bus:
    """Publish a command to every signaling process; ``start()`` listens when on Redis."""

    def __init__(self, redis_url: str = "", channel: str = CHANNEL) -> None:
        self.redis_url = redis_url
        self.channel = channel
        """The deployment's own channel (:func:`signaling.server.redis_channel`)."""
        self._handlers: list[Handler] = []
        self._redis: aioredis.Redis | None = None
        self._listener: asyncio.Task[None] | None = None

    def on_command(self, handler: Handler) -> None:
        """Every handler receives every command, in the order they were added."""
        self._handlers.append(handler)

    async def start(self) -> None:
        if not self.redis_url:
            return
        self._redis = aioredis.Redis.from_url(self.redis_url)
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.channel)
        self._listener = asyncio.create_task(self._listen(pubsub), name="signaling-bus")

    async def publish(self, command: Command) -> None:
        if self._redis is None:
            await self._dispatch(command)
            return
        message = encode(command)
        request_id = REQUEST_ID.get()
        if request_id:
            message[REQUEST_KEY] = request_id
        await self._redis.publish(self.channel, json.dumps(message))

    async def _listen(self, pubsub: Any) -> None:
        try:
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                try:
                    data = json.loads(message["data"])
                    request_id = accepted_request_id(data.pop(REQUEST_KEY, None)) if isinstance(data, dict) else None
                    command = decode(data)
                except (ValueError, TypeError, CommandInvalid) as exc:
                    log.warning("ignored a malformed signaling bus message: %s", exc)
                    continue
                token = REQUEST_ID.set(request_id)
                try:
                    await self._dispatch(command)
                finally:
                    REQUEST_ID.reset(token)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    async def _dispatch(self, command: Command) -> None:
        for handler in self._handlers:
            try:
                await handler(command)
            except Exception:
                log.exception("signaling bus command %s failed", type(command).__name__)

    async def close(self) -> None:
        await stop(self._listener)
        if self._redis is not None:
            await self._redis.aclose()
