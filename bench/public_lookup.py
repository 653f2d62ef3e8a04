"""Public case lookup over HTTP vs the same query through bare asyncpg, 100,000 cases in PostgreSQL.

One run, side by side:

* ``http_lookups_per_s``: ``GET /api/v1/public/cases/{number}`` for random existing open-category
  numbers, against the real app (``sotkab serve``, one process) in its own process, on a fresh database;
* ``raw_queries_per_s``: the exact SQL the endpoint runs (``cabinet.public.store.case_lookup_sql()``,
  the text the store hands to asyncpg), through an asyncpg pool from this process, prepared, same
  numbers, same concurrency;
* ``http_vs_raw_ratio``: what is left of the database's rate after HTTP, routing, JSON and the app.

The database (created and dropped here) holds 16 courts with courtrooms and judges, 2,000 filers,
100,000 cases with their opening filings — numbers, kinds, categories (about 8 % closed), statuses
and judges as a court registry would have them — and hearings for 40 % of the cases, bulk-loaded
with COPY.

Load generator: ``wrk`` (Debian package ``wrk``; C, one thread, ``BENCH_CONCURRENCY`` keep-alive
connections, a Lua script picking random numbers). It costs ~0.03 ms CPU a request, a sixth of the
server's; a Python client costs about as much as the HTTP side of the server it measures, and on a
2-core machine every CPU-millisecond it takes is one the server and PostgreSQL do not get. Without
``wrk`` the bench falls back to a minimal asyncio HTTP/1.1 client and says so (the HTTP rate is then
understated). Both sides run ``BENCH_CONCURRENCY`` requests in flight (default 8: below the lookup
pool's 10 connections, so the HTTP side never queues for a connection the raw side has). The server
runs with ``SOTKAB_LOG_LEVEL=WARNING``, i.e. without its per-request access-log line, as it would
behind a reverse proxy that keeps the access log. A CPU split per request (load generator, server,
the rest of the machine — PostgreSQL mostly) is printed for each side. The machines are shared and
noisy: the figures are printed, never asserted; run it under ``flock /tmp/sotkab-bench.lock``.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg
import psutil

from cabinet.case_numbers import CaseKind, format_case_number
from cabinet.filing.categories import CATEGORIES
from cabinet.public.store import case_lookup_sql
from web.migrate import upgrade

SERVER = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
CASES = int(os.environ.get("BENCH_CASES", "100000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
"""Below the lookup pool's size (10), so every HTTP request in flight has a connection, as on the raw side."""
TARGET_RATIO = 0.5
REPO = Path(__file__).resolve().parents[1]

REGIONS = [("7594", "Алматы"), ("7510", "Алматы"), ("7112", "Астана"), ("7120", "Астана"), ("5110", "Шымкент"),
           ("1910", "Алматинская область"), ("3110", "Карагандинская область"), ("2310", "Атырауская область"),
           ("4310", "Костанайская область"), ("6310", "Восточно-Казахстанская область"),
           ("2710", "Западно-Казахстанская область"), ("1510", "Актюбинская область"),
           ("3310", "Кызылординская область"), ("5510", "Павлодарская область"),
           ("4810", "Северо-Казахстанская область"), ("3510", "Туркестанская область")]
SURNAMES = ["АХМЕТОВ", "ЖУМАБАЕВ", "СЕРІКОВ", "НҰРЛАНОВ", "ИВАНОВ", "ОМАРОВ", "ҚАСЫМОВ", "ТОКАЕВ", "ЕСЕНОВ",
            "БЕКОВ", "САДЫКОВ", "МУКАНОВ"]
GIVEN = ["АЛИЯ", "БОЛАТ", "ДАНИЯР", "ЕРЛАН", "ЖАНАР", "ГҮЛНАР", "МАРАТ", "САУЛЕ", "АСЕЛЬ", "ТИМУР"]
STATUSES = [("registered", 8), ("accepted", 14), ("left_without_motion", 2), ("scheduled", 16), ("heard", 6),
            ("decided", 12), ("appealed", 3), ("in_legal_force", 20), ("closed", 15), ("returned", 4)]
KIND_WEIGHTS = [(CaseKind.CIVIL, 70), (CaseKind.CRIMINAL, 15), (CaseKind.ADMINISTRATIVE, 15)]


def _name(rng: random.Random) -> tuple[str, str, str]:
    surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
    return f"{surname} {given}", surname, given


