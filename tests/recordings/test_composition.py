"""Composition jobs through the database and the API: queued at the seal, taken by one worker,
taken over from a worker that died, progress visible, re-sealed, verified, access as the rest.

The recording is a real one (a hearing opened and closed through signaling, sealed with the
court's key); its media are then replaced by synthetic VP8/Opus segments of the hearing's real
participants and sealed again with the same key, as the recorder would have left them.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import av
from sqlalchemy import select, update

from cabinet.audit import AuditEntry
from cabinet.courts import Court
from cabinet.filing.resources import COURT_KEYS
from core.resources import CLOCK, DB
from recordings.compose import COMPOSED, FPS
from recordings.composition import Compositor
from recordings.manifest import MANIFEST
from recordings.models import ComposeJob, RecordingRow
from recordings.seal import sign_manifest
from tests.recordings.hearings import close_hearing, open_session, sealed
from tests.recordings.synthetic import Stretch, write_recording
from tests.signaling.conftest import Courthouse, leave_all

SECONDS = 8


async def with_media(h: Courthouse) -> dict[str, Any]:
    """A sealed recording of a real hearing whose segments are synthetic media of its participants."""
    hearing, sockets = await open_session(h, names=("judge",))
    try:
        await close_hearing(sockets["judge"])
        record = await sealed(h, hearing)
    finally:
        await leave_all(*sockets.values())
    app = h.app.client.app
    async with app[DB].transaction() as session:
        row = await session.get(RecordingRow, record["id"])
        assert row is not None and row.manifest is not None
        court = await session.get(Court, row.court_id)
        directory, manifest = Path(row.directory), dict(row.manifest)
    assert court is not None
    people = [(p["id"], p["name"], p["role"]) for p in manifest["participants"]][:3]
    synthetic = await asyncio.to_thread(write_recording, directory, people, {
        people[0][0]: [Stretch(0, SECONDS)], people[1][0]: [Stretch(1, SECONDS)],
        people[2][0]: [Stretch(0, 3, "muted"), Stretch(4, SECONDS)]}, seconds=SECONDS)
    manifest.update(segments=synthetic["segments"], started_at=synthetic["started_at"],
                    ended_at=synthetic["ended_at"])
    key = await app[COURT_KEYS].key_for(court)
    digest = await asyncio.to_thread(sign_manifest, directory, manifest, key)
    async with app[DB].transaction() as session:
        await session.execute(update(RecordingRow).where(RecordingRow.id == record["id"])
                              .values(manifest=manifest, manifest_sha256=digest))
    return {**record, "manifest": manifest, "manifest_sha256": digest}


def leftovers(directory: Path) -> list[Path]:
    """Hidden files: a part, a staged file of any writer."""
    return sorted(directory.glob(".*"))


def compositor(h: Courthouse, **kwargs: Any) -> Compositor:
    app = h.app.client.app
    return Compositor(app[DB], app[CLOCK], app[COURT_KEYS], **kwargs)


async def job_of(h: Courthouse, recording_id: int) -> ComposeJob:
    async with h.app.client.app[DB].transaction() as session:
        job = await session.scalar(select(ComposeJob).where(ComposeJob.recording_id == recording_id))
    assert job is not None
    return job


async def test_a_worker_that_died_is_taken_over_and_the_record_is_composed_sealed_and_verified(
        courthouse: Courthouse) -> None:
    h = courthouse
    record = await with_media(h)
    rid, url = record["id"], f"/api/v1/recordings/{record['id']}"
    view = await (await h.court.get("clerk", url)).json()
    assert view["composition"]["state"] == "queued" and view["manifest"]["composed"] is None

    # A worker takes the job, writes part of a file, and dies (its lease is never renewed).
    dead = compositor(h, owner="host:1:compose", lease=timedelta(milliseconds=300))
    claimed = await dead.claim()
    assert claimed is not None and claimed.recording_id == rid
    async with h.app.client.app[DB].transaction() as session:
        row = await session.get(RecordingRow, rid)
        assert row is not None
        directory = Path(row.directory)
    (directory / f".{COMPOSED}.part").write_bytes(b"\x1a\x45\xdf\xa3 half a file")
    live = compositor(h, owner="host:2:compose", beat_every_s=0.05)  # progress stored often enough to be seen
    assert await live.claim() is None  # the lease is still held: nobody else takes it
    await asyncio.sleep(0.4)

    seen: list[float] = []
    worker = asyncio.create_task(live.run_once())
    while not worker.done():
        state = (await (await h.court.get("clerk", url)).json())["composition"]
        if state["state"] == "running":
            seen.append(state["progress"])
        await asyncio.sleep(0.05)
    assert await worker
    assert any(0 < p < 100 for p in seen), seen  # progress was visible while it ran

    job = await job_of(h, rid)
    assert (job.state, job.progress, job.attempts, job.owner) == ("done", 100.0, 2, "host:2:compose")
    view = await (await h.court.get("judge", url)).json()
    composed = view["manifest"]["composed"]
    data = (directory / COMPOSED).read_bytes()
    assert composed["file"] == COMPOSED and composed["sha256"] == hashlib.sha256(data).hexdigest()
    assert composed["size"] == len(data) and not await asyncio.to_thread(leftovers, directory)
    assert view["manifest_sha256"] == hashlib.sha256((directory / MANIFEST).read_bytes()).hexdigest()
    with av.open(str(directory / COMPOSED)) as container:
        frames = sum(1 for _ in container.decode(video=0))
        assert abs(float(container.duration or 0) / 1e6 - SECONDS) < 0.2
    assert frames == SECONDS * FPS

    async with h.app.client.app[DB].transaction() as session:
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.action == "recording.composed"))
    assert audit is not None and audit.details["manifest_sha256"] == view["manifest_sha256"]
    assert audit.details["previous_manifest_sha256"] == record["manifest_sha256"]

    report = await (await h.court.get("clerk", f"{url}/verify")).json()
    assert report["ok"], report

    # The composed file streams to entitled people with ranges; others are refused.
    first = await h.app.client.get(f"{url}/files/{COMPOSED}",
                                   headers={**await h.court.as_("alice"), "Range": "bytes=0-3"})
    assert first.status == 206 and await first.read() == data[:4]
    assert (await h.court.get("carol", f"{url}/files/{COMPOSED}")).status == 403
    assert (await h.court.get(None, f"{url}/files/{COMPOSED}")).status == 401

    # One changed byte of the composed file is named by verify.
    changed = bytearray(data)
    changed[len(data) // 2] ^= 0xFF
    await asyncio.to_thread((directory / COMPOSED).write_bytes, bytes(changed))
    report = await (await h.court.get("clerk", f"{url}/verify")).json()
    assert not report["ok"] and {f["what"] for f in report["findings"]} == {COMPOSED}


async def test_a_worker_that_lost_its_job_while_composing_never_replaces_the_record(courthouse: Courthouse) -> None:
    """A stalled worker (its lease lapsed, not dead) and its successor compose at the same time; only the
    successor, which holds the job, puts its file in place, and the stalled one's file is removed."""
    h = courthouse
    record = await with_media(h)
    rid, url = record["id"], f"/api/v1/recordings/{record['id']}"
    stalled = compositor(h, owner="host:1:compose", lease=timedelta(milliseconds=300), beat_every_s=3600)
    first = asyncio.create_task(stalled.run_once())
    await asyncio.sleep(0.5)
    successor = compositor(h, owner="host:2:compose")
    assert await successor.run_once() and await first

    job = await job_of(h, rid)
    assert (job.state, job.owner, job.attempts) == ("done", "host:2:compose", 2)
    async with h.app.client.app[DB].transaction() as session:
        row = await session.get(RecordingRow, rid)
        assert row is not None and row.manifest is not None
        directory, composed = Path(row.directory), row.manifest["composed"]
        composed_entries = (await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "recording.composed"))).all()
    data = (directory / COMPOSED).read_bytes()
    assert composed["sha256"] == hashlib.sha256(data).hexdigest() and composed["size"] == len(data)
    assert len(composed_entries) == 1 and not await asyncio.to_thread(leftovers, directory)
    report = await (await h.court.get("clerk", f"{url}/verify")).json()
    assert report["ok"], report


async def test_a_failing_composition_is_retried_then_failed_and_nothing_is_marked_done(
        courthouse: Courthouse) -> None:
    h = courthouse
    record = await with_media(h)
    rid = record["id"]
    async with h.app.client.app[DB].transaction() as session:
        row = await session.get(RecordingRow, rid)
        assert row is not None and row.manifest is not None
        broken = Path(row.directory) / row.manifest["segments"][0]["file"]
    broken.write_bytes(b"not a webm file at all")
    worker = compositor(h)
    for attempt in (1, 2, 3):
        assert await worker.run_once()
        job = await job_of(h, rid)
        assert job.attempts == attempt and job.error
        assert job.state == ("failed" if attempt == 3 else "queued")
    assert not await worker.run_once()  # failed for good: not taken again
    assert not (broken.parent / COMPOSED).exists()
    view = await (await h.court.get("clerk", f"/api/v1/recordings/{rid}")).json()
    assert view["composition"]["state"] == "failed" and view["manifest"]["composed"] is None
