"""The ``/hearing`` sockets this process holds: one :class:`Connection` each, found by sid, by
person and hearing, by hearing, and by login session.

Only this process's sockets are here; the bus (:mod:`signaling.bus`) reaches the others.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from cabinet.identity.principal import Principal
from sessions.views import JoinResult

logger = logging.getLogger(__name__)


@dataclass
class Connection:
    """What this process knows about one of its sockets.

    ``token`` is the session token of the handshake: the socket is re-checked with it on every
    call and periodically, and ``principal`` is replaced by what the check read.
    """

    sid: str
    principal: Principal
    hearing_id: int
    joined: JoinResult
    token: str
    ended: bool = False
    """Set when the server ended the socket on purpose (left, removed, replaced, closed, logged out)."""
    stats: dict[str, float] = field(default_factory=dict)
    beat_at: float = field(default_factory=time.monotonic)

    @property
    def user_id(self) -> int:
        return self.principal.user_id


class SocketRegistry:
    """Sockets by sid, with indexes by (hearing, user) and by hearing."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Connection] = {}
        self._by_person: dict[tuple[int, int], set[str]] = {}
        self._by_hearing: dict[int, set[str]] = {}

    def add(self, connection: Connection) -> None:
        self._by_sid[connection.sid] = connection
        self._by_person.setdefault((connection.hearing_id, connection.user_id), set()).add(connection.sid)
        self._by_hearing.setdefault(connection.hearing_id, set()).add(connection.sid)

    def remove(self, sid: str) -> Connection | None:
        connection = self._by_sid.pop(sid, None)
        if connection is None:
            return None
        key = (connection.hearing_id, connection.user_id)
        _discard(self._by_person, key, sid)
        _discard(self._by_hearing, connection.hearing_id, sid)
        return connection

    def live(self, sid: str) -> Connection | None:
        """The socket, unless the server has already ended it."""
        connection = self._by_sid.get(sid)
        return None if connection is None or connection.ended else connection

    def get(self, sid: str) -> Connection | None:
        return self._by_sid.get(sid)

    def of_person(self, hearing_id: int, user_id: int) -> list[Connection]:
        return [self._by_sid[sid] for sid in self._by_person.get((hearing_id, user_id), ())]

    def in_hearing(self, hearing_id: int) -> list[Connection]:
        return [self._by_sid[sid] for sid in self._by_hearing.get(hearing_id, ())]

    def of_session(self, session_id: int) -> list[Connection]:
        return [c for c in self._by_sid.values() if c.principal.session_id == session_id]

    def hearings(self) -> list[int]:
        return list(self._by_hearing)

    def all(self) -> list[Connection]:
        return list(self._by_sid.values())


def _discard(index: dict, key: object, sid: str) -> None:
    sids = index.get(key)
    if sids is None:
        return
    sids.discard(sid)
    if not sids:
        del index[key]
