"""The append-only, hash-chained audit log (logins, grants, revocations, the document registry).

Each entry carries the hash of the entry before it, so editing or deleting any entry breaks every
hash after it and :func:`verify_chain` names the first broken sequence number. Appends take a
row lock on a one-row ``audit_head`` table (an ``UPDATE`` first, which on SQLite also takes the
write lock), so concurrent writers line up and never fork the chain. Entries are written in the
caller's transaction: a refused action that rolls back leaves no entry, and a committed one
always has its entry.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from core.clock import Clock
from core.db import Base, UtcDateTime, insert_if_absent, table

log = logging.getLogger(__name__)

GENESIS = "0" * 64


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def cli_actor() -> str:
    """The audit actor for a command run by the server's operator."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli:unknown"


def entry_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str, subject: str,
               details: Mapping[str, Any]) -> str:
    """The chained hash: canonical JSON so the same entry hashes the same on any backend."""
    body = json.dumps(
        {"seq": seq, "at": at.isoformat(timespec="microseconds"), "actor": actor, "action": action,
         "subject": subject, "details": details},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


class AuditLog:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def append(self, action: str, *, actor: str, subject: str = "",
                     details: Mapping[str, Any] | None = None) -> int:
        """Append one entry in the caller's transaction; returns its sequence number."""
        details = dict(details or {})
        row = await self._advance_head()
        if row is None:
            await self._create_head()
            row = await self._advance_head()
        assert row is not None
        seq, prev = row
        at = self.clock.now()
        digest = entry_hash(prev, seq, at, actor, action, subject, details)
        await self.session.execute(insert(table(AuditEntry)).values(
            seq=seq, at=at, actor=actor, action=action, subject=subject, details=details,
            prev_hash=prev, hash=digest))
        head = table(AuditHead)
        await self.session.execute(update(head).where(head.c.id == 1).values(last_hash=digest))
        return seq

    async def _advance_head(self) -> tuple[int, str] | None:
        head = table(AuditHead)
        row = (await self.session.execute(
            update(head).where(head.c.id == 1).values(seq=head.c.seq + 1).returning(head.c.seq, head.c.last_hash)
        )).one_or_none()
        return None if row is None else (int(row[0]), str(row[1]))

    async def _create_head(self) -> None:
        """Create the head row once; a concurrent creator wins harmlessly."""
        await insert_if_absent(self.session, AuditHead, {"id": 1, "seq": 0, "last_hash": GENESIS})



async def iter_entries(session: AsyncSession, batch: int = 1000) -> AsyncIterator[AuditEntry]:
    """Entries in order, in batches, so verifying a long log does not load it all at once."""
    last = 0
    while True:
        rows = list(await session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        ))
        if not rows:
            return
        for row in rows:
            yield row
        last = rows[-1].seq


@dataclass(frozen=True)
class ChainReport:
    entries: int
    ok: bool
    first_bad_seq: int | None = None
    problem: str = ""


async def verify_chain(session: AsyncSession) -> ChainReport:
    """Walk the whole log; the first entry whose link or hash does not hold is reported."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    async for entry in iter_entries(session):
        if entry.seq != expected_seq:
            return ChainReport(count, False, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev:
            return ChainReport(count, False, entry.seq, f"entry {entry.seq} does not link to its predecessor")
        digest = entry_hash(prev, entry.seq, entry.at, entry.actor, entry.action, entry.subject,
                            entry.details)
        if digest != entry.hash:
            return ChainReport(count, False, entry.seq, f"entry {entry.seq} was altered")
        prev = entry.hash
        expected_seq += 1
        count += 1
    head = await session.get(AuditHead, 1)
    if head is not None and (head.seq != count or head.last_hash != prev):
        return ChainReport(count, False, count + 1, f"the log ends at {count} but the head says {head.seq}")
    return ChainReport(count, True)

