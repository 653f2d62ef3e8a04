"""Fixtures every package's tests share: the two database backends and a running application.

Every database test runs twice, on SQLite and on PostgreSQL. The PostgreSQL server is the real
one (``SOTKAB_TEST_POSTGRES_URL``, default the local server as user postgres, database test);
each test run creates its own database there, migrates it, and drops it at the end, so parallel
or repeated runs never collide. Outside CI an unreachable server skips those variants with the
reason; under ``CI=true`` it fails the run instead.
"""

from __future__ import annotations

import asyncio
import io
import os
import secrets
import sqlite3
import sys
import threading
import traceback
import warnings
from collections.abc import AsyncIterator, Generator, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psutil
import pytest
from sqlalchemy import delete
from sqlalchemy.exc import OperationalError

from core.config import Config, load_config
from core.db import Database
from web.migrate import upgrade
from web.schema import metadata

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def require(condition: bool, reason: str) -> None:
    """Skip a test that needs a real part which is absent here — but never under CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _pg_admin(url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A freshly created and migrated database on the PostgreSQL server, or None if unreachable."""
    server = os.environ.get("SOTKAB_TEST_POSTGRES_URL", DEFAULT_PG)
    name = f"sotkab_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        asyncio.run(_pg_admin(server, f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.postgres_unavailable = f"PostgreSQL unreachable at {server}: {exc}"  # type: ignore[attr-defined]
        yield None
        return
    url = server.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated and emptied SQLite database that every SQLite test starts from a copy of."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)

    async def empty() -> None:
        database = Database(url)
        try:
            await _wipe(database)
        finally:
            await database.close()

    asyncio.run(empty())
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """Each SQLite test gets its own copy of the empty database.

    With one shared file, a connection a test's app leaves holding a lock (SQLAlchemy terminates an
    aiosqlite connection under cancellation in a shielded task whose close may never run) made the
    next wipe fail with "database is locked" after 30 s. A copy is a few hundred kilobytes and
    milliseconds; whatever a test leaves behind stays in its own file."""
    path = tmp_path / "sotkab-test.db"
    with closing(sqlite3.connect(sqlite_template)) as source, closing(sqlite3.connect(path)) as target:
        source.backup(target)
    yield f"sqlite+aiosqlite:///{path}"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    url = request.getfixturevalue("postgres_url")
    require(url is not None, getattr(pytest, "postgres_unavailable", "PostgreSQL unreachable"))
    return str(url)


