"""Periodic jobs run once per cluster: each due time is won by exactly one process, and a dead
runner's lease runs out so another process takes the job over."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.clock import FixedClock
from core.db import Database
from core.leases import JobLease, PeriodicJob


def _pair(database_url: str, clock: FixedClock, runs: list[str], *, job_s: float = 0.0,
          name: str = "sweep") -> tuple[list[Database], list[PeriodicJob]]:
    """Two 'processes': each with its own engine and connections to the one database, and its own owner."""
    dbs = [Database(database_url), Database(database_url)]
    jobs: list[PeriodicJob] = []
    for index, db in enumerate(dbs):
        async def job(who: str = f"process-{index}") -> None:
            runs.append(who)
            await asyncio.sleep(job_s)
        jobs.append(PeriodicJob(db, name, job, every=timedelta(minutes=5), owner=f"process-{index}", clock=clock))
    return dbs, jobs


async def test_two_processes_racing_for_each_due_time_run_the_job_exactly_once(db: Database,
                                                                               database_url: str) -> None:
    clock, runs = FixedClock(), []
    dbs, jobs = _pair(database_url, clock, runs, job_s=0.01)
    try:
        for period in range(6):
            outcomes = await asyncio.gather(*(job.run_if_due() for job in jobs for _ in range(3)))
            assert sum(outcomes) == 1, f"period {period}: {outcomes}"
            assert len(runs) == period + 1
            assert not any(await asyncio.gather(*(job.run_if_due() for job in jobs)))  # not due again yet
            clock.advance(timedelta(minutes=5))
        async with db.sessions() as session:
            row = await session.scalar(select(JobLease).where(JobLease.name == "sweep"))
        assert row is not None and row.runs == 6 and row.owner is None and row.lease_until is None
    finally:
        for each in dbs:
            await each.close()


async def test_a_runner_that_died_holding_the_lease_is_replaced_once_the_lease_runs_out(db: Database,
                                                                                        database_url: str) -> None:
    clock, runs = FixedClock(), []
    dbs, (first, second) = _pair(database_url, clock, runs)
    try:
        assert await first._claim()  # process-0 claims the run and is killed before running it
        assert not await second.run_if_due()
        clock.advance(first.lease - timedelta(seconds=1))
        assert not await second.run_if_due()  # the lease still holds
        clock.advance(timedelta(seconds=2))
        assert await second.run_if_due() and runs == ["process-1"]
        await first._release()  # the dead process's late release changes nothing
        async with db.sessions() as session:
            row = await session.scalar(select(JobLease).where(JobLease.name == "sweep"))
        assert row is not None and row.runs == 1 and row.last_run_by == "process-1"
    finally:
        for each in dbs:
            await each.close()


async def test_a_failing_job_is_due_again_a_period_later_and_never_blocks_the_cluster(db: Database) -> None:
    clock, calls = FixedClock(), []

    async def broken() -> None:
        calls.append(1)
        raise RuntimeError("provider down")

    job = PeriodicJob(db, "broken", broken, every=timedelta(seconds=30), clock=clock)
    assert await job.run_if_due() and not await job.run_if_due()
    clock.advance(timedelta(seconds=30))
    assert await job.run_if_due() and calls == [1, 1]


async def test_the_first_run_can_wait_a_period_and_the_schedule_survives_a_restart(db: Database) -> None:
    clock, runs = FixedClock(), []

    async def job() -> None:
        runs.append(1)

    hourly = PeriodicJob(db, "hourly", job, every=timedelta(hours=1), first_after=timedelta(hours=1), clock=clock)
    assert not await hourly.run_if_due()
    clock.advance(timedelta(minutes=59))
    restarted = PeriodicJob(db, "hourly", job, every=timedelta(hours=1), first_after=timedelta(hours=1), clock=clock)
    assert not await restarted.run_if_due()  # a restart does not move the due time
    clock.advance(timedelta(minutes=1))
    assert await restarted.run_if_due() and runs == [1]


def test_a_job_needs_a_name_and_a_positive_period() -> None:
    async def job() -> None:
        return None

    with pytest.raises(ValueError, match="positive"):
        PeriodicJob(Database("sqlite+aiosqlite://"), "x", job, every=timedelta(0))
    with pytest.raises(ValueError, match="1-64"):
        PeriodicJob(Database("sqlite+aiosqlite://"), "x" * 65, job, every=timedelta(seconds=1))


async def test_a_run_cut_off_by_shutdown_gives_the_lease_back_and_stays_due(db: Database) -> None:
    import asyncio as aio

    clock, started = FixedClock(), aio.Event()

    async def slow() -> None:
        started.set()
        await aio.sleep(60)

    job = PeriodicJob(db, "slow", slow, every=timedelta(hours=1), clock=clock)
    task = aio.create_task(job.run_if_due())
    await started.wait()
    task.cancel()
    with pytest.raises(aio.CancelledError):
        await task
    async with db.sessions() as session:
        row = await session.scalar(select(JobLease).where(JobLease.name == "slow"))
    assert row is not None and row.owner is None and row.lease_until is None and row.runs == 0
    assert row.next_run_at <= clock.now()  # the next process to look runs it


async def test_a_job_cancelled_as_its_run_ends_stops_and_gives_the_lease_back(db: Database) -> None:
    """Shutdown cancels the job's task just as a run ends and its lease renewer is being stopped. That
    cancel must stop the task: spent on the renewer and swallowed, it left the job looping forever and
    the app's shutdown waiting for it (a hung test teardown)."""
    clock = FixedClock()
    job = PeriodicJob(db, "quick", lambda: _cancel_soon(runner), every=timedelta(hours=1), clock=clock)
    runner = asyncio.create_task(job.run())
    done, _ = await asyncio.wait({runner}, timeout=60)
    assert done and runner.cancelled()
    async with db.sessions() as session:
        row = await session.scalar(select(JobLease).where(JobLease.name == "quick"))
    assert row is not None and row.owner is None and row.lease_until is None and row.runs == 1


async def _cancel_soon(task: asyncio.Task[None]) -> None:
    """The job's body: it ends at once, and its task is cancelled on the loop's next turn, which finds the
    task waiting for its lease renewer to stop."""
    asyncio.get_running_loop().call_soon(task.cancel)
