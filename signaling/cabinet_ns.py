"""The ``/cabinet`` namespace: a logged-in user's live notices and unread count, which of their
hearings can be joined now (``hearings``: the cabinet's join buttons light up without a reload when
a waiting room opens, by hand or by the clock), and, for court staff, the progress of hearing
records being composed (``signaling/compositions.py``).

Every socket of a user joins the room ``user:<id>``. Pushes come from a :class:`NoticeWatcher`
that each process runs over the ``notices`` table for the users connected *to that process*:

- right after a transaction that issued notices commits in this process (the notifications
  package's post-commit nudge, chained so its own sender is still nudged), and
- every ``notify_poll_s`` seconds, which catches notices issued by other processes and unread
  counts changed by reading or opening a notice anywhere.

The database is the only source: a process emits only to its own sockets (``ignore_queue``), so
with several processes on Redis nothing is delivered twice, and a notice committed on any process
reaches the user on whichever process they are connected to. The queries are the notifications
package's (:class:`cabinet.notifications.feed.NoticeFeed`).

Clients send no events here: every event a client emits is refused (``unknown_event``). A socket
lives only as long as its login session: it ends (``ended`` with ``session_ended``) at once on
logout (the bus's :class:`~signaling.commands.EndSession`), and the watcher's poll ends the ones
whose session expired or was ended with a revoked certificate.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import socketio
from aiohttp import web

from cabinet.identity.principal import Principal
from cabinet.notifications.feed import NoticeFeed
from cabinet.notifications.models import Notice
from cabinet.notifications.outbox import NUDGE_INFO_KEY, install_nudge
from core.clock import Clock, SystemClock
from core.db import Database
from core.resources import CLOCK, CONFIG, DB
from core.tasks import stop, wait_event
from sessions.upcoming import joinable_for
from signaling.auth import SESSION_ENDED, Lapse, authenticate, recheck
from signaling.commands import Command, EndSession
from signaling.compositions import COMPOSITIONS, followed_courts
from signaling.server import SIO

log = logging.getLogger(__name__)

NAMESPACE = "/cabinet"
BATCH = 500


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def notice_json(notice: Notice) -> dict[str, Any]:
    """The same summary the notifications list returns (no body: reading it is opening it)."""
    return {
        "id": notice.id,
        "kind": notice.kind,
        "title": notice.title,
        "case_id": notice.case_id,
        "case_number": notice.case_number,
        "court": notice.court,
        "when": notice.event_at.isoformat() if notice.event_at else None,
        "created_at": notice.created_at.isoformat(),
        "read": notice.read_at is not None,
    }


@dataclass
class _Watched:
    sids: set[str] = field(default_factory=set)
    last_notice_id: int = 0
    unread: int | None = None
    joinable: frozenset[int] | None = None
    """The user's hearings whose join button is live, as last pushed (``hearings``)."""


class NoticeWatcher:
    """Finds new notices and unread-count changes for this process's connected users."""

    def __init__(self, sio: socketio.AsyncServer, db: Database, clock: Clock | None = None) -> None:
        self.sio = sio
        self.db = db
        self.clock = clock or SystemClock()
        self.users: dict[int, _Watched] = {}
        self.wake = asyncio.Event()
        self._lock = asyncio.Lock()

    async def attach(self, user_id: int, sid: str) -> None:
        """Start watching for ``sid``: it gets the current unread count at once, then changes."""
        watched = self.users.get(user_id)
        if watched is None:
            async with self.db.sessions() as session:
                last = await NoticeFeed(session).latest_id(user_id)
            watched = self.users.setdefault(user_id, _Watched(last_notice_id=last))
        watched.sids.add(sid)
        unread = await self._unread([user_id])
        watched.unread = unread.get(user_id, 0)
        await self.sio.emit("unread", {"unread": watched.unread}, to=sid, namespace=NAMESPACE, ignore_queue=True)
        joinable = await self._joinable([user_id])
        watched.joinable = joinable.get(user_id, frozenset())
        await self.sio.emit("hearings", {"joinable": sorted(watched.joinable)}, to=sid, namespace=NAMESPACE,
                            ignore_queue=True)

    def detach(self, user_id: int, sid: str) -> None:
        watched = self.users.get(user_id)
        if watched is None:
            return
        watched.sids.discard(sid)
        if not watched.sids:
            del self.users[user_id]

    async def run(self, poll_s: float) -> None:
        while True:
            await wait_event(self.wake, poll_s)
            self.wake.clear()
            try:
                await self.check()
            except Exception:
                log.exception("checking for new notices failed; retrying at the next poll")

    async def check(self) -> None:
        """One pass: push every new notice and every changed unread count to local sockets."""
        async with self._lock:
            ids = list(self.users)
            for start in range(0, len(ids), BATCH):
                await self._check_batch(ids[start:start + BATCH])

    async def _check_batch(self, user_ids: list[int]) -> None:
        floor = min(self.users[u].last_notice_id for u in user_ids if u in self.users) if user_ids else 0
        async with self.db.sessions() as session:
            fresh = await NoticeFeed(session).after(user_ids, floor)
        unread = await self._unread(user_ids)
        for notice in fresh:
            watched = self.users.get(notice.user_id)
            if watched is None or notice.id <= watched.last_notice_id:
                continue
            watched.last_notice_id = notice.id
            await self._emit(notice.user_id, "notice", notice_json(notice))
        for user_id in user_ids:
            watched = self.users.get(user_id)
            count = unread.get(user_id, 0)
            if watched is not None and watched.unread != count:
                watched.unread = count
                await self._emit(user_id, "unread", {"unread": count})
        joinable = await self._joinable(user_ids)
        for user_id, hearings in joinable.items():
            watched = self.users.get(user_id)
            if watched is not None and watched.joinable != hearings:
                watched.joinable = hearings
                await self._emit(user_id, "hearings", {"joinable": sorted(hearings)})

    async def _joinable(self, user_ids: list[int]) -> dict[int, frozenset[int]]:
        """Whose join buttons are live now: the waiting room opened by hand or by the clock."""
        async with self.db.sessions() as session:
            return await joinable_for(session, user_ids, self.clock.now())

    async def _unread(self, user_ids: Iterable[int]) -> dict[int, int]:
        async with self.db.sessions() as session:
            return await NoticeFeed(session).unread(user_ids)

    async def _emit(self, user_id: int, event: str, data: dict[str, Any]) -> None:
        await self.sio.emit(event, data, room=user_room(user_id), namespace=NAMESPACE, ignore_queue=True)