def _seed_rows(rng: random.Random) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    now = datetime.now(UTC)
    courts: list[tuple[Any, ...]] = []
    rooms: list[tuple[Any, ...]] = []
    users: list[tuple[Any, ...]] = []
    judges: dict[int, list[int]] = {}
    for i, (code, region) in enumerate(REGIONS, start=1):
        courts.append((i, code, region, f"{code} аудандық соты", f"Районный суд {code}", f"District Court {code}"))
        rooms.extend((len(rooms) + 1, i, f"Зал {n}") for n in range(1, 5))
        judges[i] = []
        for _ in range(6):
            uid = len(users) + 1
            full, surname, given = _name(rng)
            users.append((uid, f"7{uid:011d}", full, surname, given, "", now))
            judges[i].append(uid)
    filers = []
    for _ in range(2000):
        uid = len(users) + 1
        full, surname, given = _name(rng)
        users.append((uid, f"9{uid:011d}", full, surname, given, "", now))
        filers.append(uid)
    by_kind = {kind: [c for c in CATEGORIES if c.kind is kind] for kind, _ in KIND_WEIGHTS}
    kinds = [k for k, _ in KIND_WEIGHTS]
    kind_weights = [w for _, w in KIND_WEIGHTS]
    statuses = [s for s, _ in STATUSES]
    status_weights = [w for _, w in STATUSES]
    sequences: dict[tuple[int, int, CaseKind], int] = {}
    filings: list[tuple[Any, ...]] = []
    cases: list[tuple[Any, ...]] = []
    hearings: list[tuple[Any, ...]] = []
    for case_id in range(1, CASES + 1):
        court = rng.randrange(1, len(courts) + 1)
        kind = rng.choices(kinds, kind_weights)[0]
        category = rng.choice(by_kind[kind]) if rng.random() < 0.35 else by_kind[kind][0]
        year = rng.choice((2024, 2025, 2026))
        key = (court, year, kind)
        sequences[key] = sequences.get(key, 0) + 1
        number = format_case_number(courts[court - 1][1], year, kind, sequences[key], category.code)
        registered = datetime(year, 1, 1, 4, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 60 * 24 * 360))
        filed = registered - timedelta(hours=rng.randrange(1, 96))
        status = rng.choices(statuses, status_weights)[0]
        judge = rng.choice(judges[court]) if status != "registered" or rng.random() < 0.8 else None
        filings.append((case_id, rng.choice(filers), "registered", court, kind.value, category.code,
                        "statement_of_claim", "Claim", f"{courts[court - 1][1]}-{year % 100}-IN/{case_id:06d}",
                        filed, registered, filed))
        cases.append((case_id, number, court, kind.value, category.code, category.closed, "Claim", status,
                      judge, case_id, registered))
        if rng.random() < 0.4 and judge is not None:
            for _ in range(rng.randint(1, 3)):
                start = now + timedelta(days=rng.randint(-60, 60), hours=rng.randint(0, 8))
                minutes = rng.choice((30, 60, 90))
                state = "scheduled" if start > now else rng.choice(("closed", "adjourned", "cancelled"))
                hearings.append((len(hearings) + 1, case_id, court, (court - 1) * 4 + rng.randint(1, 4), start,
                                 start + timedelta(minutes=minutes), minutes, rng.choice(("online", "mixed")),
                                 not category.closed, False, 15, state, False, 0, judge, now, now))
    return {
        "courts": (["id", "code", "region", "name_kk", "name_ru", "name_en"], courts),
        "courtrooms": (["id", "court_id", "name"], rooms),
        "users": (["id", "iin", "common_name", "surname", "given_name", "patronymic", "created_at"], users),
        "filings": (["id", "owner_id", "status", "court_id", "case_kind", "category", "filing_type", "title",
                     "incoming_number", "created_at", "updated_at", "submitted_at"], filings),
        "cases": (["id", "number", "court_id", "case_kind", "category", "closed_category", "title", "status",
                   "judge_id", "opening_filing_id", "registered_at"], cases),
        "hearings": (["id", "case_id", "court_id", "courtroom_id", "start", "end_at", "duration_minutes", "format",
                      "is_open", "auto_admit", "lobby_lead_minutes", "state", "recording_paused", "ics_sequence",
                      "created_by", "created_at", "updated_at"], hearings),
    }


async def _seed(dsn: str) -> list[str]:
    rng = random.Random(20260302)
    tables = _seed_rows(rng)
    conn = await asyncpg.connect(dsn)
    try:
        for name, (columns, rows) in tables.items():
            await conn.copy_records_to_table(name, records=rows, columns=columns)
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return [row[1] for row in tables["cases"][1] if not row[5]]


