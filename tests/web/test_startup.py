"""``sotkab serve`` fails fast: one line saying what is wrong, and an exit status saying what kind.

Each case runs the real command in a child process with one bad setting, as an operator would,
and reads its whole stderr: exactly one line, no traceback, nothing served.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

SOTKAB = [sys.executable, "-m", "web.cli"]


def _environment(data_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOTKAB_")}
    env.update({"SOTKAB_DATA_DIR": str(data_dir), "SOTKAB_PORT": str(_free_port()), **settings})
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(data_dir: Path, **settings: str) -> tuple[int, list[str]]:
    done = subprocess.run([*SOTKAB, "serve"], cwd=REPO, env=_environment(data_dir, **settings),
                          capture_output=True, text=True, timeout=90)
    return done.returncode, done.stderr.splitlines()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated SQLite database: only the one bad setting can stop the server."""
    data_dir = tmp_path_factory.mktemp("startup") / "var"
    subprocess.run([*SOTKAB, "db", "upgrade"], cwd=REPO, env=_environment(data_dir), check=True,
                   capture_output=True, timeout=120)
    return data_dir


def test_an_unreachable_database_is_one_line_and_exit_69(migrated: Path) -> None:
    code, lines = serve(migrated, SOTKAB_DATABASE_URL="postgresql+asyncpg://court:secret@127.0.0.1:1/sotkab")
    assert code == 69
    assert len(lines) == 1, lines
    assert lines[0].startswith("sotkab: cannot start: the database at postgresql+asyncpg://***@127.0.0.1:1/sotkab "
                               "cannot be reached: ")
    assert lines[0].endswith("(SOTKAB_DATABASE_URL)") and "secret" not in lines[0]


def test_a_database_that_does_not_exist_is_named_by_the_server(migrated: Path, postgres_url: str | None) -> None:
    from tests.conftest import require

    require(postgres_url is not None, "PostgreSQL unreachable")
    assert postgres_url is not None
    missing = postgres_url.rsplit("/", 1)[0] + "/sotkab_no_such_database"
    code, lines = serve(migrated, SOTKAB_DATABASE_URL=missing)
    assert (code, len(lines)) == (69, 1), lines
    assert 'database "sotkab_no_such_database" does not exist' in lines[0]


def test_unreachable_redis_is_one_line_and_exit_69(migrated: Path) -> None:
    code, lines = serve(migrated, SOTKAB_REDIS_URL="redis://127.0.0.1:1/0")
    assert (code, len(lines)) == (69, 1), lines
    assert lines[0].startswith("sotkab: cannot start: Redis at redis://127.0.0.1:1/0 cannot be reached: ")


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


def test_a_taken_port_is_one_line_and_exit_71(migrated: Path, listener: int) -> None:
    code, lines = serve(migrated, SOTKAB_PORT=str(listener))
    assert (code, lines) == (71, [f"sotkab: cannot start: port {listener} on 127.0.0.1 is already in use by "
                                  "another process (SOTKAB_PORT or --port)"])


@pytest.mark.parametrize(("host", "says"), [
    ("192.0.2.1", "host '192.0.2.1' is not an address of this machine (SOTKAB_HOST or --host)"),
    ("court.invalid", "host 'court.invalid' is not a name or address of this machine: "),
])
def test_a_wrong_host_is_one_line_and_exit_78(migrated: Path, host: str, says: str) -> None:
    code, lines = serve(migrated, SOTKAB_HOST=host)
    assert (code, len(lines)) == (78, 1), lines
    assert lines[0].startswith(f"sotkab: cannot start: {says}")


