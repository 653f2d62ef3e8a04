"""The database: one declarative base, portable column types and the engine for either backend.

SQLite (aiosqlite) is the embedded default and PostgreSQL (asyncpg) the production database;
the same models and queries run on both. Two portability decisions live here:

* timestamps are stored as UTC and always come back timezone-aware (SQLite keeps no zone);
* on SQLite every transaction starts with ``BEGIN IMMEDIATE``. SQLite allows one writer, and a
  deferred transaction that reads and then writes fails with ``SQLITE_BUSY`` when another
  connection committed in between; taking the write lock up front turns that into waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import DateTime, MetaData, Table, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that refuses naive datetimes on the way in and is UTC-aware on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a timezone")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            database_url, echo=echo, connect_args={"timeout": 30, "isolation_level": None}
        )
        _make_sqlite_serializable(engine)
        return engine
    return create_async_engine(database_url, echo=echo, pool_size=10, max_overflow=10, pool_recycle=1800)


def _make_sqlite_serializable(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


RAW_POOL_SIZE = 10


async def _no_reset(_connection: Any) -> None:
    """asyncpg still rolls back a transaction left open; nothing else needs resetting (see raw_pool)."""


class Database:
    """The engine plus the session factory; one unit of work per request via :meth:`transaction`."""

    def __init__(self, database_url: str, *, echo: bool = False) -> None:
        self.url = database_url
        self.engine = create_engine(database_url, echo=echo)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._raw_pool: Any = None
        self._raw_pool_lock = asyncio.Lock()

    async def raw_pool(self) -> Any:
        """On PostgreSQL, ONE small asyncpg pool shared by every hot path (``None`` on SQLite).

        Hot reads (the session check, the public lookup, a hearing join) run their statement's
        SQLAlchemy-compiled text directly on asyncpg: the engine's checkout, greenlet hop and row
        processing cost ~0.2 ms of CPU a statement. Only single autocommit statements that change
        no session state run here, so released connections skip ``RESET ALL`` (a round trip).
        One shared pool keeps a process at engine (20) + this (RAW_POOL_SIZE) connections.
        """
        if self.dialect != "postgresql":
            return None
        async with self._raw_pool_lock:
            if self._raw_pool is None:
                import asyncpg

                args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
                self._raw_pool = await asyncpg.create_pool(
                    *args, min_size=0, max_size=RAW_POOL_SIZE, reset=_no_reset, **kwargs)
        return self._raw_pool

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Commit on success, roll back on any exception: a refused request stores nothing."""
        async with self.sessions() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            log.warning("database ping failed", exc_info=True)
            return False

    async def close(self) -> None:
        if self._raw_pool is not None:
            await self._raw_pool.close()
            self._raw_pool = None
        await self.engine.dispose()


@asynccontextmanager
async def connect(database_url: str) -> AsyncIterator[Database]:
    """A database for the length of a command-line call."""
    db = Database(database_url)
    try:
        yield db
    finally:
        await db.close()


async def insert_if_absent(session: AsyncSession, model: type[Base], values: dict[str, Any]) -> bool:
    """INSERT that yields to an existing row with the same key; True if this call inserted it.

    Portable ON CONFLICT DO NOTHING: a duplicate neither raises nor aborts a PostgreSQL transaction.
    """
    from sqlalchemy.dialects.postgresql import insert as pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(insert(table(model)).values(values).on_conflict_do_nothing())
    return bool(getattr(result, "rowcount", 0) == 1)


def table(model: type[Base]) -> Table:
    """A model's Core table. Hot paths use Core statements: they skip the ORM's bulk-persistence
    layer, which costs about 0.2 ms a statement here."""
    return cast(Table, model.__table__)