async def _raw_rate(dsn: str, numbers: list[str]) -> tuple[float, int]:
    sql, order, fixed = case_lookup_sql()
    pool = await asyncpg.create_pool(dsn, min_size=CONCURRENCY, max_size=CONCURRENCY)
    rng = random.Random(1)
    done = 0

    async def worker(deadline: float) -> None:
        nonlocal done
        async with pool.acquire() as conn:
            statement = await conn.prepare(sql)
            while time.perf_counter() < deadline:
                params = {**fixed, "number": rng.choice(numbers), "now": datetime.now(UTC)}
                row = await statement.fetchrow(*(params[name] for name in order))
                assert row is not None
                done += 1

    try:
        await asyncio.gather(*(worker(time.perf_counter() + 1.0) for _ in range(CONCURRENCY)))  # warm-up
        done = 0
        started = time.perf_counter()
        await asyncio.gather(*(worker(started + SECONDS) for _ in range(CONCURRENCY)))
        return done / (time.perf_counter() - started), done
    finally:
        await pool.close()


WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_NUMBERS")) do paths[#paths + 1] = "/api/v1/public/cases/" .. line end
math.randomseed(2)
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
"""


async def _wrk(port: int, seconds: float, script: Path, numbers: Path) -> tuple[float, int, int]:
    """One ``wrk`` run: requests/s, requests, and the answers that were not 2xx or hit socket errors."""
    process = await asyncio.create_subprocess_exec(
        "wrk", "-t1", f"-c{CONCURRENCY}", f"-d{max(int(seconds), 1)}s", "-s", str(script),
        f"http://127.0.0.1:{port}", stdout=asyncio.subprocess.PIPE, env={**os.environ, "BENCH_NUMBERS": str(numbers)})
    out = (await process.communicate())[0].decode()
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed:\n{out}")
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    assert done is not None, out
    elapsed = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return int(done.group(1)) / elapsed, int(done.group(1)), failed


def _wrk_files(directory: str, numbers: list[str]) -> tuple[Path, Path]:
    script, listing = Path(directory, "lookup.lua"), Path(directory, "numbers.txt")
    script.write_text(WRK_SCRIPT)
    listing.write_text("\n".join(numbers) + "\n")
    return script, listing


async def _http_rate(port: int, numbers: list[str]) -> tuple[float, int, int]:
    """The HTTP side with ``wrk``; with the asyncio client when ``wrk`` is not installed."""
    if shutil.which("wrk") is None:
        print("WARNING: wrk is not installed (apt-get install wrk): falling back to the Python load generator, "
              "which takes CPU from the server; the HTTP rate is understated")
        return await _http_rate_python(port, numbers)
    with tempfile.TemporaryDirectory() as tmp:
        script, listing = _wrk_files(tmp, numbers)
        await _wrk(port, 1.0, script, listing)  # warm-up
        return await _wrk(port, SECONDS, script, listing)


async def _http_rate_python(port: int, numbers: list[str]) -> tuple[float, int, int]:
    rng = random.Random(2)
    done = failed = 0

    async def worker(deadline: float) -> None:
        nonlocal done, failed
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < deadline:
                path = "/api/v1/public/cases/" + rng.choice(numbers)
                writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                body = await reader.readexactly(length)
                if status != 200 or not body.startswith(b"{"):
                    failed += 1
                done += 1
        finally:
            writer.close()

    await asyncio.gather(*(worker(time.perf_counter() + 1.0) for _ in range(CONCURRENCY)))  # warm-up
    done = failed = 0
    started = time.perf_counter()
    await asyncio.gather(*(worker(started + SECONDS) for _ in range(CONCURRENCY)))
    return done / (time.perf_counter() - started), done, failed


def _profile(pid: int) -> subprocess.Popen[bytes] | None:
    """With ``BENCH_PYSPY=<file>``, sample the server with py-spy during the HTTP run (collapsed stacks)."""
    out = os.environ.get("BENCH_PYSPY")
    if not out:
        return None
    return subprocess.Popen([str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(pid), "--format",
                             "raw", "--output", out, "--duration", str(int(SECONDS) + 1), "--nonblocking"])


def _children_cpu_seconds() -> float:
    """CPU of this process's finished children (``wrk``, once waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _machine_busy_seconds() -> float:
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


