"""The ``/hearing`` namespace: joining a hearing, judge controls, presence, chat, heartbeat, WebRTC.

A socket is one person in one hearing. The handshake carries ``auth = {"token", "hearing"}``;
connecting *is* joining (or re-joining within the grace period), so refusals come back as
``connect_error`` with a code (``unauthenticated``, ``not_a_participant``, ``hearing_not_open``,
``hearing_closed``...). Every other event is a call with an acknowledgement: ``{"ok": true, ...}``
or ``{"error": {"code", "message", "details"?}}``, the shape of an HTTP error.

Handlers parse, call one :class:`sessions.service.HearingService` method (which authorizes and
logs), and broadcast what it returns. Event names and payloads: ``signaling/events.md``.

Rooms: ``hearing:<id>`` (everybody connected), ``hearing:<id>:room`` (people in the hearing
room: the all-participants chat), ``hearing:<id>:staff`` (judge and clerk: staff chat, live
connection statistics, alerts) and ``hearing:<id>:user:<uid>`` (one person's sockets).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

import socketio
from aiohttp import web

from cabinet.identity.principal import Principal
from core.errors import SotkabError
from media import Control
from media.errors import MediaError
from recordings.live import RecorderHub
from sessions.errors import SessionsError
from sessions.lifecycle import Action, ChatChannel, HearingState
from sessions.presence import PresenceState
from sessions.resources import HEARINGS
from sessions.service import HearingEvent, HearingService, HearingView, JoinResult
from signaling.auth import authenticate, refuse
from signaling.bus import Bus
from signaling.media_bridge import MediaBridge, relay_control
from signaling.wire import (
    Payload,
    PayloadError,
    error_json,
    event_json,
    heartbeat_stats,
    join_json,
    optional_int,
    optional_text,
    parse_hearing_id,
    view_json,
)

log = logging.getLogger(__name__)

NAMESPACE = "/hearing"
ALERT_PACKET_LOSS = 0.10
ALERT_RTT_MS = 1000.0
ACK_GRACE_S = 0.2
ROSTER_COALESCE_S = 0.02
"""Joins within this window share one roster read and broadcast (a hearing starting at 10:00)."""
_FINAL = frozenset({HearingState.CLOSED, HearingState.ADJOURNED, HearingState.CANCELLED})
_CONTROL_EVENTS = tuple(action for action in Action)


def hearing_room(hearing_id: int) -> str:
    return f"hearing:{hearing_id}"


def in_room(hearing_id: int) -> str:
    return f"hearing:{hearing_id}:room"


def staff_room(hearing_id: int) -> str:
    return f"hearing:{hearing_id}:staff"


def user_room(hearing_id: int, user_id: int) -> str:
    return f"hearing:{hearing_id}:user:{user_id}"


@dataclass
class Connection:
    """What this process knows about one of its sockets."""

    sid: str
    principal: Principal
    hearing_id: int
    joined: JoinResult
    ended: bool = False
    """Set when the server ended the socket on purpose (left, removed, replaced, closed)."""
    stats: dict[str, float] = field(default_factory=dict)
    beat_at: float = field(default_factory=time.monotonic)


class HearingNamespace(socketio.AsyncNamespace):
    """Registered when the app is assembled; its bus and media bridge are attached at start-up."""

    def __init__(self, app: web.Application) -> None:
        super().__init__(NAMESPACE)
        self.app = app
        self.connections: dict[str, Connection] = {}
        self.local: dict[tuple[int, int], str] = {}
        """(hearing, user) -> the sid of this process's socket for them."""
        self._held: dict[int, dict[int, str]] = {}
        """The same, by hearing: a roster sync touches one hearing's sockets, not every socket held."""
        self._bridge: MediaBridge | None = None
        self._bus: Bus | None = None
        self._tasks: set[asyncio.Future[None]] = set()
        self._published: dict[int, dict[str, str]] = {}
        self._greet: dict[int, list[Connection]] = {}
        """The presence of each hearing as this process last published it (to notice changes)."""
        self.recorders: RecorderHub | None = None
        """This process's hearing recorders (set at start-up by signaling.setup)."""

    def start(self, bridge: MediaBridge, bus: Bus) -> None:
        self._bridge, self._bus = bridge, bus
        bus.on_command(self.on_command)

    @property
    def service(self) -> HearingService:
        """The hearings package's service, looked up when used so assembly order does not matter."""
        return self.app[HEARINGS]

    @property
    def bridge(self) -> MediaBridge:
        if self._bridge is None:
            raise RuntimeError("the /hearing namespace is used before the app started")
        return self._bridge

    @property
    def bus(self) -> Bus:
        if self._bus is None:
            raise RuntimeError("the /hearing namespace is used before the app started")
        return self._bus

    # ---- connecting is joining ---------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        principal = await authenticate(self.app, environ, auth)
        try:
            hearing_id = parse_hearing_id(auth.get("hearing") if isinstance(auth, Mapping) else None)
        except PayloadError as exc:
            raise refuse(exc.code, exc.message) from None
        try:
            joined = await self._enter(principal, hearing_id, sid)
        except SotkabError as exc:
            raise refuse(exc.code, exc.message, **_plain(exc.details)) from None
        connection = Connection(sid, principal, hearing_id, joined)
        self.connections[sid] = connection
        self.local[(hearing_id, principal.user_id)] = sid
        self._held.setdefault(hearing_id, {})[principal.user_id] = sid
        await self.enter_room(sid, hearing_room(hearing_id))
        await self.enter_room(sid, user_room(hearing_id, principal.user_id))
        if joined.is_staff:
            await self.enter_room(sid, staff_room(hearing_id))
        if joined.presence_state is PresenceState.IN_ROOM:
            await self.enter_room(sid, in_room(hearing_id))
        log.info("user %s joined hearing %s as %s (%s)", principal.user_id, hearing_id, joined.role.value,
                 joined.presence_state.value)
        self._after_join(connection)

    async def _enter(self, principal: Principal, hearing_id: int, sid: str) -> JoinResult:
        """Join; somebody reconnecting within the grace period comes back to the same place.

        Any older socket of this person in this hearing (a reload, a second window, a drop not yet
        noticed), on whichever process, is ended as ``replaced``: this one takes over its place.
        """
        await self.bus.publish({"op": "replace", "hearing": hearing_id, "user": principal.user_id, "sid": sid})
        return await self.service.join(principal, hearing_id)

    def _after_join(self, connection: Connection) -> None:
        """Greet the new socket and refresh everybody's roster, coalescing a burst of joins."""
        waiting = self._greet.setdefault(connection.hearing_id, [])
        waiting.append(connection)
        if len(waiting) == 1:
            self._later(self._refresh(connection.hearing_id), ROSTER_COALESCE_S)

    async def _refresh(self, hearing_id: int) -> None:
        greet = self._greet.pop(hearing_id, [])
        try:
            view = await self.service.view(hearing_id)
            for connection in greet:
                if not connection.ended:
                    await self.emit("joined", join_json(connection.joined, view), to=connection.sid)
            await self._publish_view(view)
        except Exception:
            log.exception("announcing joins to hearing %s failed", hearing_id)

    # ---- leaving and dropping ----------------------------------------------------------------

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        connection = self.connections.pop(sid, None)
        if connection is None:
            return
        key = (connection.hearing_id, connection.principal.user_id)
        if self.local.get(key) == sid:
            del self.local[key]
            held = self._held.get(key[0], {})
            held.pop(key[1], None)
            if not held:
                self._held.pop(key[0], None)
        if connection.ended:
            return
        user_id, hearing_id = connection.principal.user_id, connection.hearing_id
        try:
            await self.service.disconnected(user_id, hearing_id)
        except SessionsError as exc:
            log.info("disconnect of %s from hearing %s not recorded: %s", user_id, hearing_id, exc.code)
            return
        await self.emit("alert", {"kind": "connection_lost", "userId": user_id,
                                  "name": connection.principal.name}, room=staff_room(hearing_id))
        await self._publish_view(await self.service.view(hearing_id))

    async def on_leave(self, sid: str, data: object = None) -> dict[str, Any]:
        connection = self._connection(sid)
        if connection is None:
            return _not_joined()
        try:
            events = await self.service.left(connection.principal.user_id, connection.hearing_id)
        except SotkabError as exc:
            return error_json(exc)
        connection.ended = True
        await self._broadcast(connection.hearing_id, connection.principal.user_id, events)
        self._later(self.disconnect(sid))
        return {"ok": True}

    # ---- controls, hands and chat: one event per action ---------------------------------------

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in _ACTION_NAMES:
            sid = args[0]
            return await self._control(sid, Action(event), args[1] if len(args) > 1 else None)
        return await super().trigger_event(event, *args)

    async def _control(self, sid: str, action: Action, data: object) -> dict[str, Any]:
        connection = self._connection(sid)
        if connection is None:
            return _not_joined()
        try:
            payload = Payload.of(data)
            target = optional_int(payload, "target")
            details = {key: value for key in _DETAIL_KEYS
                       if (value := optional_text(payload, key)) is not None}
            events = await self.service.control(connection.principal, connection.hearing_id, action,
                                                target_user_id=target, details=details)
        except PayloadError as exc:
            return exc.as_json()
        except SotkabError as exc:
            return error_json(exc)
        await self._broadcast(connection.hearing_id, connection.principal.user_id, events)
        return {"ok": True, "events": [event_json(e) for e in events]}

    # ---- heartbeat: live connection statistics for judge and clerk ----------------------------

    async def on_heartbeat(self, sid: str, data: object = None) -> dict[str, Any]:
        connection = self._connection(sid)
        if connection is None:
            return _not_joined()
        try:
            stats = heartbeat_stats(data)
            await self.service.heartbeat(connection.principal.user_id, connection.hearing_id, stats)
            connection.stats, connection.beat_at = stats, time.monotonic()
        except PayloadError as exc:
            return exc.as_json()
        except SotkabError as exc:
            return error_json(exc)
        user_id, hearing_id = connection.principal.user_id, connection.hearing_id
        report = {"userId": user_id, "name": connection.principal.name, **_camel(stats)}
        await self.emit("stats", report, room=staff_room(hearing_id))
        loss, rtt = stats.get("packet_loss", 0.0), stats.get("rtt_ms", 0.0)
        if loss >= ALERT_PACKET_LOSS or rtt >= ALERT_RTT_MS:
            await self.emit("alert", {"kind": "poor_connection", **report}, room=staff_room(hearing_id))
        return {"ok": True}

    # ---- WebRTC through the media relay -------------------------------------------------------

    async def on_media_offer(self, sid: str, data: object = None) -> dict[str, Any]:
        connection = self._connection(sid)
        if connection is None:
            return _not_joined()
        try:
            payload = Payload.of(data)
            sdp = payload.text("sdp", max_length=64 * 1024)
            view = await self.service.view(connection.hearing_id)
            me = view.participant(connection.principal.user_id)
            if me is None or me.presence is not PresenceState.IN_ROOM:
                return {"error": {"code": "not_in_hearing_room",
                                  "message": "media starts once you are admitted to the hearing room"}}
            joined = connection.joined
            return {"ok": True, **await self.bridge.offer(
                connection.hearing_id, connection.principal.user_id, sdp,
                may_publish=joined.role.may_publish, privileged=joined.is_staff)}
        except PayloadError as exc:
            return exc.as_json()
        except (SotkabError, MediaError) as exc:
            return error_json(exc)

    async def on_ice_candidate(self, sid: str, data: object = None) -> dict[str, Any]:
        connection = self._connection(sid)
        if connection is None:
            return _not_joined()
        try:
            payload = Payload.of(data)
            await self.bridge.candidate(connection.hearing_id, connection.principal.user_id,
                                        optional_text(payload, "candidate"), optional_text(payload, "sdpMid"),
                                        optional_int(payload, "sdpMLineIndex"))
        except PayloadError as exc:
            return exc.as_json()
        except SotkabError as exc:
            return error_json(exc)
        return {"ok": True}

    # ---- broadcasting -------------------------------------------------------------------------

    async def _broadcast(self, hearing_id: int, actor: int, events: list[HearingEvent]) -> None:
        """Send logged events to whom they concern, drive the relays, then refresh the roster."""
        for event in events:
            body = event_json(event)
            if event.action is Action.CHAT and event.details.get("channel") == ChatChannel.STAFF.value:
                await self.emit("hearing_event", body, room=staff_room(hearing_id))
                if event.actor_user_id is not None:
                    await self.emit("hearing_event", body, room=user_room(hearing_id, event.actor_user_id),
                                    skip_sid=None)
                continue
            room = in_room(hearing_id) if event.action is Action.CHAT else hearing_room(hearing_id)
            await self.emit("hearing_event", body, room=room)
            if event.action is Action.CHAT:
                await self.emit("hearing_event", body, room=staff_room(hearing_id))
            control = relay_control(event.action, event.details)
            if control is not None:
                await self.bus.publish({"op": "media", "hearing": hearing_id, "user": event.target_user_id,
                                        "control": control.value})
        if events:
            await self._publish_view(await self.service.view(hearing_id))

    @staticmethod
    def _presence_of(view: HearingView) -> dict[str, str]:
        return {str(p.user_id): p.presence.value for p in view.participants}

    async def _publish_view(self, view: HearingView) -> None:
        presence = self._presence_of(view)
        before = self._published.get(view.hearing_id, {})
        self._published[view.hearing_id] = presence
        for user, state in presence.items():
            if before.get(user) == PresenceState.RECONNECTING.value and state == PresenceState.OUTSIDE.value:
                await self.emit("alert", {"kind": "left", "userId": int(user)}, room=staff_room(view.hearing_id))
        await self.emit("roster", view_json(view), room=hearing_room(view.hearing_id))
        await self.bus.publish({"op": "sync", "hearing": view.hearing_id, "state": view.state.value,
                                "presence": presence, "recordingPaused": view.recording_paused})

    # ---- commands every process applies to the sockets and media sessions it holds ------------

    async def on_command(self, command: dict[str, Any]) -> None:
        op, hearing_id = command.get("op"), command.get("hearing")
        if not isinstance(hearing_id, int):
            return
        if op == "replace":
            sid = self.local.get((hearing_id, int(command["user"])))
            if sid is not None and sid != command.get("sid"):
                await self._end(sid, "replaced", "you joined this hearing from another window")
        elif op == "media":
            user = command.get("user")
            await self.bridge.control(hearing_id, user if isinstance(user, int) else None,
                                      Control(command["control"]))
        elif op == "sync":
            state = HearingState(command["state"])
            if self.recorders is not None:  # recordings: start/pause/resume/stop with the hearing
                await self.recorders.hearing_changed(hearing_id, state, bool(command.get("recordingPaused")),
                                                     local=bool(self._held.get(hearing_id)))
            await self._sync(hearing_id, state, command.get("presence") or {})

    async def _sync(self, hearing_id: int, state: HearingState, presence: Mapping[str, str]) -> None:
        """Match this process's sockets and media sessions to the hearing as it now stands."""
        held = list(self._held.get(hearing_id, {}).items())
        if state in _FINAL:
            for _user, sid in held:
                await self._end(sid, "hearing_" + state.value, f"the hearing is {state.value}")
            await self.bridge.close_hearing(hearing_id)
            self._published.pop(hearing_id, None)
            return
        for user, sid in held:
            where = presence.get(str(user))
            if where == PresenceState.REMOVED.value:
                await self._end(sid, "removed", "the judge removed you from the hearing")
                continue
            if where == PresenceState.IN_ROOM.value:
                await self.enter_room(sid, in_room(hearing_id))
            else:
                await self.leave_room(sid, in_room(hearing_id))
        for hid, user in list(self.bridge.sessions):
            if hid == hearing_id and presence.get(str(user)) != PresenceState.IN_ROOM.value:
                await self.bridge.control(hearing_id, user, Control.REMOVE)

    async def _end(self, sid: str, code: str, message: str) -> None:
        """Tell a socket why it is being ended, then close it once pending replies have gone out."""
        connection = self.connections.get(sid)
        if connection is None or connection.ended:
            return
        connection.ended = True
        await self.emit("ended", {"code": code, "message": message}, to=sid)
        self._later(self.disconnect(sid))

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

    # ---- the per-process sweeper --------------------------------------------------------------

    async def sweep(self, liveness_s: float) -> None:
        """Time-driven rules for the hearings this process has sockets in, and liveness heartbeats.

        An open socket is proof of life even if its page sends no heartbeats: this process beats
        for it every ``liveness_s``. When the process dies its beats stop, which is how a judge
        on a crashed server counts as gone and the hearing gets suspended by another process.
        """
        now = time.monotonic()
        for connection in list(self.connections.values()):
            if connection.ended or now - connection.beat_at < liveness_s:
                continue
            connection.beat_at = now
            with contextlib.suppress(SessionsError):
                await self.service.heartbeat(connection.principal.user_id, connection.hearing_id,
                                             connection.stats)
        ticked = await self.service.tick(self._held) if self._held else {}
        for hearing_id, (events, view) in ticked.items():
            for event in events:
                if event.action is Action.SUSPEND and event.actor_user_id is None:
                    await self.emit("alert", {"kind": "judge_connection_lost", "userId": event.target_user_id},
                                    room=staff_room(hearing_id))
            if events:
                await self._broadcast(hearing_id, 0, events)
                continue
            # Expired reconnections change presence without a logged event: publish if they did.
            if self._presence_of(view) != self._published.get(hearing_id):
                await self._publish_view(view)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _connection(self, sid: str) -> Connection | None:
        connection = self.connections.get(sid)
        return None if connection is None or connection.ended else connection


_ACTION_NAMES = frozenset(action.value for action in _CONTROL_EVENTS)
_DETAIL_KEYS = ("reason", "media", "text", "channel", "new_start")


def _not_joined() -> dict[str, Any]:
    return {"error": {"code": "not_joined", "message": "this socket is not in a hearing"}}


def _plain(details: Mapping[str, Any] | None) -> dict[str, Any]:
    return {str(k): v if isinstance(v, str | int | float | bool) else str(v) for k, v in (details or {}).items()}


def _camel(stats: Mapping[str, float]) -> dict[str, float]:
    names = {"packet_loss": "packetLoss", "rtt_ms": "rttMs", "bitrate_kbps": "bitrateKbps", "jitter_ms": "jitterMs"}
    return {names.get(k, k): v for k, v in stats.items()}


async def run_sweeper(namespace: HearingNamespace, interval_s: float, liveness_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await namespace.sweep(liveness_s)
        except Exception:
            log.exception("hearing sweep failed; retrying in %s s", interval_s)
