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
import functools
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import DateTime, MetaData, Table, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
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


@dataclass(frozen=True)
class AsyncpgStatement:
    """A SQLAlchemy statement as asyncpg runs it: its text with ``$n`` parameters, the names of those
    parameters in order, and the values SQLAlchemy compiled into it (e.g. a subquery's ``LIMIT 1``)."""

    text: str
    names: tuple[str, ...]
    fixed: Mapping[str, Any]

    def args(self, values: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for ``values`` (by parameter name); the fixed ones are filled in."""
        return [values[name] if name in values else self.fixed[name] for name in self.names]


@functools.lru_cache(maxsize=256)
def asyncpg_statement(statement: Executable) -> AsyncpgStatement:
    """``statement`` compiled once by SQLAlchemy's asyncpg dialect (cached per statement object), so the
    SQLAlchemy statement stays the one definition of what the fast path runs. Meant for statements
    defined once (module constants); the cache is bounded, so one built per call only costs its compile."""
    from sqlalchemy.dialects.postgresql.asyncpg import dialect

    compiled = cast(SQLCompiler, cast(ClauseElement, statement).compile(dialect=dialect()))
    return AsyncpgStatement(str(compiled), tuple(compiled.positiontup or ()), dict(compiled.params))


@dataclass(frozen=True)
class FastPath:
    """Single statements that need no transaction, run as cheaply as each backend allows.

    On PostgreSQL a statement runs on the database's shared asyncpg pool (:meth:`Database.raw_pool`) as
    the text of :func:`asyncpg_statement`; ``engine`` is then the engine in ``AUTOCOMMIT``, for reads
    that keep to SQLAlchemy (one ``SELECT`` needs no ``BEGIN``/``ROLLBACK``: a third of the round trips).
    On SQLite ``pool`` is ``None`` and everything goes through the plain engine (its ``BEGIN IMMEDIATE``
    hook expects a matching end, so autocommit is not used there).

    Values go to asyncpg as they are and rows come back as asyncpg decodes them, without SQLAlchemy's
    type processing: use it for columns whose Python value is what the driver gives (timestamps come
    back timezone-aware on both backends). Rows are mappings by column name on both backends.
    """

    pool: Any  # asyncpg.Pool | None (asyncpg is imported only where PostgreSQL is used)
    engine: AsyncEngine

    async def fetch(self, statement: Executable, values: Mapping[str, Any]) -> Sequence[Mapping[Any, Any]]:
        if self.pool is not None:
            compiled = asyncpg_statement(statement)
            records: Sequence[Mapping[Any, Any]] = await self.pool.fetch(compiled.text, *compiled.args(values))
            return records
        async with self.engine.connect() as conn:
            return [row._mapping for row in await conn.execute(statement, dict(values))]

    async def fetchrow(self, statement: Executable, values: Mapping[str, Any]) -> Mapping[Any, Any] | None:
        if self.pool is not None:
            compiled = asyncpg_statement(statement)
            record: Mapping[Any, Any] | None = await self.pool.fetchrow(compiled.text, *compiled.args(values))
            return record
        async with self.engine.connect() as conn:
            row = (await conn.execute(statement, dict(values))).first()
        return None if row is None else row._mapping

    async def execute(self, statement: Executable, values: Mapping[str, Any]) -> int:
        """Run one writing statement on its own (committed at once); the number of rows it changed."""
        if self.pool is not None:
            compiled = asyncpg_statement(statement)
            status: str = await self.pool.execute(compiled.text, *compiled.args(values))
            last = status.rsplit(" ", 1)[-1]
            return int(last) if last.isdigit() else 0
        async with self.engine.begin() as conn:
            result = await conn.execute(statement, dict(values))
        return int(getattr(result, "rowcount", 0) or 0)


class Database:
    """The engine plus the session factory; one unit of work per request via :meth:`transaction`."""

    def __init__(self, database_url: str, *, echo: bool = False) -> None:
        self.url = database_url
        self.engine = create_engine(database_url, echo=echo)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._raw_pool: Any = None
        self._raw_pool_lock = asyncio.Lock()
        self._fast_path: FastPath | None = None

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

    async def fast_path(self) -> FastPath:
        """The one way hot paths run single statements: ``await db.fast_path()`` once at start-up, then
        ``fetch``/``fetchrow``/``execute`` a SQLAlchemy statement with a dict of its parameters. It
        compiles the statement for asyncpg (once), uses the shared pool of :meth:`raw_pool` on
        PostgreSQL and the engine on SQLite; see :class:`FastPath`."""
        if self._fast_path is None:
            pool = await self.raw_pool()
            engine = self.engine.execution_options(isolation_level="AUTOCOMMIT") if pool is not None else self.engine
            self._fast_path = FastPath(pool, engine)
        return self._fast_path

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
        self._fast_path = None
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
