"""Composition jobs are taken once per cluster: workers racing for the same queued job (each with its
own connections, as separate processes have) claim it exactly once — SKIP LOCKED on PostgreSQL,
serialised writers on SQLite."""

from __future__ import annotations

import asyncio

from cabinet.filing.resources import COURT_KEYS
from core.db import Database
from core.resources import CLOCK, CONFIG
from recordings.composition import Compositor
from tests.recordings.hearings import close_hearing, open_session, sealed
from tests.recordings.test_composition import job_of
from tests.signaling.conftest import Courthouse, leave_all


async def test_workers_racing_for_a_composition_job_take_it_exactly_once(courthouse: Courthouse) -> None:
    h = courthouse
    hearing, sockets = await open_session(h, names=("judge",))
    try:
        await close_hearing(sockets["judge"])
        record = await sealed(h, hearing)
    finally:
        await leave_all(*sockets.values())
    app = h.app.client.app
    dbs = [Database(app[CONFIG].database_url) for _ in range(2)]
    workers = [Compositor(db, app[CLOCK], app[COURT_KEYS], owner=f"host-{i}:1:compose") for i, db in enumerate(dbs)]
    try:
        claims = await asyncio.gather(*(worker.claim() for worker in workers for _ in range(3)))
        taken = [claim for claim in claims if claim is not None]
        assert len(taken) == 1 and taken[0].recording_id == record["id"]
        job = await job_of(h, record["id"])
        assert job.state == "running" and job.attempts == 1 and job.owner in {w.owner for w in workers}
    finally:
        for db in dbs:
            await db.close()