WATCHER = web.AppKey("notice_watcher", NoticeWatcher)


@dataclass(frozen=True)
class _Socket:
    user_id: int
    session_id: int
    token: str
    courts: frozenset[int] = frozenset()
    """Courts whose composition progress the socket follows (``signaling/compositions.py``)."""


class CabinetNamespace(socketio.AsyncNamespace):
    """Connect with a session; receive ``unread`` and ``hearings`` at once, then ``notice``/``unread``/
    ``hearings`` as things change."""

    def __init__(self, app: web.Application) -> None:
        super().__init__(NAMESPACE)
        self.app = app
        self.sockets: dict[str, _Socket] = {}

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        principal, token = await authenticate(self.app, environ, auth)
        courts = followed_courts(principal)
        self.sockets[sid] = _Socket(principal.user_id, principal.session_id, token, courts)
        await self.enter_room(sid, user_room(principal.user_id))
        await self.app[WATCHER].attach(principal.user_id, sid)
        await self.app[COMPOSITIONS].attach(sid, courts)
        log.debug("cabinet socket %s for user %s", sid, principal.user_id)

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        socket = self.sockets.pop(sid, None)
        if socket is not None:
            self.app[WATCHER].detach(socket.user_id, sid)
            self.app[COMPOSITIONS].detach(socket.courts)

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event in ("connect", "disconnect"):
            return await super().trigger_event(event, *args)
        return {"error": {"code": "unknown_event", "message": f"{event[:50]!r} is not an event of {NAMESPACE}"}}

    async def on_command(self, command: Command) -> None:
        if isinstance(command, EndSession):
            for sid, socket in list(self.sockets.items()):
                if socket.session_id == command.session_id:
                    await self.end(sid, Lapse(command.code, command.message))

    async def recheck(self) -> None:
        """End the sockets whose session is gone (expired, logged out, ended with its certificate)."""
        principals: dict[str, Principal | None] = {}
        for sid, socket in list(self.sockets.items()):
            if socket.token not in principals:
                principals[socket.token] = await recheck(self.app, socket.token)
            if principals[socket.token] is None:
                await self.end(sid, SESSION_ENDED)

    async def end(self, sid: str, lapse: Lapse) -> None:
        socket = self.sockets.pop(sid, None)
        if socket is None:
            return
        self.app[WATCHER].detach(socket.user_id, sid)
        log.info("ending /cabinet socket %s of session %s: %s", sid, socket.session_id, lapse.code)
        self.app[COMPOSITIONS].detach(socket.courts)
        await self.emit("ended", {"code": lapse.code, "message": lapse.message}, to=sid)
        await self.disconnect(sid)


def _chain(previous: Callable[[], None] | None, mine: Callable[[], None]) -> Callable[[], None]:
    def nudge() -> None:
        if previous is not None:
            previous()
        mine()

    return nudge


async def notice_watcher(app: web.Application) -> AsyncIterator[None]:
    """Run the watcher; chain onto the notifications nudge so this process pushes at once."""
    db = app[DB]
    watcher = NoticeWatcher(app[SIO], db, app[CLOCK])
    app[WATCHER] = watcher
    info = db.sessions.kw.get("info") or {}
    install_nudge(db, _chain(info.get(NUDGE_INFO_KEY), watcher.wake.set))
    task = asyncio.create_task(watcher.run(app[CONFIG].notify_poll_s), name="notice-watcher")
    yield
    await stop(task)
