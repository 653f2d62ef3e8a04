"""Server-side cost of one EDS login: challenge + CMS verify + chain + cached OCSP, on one core.

Run: ``.venv/bin/python tests/cabinet/eds/bench_login.py``. Prints per-login cost with warm
caches (the steady state: people log in again within an OCSP answer's lifetime) and cold
(first sight of a certificate: path building + a live, signed OCSP answer from the in-process
CA), side by side, and ends with the one-line JSON the bench/ convention asks for.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import tempfile
import time
from pathlib import Path

from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.keys import KeyFile
from cabinet.eds.profile import Purpose
from cabinet.eds.verifier import build_verifier
from web.clock import SystemClock

USERS = 20
WARM_LOGINS = 3000
TARGET_PER_SECOND = 300


async def main() -> None:
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as tmp:
        ca = CertificateAuthority.init(Path(tmp) / "pki", base_url="http://127.0.0.1:9", clock=clock)
        keys = []
        for i in range(USERS):
            person = ca.issue_person(iin=f"9001014{i:05d}", surname="ТЕСТОВ", given_name=f"ПАЙДАЛАНУШЫ{i}",
                                     patronymic=None, password=b"pw")
            keys.append(KeyFile(person.auth.private_key, person.auth.certificate))
        # Browsers sign a fresh challenge per login; pre-sign so only the server's work is timed.
        logins = []
        for i in range(WARM_LOGINS):
            challenge = secrets.token_bytes(32)
            logins.append((challenge, keys[i % USERS].sign(challenge)))

        verifier = build_verifier(clock=clock, builtin_ca=ca)
        start = time.perf_counter()
        for challenge, cms in logins[:USERS]:
            assert (await verifier.verify_cms(cms, content=challenge, purpose=Purpose.LOGIN)).valid
        cold = (time.perf_counter() - start) / USERS

        start = time.process_time()
        wall = time.perf_counter()
        for challenge, cms in logins:
            secrets.token_bytes(32)  # the server mints the next challenge
            result = await verifier.verify_cms(cms, content=challenge, purpose=Purpose.LOGIN)
            assert result.valid, result.message
        warm_cpu = (time.process_time() - start) / WARM_LOGINS
        warm_wall = (time.perf_counter() - wall) / WARM_LOGINS
        await verifier.close()

    per_second = 1 / warm_wall
    print(f"cold login (path build + live OCSP): {cold * 1000:.3f} ms")
    print(f"warm login (cached path + OCSP):     {warm_wall * 1000:.3f} ms wall, {warm_cpu * 1000:.3f} ms CPU")
    print(f"cold/warm ratio: {cold / warm_wall:.1f}x; warm logins per second on one core: {per_second:.0f}")
    print(json.dumps({"results": [
        {"name": "eds_login_verify_warm", "value": round(warm_wall * 1000, 3), "unit": "ms", "target": 2.0,
         "met": warm_wall * 1000 <= 2.0},
        {"name": "eds_logins_per_second_one_core", "value": round(per_second), "unit": "logins/s",
         "target": TARGET_PER_SECOND, "met": per_second >= TARGET_PER_SECOND},
        {"name": "eds_login_verify_cold", "value": round(cold * 1000, 3), "unit": "ms", "target": None,
         "met": True},
    ]}))


if __name__ == "__main__":
    asyncio.run(main())