async def _wipe(db: Database) -> None:
    try:
        async with db.transaction() as session:
            for table in reversed(metadata.sorted_tables):
                await session.execute(delete(table))
    except OperationalError as exc:
        # "database is locked" after SQLite's 30 s busy timeout: name what still runs and holds it.
        raise AssertionError(f"the database could not be emptied ({exc.orig}); still running:\n{_waiting()}") from exc


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated, empty database on one backend; emptied again after the test (PostgreSQL's is shared
    by the session; each SQLite test has its own copy, see ``sqlite_url``)."""
    database = Database(database_url)
    shared = not database_url.startswith("sqlite")
    if shared:
        await _wipe(database)
    try:
        yield database
    finally:
        if shared:
            await _wipe(database)
        await database.close()


@pytest.fixture
def make_config(tmp_path: Path, database_url: str) -> Any:
    def build(**overrides: Any) -> Config:
        values: dict[str, Any] = {"data_dir": tmp_path / "var", "database_url": database_url,
                                  # a background composer would rewrite manifests under tests that edit them;
                                  # tests/recordings/test_composition.py turns it on
                                  "recording_compose_in_process": False}
        values.update(overrides)
        return load_config(environ={}, **values)

    return build


# ----------------------------------------------------------------------------- servers left behind
_STARTED = pytest.StashKey[set[int]]()


def _servers() -> set[int]:
    """This process's children that are the platform (``python -m web.cli ...``): servers, workers, CLIs."""
    found = set()
    for child in psutil.Process().children():
        try:
            if "web.cli" in child.cmdline() and child.status() != psutil.STATUS_ZOMBIE:
                found.add(child.pid)
        except psutil.Error:
            continue
    return found


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    before = _servers()
    try:
        return (yield)
    finally:
        item.stash[_STARTED] = _servers() - before


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A server a test started and did not stop is killed once the test is over, and named.

    Left running it would keep serving the session's database to the tests after it: its recovery
    would seal their recordings and its compositor re-sign their manifests with its own court key
    (tests/recordings/test_verify_cli.py then failed in whole-suite runs only: "never issued")."""
    try:
        return (yield)
    finally:
        leaked = []
        for pid in item.stash.get(_STARTED, set()) & _servers():
            try:
                process = psutil.Process(pid)
                leaked.append(" ".join(process.cmdline()))
                for member in [*process.children(recursive=True), process]:
                    member.kill()
                process.wait(10)
            except psutil.Error:
                continue
        if leaked:
            warnings.warn(pytest.PytestWarning(f"{item.nodeid} left server processes running; killed: {leaked}"),
                          stacklevel=1)


# ----------------------------------------------------------------------------- what a hung test waits on
_HANG = pytest.StashKey[list[str]]()


def _timeout_s(item: pytest.Item) -> float:
    marker = item.get_closest_marker("timeout")
    if marker is not None and marker.args:
        return float(marker.args[0])
    return float(getattr(item.config.option, "timeout", None) or item.config.getini("timeout") or 0)


def _waiting() -> str:
    """Every thread's stack and every unfinished asyncio task's, as at a hang."""
    out = []
    for ident, frame in sys._current_frames().items():
        out.append(f"--- thread {ident}\n{''.join(traceback.format_stack(frame))}")
    tasks = getattr(asyncio.tasks, "_all_tasks", None)  # Python 3.11: every task of every loop
    for task in list(tasks or ()):
        if not task.done():
            stack = io.StringIO()
            task.print_stack(file=stack)
            out.append(f"--- {task!r}\n{stack.getvalue()}")
    return "\n".join(out)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Shortly before pytest-timeout fails a test, note what every thread and asyncio task waits on.

    pytest-timeout shows the main thread stuck in the event loop's poll, which names nothing; the
    tasks' stacks name the one that does not end (a hung teardown was found this way)."""
    timeout = _timeout_s(item)
    timer = None
    if timeout > 0:
        timer = threading.Timer(max(timeout - 15, timeout * 0.9), lambda: item.stash.setdefault(_HANG, []).append(
            _waiting()))
        timer.daemon = True
        timer.start()
    try:
        return (yield)
    finally:
        if timer is not None:
            timer.cancel()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None],
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    noted = item.stash.get(_HANG, [])
    if noted and report.failed:
        report.sections.append(("threads and asyncio tasks shortly before the timeout", noted.pop()))
    return report


# ----------------------------------------------------------------------------- parallel runs (xdist)
#: Test files that talk to the one Redis server. Its pub/sub channels (socket.io rooms, the signaling
#: bus) and the rate limiter's keys are the same for every process, so two of these files running at
#: once in two workers would hear each other's hearings and spend each other's budgets.
REDIS_FILES = frozenset({
    "tests/core/test_ratelimit.py", "tests/signaling/test_affinity.py",
    "tests/signaling/test_logs_across_processes.py", "tests/signaling/test_two_processes.py",
    "tests/web/test_app.py", "tests/web/test_cluster.py", "tests/web/test_failover.py",
})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``-n N --dist loadgroup`` (``make test``) a test file runs whole in one worker, so its
    module-wide fixtures (a Chromium, a PKI, a seeded court) are made once; the Redis files share one
    worker between them. Everything else a test uses is already its own per worker: the PostgreSQL
    database (named after the process), the SQLite file and data directories (under the worker's
    temporary directory), ports (free ones), network namespaces (random names)."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        path = item.nodeid.split("::", 1)[0]
        item.add_marker(pytest.mark.xdist_group("redis" if path in REDIS_FILES else path))
