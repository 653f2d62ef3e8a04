"""The roster of each hearing as this process publishes it: greeting new sockets in batches, and
sending the hearing as it stands to its sockets and to the other processes.

At 10:00 a whole hearing joins within a few milliseconds; reading the hearing and broadcasting the
roster once per join would be quadratic. So joins within :data:`ROSTER_COALESCE_S` share one read:
every socket that joined in the window is greeted (``joined``) and the roster goes out once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import socketio

from sessions.presence import PresenceState
from sessions.views import HearingView
from signaling.bus import Bus
from signaling.commands import SyncHearing
from signaling.rooms import hearing_room, staff_room
from signaling.sockets import Connection
from signaling.wire import join_json, view_json

log = logging.getLogger(__name__)

ROSTER_COALESCE_S = 0.02
"""Joins within this window share one roster read and broadcast (a hearing starting at 10:00)."""

Later = Callable[[Coroutine[Any, Any, None], float], None]


class Roster:
    """Greets joined sockets and publishes each hearing's roster, noticing who dropped for good."""

    def __init__(self, namespace: socketio.AsyncNamespace, bus: Bus, read: Callable[[int], Awaitable[HearingView]],
                 later: Later, ice_for: Callable[[int], dict[str, Any]]) -> None:
        self.namespace = namespace
        self.ice_for = ice_for
        """Each greeted person's ICE servers: the page has them before it gathers (fresh TURN credentials)."""
        self.bus = bus
        self.read = read
        self.later = later
        self._greet: dict[int, list[Connection]] = {}
        self._published: dict[int, dict[int, PresenceState]] = {}
        """The presence of each hearing as this process last published it (to notice changes)."""

    def greet(self, connection: Connection) -> None:
        """Greet the new socket and refresh everybody's roster, coalescing a burst of joins."""
        waiting = self._greet.setdefault(connection.hearing_id, [])
        waiting.append(connection)
        if len(waiting) == 1:
            self.later(self._refresh(connection.hearing_id), ROSTER_COALESCE_S)

    async def _refresh(self, hearing_id: int) -> None:
        greet = self._greet.pop(hearing_id, [])
        try:
            view = await self.read(hearing_id)
            for connection in greet:
                if not connection.ended:
                    greeting = join_json(connection.joined, view, self.ice_for(connection.user_id))
                    await self.namespace.emit("joined", greeting, to=connection.sid)
            await self.publish(view)
        except Exception:
            log.exception("announcing joins to hearing %s failed", hearing_id)

    @staticmethod
    def presence_of(view: HearingView) -> dict[int, PresenceState]:
        return {p.user_id: p.presence for p in view.participants}

    def changed(self, view: HearingView) -> bool:
        """Whether presence differs from what was last published (expired reconnections log nothing)."""
        return self.presence_of(view) != self._published.get(view.hearing_id)

    async def publish(self, view: HearingView) -> None:
        presence = self.presence_of(view)
        before = self._published.get(view.hearing_id, {})
        self._published[view.hearing_id] = presence
        for user, state in presence.items():
            if before.get(user) is PresenceState.RECONNECTING and state is PresenceState.OUTSIDE:
                await self.namespace.emit("alert", {"kind": "left", "user_id": user}, room=staff_room(view.hearing_id))
        await self.namespace.emit("roster", view_json(view), room=hearing_room(view.hearing_id))
        await self.bus.publish(SyncHearing(view.hearing_id, view.state, presence, view.recording_paused))

    def forget(self, hearing_id: int) -> None:
        self._published.pop(hearing_id, None)
