"""What a process does with the bus's commands (:mod:`signaling.commands`) for ``/hearing``: only
to the sockets and media sessions it holds, and quietly for the ones it does not."""

from __future__ import annotations

import logging
from typing import Protocol

from media import Control
from recordings.live import RecorderHub
from sessions.lifecycle import HearingState
from sessions.presence import PresenceState
from signaling.auth import Lapse
from signaling.commands import Command, EndSession, MediaCommand, ReplaceSockets, SyncHearing
from signaling.media_bridge import MediaBridge
from signaling.rooms import in_room
from signaling.roster import Roster
from signaling.sockets import Connection, SocketRegistry

log = logging.getLogger(__name__)

_FINAL = frozenset({HearingState.CLOSED, HearingState.ADJOURNED, HearingState.CANCELLED})


class Namespace(Protocol):
    """What the handler needs of :class:`signaling.hearing.HearingNamespace` (which owns it)."""

    sockets: SocketRegistry
    recorders: RecorderHub | None

    @property
    def bridge(self) -> MediaBridge: ...
    @property
    def roster(self) -> Roster: ...
    async def end(self, sid: str, code: str, message: str) -> bool: ...
    async def lapse(self, connection: Connection, lapse: Lapse) -> None: ...
    async def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None: ...
    async def leave_room(self, sid: str, room: str, namespace: str | None = None) -> None: ...


class HearingCommands:
    """The bus handler of the ``/hearing`` namespace."""

    def __init__(self, namespace: Namespace) -> None:
        self.namespace = namespace

    async def __call__(self, command: Command) -> None:
        ns = self.namespace
        if isinstance(command, ReplaceSockets):
            for connection in ns.sockets.of_person(command.hearing_id, command.user_id):
                if connection.sid != command.keep_sid:
                    await ns.end(connection.sid, "replaced", "you joined this hearing from another window")
        elif isinstance(command, MediaCommand):
            await ns.bridge.control(command.hearing_id, command.user_id, command.control)
        elif isinstance(command, SyncHearing):
            if ns.recorders is not None:  # recordings: start/pause/resume/stop with the hearing
                ns.recorders.follow(command.hearing_id, command.state, command.recording_paused,
                                    local=bool(ns.sockets.in_hearing(command.hearing_id)))
            await self.sync(command)
        elif isinstance(command, EndSession):
            for connection in ns.sockets.of_session(command.session_id):
                await ns.lapse(connection, Lapse(command.code, command.message))

    async def sync(self, command: SyncHearing) -> None:
        """Match this process's sockets and media sessions to the hearing as it now stands."""
        ns = self.namespace
        hearing_id, state, presence = command.hearing_id, command.state, command.presence
        held = ns.sockets.in_hearing(hearing_id)
        if state in _FINAL:
            for connection in held:
                await ns.end(connection.sid, "hearing_" + state.value, f"the hearing is {state.value}")
            await ns.bridge.close_hearing(hearing_id)
            ns.roster.forget(hearing_id)
            return
        for connection in held:
            where = presence.get(connection.user_id)
            if where is PresenceState.REMOVED:
                await ns.end(connection.sid, "removed", "the judge removed you from the hearing")
            elif where is PresenceState.IN_ROOM:
                await ns.enter_room(connection.sid, in_room(hearing_id))
            else:
                await ns.leave_room(connection.sid, in_room(hearing_id))
        for hid, user in list(ns.bridge.sessions):
            if hid == hearing_id and presence.get(user) is not PresenceState.IN_ROOM:
                await ns.bridge.control(hearing_id, user, Control.REMOVE)
