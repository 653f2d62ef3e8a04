"""Retention: a recording past its case category's period is deleted only when a clerk confirms it.

The period comes from the configuration (``recording_retention_days``, and per case category
``recording_retention = ["03=3650", ...]``). Nothing is deleted by a timer: the clerk lists what has
expired and confirms each deletion with a reason. Deletion removes the media (the segments) and
leaves the manifest, its signature, the minutes (and the clerk's signature on them) and a
``tombstone.json`` naming every removed file with its SHA-256, who deleted it, when and why — so the
record still proves what existed, and verification accepts the tombstoned files' absence.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cabinet.audit import AuditLog
from cabinet.filing.models import Case
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Role
from core.clock import COURT_TIME, Clock
from core.config import Config
from core.db import Database
from recordings.errors import InvalidRecordingRequest, RecordingForbidden, RecordingNotFound, RecordingNotSealed
from recordings.manifest import canonical
from recordings.models import RecordingRow
from recordings.seal import write_atomically
from recordings.verify import TOMBSTONE

logger = logging.getLogger(__name__)



def periods(config: Config) -> dict[str, int]:
    """Retention days by case category (the configuration is validated at start-up)."""
    out = {}
    for entry in config.recording_retention:
        category, _, days = entry.partition("=")
        out[category.strip()] = int(days)
    return out


def expires_at(started_at: datetime, category: str | None, config: Config) -> datetime:
    days = periods(config).get(category or "", config.recording_retention_days)
    return started_at + timedelta(days=days)


def tombstoned(directory: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((directory / TOMBSTONE).read_bytes()))
    except (OSError, ValueError):
        return None


def media_files(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    files = [{"file": s["file"], "sha256": s["sha256"], "size": s["size"]} for s in manifest.get("segments", [])]
    composed = manifest.get("composed")
    if isinstance(composed, Mapping):
        files.append({"file": composed["file"], "sha256": composed["sha256"], "size": composed.get("size")})
    return files


class Retention:
    def __init__(self, db: Database, clock: Clock, config: Config) -> None:
        self.db = db
        self.clock = clock
        self.config = config

    async def expired(self, principal: Principal) -> list[dict[str, Any]]:
        """Sealed recordings of the clerk's courts whose retention period is over, oldest first."""
        courts = principal.courts_with(Role.CLERK)
        if not courts:
            raise RecordingForbidden("retention is managed by the court's clerks", code="not_court_clerk")
        now = self.clock.now()
        shortest = min([self.config.recording_retention_days, *periods(self.config).values()])
        async with self.db.transaction() as session:
            rows = (await session.execute(
                select(RecordingRow, Case.category).join(Case, Case.id == RecordingRow.case_id)
                .where(RecordingRow.court_id.in_(sorted(courts)), RecordingRow.state == "sealed",
                       RecordingRow.started_at <= now - timedelta(days=shortest))
                .order_by(RecordingRow.started_at).limit(1000))).all()
        return [{"id": row.id, "case_number": row.case_number, "started_at": row.started_at.isoformat(),
                 "category": category, "expired_at": expires_at(row.started_at, category, self.config).isoformat()}
                for row, category in rows if expires_at(row.started_at, category, self.config) <= now]

    async def delete(self, principal: Principal, recording_id: int, *, confirm: bool, reason: str) -> dict[str, Any]:
        if confirm is not True:
            raise InvalidRecordingRequest("confirm the deletion with \"confirm\": true", details={"field": "confirm"})
        reason = reason.strip()
        if not reason or len(reason) > 2000:
            raise InvalidRecordingRequest("give the reason for the deletion (up to 2000 characters)",
                                          details={"field": "reason"})
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await session.get(RecordingRow, recording_id, with_for_update=True)
            if row is None:
                raise RecordingNotFound(f"no recording {recording_id}")
            if row.court_id not in principal.courts_with(Role.CLERK):
                raise RecordingForbidden("retention is managed by the court's clerks", code="not_court_clerk")
            if row.state != "sealed" or not row.manifest:
                raise RecordingNotSealed(f"the recording is {row.state}, not sealed")
            case = await session.get(Case, row.case_id)
            until = expires_at(row.started_at, case.category if case else None, self.config)
            if until > now:
                court_day = until.astimezone(COURT_TIME).date().isoformat()
                raise RecordingNotSealed(f"the recording is kept until {court_day}",
                                         code="retention_not_expired", details={"until": until.isoformat()})
            removed = media_files(row.manifest)
            tombstone: dict[str, Any] = {
                "recording_id": row.id, "deleted_at": now.isoformat(), "deleted_by": principal.audit_actor,
                "reason": reason, "retention_until": until.isoformat(),
                "manifest_sha256": row.manifest_sha256, "removed": removed}
            directory = Path(row.directory)
            await asyncio.to_thread(self._remove, directory, tombstone)
            row.state = "deleted"
            await AuditLog(session, self.clock).append(
                "recording.deleted", actor=principal.audit_actor, subject=f"recording:{row.id}",
                details={"reason": reason, "files": len(removed),
                         "manifest_sha256": row.manifest_sha256})
        logger.warning("recording %s deleted under retention by %s", recording_id, principal.audit_actor)
        return tombstone

    @staticmethod
    def _remove(directory: Path, tombstone: dict[str, Any]) -> None:
        """Tombstone first (so a crash mid-way leaves an account), then the media."""
        write_atomically(directory / TOMBSTONE, canonical(tombstone))
        for item in tombstone["removed"]:
            (directory / item["file"]).unlink(missing_ok=True)
