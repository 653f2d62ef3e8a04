"""The ``/hearing`` namespace: joining a hearing, judge controls, presence, chat, heartbeat, WebRTC.

A socket is one person in one hearing. The handshake carries ``auth = {"token", "hearing"}``;
connecting *is* joining (or re-joining within the grace period), so refusals come back as
``connect_error`` with a code (``unauthenticated``, ``not_a_participant``, ``hearing_not_open``,
``hearing_closed``...). Every other event is a call with an acknowledgement: ``{"ok": true, ...}``
or ``{"error": {"code", "message", "details"?}}``, the shape of an HTTP error.

Every call goes through one dispatcher (:meth:`HearingNamespace.trigger_event`): an unknown event
name is refused (``unknown_event``; reserved names never get here, see :mod:`signaling.server`),
the socket must be joined, its session is checked again (logged out, expired or revoked: the
socket ends; a revoked staff grant ends a staff socket), the payload must be an object, and typed
refusals become error replies. Handlers then parse, call one service method and broadcast what it
returns. Event names and payloads: ``signaling/events.md``.

The namespace's parts are their own objects: the sockets this process holds
(:class:`~signaling.sockets.SocketRegistry`), roster batching (:class:`~signaling.roster.Roster`),
the periodic sweeper (:class:`~signaling.sweeper.Sweeper`), the media relay
(:class:`~signaling.media_bridge.MediaBridge`) and the bus between processes, whose typed commands
:class:`~signaling.hearing_commands.HearingCommands` applies. Rooms: :mod:`signaling.rooms`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, TypeVar

import socketio
from aiohttp import web

from cabinet.identity.principal import Principal
from core.errors import SotkabError
from core.logs import SOCKET_ID
from core.tasks import stop as stop_tasks
from media.errors import MediaError
from recordings.live import RecorderHub
from sessions.errors import SessionsError
from sessions.lifecycle import Action, ChatChannel
from sessions.presence import PresenceState
from sessions.resources import HEARINGS
from sessions.service import HearingService
from sessions.views import Outcome
from signaling.affinity import AffinityRefused, check_handshake
from signaling.auth import SESSION_ENDED, STAFF_GRANT_REVOKED, Lapse, authenticate, recheck, refuse
from signaling.bus import Bus
from signaling.commands import MediaCommand, ReplaceSockets
from signaling.hearing_commands import HearingCommands
from signaling.media_bridge import MediaBridge, relay_control
from signaling.rooms import hearing_room, in_room, staff_room, user_room
from signaling.roster import Roster
from signaling.server import is_multi_process
from signaling.sockets import Connection, SocketRegistry
from signaling.wire import (
    Payload,
    PayloadError,
    error_json,
    event_json,
    heartbeat_stats,
    optional_int,
    optional_text,
    parse_hearing_id,
)

log = logging.getLogger(__name__)

__all__ = ["NAMESPACE", "HearingNamespace", "hearing_room", "in_room", "staff_room", "user_room"]

NAMESPACE = "/hearing"
ALERT_PACKET_LOSS = 0.10
ALERT_RTT_MS = 1000.0
ACK_GRACE_S = 0.2
_DETAIL_KEYS = ("reason", "media", "text", "channel", "new_start")
_SERVER_EVENTS = frozenset({"connect", "disconnect"})
"""Sent by python-socketio itself; a client sending these names is refused by the server."""

T = TypeVar("T")
Reply = dict[str, Any]
Handler = Callable[["HearingNamespace", Connection, Payload], Awaitable[Reply]]
_EVENTS: dict[str, Handler] = {}


def event(name: str) -> Callable[[Handler], Handler]:
    """Register a call handler; the dispatcher has found its live socket and checked its session."""
    def register(handler: Handler) -> Handler:
        _EVENTS[name] = handler
        return handler

    return register


class HearingNamespace(socketio.AsyncNamespace):
    """Registered when the app is assembled; its bus and media bridge are attached at start-up."""

    def __init__(self, app: web.Application) -> None:
        super().__init__(NAMESPACE)
        self.app = app
        self.sockets = SocketRegistry()
        self._bridge: MediaBridge | None = None
        self._bus: Bus | None = None
        self._roster: Roster | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        self.recorders: RecorderHub | None = None
        """This process's hearing recorders (set at start-up by signaling.setup)."""

    def start(self, bridge: MediaBridge, bus: Bus) -> None:
        self._bridge, self._bus = bridge, bus
        self._roster = Roster(self, bus, self.service.view, self._later, bridge.ice_for)
        bus.on_command(HearingCommands(self))

    @property
    def service(self) -> HearingService:
        """The hearings package's service, looked up when used so assembly order does not matter."""
        return self.app[HEARINGS]

    @property
    def bridge(self) -> MediaBridge:
        return _started(self._bridge)

    @property
    def bus(self) -> Bus:
        return _started(self._bus)

    @property
    def roster(self) -> Roster:
        return _started(self._roster)

    # ---- connecting is joining ---------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        principal, token = await authenticate(self.app, environ, auth)
        try:
            hearing_id = parse_hearing_id(auth.get("hearing") if isinstance(auth, Mapping) else None)
        except PayloadError as exc:
            raise refuse(exc.code, exc.message) from None
        try:
            check_handshake(environ, hearing_id, several_processes=is_multi_process(self.server))
        except AffinityRefused as exc:
            raise refuse(exc.code, exc.message) from None
        try:
            joined = await self.service.join(principal, hearing_id)
        except SotkabError as exc:
            raise refuse(exc.code, exc.message, **_plain(exc.details)) from None
        # Admitted: only now does this socket take over from the person's older ones (a reload,
        # a second window, a drop not yet noticed), on whichever process they are.
        connection = Connection(sid, principal, hearing_id, joined, token)
        self.sockets.add(connection)
        await self.bus.publish(ReplaceSockets(hearing_id, principal.user_id, sid))
        await self.enter_room(sid, hearing_room(hearing_id))
        await self.enter_room(sid, user_room(hearing_id, principal.user_id))
        if joined.is_staff:
            await self.enter_room(sid, staff_room(hearing_id))
        if joined.presence_state is PresenceState.IN_ROOM:
            await self.enter_room(sid, in_room(hearing_id))
        log.info("user %s joined hearing %s as %s (%s)", principal.user_id, hearing_id, joined.role.value,
                 joined.presence_state.value)
        self.roster.greet(connection)

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        connection = self.sockets.remove(sid)
        if connection is None or connection.ended:
            return
        user_id, hearing_id = connection.user_id, connection.hearing_id
        if self._newer_socket(connection):
            return  # a reload: the page's new socket joined before this one's close was noticed
        try:
            view = await self.service.disconnected(user_id, hearing_id)
            if view is not None and self._newer_socket(connection):
                # The new socket's join committed while this close was being stored: it stays in.
                await self.service.reconnected(user_id, hearing_id)
                view = await self.service.view(hearing_id)
                await self.roster.publish(view)
                return
        except SessionsError as exc:
            log.info("disconnect of %s from hearing %s not recorded: %s", user_id, hearing_id, exc.code)
            return
        if view is None:
            return
        await self.emit("alert", {"kind": "connection_lost", "user_id": user_id,
                                  "name": connection.principal.name}, room=staff_room(hearing_id))
        await self.roster.publish(view)

    def _newer_socket(self, closed: Connection) -> bool:
        """Whether the person has another live socket in the same hearing here (all of a hearing's
        sockets are on one process: signaling/affinity.py)."""
        return any(c.sid != closed.sid and not c.ended
                   for c in self.sockets.of_person(closed.hearing_id, closed.user_id))

    # ---- the dispatcher: every call from a client -------------------------------------------

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if args and isinstance(args[0], str):
            SOCKET_ID.set(args[0])  # this event's own task: the lines it logs name the socket
        if event in _SERVER_EVENTS:
            return await super().trigger_event(event, *args)
        sid, data = args[0], args[1] if len(args) > 1 else None
        handler = _EVENTS.get(event)
        if handler is None:
            return {"error": {"code": "unknown_event", "message": f"{event[:50]!r} is not an event of {NAMESPACE}"}}
        connection = self.sockets.live(sid)
        if connection is None:
            return {"error": {"code": "not_joined", "message": "this socket is not in a hearing"}}
        lapse = self.verdict(connection, await recheck(self.app, connection.token))
        if lapse is not None:
            await self.lapse(connection, lapse)
            return lapse.as_json()
        try:
            return await handler(self, connection, Payload.of(data))
        except PayloadError as exc:
            return exc.as_json()
        except (SotkabError, MediaError) as exc:
            return error_json(exc)

    def verdict(self, connection: Connection, principal: Principal | None) -> Lapse | None:
        """Whether the socket may go on, given its session as read again (None: it may)."""
        if principal is None:
            return SESSION_ENDED
        if not self.service.still_admitted(connection.joined, principal.grants):
            return STAFF_GRANT_REVOKED
        connection.principal = principal
        return None

    async def lapse(self, connection: Connection, lapse: Lapse) -> None:
        """End a socket whose session or grant is gone: the person leaves the hearing (their media
        session ends with the roster) and the socket is told why."""
        if not await self.end(connection.sid, lapse.code, lapse.message, close=False):
            return
        try:
            await self.broadcast(await self.service.left(connection.user_id, connection.hearing_id))
        except SessionsError as exc:
            log.info("leaving of %s from hearing %s not recorded: %s", connection.user_id,
                     connection.hearing_id, exc.code)
        finally:
            # Closed only now: the leaving is written and broadcast first, which can take longer than
            # ACK_GRACE_S on a loaded host, and a close counted from before it overtook the reply to
            # the event that found the lapse (the client's call then never got its answer).
            self._later(self.disconnect(connection.sid))

    # ---- leaving, controls, heartbeat, WebRTC -------------------------------------------------

    @event("leave")
    async def _leave(self, connection: Connection, payload: Payload) -> Reply:
        outcome = await self.service.left(connection.user_id, connection.hearing_id)
        connection.ended = True
        await self.broadcast(outcome)
        self._later(self.disconnect(connection.sid))
        return {"ok": True}

    async def _control(self, action: Action, connection: Connection, payload: Payload) -> Reply:
        target = optional_int(payload, "target")
        details = {key: value for key in _DETAIL_KEYS if (value := optional_text(payload, key)) is not None}
        outcome = await self.service.control(connection.principal, connection.hearing_id, action,
                                             target_user_id=target, details=details)
        await self.broadcast(outcome)
        return {"ok": True, "events": [event_json(e) for e in outcome.events]}

    @event("heartbeat")
    async def _heartbeat(self, connection: Connection, payload: Payload) -> Reply:
        stats = heartbeat_stats(payload.fields)
        await self.service.heartbeat(connection.user_id, connection.hearing_id, stats)
        connection.stats, connection.beat_at = stats, time.monotonic()
        report = {"user_id": connection.user_id, "name": connection.principal.name, **stats}
        room = staff_room(connection.hearing_id)
        await self.emit("stats", report, room=room)
        loss, rtt = stats.get("packet_loss", 0.0), stats.get("rtt_ms", 0.0)
        if loss >= ALERT_PACKET_LOSS or rtt >= ALERT_RTT_MS:
            await self.emit("alert", {"kind": "poor_connection", **report}, room=room)
        return {"ok": True}

    @event("media_offer")
    async def _media_offer(self, connection: Connection, payload: Payload) -> Reply:
        sdp = payload.text("sdp", max_length=64 * 1024)
        user_id, hearing_id = connection.user_id, connection.hearing_id
        answer = await self.bridge.open_session(hearing_id, user_id, sdp,
                                                lambda: self.service.media_grant(user_id, hearing_id))
        return {"ok": True, **answer}

    @event("receive_video")
    async def _receive_video(self, connection: Connection, payload: Payload) -> Reply:
        """Audio-only mode: the viewer's own slots stop (or resume) carrying video; nobody else's."""
        on = payload.flag("on")
        if not await self.bridge.receive_video(connection.hearing_id, connection.user_id, on):
            return {"error": {"code": "no_media_session", "message": "send media_offer first"}}
        return {"ok": True, "receive_video": on}

    @event("ice_candidate")
    async def _ice_candidate(self, connection: Connection, payload: Payload) -> Reply:
        await self.bridge.candidate(connection.hearing_id, connection.user_id, optional_text(payload, "candidate"),
                                    optional_text(payload, "sdp_mid"), optional_int(payload, "sdp_mline_index"))
        return {"ok": True}

    # ---- broadcasting -------------------------------------------------------------------------

    async def broadcast(self, outcome: Outcome) -> None:
        """Send logged events to whom they concern, drive the relays, then publish the roster."""
        hearing_id = outcome.view.hearing_id
        for logged in outcome.events:
            body = event_json(logged)
            if logged.action is Action.CHAT and logged.details.get("channel") == ChatChannel.STAFF.value:
                await self.emit("hearing_event", body, room=staff_room(hearing_id))
                if logged.actor_user_id is not None:
                    await self.emit("hearing_event", body, room=user_room(hearing_id, logged.actor_user_id),
                                    skip_sid=None)
                continue
            room = in_room(hearing_id) if logged.action is Action.CHAT else hearing_room(hearing_id)
            await self.emit("hearing_event", body, room=room)
            if logged.action is Action.CHAT:
                await self.emit("hearing_event", body, room=staff_room(hearing_id))
            control = relay_control(logged.action, logged.details)
            if control is not None:
                await self.bus.publish(MediaCommand(hearing_id, logged.target_user_id, control))
        await self.roster.publish(outcome.view)

    async def end(self, sid: str, code: str, message: str, *, close: bool = True) -> bool:
        """Tell a socket why it is being ended, then close it once pending replies have gone out
        (``close=False``: the caller closes it when it has nothing left to await before its reply).
        False if it was already ended."""
        connection = self.sockets.get(sid)
        if connection is None or connection.ended:
            return False
        connection.ended = True
        await self.emit("ended", {"code": code, "message": message}, to=sid)
        if close:
            self._later(self.disconnect(sid))
        return True

    def _later(self, coro: Coroutine[Any, Any, None], delay: float = ACK_GRACE_S) -> None:
        """Run ``coro`` shortly, so an acknowledgement being sent on the socket is not cut off."""
        async def run() -> None:
            try:
                await asyncio.sleep(delay)
            except asyncio.CancelledError:
                coro.close()
                raise
            await coro

        task = asyncio.ensure_future(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        await stop_tasks(*self._tasks)


def _control_handler(action: Action) -> Handler:
    async def control(namespace: HearingNamespace, connection: Connection, payload: Payload) -> Reply:
        return await namespace._control(action, connection, payload)

    return control


for _action in Action:
    event(_action.value)(_control_handler(_action))


def _started(part: T | None) -> T:
    if part is None:
        raise RuntimeError("the /hearing namespace is used before the app started")
    return part


def _plain(details: Mapping[str, Any] | None) -> dict[str, Any]:
    return {str(k): v if isinstance(v, str | int | float | bool) else str(v) for k, v in (details or {}).items()}

