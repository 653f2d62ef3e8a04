"""Composition progress on ``/cabinet``: the court's clerks and judges see a hearing record being made.

A ``/cabinet`` socket of a clerk or judge joins the room ``recordings:<court id>`` of each court
they serve; the parties, lawyers and the staff of other courts join none, so they are never sent
another court's or any court's progress. Each process polls the composition jobs of the courts
*its* sockets follow every ``notify_poll_s`` seconds (the worker may be another process, and the
job row is where it reports), and emits what changed (:class:`recordings.progress.ProgressFollower`)
to its own sockets only (``ignore_queue``), so with several processes nothing is sent twice.
A socket that connects while a record is being composed is told its state at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import socketio
from aiohttp import web

from cabinet.identity.principal import Principal
from cabinet.identity.roles import Role
from core.clock import Clock
from core.db import Database
from core.resources import CLOCK, CONFIG, DB
from core.tasks import stop
from recordings.progress import JobProgress, ProgressFollower, read_jobs
from signaling.server import SIO

log = logging.getLogger(__name__)

EVENT = "composition"
STAFF = (Role.CLERK, Role.JUDGE)


def court_room(court_id: int) -> str:
    return f"recordings:{court_id}"


def followed_courts(principal: Principal) -> frozenset[int]:
    """The courts whose recordings ``principal`` may search: those where they are clerk or judge."""
    return frozenset().union(*(principal.courts_with(role) for role in STAFF))


class CompositionWatcher:
    def __init__(self, sio: socketio.AsyncServer, db: Database, clock: Clock, namespace: str,
                 poll_s: float) -> None:
        self.sio = sio
        self.db = db
        self.clock = clock
        self.namespace = namespace
        self.poll_s = poll_s
        self.follower = ProgressFollower()
        self.courts: Counter[int] = Counter()
        """Court id -> how many of this process's sockets follow it."""
        self._lock = asyncio.Lock()

    async def attach(self, sid: str, courts: frozenset[int]) -> None:
        """``sid`` follows ``courts``: it joins their rooms and is told the records being made now."""
        if not courts:
            return
        for court in courts:
            await self.sio.enter_room(sid, court_room(court), namespace=self.namespace)
        self.courts.update(courts)
        for job in await read_jobs(self.db, courts):
            await self.sio.emit(EVENT, job.to_json(), to=sid, namespace=self.namespace, ignore_queue=True)

    def detach(self, courts: frozenset[int]) -> None:
        self.courts.subtract(courts)
        for court in [c for c, n in self.courts.items() if n <= 0]:
            del self.courts[court]

    async def check(self) -> list[JobProgress]:
        """One read of the followed courts' jobs; emits and returns what changed."""
        async with self._lock:
            courts = frozenset(self.courts)
            self.follower.retain(courts)
            since = self.clock.now() - timedelta(seconds=2 * self.poll_s)
            jobs = await read_jobs(self.db, courts, self.follower.following, since)
            changed = self.follower.changes(jobs)
            for job in changed:
                await self.sio.emit(EVENT, job.to_json(), room=court_room(job.court_id), namespace=self.namespace,
                                    ignore_queue=True)
            return changed

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            if not self.courts:
                continue
            try:
                await self.check()
            except Exception:
                log.exception("reading composition progress failed; retrying at the next poll")


COMPOSITIONS = web.AppKey("composition_watcher", CompositionWatcher)


def composition_watcher(namespace: str) -> Callable[[web.Application], AsyncIterator[None]]:
    """The cleanup context running the watcher for the sockets of ``namespace``."""

    async def resource(app: web.Application) -> AsyncIterator[None]:
        watcher = CompositionWatcher(app[SIO], app[DB], app[CLOCK], namespace, app[CONFIG].notify_poll_s)
        app[COMPOSITIONS] = watcher
        task = asyncio.create_task(watcher.run(), name="composition-watcher")
        yield
        await stop(task)

    return resource