def test_a_data_directory_that_cannot_be_written_is_one_line_and_exit_73(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    code, lines = serve(blocker / "var")
    assert (code, lines) == (73, [f"sotkab: cannot start: the data directory {blocker / 'var'} is not writable: "
                                  "Not a directory (SOTKAB_DATA_DIR)"])


def test_a_read_only_data_directory_is_refused(tmp_path: Path) -> None:
    """Root writes through permission bits, so as root the directory is a read-only mount instead
    (a tmpfs mounted ``ro`` in a private mount namespace of the server alone: nothing to clean up)."""
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    command = [*SOTKAB, "serve"]
    if os.geteuid() == 0:
        command = ["unshare", "--mount", "sh", "-c", f"mount -t tmpfs -o ro,size=1m sotkab-ro {data_dir} && "
                   'exec "$@"', "sh", *command]
    else:
        data_dir.chmod(0o555)
    done = subprocess.run(command, cwd=REPO, env=_environment(data_dir), capture_output=True, text=True, timeout=90)
    lines = done.stderr.splitlines()
    assert (done.returncode, len(lines)) == (73, 1), done.stderr
    reason = "Read-only file system" if os.geteuid() == 0 else "Permission denied"
    assert lines == [f"sotkab: cannot start: the data directory {data_dir} is not writable: {reason} (SOTKAB_DATA_DIR)"]


def test_a_database_without_the_schema_or_behind_the_code_asks_for_the_upgrade(tmp_path: Path) -> None:
    code, lines = serve(tmp_path / "fresh")
    assert (code, len(lines)) == (69, 1), lines
    assert lines[0].endswith("has no schema yet: run `sotkab db upgrade` first")
    old = tmp_path / "old"
    subprocess.run([*SOTKAB, "db", "upgrade", "0032"], cwd=REPO, env=_environment(old), check=True,
                   capture_output=True, timeout=120)
    code, lines = serve(old)
    assert (code, len(lines)) == (69, 1), lines
    assert "the database is at migration 0032 and this version needs " in lines[0]
    assert lines[0].endswith("run `sotkab db upgrade` first")


def test_a_bad_setting_stops_serve_before_anything_else(migrated: Path) -> None:
    code, lines = serve(migrated, SOTKAB_PORT="abc")
    assert (code, lines) == (78, ["sotkab: invalid configuration:", "  SOTKAB_PORT=abc: not a port number"])
    code, lines = serve(migrated, SOTKAB_BULTIN_CA="false")
    assert code == 78 and "  SOTKAB_BULTIN_CA: unknown setting (no such SOTKAB_ variable); " \
                          "did you mean SOTKAB_BUILTIN_CA?" in lines


def test_a_database_ahead_of_the_code_serves_with_a_warning(tmp_path: Path) -> None:
    """An online upgrade migrates first; the older workers still restart on the newer schema."""
    data_dir = tmp_path / "var"
    env = _environment(data_dir)
    subprocess.run([*SOTKAB, "db", "upgrade"], cwd=REPO, env=env, check=True, capture_output=True, timeout=120)
    with sqlite3.connect(data_dir / "sotkab.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([*SOTKAB, "serve"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            if "is serving on" in log.read_text() or process.poll() is not None:
                break
            time.sleep(0.1)
        text = log.read_text()
        assert process.poll() is None, text
        assert "the database is at migration 9999, newer than this version's" in text
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_server_stopped_while_it_starts_leaves_what_it_set_up_in_order(tmp_path: Path, migrated: Path) -> None:
    """A SIGINT during start-up (the supervisor stopping a worker that is still starting) cleans up
    the set-ups entered so far, as a stop after start-up does. Left to the event loop's shutdown they
    were closed all at once, an inner context after its outer one had closed it: the worker logged
    "generator didn't stop after athrow()" and its periodic jobs were never stopped."""
    log = tmp_path / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([*SOTKAB, "serve"], cwd=REPO, env=_environment(migrated), stdout=out,
                                   stderr=subprocess.STDOUT,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        # Logged by the payments set-up: the audit checkpoints and deferral reminders run by then.
        for _ in range(6000):
            if "payments use the SANDBOX provider" in log.read_text() or process.poll() is not None:
                break
            time.sleep(0.01)
        assert process.poll() is None, log.read_text()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    text = log.read_text()
    assert "Traceback" not in text and "asynchronous generator" not in text, text
