"""Signaling under a burst of joins: 20 hearings × 6 participants connecting at once.

Servers run as separate processes (``python -m web.cli serve``), so the 120 socket.io clients in
this process do not share a core with the server they measure. Two set-ups, side by side:

1. one server process (in-memory socket.io rooms);
2. two server processes sharing the database and Redis (``AsyncRedisManager``), clients split
   between them so every hearing spans both processes.

Join latency is from starting the connection (handshake, session check, admission transaction)
until the ``joined`` event arrives. Each server takes two bursts, into two different sets of 20
hearings: the first right after start-up (*cold*: database connections being opened, statements
prepared for the first time), the second a few seconds later (*warm*: a server that has been
running, which is what a 10:00 burst meets in production). The headline is the warm burst;
the cold one is printed beside it. Server CPU per join (the server process's CPU time over the
burst, divided by the joins) is printed too: it survives a noisy machine, wall time does not.
Events per second: every judge of the warm set then runs 10 mute/unmute controls; each produces
a ``hearing_event`` and a ``roster`` to all 6 people of the hearing; the figure is messages
delivered to clients per second of wall time.

Runs on PostgreSQL (production, the headline) when reachable at ``--postgres`` and on SQLite
(the embedded default), each in a fresh scratch database.

Set-up writes users, sessions and hearings straight into a scratch database (the login itself is
measured in bench/eds_login.py); bookings go through the real BookingService, so clash checks,
notices and the hearing rows are what production writes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import psutil
import socketio

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cabinet.courts import CourtSpec, CourtStore  # noqa: E402
from cabinet.filing.models import Case  # noqa: E402
from cabinet.identifiers import check_digit  # noqa: E402
from cabinet.identity.login import hash_token  # noqa: E402
from cabinet.identity.models import AuthSession  # noqa: E402
from cabinet.identity.principal import Principal  # noqa: E402
from cabinet.identity.roles import Grant, Role  # noqa: E402
from cabinet.identity.users import PersonName, UserService  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.config import load_config  # noqa: E402
from core.db import Database  # noqa: E402
from sessions.booking import BookingRequest, BookingService, ParticipantSpec  # noqa: E402
from sessions.hearings import HearingFormat, HearingRole  # noqa: E402
from signaling.client import hearing_url  # noqa: E402
from tests.signaling.nodes import Node, redis_up, start_node  # noqa: E402
from web.migrate import upgrade_async  # noqa: E402

HEARINGS = 20
ROLES = (HearingRole.JUDGE, HearingRole.PLAINTIFF, HearingRole.DEFENDANT, HearingRole.WITNESS,
         HearingRole.EXPERT, HearingRole.INTERPRETER)
CONTROLS_PER_JUDGE = 10
TARGET_P95_MS = 250.0


def make_iins(count: int) -> list[str]:
    """``count`` distinct IINs with valid check digits (born 1980-01-01)."""
    found: list[str] = []
    serial = 0
    while len(found) < count:
        first = f"8001013{serial:04d}"
        serial += 1
        digit = check_digit(first)
        if digit is not None:
            found.append(first + str(digit))
    return found


async def seed(url: str, hearings_count: int = HEARINGS) -> list[list[tuple[str, int, HearingRole]]]:
    """Users with sessions, a judge each, an accepted case and simultaneous hearings in as many rooms."""
    db = Database(url)
    clock = SystemClock()
    now = clock.now()
    config = load_config(environ={}, database_url=url, data_dir=Path(tempfile.mkdtemp()))
    hearings: list[list[tuple[str, int, HearingRole]]] = []
    async with db.transaction() as session:
        courts = CourtStore(session)
        court = await courts.add(CourtSpec("7594", "Алматы", "Bench court", "Bench court", "Bench court"))
        for i in range(hearings_count):
            await courts.add_courtroom("7594", f"Зал {i + 1}")
        case = Case(number="7594-26-01-2/000001", court_id=court.id, case_kind="civil", category="01",
                    closed_category=False, title="Bench", status="accepted", opening_filing_id=0,
                    registered_at=now)
        session.add(case)
        users = UserService(session, clock)
        people: list[list[tuple[str, int, HearingRole, str]]] = []
        n = 0
        iins = make_iins(hearings_count * len(ROLES))
        for _ in range(hearings_count):
            row = []
            for role in ROLES:
                iin = iins[n]
                n += 1
                user, _ = await users.upsert(PersonName(iin, f"BENCH PERSON {n}"))
                if role is HearingRole.JUDGE:
                    await users.grant(PersonName(iin, f"BENCH PERSON {n}"), Role.JUDGE, "7594", granter=None,
                                      actor="bench")
                token = secrets.token_urlsafe(32)
                session.add(AuthSession(token_hash=hash_token(token), user_id=user.id, certificate_serial="bench",
                                        certificate_fingerprint="", created_at=now,
                                        expires_at=now + timedelta(hours=8), user_agent="bench"))
                row.append((token, user.id, role, iin))
            people.append(row)
        await session.flush()
        clerk_name = PersonName(make_iins(hearings_count * len(ROLES) + 1)[-1], "BENCH CLERK")
        clerk_user, _ = await users.upsert(clerk_name)
        await users.grant(clerk_name, Role.CLERK, "7594", granter=None, actor="bench")
        clerk = Principal(clerk_user.id, clerk_name.iin, clerk_name.common_name,
                          frozenset({Grant(Role.CLERK, court.id)}), 0)
        booking = BookingService(session, clock, config)
        for h, row in enumerate(people):
            request = BookingRequest(case.number, f"Зал {h + 1}", now + timedelta(minutes=5), timedelta(hours=1),
                                     HearingFormat.ONLINE, tuple(ParticipantSpec(iin, role) for _, _, role, iin in row),
                                     is_open=True, auto_admit=True)
            booked = await booking.schedule(clerk, request)
            hearings.append([(token, booked.id, role) for token, _, role, _ in row])
    await db.close()
    return hearings


class Client:
    def __init__(self, url: str, token: str, hearing: int, role: HearingRole) -> None:
        self.url, self.token, self.hearing, self.role = url, token, hearing, role
        self.sio = socketio.AsyncClient(reconnection=False)
        self.joined = asyncio.Event()
        self.messages = 0
        self.join_ms = 0.0

        @self.sio.on("joined", namespace="/hearing")
        async def joined(data: Any) -> None:
            self.you = data["you"]
            self.joined.set()

        @self.sio.on("*", namespace="/hearing")
        async def anything(event: str, data: Any) -> None:
            self.messages += 1

    async def join(self) -> None:
        started = time.perf_counter()
        await self.sio.connect(hearing_url(self.url, self.hearing), namespaces=["/hearing"],
                               transports=["websocket"],
                               auth={"token": self.token, "hearing": self.hearing}, wait_timeout=60)
        await asyncio.wait_for(self.joined.wait(), 60)
        self.join_ms = (time.perf_counter() - started) * 1000

    async def call(self, event: str, data: Any) -> Any:
        return await self.sio.call(event, data, namespace="/hearing", timeout=60)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def burst(urls: list[str], hearings: list[list[tuple[str, int, HearingRole]]],
                servers: list[psutil.Process]) -> tuple[list[Client], list[float], float]:
    """Everybody of ``hearings`` joins at once: the clients, their join times and server CPU ms per join."""
    clients = [Client(urls[(h + i) % len(urls)], token, hearing, role)
               for h, people in enumerate(hearings) for i, (token, hearing, role) in enumerate(people)]
    before = sum(_cpu(p) for p in servers)
    await asyncio.gather(*(c.join() for c in clients))
    await asyncio.sleep(0.3)  # the coalesced roster broadcasts of the last joins
    cpu_ms = (sum(_cpu(p) for p in servers) - before) * 1000 / len(clients)
    return clients, [c.join_ms for c in clients], cpu_ms


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def run(urls: list[str], hearings: list[list[tuple[str, int, HearingRole]]],
              servers: list[psutil.Process]) -> dict[str, float]:
    cold_clients, cold, cold_cpu = await burst(urls, hearings[:HEARINGS], servers)
    await asyncio.sleep(2.0)
    clients, joins, cpu = await burst(urls, hearings[HEARINGS:], servers)
    await asyncio.sleep(1.0)
    judges = [c for c in clients if c.role is HearingRole.JUDGE]
    plaintiffs = {c.hearing: c for c in clients if c.role is HearingRole.PLAINTIFF}
    await asyncio.gather(*(j.call("start", {}) for j in judges))
    await asyncio.sleep(1.0)
    before = sum(c.messages for c in clients)
    expected = before + len(judges) * CONTROLS_PER_JUDGE * 2 * len(ROLES)
    started = time.perf_counter()

    async def controls(judge: Client) -> None:
        target = plaintiffs[judge.hearing].you["user_id"]
        for i in range(CONTROLS_PER_JUDGE):
            reply = await judge.call("mute" if i % 2 == 0 else "unmute", {"target": target})
            assert reply.get("ok"), reply

    await asyncio.gather(*(controls(j) for j in judges))
    deadline = time.perf_counter() + 30
    while sum(c.messages for c in clients) < expected and time.perf_counter() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)  # 120 clients' counters: polling is simpler than 120 events
    elapsed = time.perf_counter() - started
    delivered = sum(c.messages for c in clients) - before
    await asyncio.gather(*(c.sio.disconnect() for c in clients + cold_clients))
    return {"p50": statistics.median(joins), "p95": percentile(joins, 95), "cpu_ms": cpu,
            "cold_p50": statistics.median(cold), "cold_p95": percentile(cold, 95), "cold_cpu_ms": cold_cpu,
            "events_per_s": delivered / elapsed, "delivered": delivered, "expected": expected - before}


async def scenario(nodes: int, redis_url: str, postgres: str | None) -> dict[str, float]:
    """One run on a fresh database: PostgreSQL under the ``postgres`` server URL, else SQLite."""
    work = Path(tempfile.mkdtemp(prefix="sotkab-bench-signaling-"))
    name = f"sotkab_bench_signaling_{os.getpid()}_{secrets.token_hex(3)}"
    if postgres:
        await _pg_admin(postgres, f'CREATE DATABASE "{name}"')
        url = postgres.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0] + "/" + name
    else:
        url = f"sqlite+aiosqlite:///{work / 'bench.db'}"
    servers: list[Node] = []
    try:
        await upgrade_async(url)
        hearings = await seed(url, 2 * HEARINGS)
        for _ in range(nodes):
            servers.append(await start_node(database_url=url, data_dir=work, redis_url=redis_url if nodes > 1 else ""))
        return await run([s.url for s in servers], hearings, [psutil.Process(s.process.pid) for s in servers])
    finally:
        for server in servers:
            await server.stop()
        if postgres:
            await _pg_admin(postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _pg_admin(server: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(server, timeout=5)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def _pg_up(server: str) -> bool:
    try:
        await _pg_admin(server, "SELECT 1")
    except Exception:
        return False
    return True


def _line(label: str, r: dict[str, float]) -> str:
    return (f"{label}: warm join p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, server CPU {r['cpu_ms']:.2f} ms/join; "
            f"cold p50 {r['cold_p50']:.1f} ms, p95 {r['cold_p95']:.1f} ms, {r['cold_cpu_ms']:.2f} ms/join; "
            f"{r['events_per_s']:.0f} events/s ({r['delivered']:.0f} of {r['expected']:.0f} delivered)")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--postgres",
                        default=os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a PostgreSQL server (its admin database) to create scratch databases on")
    args = parser.parse_args()
    postgres = args.postgres if await _pg_up(args.postgres) else None
    lite = await scenario(1, "", None)
    print(_line("one process, SQLite    ", lite))
    one = lite
    if postgres:
        one = await scenario(1, "", postgres)
        print(_line("one process, PostgreSQL", one))
        print(f"PostgreSQL / SQLite: warm p95 {one['p95'] / lite['p95']:.2f}, "
              f"CPU per join {one['cpu_ms'] / lite['cpu_ms']:.2f}")
    else:
        print(f"PostgreSQL unreachable at {args.postgres}: the headline figures are SQLite's")
    db = "PostgreSQL" if postgres else "SQLite"
    results: list[dict[str, Any]] = [
        {"name": "join_p50_ms", "value": round(one["p50"], 1), "unit": f"ms ({db}, warm server)", "target": None,
         "met": None},
        {"name": "join_p95_ms", "value": round(one["p95"], 1), "unit": f"ms ({db}, warm server)",
         "target": TARGET_P95_MS, "met": one["p95"] <= TARGET_P95_MS},
        {"name": "events_per_s", "value": round(one["events_per_s"]), "unit": f"events/s ({db})", "target": None,
         "met": None},
        {"name": "join_p95_ms_cold", "value": round(one["cold_p95"], 1), "unit": f"ms ({db}, first burst after start)",
         "target": None, "met": None},
        {"name": "join_server_cpu_ms", "value": round(one["cpu_ms"], 2), "unit": f"ms CPU per join ({db}, warm)",
         "target": None, "met": None},
        {"name": "join_p95_ms_sqlite", "value": round(lite["p95"], 1), "unit": "ms (SQLite, warm server)",
         "target": None, "met": None},
        {"name": "join_server_cpu_ms_sqlite", "value": round(lite["cpu_ms"], 2),
         "unit": "ms CPU per join (SQLite, warm)", "target": None, "met": None},
    ]
    if await redis_up(args.redis):
        two = await scenario(2, args.redis, postgres)
        print(_line(f"two processes, {db}", two) + f"; p95 ratio two/one {two['p95'] / one['p95']:.2f}")
        results.append({"name": "join_p95_ms_two_nodes", "value": round(two["p95"], 1), "unit": f"ms ({db}, warm)",
                        "target": None, "met": None})
        results.append({"name": "events_per_s_two_nodes", "value": round(two["events_per_s"]),
                        "unit": f"events/s ({db})", "target": None, "met": None})
    else:
        print(f"two processes: skipped, Redis unreachable at {args.redis}")
        results.append({"name": "join_p95_ms_two_nodes", "value": None, "unit": "ms", "target": None, "met": None})
    print(json.dumps({"results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
