"""The ``/cabinet`` namespace: a logged-in user's live notices and unread count.

Every socket of a user joins the room ``user:<id>``. Pushes come from a :class:`NoticeWatcher`
that each process runs over the ``notices`` table for the users connected *to that process*:

- right after a transaction that issued notices commits in this process (the notifications
  package's post-commit nudge, chained so its own sender is still nudged), and
- every ``notify_poll_s`` seconds, which catches notices issued by other processes and unread
  counts changed by reading or opening a notice anywhere.

The database is the only source: a process emits only to its own sockets (``ignore_queue``), so
with several processes on Redis nothing is delivered twice, and a notice committed on any process
reaches the user on whichever process they are connected to.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import socketio
from aiohttp import web
from sqlalchemy import func, select

from cabinet.notifications.models import Notice
from cabinet.notifications.outbox import NUDGE_INFO_KEY, install_nudge
from core.db import Database
from core.resources import CONFIG, DB
from signaling.auth import authenticate
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


class NoticeWatcher:
    """Finds new notices and unread-count changes for this process's connected users."""

    def __init__(self, sio: socketio.AsyncServer, db: Database) -> None:
        self.sio = sio
        self.db = db
        self.users: dict[int, _Watched] = {}
        self.wake = asyncio.Event()
        self._lock = asyncio.Lock()

    async def attach(self, user_id: int, sid: str) -> None:
        """Start watching for ``sid``: it gets the current unread count at once, then changes."""
        watched = self.users.get(user_id)
        if watched is None:
            async with self.db.sessions() as session:
                last = await session.scalar(select(func.max(Notice.id)).where(Notice.user_id == user_id))
            watched = self.users.setdefault(user_id, _Watched(last_notice_id=int(last or 0)))
        watched.sids.add(sid)
        unread = await self._unread([user_id])
        watched.unread = unread.get(user_id, 0)
        await self.sio.emit("unread", {"unread": watched.unread}, to=sid, namespace=NAMESPACE, ignore_queue=True)

    def detach(self, user_id: int, sid: str) -> None:
        watched = self.users.get(user_id)
        if watched is None:
            return
        watched.sids.discard(sid)
        if not watched.sids:
            del self.users[user_id]

    async def run(self, poll_s: float) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=poll_s)
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
            fresh = list(await session.scalars(
                select(Notice).where(Notice.user_id.in_(user_ids), Notice.id > floor).order_by(Notice.id)))
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

    async def _unread(self, user_ids: Iterable[int]) -> dict[int, int]:
        async with self.db.sessions() as session:
            rows = await session.execute(
                select(Notice.user_id, func.count()).where(Notice.user_id.in_(list(user_ids)),
                                                           Notice.read_at.is_(None)).group_by(Notice.user_id))
        return {int(user_id): int(count) for user_id, count in rows}

    async def _emit(self, user_id: int, event: str, data: dict[str, Any]) -> None:
        await self.sio.emit(event, data, room=user_room(user_id), namespace=NAMESPACE, ignore_queue=True)


WATCHER = web.AppKey("notice_watcher", NoticeWatcher)


class CabinetNamespace(socketio.AsyncNamespace):
    """Connect with a session; receive ``unread`` at once and ``notice``/``unread`` as things change."""

    def __init__(self, app: web.Application) -> None:
        super().__init__(NAMESPACE)
        self.app = app

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        principal = await authenticate(self.app, environ, auth)
        await self.save_session(sid, {"user_id": principal.user_id})
        await self.enter_room(sid, user_room(principal.user_id))
        await self.app[WATCHER].attach(principal.user_id, sid)
        log.debug("cabinet socket %s for user %s", sid, principal.user_id)

    async def on_disconnect(self, sid: str, reason: object = None) -> None:
        session = await self.get_session(sid)
        if session and "user_id" in session:
            self.app[WATCHER].detach(session["user_id"], sid)


def _chain(previous: Callable[[], None] | None, mine: Callable[[], None]) -> Callable[[], None]:
    def nudge() -> None:
        if previous is not None:
            previous()
        mine()

    return nudge


async def notice_watcher(app: web.Application) -> AsyncIterator[None]:
    """Run the watcher; chain onto the notifications nudge so this process pushes at once."""
    db = app[DB]
    watcher = NoticeWatcher(app[SIO], db)
    app[WATCHER] = watcher
    info = db.sessions.kw.get("info") or {}
    install_nudge(db, _chain(info.get(NUDGE_INFO_KEY), watcher.wake.set))
    task = asyncio.create_task(watcher.run(app[CONFIG].notify_poll_s), name="notice-watcher")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
