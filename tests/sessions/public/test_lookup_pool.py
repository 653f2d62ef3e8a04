"""The case lookup's two roads to the database give the same answer.

Specification:
- on PostgreSQL the app looks cases up on the database's fast path (its shared asyncpg pool), running the
  text SQLAlchemy's asyncpg dialect writes for ``CASE_LOOKUP``; on SQLite there is no such pool and the
  engine runs the statement;
- through the pool and through the engine, a case (with or without a judge, a filing date, a next
  hearing) reads back as the very same record, timestamps UTC-aware; an unknown number is ``None``;
- a pooled connection goes back to the pool outside any transaction, and the pool closes with its database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.db import Database, FastPath, asyncpg_statement
from sessions.public.routes import PUBLIC
from sessions.public.store import CASE_LOOKUP, PublicStore
from tests.cabinet.conftest import CabinetApp, Cast, seed_court
from tests.sessions.public.conftest import add_case, add_hearing

NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)


@pytest.fixture
async def seeded(cabinet_app: CabinetApp, cast: Cast, db: Database) -> CabinetApp:
    await seed_court(db, cast)
    return cabinet_app


async def test_postgresql_lookups_run_on_their_own_pool_and_sqlite_on_the_engine(seeded: CabinetApp,
                                                                               db: Database) -> None:
    await add_case(db, "7594-26-01-2/000001")
    store = seeded.client.app[PUBLIC].store

    response = await seeded.client.get("/api/v1/public/cases/7594-26-01-2/000001")

    assert response.status == 200
    pool = store.reads.pool
    if db.dialect == "postgresql":
        assert pool is not None
        assert pool.get_size() >= 1  # opened on first use
        assert pool.get_idle_size() == pool.get_size()  # and given back
    else:
        assert pool is None


def test_the_pooled_sql_is_the_statement_compiled_for_asyncpg() -> None:
    compiled = asyncpg_statement(CASE_LOOKUP)
    sql, order, fixed = compiled.text, compiled.names, compiled.fixed

    assert sql.startswith("SELECT cases.number, cases.case_kind")
    assert "WHERE cases.number = $3::VARCHAR" in sql
    assert order == ("now", "param_1", "number")
    assert fixed["param_1"] == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_the_pool_and_the_engine_read_the_same_records(seeded: CabinetApp, db: Database) -> None:
    """The pool exists on PostgreSQL only, so this runs there only."""
    with_hearing = await add_case(db, "7594-26-01-2/000002", status="scheduled")
    await add_hearing(db, with_hearing.id, NOW + timedelta(days=1), minutes=90, room="Зал 2", is_open=False)
    await add_hearing(db, with_hearing.id, NOW - timedelta(days=1), state="closed")
    await add_case(db, "7594-26-00-1/000003", kind="criminal", category="00", status="registered", judge_iin=None)
    await add_case(db, "7594-26-03-2/000004", category="03", closed=True)
    fast = await db.fast_path()
    pool = fast.pool
    assert pool is not None and pool is await db.raw_pool(), "one pool per database, shared by hot paths"
    assert fast is await db.fast_path(), "one fast path per database"
    pooled, engine = PublicStore(fast), PublicStore(FastPath(None, db.engine))
    for number in ("7594-26-01-2/000002", "7594-26-00-1/000003", "7594-26-03-2/000004", "7594-26-01-2/000099"):
        assert await pooled.case(number, NOW) == await engine.case(number, NOW), number
    record = await pooled.case("7594-26-01-2/000002", NOW)
    assert record is not None and record.next_hearing is not None
    assert record.next_hearing.start == NOW + timedelta(days=1)
    assert record.next_hearing.courtroom == "Зал 2" and not record.next_hearing.open
    assert record.registered_at.utcoffset() == timedelta(0)
    assert await pooled.case("7594-26-01-2/000099", NOW) is None
    async with pool.acquire() as conn:
        assert not conn.is_in_transaction()
    await db.close()
    assert pool.is_closing(), "the shared pool closes with its database"
