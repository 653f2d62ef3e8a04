"""Share links to a recording: expiring (3 days by default), revocable, audited on every use.

Somebody entitled to a recording makes a link (for another entitled person: the link is a bearer
secret, so whoever holds it is trusted by whoever made it, and the audit log names both). The
token is 32 random bytes shown once; only its SHA-256 is stored, so the table leaks nothing usable.
The creator, the hearing's judge or a clerk of the court may revoke it. An expired or revoked link
opens nothing: ``410 link_expired`` / ``410 link_revoked``; an unknown one ``404 link_not_found``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import select

from cabinet.audit import AuditLog
from cabinet.identity.principal import Principal
from core.clock import Clock
from core.db import Database
from recordings.access import Relation, may_view, relation
from recordings.errors import InvalidRecordingRequest, RecordingError, RecordingForbidden, RecordingNotFound
from recordings.models import RecordingLink, RecordingRow
from recordings.retrieval import Retrieval, facts_of, listed_files

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 3
MAX_DAYS = 30


class LinkGone(RecordingError):
    status: ClassVar[int] = 410
    default_code = "link_expired"


class LinkNotFound(RecordingNotFound):
    default_code = "link_not_found"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedLink:
    id: int
    token: str
    expires_at: str

    def to_json(self, recording_id: int) -> dict[str, Any]:
        return {"id": self.id, "token": self.token, "expires_at": self.expires_at,
                "url": f"/api/v1/recording-links/{self.token}/files/manifest.json", "recording_id": recording_id}


class Links:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def create(self, principal: Principal, recording_id: int, days: int | None) -> CreatedLink:
        days = DEFAULT_DAYS if days is None else days
        if not 1 <= days <= MAX_DAYS:
            raise InvalidRecordingRequest(f"a link lasts 1 to {MAX_DAYS} days", details={"field": "days"})
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await self._entitled_row(session, principal, recording_id)
            link = RecordingLink(recording_id=row.id, token_sha256=token_hash(token), created_by=principal.user_id,
                                 created_at=now, expires_at=now + timedelta(days=days))
            session.add(link)
            await session.flush()
            await AuditLog(session, self.clock).append(
                "recording.link_created", actor=principal.audit_actor, subject=f"recording:{row.id}",
                details={"link": link.id, "expires_at": link.expires_at.isoformat()})
            return CreatedLink(link.id, token, link.expires_at.isoformat())

    async def listed(self, principal: Principal, recording_id: int) -> list[dict[str, Any]]:
        """The recording's links, newest first, for somebody entitled to it (the token is never kept)."""
        async with self.db.transaction() as session:
            row = await self._entitled_row(session, principal, recording_id)
            links = list(await session.scalars(select(RecordingLink).where(RecordingLink.recording_id == row.id)
                                               .order_by(RecordingLink.id.desc())))
        now = self.clock.now()
        return [{"id": link.id, "created_by": link.created_by, "created_at": link.created_at,
                 "expires_at": link.expires_at, "revoked_at": link.revoked_at,
                 "live": link.revoked_at is None and link.expires_at > now} for link in links]

    async def revoke(self, principal: Principal, recording_id: int, link_id: int) -> None:
        async with self.db.transaction() as session:
            row = await self._entitled_row(session, principal, recording_id)
            link = await session.get(RecordingLink, link_id, with_for_update=True)
            if link is None or link.recording_id != row.id:
                raise LinkNotFound(f"recording {recording_id} has no link {link_id}")
            caller = await Retrieval.caller(session, principal, row)
            if link.created_by != principal.user_id and relation(caller, facts_of(row)) not in (
                    Relation.JUDGE, Relation.CLERK):
                raise RecordingForbidden("only who made a link, the judge or a clerk of the court revokes it")
            if link.revoked_at is None:
                link.revoked_at, link.revoked_by = self.clock.now(), principal.user_id
                await AuditLog(session, self.clock).append(
                    "recording.link_revoked", actor=principal.audit_actor, subject=f"recording:{row.id}",
                    details={"link": link.id})

    async def open(self, token: str, name: str, byte_ranges: str | None) -> Path:
        """The file a valid link opens; the use is audited under the link and its maker."""
        async with self.db.transaction() as session:
            link = await session.scalar(select(RecordingLink).where(RecordingLink.token_sha256 == token_hash(token)))
            if link is None:
                raise LinkNotFound("no such link")
            if link.revoked_at is not None:
                raise LinkGone("the link was revoked", code="link_revoked")
            if link.expires_at <= self.clock.now():
                raise LinkGone("the link has expired")
            row = await session.get(RecordingRow, link.recording_id)
            assert row is not None
            path = Path(row.directory) / name
            if (row.state not in ("sealed", "deleted") or not row.manifest or name not in listed_files(row.manifest)
                    or not await asyncio.to_thread(path.is_file)):
                raise RecordingNotFound(f"the recording has no file {name!r}", code="recording_file_not_found")
            await AuditLog(session, self.clock).append(
                "recording.link_used", actor=f"link:{link.id}", subject=f"recording:{row.id}",
                details={"link": link.id, "made_by": link.created_by, "file": name, "range": byte_ranges or "all"})
            return path

    @staticmethod
    async def _entitled_row(session: Any, principal: Principal, recording_id: int) -> RecordingRow:
        row = await session.get(RecordingRow, recording_id)
        if row is None:
            raise RecordingNotFound(f"no recording {recording_id}")
        if not may_view(await Retrieval.caller(session, principal, row), facts_of(row)):
            raise RecordingForbidden("you may not see this recording")
        return row
