"""Composition jobs: any worker composes a sealed recording into its hearing record, then re-seals.

A job is queued when a recording is sealed. A worker claims the oldest queued job — or a running
one whose lease ran out (its worker died) — with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite
serialises writers), renews its lease while composing and stores the progress (percent) as it
goes. :func:`recordings.compose.compose` writes to a name of this worker's own. The job is marked
``done``, and in the same transaction the composed file and the manifest (now naming the composed
file with its SHA-256, signed again with the court's key) are put in place, only by the worker still
holding the job; the new manifest's hash is stored and entered in the audit chain
(``recording.composed``, with the previous manifest's hash). A failed attempt is retried from the
start; after :data:`ATTEMPTS` the job is ``failed`` with the error kept. What a dead or overtaken
worker wrote is removed by the worker that finishes the job.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, update

from cabinet.audit import AuditLog
from cabinet.courts import Court
from cabinet.filing.systemkey import CourtKeys
from core.clock import Clock
from core.db import Database
from core.tasks import stop as stop_tasks
from core.tasks import wait_event
from recordings.compose import COMPOSED, compose, leftovers
from recordings.models import ComposeJob, RecordingRow
from recordings.seal import Staged, stage_manifest
from recordings.service import SYSTEM_ACTOR, process_owner

logger = logging.getLogger(__name__)

JOB_LEASE = timedelta(seconds=30)
ATTEMPTS = 3
POLL_S = 5.0


class Abandoned(Exception):
    """The worker stopped while composing; the job goes back to the queue."""


@dataclass(frozen=True)
class Claimed:
    job_id: int
    recording_id: int
    attempts: int


class Compositor:
    """Takes composition jobs one at a time; :meth:`run` until stopped (in-process or alone)."""

    def __init__(self, db: Database, clock: Clock, keys: CourtKeys, *, owner: str | None = None,
                 lease: timedelta = JOB_LEASE, beat_every_s: float = 1.0) -> None:
        self.db = db
        self.lease = lease
        self.beat_every_s = beat_every_s
        """How often a running job renews its lease and stores its progress."""
        self.clock = clock
        self.keys = keys
        self.owner = owner or f"{process_owner()}:compose"

    async def claim(self) -> Claimed | None:
        async with self.db.transaction() as session:
            now = self.clock.now()
            query = (select(ComposeJob).where(or_(
                ComposeJob.state == "queued",
                (ComposeJob.state == "running") & (ComposeJob.lease_until < now)))
                .order_by(ComposeJob.id).limit(1))
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            job = await session.scalar(query)
            if job is None:
                return None
            if job.state == "running":
                logger.warning("composition of recording %s: worker %s stopped renewing; starting over",
                               job.recording_id, job.owner)
            job.state, job.owner, job.lease_until = "running", self.owner, now + self.lease
            job.attempts, job.progress, job.error = job.attempts + 1, 0.0, None
            return Claimed(job.id, job.recording_id, job.attempts)

    async def run_once(self) -> bool:
        """Claim and finish one job; False when there was none."""
        claimed = await self.claim()
        if claimed is None:
            return False
        try:
            await self._compose(claimed)
        except asyncio.CancelledError:
            await self._release(claimed, "the worker stopped", final=False)
            raise
        except Exception as exc:
            logger.exception("composition of recording %s failed (attempt %d)", claimed.recording_id,
                             claimed.attempts)
            await self._release(claimed, f"{type(exc).__name__}: {exc}"[:500], final=claimed.attempts >= ATTEMPTS)
        return True

    async def run(self, stop: asyncio.Event, *, poll_s: float = POLL_S) -> None:
        while not stop.is_set():
            try:
                busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("composition worker round failed; retrying")
                busy = False
            if not busy:
                await wait_event(stop, poll_s)

    async def _compose(self, claimed: Claimed) -> None:
        async with self.db.transaction() as session:
            row = await session.get(RecordingRow, claimed.recording_id)
            if row is None or row.state != "sealed" or not row.manifest:
                raise RuntimeError(f"recording {claimed.recording_id} is not sealed (state {row and row.state})")
            court = await session.get(Court, row.court_id)
            manifest, directory, previous = dict(row.manifest), Path(row.directory), row.manifest_sha256
        assert court is not None
        key = await self.keys.key_for(court)
        percent = [0.0]
        stopping = threading.Event()

        def progress(value: float) -> None:
            if stopping.is_set():  # the worker is stopping: abandon the part file, write nothing
                raise Abandoned("the composition worker stopped")
            percent[0] = value

        staged = Staged(directory)

        def work() -> tuple[dict[str, Any], str]:
            composed = compose(directory, manifest, staged.reserve(COMPOSED), progress=progress)
            if stopping.is_set():
                raise Abandoned("the composition worker stopped")
            sealed = {**manifest, "composed": composed.to_json()}
            return sealed, stage_manifest(staged, sealed, key)

        beat = asyncio.create_task(self._heartbeat(claimed, percent))
        try:
            try:
                sealed, digest = await asyncio.to_thread(work)
            except asyncio.CancelledError:
                stopping.set()
                raise
            finally:
                await stop_tasks(beat)
            async with self.db.transaction() as session:
                held = await session.execute(update(ComposeJob).where(
                    ComposeJob.id == claimed.job_id, ComposeJob.owner == self.owner, ComposeJob.state == "running")
                    .values(state="done", progress=100.0, lease_until=None, finished_at=self.clock.now()))
                if getattr(held, "rowcount", 1) != 1:
                    raise RuntimeError("the job's lease was lost while composing")
                # Only the worker still holding the job re-signs, while its update is uncommitted.
                await asyncio.to_thread(staged.put_in_place)
                await session.execute(update(RecordingRow).where(RecordingRow.id == claimed.recording_id)
                                      .values(manifest=sealed, manifest_sha256=digest))
                await AuditLog(session, self.clock).append(
                    "recording.composed", actor=SYSTEM_ACTOR, subject=f"recording:{claimed.recording_id}",
                    details={"manifest_sha256": digest, "previous_manifest_sha256": previous,
                             "composed_sha256": sealed["composed"]["sha256"], "size": sealed["composed"]["size"]})
        finally:
            staged.discard()
        # What is left now is a dead or overtaken worker's: it can never put it in place any more.
        for path in await asyncio.to_thread(leftovers, directory):
            await asyncio.to_thread(path.unlink, missing_ok=True)
        logger.info("recording %s composed: %s", claimed.recording_id, sealed["composed"]["file"])

    async def _heartbeat(self, claimed: Claimed, percent: list[float]) -> None:
        while True:
            await asyncio.sleep(self.beat_every_s)
            async with self.db.transaction() as session:
                await session.execute(update(ComposeJob).where(
                    ComposeJob.id == claimed.job_id, ComposeJob.owner == self.owner)
                    .values(progress=min(percent[0], 99.9), lease_until=self.clock.now() + self.lease))

    async def _release(self, claimed: Claimed, error: str, *, final: bool) -> None:
        async with self.db.transaction() as session:
            await session.execute(update(ComposeJob).where(
                ComposeJob.id == claimed.job_id, ComposeJob.owner == self.owner)
                .values(state="failed" if final else "queued", owner=None, lease_until=None, error=error,
                        finished_at=self.clock.now() if final else None))
