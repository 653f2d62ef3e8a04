"""A participant's ``/hearing`` socket from Python: what API clients, benches and the cluster tests use.

It does what ``signaling/events.md`` asks of every client of a deployment of several processes:

- the hearing id travels in the handshake URL (``/socket.io/?hearing=ID``) as well as in ``auth``,
  so the router (HAProxy, ``balance url_param hearing``) places every socket of a hearing on the
  process whose relay holds its media (:mod:`signaling.affinity`);
- WebSocket only, from the first request;
- when the connection drops (the process holding it died, the network blinked) it reconnects
  quickly (0.1 s, doubling to 0.5 s) and keeps trying for the hearing's reconnection grace, then
  gives up — the person's place is kept only that long; each attempt waits for the join's answer
  as long as a busy server needs (a failover's survivor takes the dead process's hearings at once);
  a socket the server *ended* (``removed``, ``hearing_closed``, ...) or a refusal no retry changes
  stops it;
- each time it is (re)connected, its media is negotiated afresh: a new peer connection from the
  caller's factory, an offer through ``media_offer``, the relay's answer applied. Media sessions
  live in one process's relay, so after a failover the old one is gone with its process.

The peer connection is the caller's (anything with :class:`MediaPeer`'s three methods; tests and
benches pass aiortc peers), so this module needs no media stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol
from urllib.parse import urlencode

import socketio

from signaling.affinity import URL_PARAMETER

log = logging.getLogger(__name__)

NAMESPACE = "/hearing"
RECONNECT_DELAY_S = 0.1
"""The first retry after a drop; doubled each time up to :data:`RECONNECT_DELAY_MAX_S`. A router
needs about a health check's interval to take a dead process out (``deploy/haproxy.cfg``: 1 s), and
until then a retry is re-dispatched to a live process by the router itself."""
RECONNECT_DELAY_MAX_S = 0.5
FINAL_REFUSALS = frozenset({"unauthenticated", "not_a_participant", "hearing_closed", "removed", "hearing_not_found",
                            "invalid_hearing_id", "hearing_mismatch", "hearing_not_in_url", "websocket_required",
                            "staff_role_required"})
"""Refusals no retry changes: reconnecting stops (a person removed stays out; a closed hearing is over)."""


def _refusal_code(errors: list[Any]) -> str | None:
    for data in reversed(errors):
        if isinstance(data, dict) and isinstance(data.get("data"), dict):
            return str(data["data"].get("code"))
    return None


class MediaPeer(Protocol):
    """One peer connection of a participant (an aiortc ``RTCPeerConnection`` wrapped, in tests)."""

    async def offer(self) -> str: ...
    async def accept(self, answer_sdp: str) -> None: ...
    async def close(self) -> None: ...


def hearing_url(base_url: str, hearing_id: int) -> str:
    """The server URL a ``/hearing`` socket connects to, with the hearing for the router to hash on."""
    return f"{base_url.rstrip('/')}/?{urlencode({URL_PARAMETER: hearing_id})}"


class HearingClient:
    """One person in one hearing, reconnecting by itself; ``connections`` counts the (re)joins."""

    def __init__(self, base_url: str, hearing_id: int, token: str, *,
                 media: Callable[[], MediaPeer] | None = None, grace_s: float = 30.0,
                 ssl_verify: bool = True, join_timeout_s: float = 15.0) -> None:
        self.base_url = base_url
        self.hearing_id = hearing_id
        self.token = token
        self.media_factory = media
        self.grace_s = grace_s
        self.join_timeout_s = join_timeout_s
        # python-socketio's own reconnection waits one second for the join's answer and then drops
        # the connection and starts over — on a busy server (the survivor of a failover, taking
        # the dead process's hearings at once) that never succeeds. This client reconnects itself.
        self.sio = socketio.AsyncClient(reconnection=False, ssl_verify=ssl_verify)
        self.received: dict[str, list[Any]] = {}
        self.connections = 0
        self.dropped_at: float | None = None
        """``time.monotonic()`` when the connection last dropped (None while it never did)."""
        self.ended: dict[str, Any] | None = None
        self.gave_up: str | None = None
        """Why reconnecting stopped (the grace ran out, or a refusal no retry can change)."""
        self.peer: MediaPeer | None = None
        self.media_answers = 0
        self.timeline: list[tuple[float, str]] = []
        """``(time.monotonic(), what)``: dropped, connected, media_answered — for measuring a failover."""
        self._closing = False
        self._reconnecting: asyncio.Task[None] | None = None
        self._negotiation: asyncio.Task[None] | None = None
        self._media_ready = asyncio.Event()
        self._listeners: list[Callable[[str, Any], Awaitable[None] | None]] = []
        self.sio.on("connect", self._connected, namespace=NAMESPACE)
        self.sio.on("disconnect", self._disconnected, namespace=NAMESPACE)
        self.sio.on("connect_error", self._refused, namespace=NAMESPACE)
        self.sio.on("*", self._event, namespace=NAMESPACE)

    # ---- the connection ------------------------------------------------------------------------

    async def connect(self, timeout_s: float | None = None) -> None:
        """Join; raises ``socketio.exceptions.ConnectionError`` with the server's refusal."""
        await self.sio.connect(hearing_url(self.base_url, self.hearing_id), namespaces=[NAMESPACE],
                               auth={"token": self.token, "hearing": self.hearing_id},
                               transports=["websocket"], wait_timeout=timeout_s or self.join_timeout_s)

    async def _connected(self) -> None:
        self.timeline.append((time.monotonic(), "connected"))
        self.connections += 1
        self._media_ready.clear()
        if self.media_factory is not None:
            previous = self._negotiation
            self._negotiation = asyncio.create_task(self._negotiate(previous), name="hearing-media")

    async def _disconnected(self, reason: object = None) -> None:
        self.dropped_at = time.monotonic()
        self.timeline.append((self.dropped_at, "dropped"))
        self._media_ready.clear()
        if self._closing or self.ended is not None or self.connections == 0:
            return
        log.info("hearing %s: socket dropped (%s); reconnecting", self.hearing_id, reason)
        if self._reconnecting is None or self._reconnecting.done():
            self._reconnecting = asyncio.create_task(self._reconnect(self.dropped_at), name="hearing-reconnect")

    async def _refused(self, data: Any = None) -> None:
        self.received.setdefault("connect_error", []).append(data)

    async def _reconnect(self, since: float) -> None:
        """Try again, quickly at first, until joined or the hearing's grace for this person is over."""
        delay = RECONNECT_DELAY_S
        deadline = since + self.grace_s
        while not self._closing and time.monotonic() < deadline:
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_DELAY_MAX_S)
            refusals = len(self.received.get("connect_error", []))
            try:
                await self.connect(timeout_s=max(1.0, min(self.join_timeout_s, deadline - time.monotonic())))
                return
            except (socketio.exceptions.ConnectionError, OSError, TimeoutError) as exc:
                code = _refusal_code(self.received.get("connect_error", [])[refusals:])
                if code in FINAL_REFUSALS:
                    self.gave_up = code
                    log.warning("hearing %s: not coming back: %s", self.hearing_id, code)
                    return
                log.info("hearing %s: reconnecting failed (%s); trying again", self.hearing_id, code or exc)
                with contextlib.suppress(Exception):
                    await self.sio.disconnect()
        self.gave_up = self.gave_up or "grace_expired"

    async def _event(self, event: str, data: Any = None) -> None:
        self.received.setdefault(event, []).append(data)
        if event == "ended":
            # The server ended this socket on purpose: coming back would be refused or would
            # take the place of the person's newer window.
            self.ended = data if isinstance(data, dict) else {"code": str(data)}
        for listener in self._listeners:
            result = listener(event, data)
            if result is not None:
                await result

    def on_event(self, listener: Callable[[str, Any], Awaitable[None] | None]) -> None:
        """Call ``listener(event, data)`` for every server event, after it is recorded."""
        self._listeners.append(listener)

    async def call(self, event: str, data: Any = None, timeout_s: float = 15.0) -> Any:
        return await self.sio.call(event, data, namespace=NAMESPACE, timeout=timeout_s)

    # ---- media ---------------------------------------------------------------------------------

    async def _negotiate(self, previous: asyncio.Task[None] | None) -> None:
        if previous is not None and not previous.done():
            previous.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await previous
        if self.peer is not None:
            with contextlib.suppress(Exception):
                await self.peer.close()
            self.peer = None
        assert self.media_factory is not None
        peer = self.media_factory()
        self.peer = peer
        try:
            reply = await self.call("media_offer", {"sdp": await peer.offer()})
        except (socketio.exceptions.SocketIOError, TimeoutError) as exc:
            log.warning("hearing %s: media offer not answered (%s)", self.hearing_id, exc)
            return
        if not isinstance(reply, dict) or not reply.get("ok"):
            log.warning("hearing %s: media offer refused: %s", self.hearing_id, reply)
            return
        await peer.accept(reply["answer"]["sdp"])
        self.timeline.append((time.monotonic(), "media_answered"))
        self.media_answers += 1
        self._media_ready.set()

    async def media_ready(self, timeout_s: float = 15.0) -> None:
        """Wait until the current connection's media session was answered by the relay."""
        await asyncio.wait_for(self._media_ready.wait(), timeout_s)

    async def close(self) -> None:
        """Leave without reconnecting: the socket closes, the media session with it."""
        self._closing = True
        if self._reconnecting is not None and not self._reconnecting.done():
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reconnecting
        if self._negotiation is not None and not self._negotiation.done():
            self._negotiation.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._negotiation
        with contextlib.suppress(Exception):
            await self.sio.disconnect()
        if self.peer is not None:
            with contextlib.suppress(Exception):
                await self.peer.close()
            self.peer = None
