"""Composition progress as the court's staff follow it live: what changed since they last looked.

A composition runs in whichever worker took its job (``recordings/composition.py``) and stores its
percent in the job's row every beat; the database is the only place every process can read it.
:class:`ProgressFollower` turns successive reads of the jobs of some courts into the changes worth
telling: a job seen for the first time (queued, running, or finished since the last read), a new
state, or a percent that moved by at least :data:`STEP`. It is pure (no I/O, no clock), so what a
clerk is told is tested without a socket; :func:`read_jobs` is its one query.

Only the staff of the recording's court follow it (the same people who find it in the clerk's
search); which courts those are is the caller's business.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from core.db import Database
from recordings.models import ComposeJob, RecordingRow

logger = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
FINAL = ("done", "failed")
STEP = 1.0
"""Percent points: a clerk's progress bar needs no finer steps, and a beat changing 0.1 % is noise."""
REMEMBERED = 10_000
"""Finished jobs are remembered (so a read that sees one again tells nothing) up to this many."""


@dataclass(frozen=True)
class JobProgress:
    """One composition job as the staff see it."""

    job_id: int
    recording_id: int
    hearing_id: int
    court_id: int
    court_code: str
    case_number: str
    state: str
    progress: float
    error: str | None

    def __post_init__(self) -> None:
        if self.state not in ACTIVE + FINAL:
            raise ValueError(f"unknown composition state {self.state!r}")
        if not 0.0 <= self.progress <= 100.0:
            raise ValueError(f"progress {self.progress} is not a percent")

    def to_json(self) -> dict[str, Any]:
        return {"recording_id": self.recording_id, "hearing_id": self.hearing_id, "court": self.court_code,
                "case_number": self.case_number, "state": self.state, "progress": round(self.progress, 1),
                "error": self.error}


class ProgressFollower:
    """Remembers what was told about each job; :meth:`changes` returns only what is new."""

    def __init__(self) -> None:
        self._told: dict[int, tuple[int, str, float]] = {}
        """job id -> (court id, state, percent) last told."""

    @property
    def following(self) -> frozenset[int]:
        """Jobs told as queued or running: the next read must include them to see them finish."""
        return frozenset(job for job, (_, state, _) in self._told.items() if state in ACTIVE)

    def changes(self, jobs: Iterable[JobProgress]) -> list[JobProgress]:
        out = []
        for job in jobs:
            told = self._told.get(job.job_id)
            if told is not None and told[1] == job.state and abs(job.progress - told[2]) < STEP:
                continue
            out.append(job)
            self._told[job.job_id] = (job.court_id, job.state, job.progress)
        if len(self._told) > REMEMBERED:
            for job_id in [j for j, (_, state, _) in self._told.items() if state in FINAL]:
                del self._told[job_id]
        return out

    def retain(self, courts: Collection[int]) -> None:
        """Forget the jobs of courts nobody here follows any more."""
        for job, (court, _, _) in list(self._told.items()):
            if court not in courts:
                del self._told[job]


async def read_jobs(db: Database, court_ids: Collection[int], following: Collection[int] = (),
                    finished_since: datetime | None = None) -> list[JobProgress]:
    """The queued and running jobs of ``court_ids``, plus the ``following`` ones and those finished since."""
    if not court_ids:
        return []
    wanted: list[ColumnElement[bool]] = [ComposeJob.state.in_(ACTIVE)]
    if following:
        wanted.append(ComposeJob.id.in_(sorted(following)))
    if finished_since is not None:
        wanted.append(ComposeJob.finished_at >= finished_since)
    query = (select(ComposeJob.id, ComposeJob.recording_id, RecordingRow.hearing_id, RecordingRow.court_id,
                    RecordingRow.court_code, RecordingRow.case_number, ComposeJob.state, ComposeJob.progress,
                    ComposeJob.error)
             .join(RecordingRow, RecordingRow.id == ComposeJob.recording_id)
             .where(RecordingRow.court_id.in_(sorted(court_ids)), or_(*wanted))
             .order_by(ComposeJob.id))
    async with db.sessions() as session:
        rows = (await session.execute(query)).all()
    return [JobProgress(*row[:7], min(max(float(row[7] or 0.0), 0.0), 100.0), row[8]) for row in rows]
