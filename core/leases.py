"""Periodic jobs that run once per cluster, wherever a process is: a schedule and a lease in the database.

Every server process starts the same background sweeps (refunds to send, deferral reminders, the
audit checkpoint, expired login challenges). With several workers on several machines each sweep
must still run once per period — two refund senders would each ask the provider for the same
refund, two checkpointers would sign the audit head twice — and it must keep running when the
process that usually runs it dies. There is no leader to elect: the row of ``job_leases`` named
after the job is the schedule (``next_run_at``) and the lease (``owner``, ``lease_until``).

A process *claims* a run with one conditional UPDATE — due, and not leased or its lease ran out —
which PostgreSQL row-locks and re-checks, and SQLite serialises, so exactly one process wins each
due time. The winner renews the lease while the job runs (a job longer than the lease would
otherwise be claimed again) and, when it ends, releases the lease and sets the next due time. A
process that dies mid-run leaves a lease that runs out; the next process to look runs the job.

The schedule is in operational time (the system clock by default), not the court's
:class:`~core.clock.Clock` that tests freeze: a frozen court clock must not stop the sweeps.
Jobs stay idempotent regardless (a run cut off by a crash is run again whole).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, or_, update
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import Clock, SystemClock
from core.db import Base, Database, UtcDateTime, insert_if_absent, table
from core.tasks import stop

log = logging.getLogger(__name__)

#: How long a claimed run is held without a renewal; renewed every third of it while the job runs.
DEFAULT_LEASE = timedelta(seconds=60)


class JobLease(Base):
    """One periodic job of the cluster: when it is next due, and who runs it now (if anyone)."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UtcDateTime)
    owner: Mapped[str | None] = mapped_column(String(200), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    last_run_by: Mapped[str | None] = mapped_column(String(200), default=None)
    runs: Mapped[int] = mapped_column(Integer, default=0)


def process_owner() -> str:
    """Who holds a lease: host, process id and a token (a restarted process with the same pid is another)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class PeriodicJob:
    """``job`` every ``every`` across the cluster; :meth:`run` is this process's share of looking."""

    def __init__(self, db: Database, name: str, job: Callable[[], Awaitable[object]], every: timedelta, *,
                 first_after: timedelta = timedelta(0), lease: timedelta = DEFAULT_LEASE,
                 owner: str | None = None, clock: Clock | None = None) -> None:
        if every <= timedelta(0) or lease <= timedelta(0):
            raise ValueError("a periodic job needs a positive period and lease")
        if not 0 < len(name) <= 64:
            raise ValueError("a job name is 1-64 characters")
        self.db, self.name, self.job, self.every, self.lease = db, name, job, every, lease
        self.first_after = first_after
        self.owner = owner or process_owner()
        self.clock = clock or SystemClock()
        self.poll_s = min(every.total_seconds(), 30.0)
        """How often this process looks whether the job is due (and whether its runner died)."""

    async def run(self) -> None:
        """Forever: run the job whenever this process wins its due time."""
        while True:
            try:
                await self.run_if_due()
            except Exception:
                log.exception("job %s: could not claim or release its lease; looking again in %s s",
                              self.name, self.poll_s)
            await asyncio.sleep(self.poll_s)

    async def run_if_due(self) -> bool:
        """Run the job once if it is due and this process claims it; True when it ran here."""
        if not await self._claim():
            return False
        renewer = asyncio.create_task(self._renew(), name=f"lease-{self.name}")
        finished = False
        try:
            await self.job()
            finished = True
        except Exception:
            finished = True
            log.exception("job %s failed; it is due again in %s", self.name, self.every)
        finally:
            try:
                # Not ``suppress(CancelledError): await renewer``: a cancel of this task arriving
                # then would be spent on the renewer and swallowed, and the job would run on forever.
                await stop(renewer)
            finally:
                # Awaited in this task, never shielded into an orphan: a release still running after the
                # process closed its database would hold the job's row (and SQLite's write lock) open.
                await self._release(finished)
        return True

    async def _claim(self) -> bool:
        now = self.clock.now()
        rows = table(JobLease)
        async with self.db.transaction() as session:
            await insert_if_absent(session, JobLease, {"name": self.name, "next_run_at": now + self.first_after,
                                                       "runs": 0})
        async with self.db.transaction() as session:
            result = await session.execute(
                update(rows).where(rows.c.name == self.name, rows.c.next_run_at <= now,
                                   or_(rows.c.lease_until.is_(None), rows.c.lease_until < now))
                .values(owner=self.owner, lease_until=now + self.lease))
        return bool(getattr(result, "rowcount", 0) == 1)

    async def _renew(self) -> None:
        rows = table(JobLease)
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                async with self.db.transaction() as session:
                    await session.execute(update(rows).where(rows.c.name == self.name, rows.c.owner == self.owner)
                                          .values(lease_until=self.clock.now() + self.lease))
            except Exception:
                log.exception("job %s: renewing its lease failed; retrying", self.name)

    async def _release(self, finished: bool = True) -> None:
        """Give the lease back; a run cut off (the process is stopping) stays due for another process."""
        now = self.clock.now()
        rows = table(JobLease)
        values: dict[str, object] = {"owner": None, "lease_until": None}
        if finished:
            values.update(last_run_at=now, last_run_by=self.owner, next_run_at=now + self.every, runs=rows.c.runs + 1)
        async with self.db.transaction() as session:
            result = await session.execute(
                update(rows).where(rows.c.name == self.name, rows.c.owner == self.owner).values(values))
        if getattr(result, "rowcount", 0) != 1:
            log.warning("job %s: its lease ran out before the run ended (another process may run it again)",
                        self.name)


@contextlib.asynccontextmanager
async def running(*jobs: PeriodicJob) -> AsyncIterator[None]:
    """This process takes its share of ``jobs`` while the context lasts (a setup's ``cleanup_ctx``)."""
    tasks = [asyncio.create_task(job.run(), name=f"job-{job.name}") for job in jobs]
    try:
        yield
    finally:
        await stop(*tasks)