class CpuMeter:
    """CPU seconds spent by the load generator (this process), the server, and everything else on the
    machine (PostgreSQL, mostly) in a phase: on a small shared machine the three compete for the same
    cores, and the split says where the time went."""

    def __init__(self, server_pid: int | None = None) -> None:
        self.server = [server_pid] if server_pid else []
        self.before = self._sample()

    def _sample(self) -> tuple[float, float, float]:
        return (_cpu_seconds([os.getpid()]) + _children_cpu_seconds(), _cpu_seconds(self.server),
                _machine_busy_seconds())

    def per_request_ms(self, count: int) -> tuple[str, float]:
        """The split as a line, and the whole machine's CPU ms per request (load generator, server, rest)."""
        after = self._sample()
        client, server, machine = (after[i] - self.before[i] for i in range(3))
        rest = max(machine - client - server, 0.0)
        scale = 1000 / max(count, 1)
        return (f"CPU ms per request: load generator {client * scale:.3f}, server {server * scale:.3f}, "
                f"the rest of the machine (PostgreSQL) {rest * scale:.3f}"), (client + server + rest) * scale


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _wait_for(port: int, process: asyncio.subprocess.Process) -> None:
    for _ in range(300):
        if process.returncode is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError("the server did not start listening")


async def main() -> int:
    name = f"sotkab_bench_lookup_{os.getpid()}"
    admin = await asyncpg.connect(f"{SERVER}/postgres", timeout=5)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = f"{SERVER}/{name}"
    process: asyncio.subprocess.Process | None = None
    try:
        url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
        t0 = time.perf_counter()
        await asyncio.to_thread(upgrade, url)
        numbers = await _seed(dsn)
        print(f"seeded {CASES:,} cases ({len(numbers):,} open-category) in {time.perf_counter() - t0:.1f} s")
        print(f"the endpoint's SQL:\n  {case_lookup_sql()[0]}\n")

        meter = CpuMeter()
        raw, raw_n = await _raw_rate(dsn, numbers)
        raw_cpu, raw_total = meter.per_request_ms(raw_n)
        port = _free_port()
        with tempfile.TemporaryDirectory() as data_dir:
            # the lookup itself is measured: with the per-client rate limit on, every request from this one
            # load generator past its budget would be a (cheap) 429
            env = {**os.environ, "SOTKAB_DATABASE_URL": url, "SOTKAB_DATA_DIR": data_dir, "SOTKAB_LOG_LEVEL": "WARNING",
                   "SOTKAB_RATE_LIMIT_PER_CLIENT": "0", "SOTKAB_RATE_LIMIT_GLOBAL": "0"}
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "web.cli", "serve", "--port", str(port), cwd=REPO, env=env,
                stdout=asyncio.subprocess.DEVNULL)
            await _wait_for(port, process)
            profiler = _profile(process.pid)
            meter = CpuMeter(process.pid)
            http, http_n, failed = await _http_rate(port, numbers)
            http_cpu, http_total = meter.per_request_ms(http_n)
            if profiler is not None:
                await asyncio.to_thread(profiler.wait, 60)
            process.terminate()
            await asyncio.wait_for(process.wait(), 20)
            process = None
        if failed:
            print(f"WARNING: {failed} HTTP answers were not 200 JSON")
        ratio = http / raw
        print(f"concurrency {CONCURRENCY}, {SECONDS:.0f} s each")
        print(f"machine: {psutil.cpu_count()} CPUs shared by the load generator, the server and PostgreSQL")
        print(f"raw asyncpg (prepared, pool of {CONCURRENCY}): {raw:10,.0f} queries/s  ({raw_n:,})")
        print(f"  {raw_cpu} (incl. warm-up)")
        print(f"HTTP GET /api/v1/public/cases/{{n}}:      {http:10,.0f} requests/s ({http_n:,})")
        print(f"  {http_cpu} (incl. warm-up)")
        print(f"with both cores busy, the ratio cannot exceed raw CPU per query / HTTP CPU per request = "
              f"{raw_total:.3f} / {http_total:.3f} = {raw_total / max(http_total, 1e-9):.2f}")
        print(f"HTTP / raw: {ratio:.2f} (target >= {TARGET_RATIO})")
        results = [
            {"name": "http_lookups_per_s", "value": round(http, 1), "unit": "requests/s", "target": None,
             "met": failed == 0},
            {"name": "raw_queries_per_s", "value": round(raw, 1), "unit": "queries/s", "target": None, "met": True},
            {"name": "http_vs_raw_ratio", "value": round(ratio, 3), "unit": "ratio", "target": TARGET_RATIO,
             "met": ratio >= TARGET_RATIO},
        ]
        print(json.dumps({"results": results}))
        return 0
    finally:
        if process is not None:
            process.kill()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
