"""A sealed recording's manifest only ever gains entries: once the composition worker has added the
composed record, no seal — however late — takes it away, and nobody reading the recording sees a
finished composition without it.

Two processes can seal one recording: the holder, still reading its segments back when its lease
ran out, and the process whose recovery took the recording over. The order is driven here by the
test: the holder is held at the court's key (between its reading the row and its writing the
files), and the reader of a recording has the worker finish between two steps of its request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.courts import Court
from cabinet.eds.keys import KeyFile
from cabinet.filing.resources import COURT_KEYS, STORAGE
from cabinet.filing.systemkey import CourtKeys
from cabinet.identity.http import LOGIN
from core.clock import FixedClock
from core.db import Database
from core.resources import CONFIG, DB
from recordings.capture import HearingRecorder
from recordings.composition import Compositor
from recordings.manifest import MANIFEST, canonical
from recordings.models import ComposeJob, RecordingRow
from recordings.retrieval import Retrieval
from recordings.service import LEASE, RecordingService
from recordings.verify import check_files
from tests.signaling.conftest import Courthouse

PEOPLE = {"judge": "judge", "alice": "plaintiff"}


class KeyAfterSignal:
    """The court's keys, handed out only when the test says so (and saying when they were asked for)."""

    def __init__(self, keys: CourtKeys) -> None:
        self.keys = keys
        self.asked = asyncio.Event()
        self.given = asyncio.Event()

    async def key_for(self, court: Court) -> KeyFile:
        self.asked.set()
        await self.given.wait()
        return await self.keys.key_for(court)


class Interleaved(Database):
    """The app's database (its own connections), doing ``between`` once after a caller's first transaction."""

    def __init__(self, url: str, between: Callable[[], Awaitable[Any]]) -> None:
        super().__init__(url)
        self.between: Callable[[], Awaitable[Any]] | None = between

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with super().transaction() as session:
            yield session
        if self.between is not None:
            step, self.between = self.between, None
            await step()


def service(h: Courthouse, clock: FixedClock, machine: str, keys: Any = None) -> RecordingService:
    app = h.app.client.app
    return RecordingService(app[DB], clock, app[CONFIG], keys or app[COURT_KEYS], app[STORAGE],
                            owner=f"{machine}:4242:{machine[-1] * 8}")


def worker(h: Courthouse, clock: FixedClock) -> Compositor:
    app = h.app.client.app
    return Compositor(app[DB], clock, app[COURT_KEYS], owner="machine-c:4242:cccccccc:compose")


async def recorded(h: Courthouse, recording: RecordingService) -> tuple[int, Path]:
    """A recording of a booked hearing, its recorder closed (what the hub leaves before sealing)."""
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    started = await recording.start(hearing)
    recorder = await asyncio.to_thread(HearingRecorder, started.directory, recording.clock)
    await asyncio.to_thread(recorder.close, "closed")
    return started.recording_id, started.directory


async def stored(h: Courthouse, recording_id: int) -> RecordingRow:
    async with h.app.client.app[DB].transaction() as session:
        row = await session.get(RecordingRow, recording_id)
    assert row is not None and row.manifest is not None
    return row


async def test_a_seal_that_lost_its_recording_to_recovery_never_replaces_the_composed_manifest(
        courthouse: Courthouse) -> None:
    h = courthouse
    clock = FixedClock(datetime.now(UTC))  # beside the app's wall clock: its recovery must not seal this one
    held = KeyAfterSignal(h.app.client.app[COURT_KEYS])
    a, b = service(h, clock, "machine-a", held), service(h, clock, "machine-b")
    recording_id, directory = await recorded(h, a)

    # A starts sealing at the hearing's end and has read the row when it stalls (a loaded machine).
    late = asyncio.create_task(a.seal(recording_id))
    await held.asked.wait()
    # Its lease runs out; B's recovery seals the recording, and a worker composes it and re-signs.
    clock.set(clock.now() + LEASE + timedelta(seconds=1))
    assert await b.recover() == [recording_id]
    assert await worker(h, clock).run_once()
    composed = await stored(h, recording_id)
    assert composed.manifest is not None and composed.manifest["composed"] is not None
    assert composed.manifest["ended_abnormally"] is True  # B's seal: the holder was presumed dead

    # A wakes up and finishes its seal: it changes nothing, and answers with what was sealed.
    held.given.set()
    answer = await late
    assert (directory / MANIFEST).read_bytes() == canonical(composed.manifest)
    after = await stored(h, recording_id)
    assert (after.manifest, after.manifest_sha256, after.state) == (
        composed.manifest, composed.manifest_sha256, "sealed")
    report, _ = await asyncio.to_thread(check_files, directory, after.manifest)
    assert report.ok, report.findings  # the signature covers the manifest; no file of A's left behind
    assert answer == composed.manifest


async def test_sealing_a_sealed_recording_again_returns_it_unchanged(courthouse: Courthouse) -> None:
    h = courthouse
    clock = FixedClock(datetime.now(UTC))
    a = service(h, clock, "machine-a")
    recording_id, directory = await recorded(h, a)
    await a.seal(recording_id)
    assert await worker(h, clock).run_once()
    composed = await stored(h, recording_id)

    assert await a.seal(recording_id) == composed.manifest
    assert await a.seal(recording_id, abnormal="again") == composed.manifest
    assert (directory / MANIFEST).read_bytes() == canonical(composed.manifest)
    assert (await stored(h, recording_id)).manifest_sha256 == composed.manifest_sha256


async def test_a_view_never_shows_a_finished_composition_without_the_composed_record(
        courthouse: Courthouse) -> None:
    h = courthouse
    app = h.app.client.app
    clock = FixedClock(datetime.now(UTC))
    a = service(h, clock, "machine-a")
    recording_id, _ = await recorded(h, a)
    await a.seal(recording_id)
    clerk = await app[LOGIN].authenticate(h.tokens["clerk"])
    assert clerk is not None

    # The worker finishes the composition in the middle of the clerk's request.
    db = Interleaved(app[CONFIG].database_url, worker(h, clock).run_once)
    try:
        view = await Retrieval(db, clock).view(clerk, recording_id)
    finally:
        await db.close()
    async with app[DB].transaction() as session:
        job = await session.scalar(select(ComposeJob).where(ComposeJob.recording_id == recording_id))
    assert job is not None and job.state == "done"  # it did finish during the request
    assert (view["composition"]["state"] == "done") == (view["manifest"]["composed"] is not None), view
    again = await Retrieval(app[DB], clock).view(clerk, recording_id)
    assert again["composition"]["state"] == "done" and again["manifest"]["composed"] is not None
