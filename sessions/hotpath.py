"""The two statements of every join and the roster read, on their own asyncpg pool (PostgreSQL).

A hearing starting at 10:00 sees everybody join at once, and a server process has about 1 ms of CPU
per join to keep the last one waiting under a quarter of a second. Through the SQLAlchemy engine
each statement pays for the pool checkout, the greenlet hop, the compiled-cache lookup, parameter
and row processing (about 0.2 ms of CPU; see also :mod:`sessions.public.store`, which found the same
for the case lookup). The unlocked join (:meth:`sessions.service.HearingService.join`) is two
single statements in autocommit and the roster one, so they run here as the very SQL text
SQLAlchemy's asyncpg dialect writes for :mod:`sessions.snapshot`'s statements (one definition of
each), with the same row decoding. Everything that takes a lock or a transaction stays on the engine.
"""

from __future__ import annotations

import functools
from typing import Any, cast

import asyncpg
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from core.db import Database
from sessions.snapshot import (
    HEARING,
    PRESENCE_COMPARE_AND_SET,
    HearingRecord,
    Person,
    compare_and_set_values,
    record_of,
)
from sessions.store import HearingNotFound


@functools.cache
def _sql(statement: ClauseElement) -> tuple[str, tuple[str, ...]]:
    """``statement`` as asyncpg runs it: its text (``$n`` parameters) and its parameter names in order."""
    from sqlalchemy.dialects.postgresql.asyncpg import dialect

    compiled = cast(SQLCompiler, statement.compile(dialect=dialect()))
    return str(compiled), tuple(compiled.positiontup or ())



async def open_hot_pool(db: Database) -> asyncpg.Pool | None:
    """The database's shared asyncpg pool for hot reads on PostgreSQL (``None`` on SQLite)."""
    pool: asyncpg.Pool | None = await db.raw_pool()
    return pool


class HotPath:
    """The hearing read and the presence compare-and-set of :mod:`sessions.snapshot`, on ``pool``."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def read_hearing(self, hearing_id: int) -> HearingRecord:
        text, _ = _sql(HEARING)
        rows = await self.pool.fetch(text, hearing_id)
        if not rows:
            raise HearingNotFound(f"no hearing {hearing_id}", details={"hearing_id": hearing_id})
        return record_of(rows)

    async def write_presence_if_unchanged(self, record: HearingRecord, was: Person, person: Person) -> bool:
        text, order = _sql(PRESENCE_COMPARE_AND_SET)
        values: dict[str, Any] = compare_and_set_values(record, was, person)
        status = await self.pool.execute(text, *[values[name] for name in order])
        return bool(status == "UPDATE 1")
