"""EDS login throughput on one core: challenge + CMS + chain + cached OCSP, and the session.

Three measurements of the same pre-signed logins, side by side in one run:

* ``verified logins``: what the issue counts — mint the challenge, check it came back authentic and
  unexpired, verify the CMS signature over it, the path to the trust root and the revocation
  answer (OCSP, from cache);
* ``full login, SQLite``: :class:`LoginService` end to end — mint the challenge, check it,
  verify, burn the challenge, refresh the user, open the session, append to the audit chain;
* ``full login, PostgreSQL``: the same against the local server (skipped if unreachable).

Browsers sign their challenge on the client, so signatures are made before timing starts; the
server's work is all that is timed. One asyncio loop in one process is one core. Warm caches
are the steady state (people log in again within an OCSP answer's lifetime); the cold figure
(first sight of a certificate, live signed OCSP answer) is printed for reference.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.keys import KeyFile
from cabinet.eds.profile import Purpose
from cabinet.eds.verifier import build_verifier
from cabinet.identity.challenges import ChallengeMinter
from cabinet.identity.login import LoginService
from core.clock import SystemClock
from core.db import Database
from web.migrate import upgrade

USERS = 20
LOGINS = int(os.environ.get("BENCH_LOGINS", "1500"))
TARGET = 300.0
PG_SERVER = os.environ.get("SOTKAB_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def _pg_database() -> str | None:
    import asyncpg

    name = f"sotkab_bench_{os.getpid()}"
    try:
        conn = await asyncpg.connect(PG_SERVER.replace("+asyncpg", ""), timeout=5)
    except Exception as exc:
        print(f"PostgreSQL unreachable ({exc}); skipping the PostgreSQL row")
        return None
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    return PG_SERVER.rsplit("/", 1)[0] + "/" + name


async def _drop_pg(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_SERVER.replace("+asyncpg", ""), timeout=5)
    await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    await conn.close()


async def full_logins(url: str, verifier: object, keys: list[KeyFile]) -> tuple[float, float]:
    """Logins per second and CPU ms per login through the whole service."""
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    minter = ChallengeMinter(os.urandom(32), SystemClock(), timedelta(minutes=5))
    service = LoginService(db, verifier, SystemClock(), minter,  # type: ignore[arg-type]
                           session_ttl=timedelta(hours=8), reads=await db.fast_path())
    challenges = [service.issue_challenge() for _ in range(LOGINS)]
    signed = [(c.nonce, base64.b64encode(keys[i % USERS].sign(base64.b64decode(c.nonce))).decode())
              for i, c in enumerate(challenges)]
    for nonce, signature in signed[:USERS]:
        await service.login(nonce, signature)
    cpu, wall = time.process_time(), time.perf_counter()
    for nonce, signature in signed[USERS:]:
        service.issue_challenge()
        await service.login(nonce, signature)
    n = LOGINS - USERS
    rate = n / (time.perf_counter() - wall)
    cpu_ms = (time.process_time() - cpu) / n * 1000
    await db.close()
    return rate, cpu_ms


async def main() -> None:
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as tmp:
        ca = CertificateAuthority.init(Path(tmp) / "pki", base_url="http://127.0.0.1:9", clock=clock)
        keys = []
        for i in range(USERS):
            person = ca.issue_person(iin=f"9001014{i:05d}", surname="ТЕСТОВ", given_name=f"ПАЙДАЛАНУШЫ{i}",
                                     patronymic=None, password=b"pw")
            keys.append(KeyFile(person.auth.private_key, person.auth.certificate))
        verifier = build_verifier(clock=clock, builtin_ca=ca)

        pairs = [(os.urandom(32), k) for k in keys]
        signed = [(challenge, key.sign(challenge)) for challenge, key in pairs]
        start = time.perf_counter()
        for challenge, cms in signed:
            assert (await verifier.verify_cms(cms, content=challenge, purpose=Purpose.LOGIN)).valid
        cold_ms = (time.perf_counter() - start) / USERS * 1000

        minter = ChallengeMinter(os.urandom(32), clock, timedelta(minutes=5))
        logins = []
        for i in range(LOGINS):
            challenge = minter.mint()
            logins.append((challenge.nonce, keys[i % USERS].sign(challenge.signed_bytes)))
        cpu, wall = time.process_time(), time.perf_counter()
        for nonce, cms in logins:
            minter.mint()
            opened = minter.open(nonce)
            assert (await verifier.verify_cms(cms, content=opened.raw, purpose=Purpose.LOGIN)).valid
        verify_rate = LOGINS / (time.perf_counter() - wall)
        verify_cpu_ms = (time.process_time() - cpu) / LOGINS * 1000

        sqlite_rate, sqlite_cpu = await full_logins(f"sqlite+aiosqlite:///{tmp}/bench.db", verifier, keys)
        pg_url = await _pg_database()
        pg_rate = pg_cpu = None
        if pg_url:
            try:
                pg_rate, pg_cpu = await full_logins(pg_url, verifier, keys)
            finally:
                await _drop_pg(pg_url)
        await verifier.close()

    per_core = {"verified": 1000 / verify_cpu_ms, "sqlite": 1000 / sqlite_cpu}
    print(f"{'path':<34}{'logins/s wall':>14}{'CPU ms/login':>14}{'logins/core-s':>15}")
    row = f"{verify_rate:>14.0f}{verify_cpu_ms:>14.3f}{per_core['verified']:>15.0f}"
    row = f"{verify_rate:>14.0f}{verify_cpu_ms:>14.3f}{per_core['verified']:>15.0f}"
    print(f"{'verified logins (no database)':<34}{row}")
    print(f"{'full login + session, SQLite':<34}{sqlite_rate:>14.0f}{sqlite_cpu:>14.3f}{per_core['sqlite']:>15.0f}")
    if pg_rate is not None and pg_cpu is not None:
        per_core["postgres"] = 1000 / pg_cpu
        print(f"{'full login + session, PostgreSQL':<34}{pg_rate:>14.0f}{pg_cpu:>14.3f}{per_core['postgres']:>15.0f}")
    print(f"cold first login of a certificate (path + live OCSP): {cold_ms:.2f} ms")
    print(f"full login (SQLite) / verified login, CPU: {verify_cpu_ms / sqlite_cpu:.2f}")
    print("logins/core-s = 1000 / CPU ms of this process per login (the database server's own CPU is not counted;"
          " wall rates are shared-machine figures)")
    results = [
        {"name": "logins_per_s", "value": round(per_core["verified"]), "unit": "verified logins/s, one core",
         "target": TARGET, "met": per_core["verified"] >= TARGET},
        {"name": "full_logins_per_s_sqlite", "value": round(per_core["sqlite"]),
         "unit": "logins with session+audit/s, one core", "target": TARGET, "met": per_core["sqlite"] >= TARGET},
    ]
    if "postgres" in per_core:
        results.append({"name": "full_logins_per_s_postgres", "value": round(per_core["postgres"]),
                        "unit": "logins with session+audit/s, one core (client side)", "target": TARGET,
                        "met": per_core["postgres"] >= TARGET})
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    asyncio.run(main())
