"""Tables of recordings: one row per recording of a hearing, searchable by the clerk's fields.

The search columns (case number, court, courtroom, judge, start) are copied from the hearing when
the recording starts, so a clerk's search is one indexed query on one table. ``owner`` and
``lease_until`` say which process records it now: a recording whose lease ran out (its process
died) is recovered and sealed "ended abnormally" by the next process that starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, UtcDateTime


class RecordingRow(Base):
    __tablename__ = "recordings"
    __table_args__ = (
        Index("ix_recordings_court_started", "court_code", "started_at"),
        Index("ix_recordings_case_started", "case_number", "started_at"),
        Index("ix_recordings_judge_started", "judge_user_id", "started_at"),
        Index("ix_recordings_courtroom_started", "court_code", "courtroom", "started_at"),
        Index("ix_recordings_hearing", "hearing_id"),
        Index("ix_recordings_state", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearings.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    case_number: Mapped[str] = mapped_column(String(64))
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id"))
    court_code: Mapped[str] = mapped_column(String(10))
    courtroom: Mapped[str] = mapped_column(String(100))
    judge_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    is_open: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(20))
    """``recording`` while capture runs, ``sealed`` once signed, ``deleted`` after retention."""
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    ended_abnormally: Mapped[bool] = mapped_column(Boolean, default=False)
    directory: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(200))
    lease_until: Mapped[datetime] = mapped_column(UtcDateTime)
    manifest: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    manifest_sha256: Mapped[str | None] = mapped_column(String(64), default=None)
    audit_seq: Mapped[int | None] = mapped_column(Integer, default=None)
    access_granted: Mapped[bool] = mapped_column(Boolean, default=False)
    """For a closed hearing: the judge granted the parties and their lawyers access."""


class RecordingLink(Base):
    """A share link: a secret token (only its SHA-256 is stored) that opens one recording's files until
    it expires or is revoked. Made by somebody entitled to the recording, for somebody entitled."""

    __tablename__ = "recording_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)


class ComposeJob(Base):
    """Composing one sealed recording into its hearing record (``recordings/composition.py``).

    ``queued`` → ``running`` (``owner`` holds it while ``lease_until`` is renewed) → ``done`` or
    ``failed`` (after :data:`~recordings.composition.ATTEMPTS` tries). A ``running`` job whose lease ran
    out belonged to a worker that died: any worker takes it again and starts over.
    """

    __tablename__ = "recording_compose_jobs"
    __table_args__ = (Index("ix_recording_compose_jobs_state", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id"), unique=True)
    state: Mapped[str] = mapped_column(String(20))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(200), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "progress": round(self.progress, 1), "attempts": self.attempts,
                "error": self.error, "finished_at": self.finished_at and self.finished_at.isoformat()}
