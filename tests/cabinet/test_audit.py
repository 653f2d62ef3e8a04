"""The audit log is append-only and hash-chained: any edit or removal is detected."""

import asyncio
from datetime import timedelta

from sqlalchemy import delete, update

from cabinet.audit import AuditEntry, AuditLog, verify_chain
from core.clock import FixedClock
from core.db import Database


async def _append(db: Database, clock: FixedClock, n: int) -> None:
    for i in range(n):
        async with db.transaction() as session:
            await AuditLog(session, clock).append("auth.login", actor=f"iin:{i:012d}", subject="session",
                                                  details={"code": None, "n": i, "name": "ТЕСТОВ"})
        clock.advance(timedelta(seconds=1))


async def test_an_untouched_chain_verifies(db: Database) -> None:
    await _append(db, FixedClock(), 5)
    async with db.transaction() as session:
        report = await verify_chain(session)
    assert report.ok and report.entries == 5


async def test_an_edited_entry_is_named(db: Database) -> None:
    await _append(db, FixedClock(), 5)
    async with db.transaction() as session:
        await session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(actor="iin:999999999999"))
    async with db.transaction() as session:
        report = await verify_chain(session)
    assert not report.ok and report.first_bad_seq == 3 and "altered" in report.problem


async def test_a_removed_entry_is_detected_in_the_middle_and_at_the_end(db: Database) -> None:
    await _append(db, FixedClock(), 5)
    async with db.transaction() as session:
        await session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    async with db.transaction() as session:
        report = await verify_chain(session)
    assert not report.ok and report.first_bad_seq == 2

    async with db.transaction() as session:
        await session.execute(delete(AuditEntry))
    await _append(db, FixedClock(), 0)


async def test_truncating_the_tail_is_detected_through_the_head(db: Database) -> None:
    await _append(db, FixedClock(), 4)
    async with db.transaction() as session:
        await session.execute(delete(AuditEntry).where(AuditEntry.seq == 4))
    async with db.transaction() as session:
        report = await verify_chain(session)
    assert not report.ok and "head" in report.problem


async def test_a_rewritten_hash_still_breaks_the_next_link(db: Database) -> None:
    await _append(db, FixedClock(), 3)
    async with db.transaction() as session:
        await session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(hash="f" * 64))
    async with db.transaction() as session:
        report = await verify_chain(session)
    assert not report.ok and report.first_bad_seq == 2


async def test_concurrent_writers_never_fork_the_chain(db: Database) -> None:
    clock = FixedClock()

    async def writer(i: int) -> None:
        async with db.transaction() as session:
            await AuditLog(session, clock).append("grant", actor="cli:test", subject=str(i))

    await asyncio.gather(*(writer(i) for i in range(20)))
    async with db.transaction() as session:
        report = await verify_chain(session)
    assert report.ok and report.entries == 20
