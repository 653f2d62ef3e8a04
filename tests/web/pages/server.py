"""The whole application as a real server process, for the browser tests: one per test module.

It runs ``sotkab serve`` with its own data directory and SQLite database (migrated first), the
built-in CA created by the test beforehand (so the test can issue and revoke keys in it), and
whatever settings the module passes. The tests speak to it only over HTTP, like a browser would.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cabinet.eds.ca import CertificateAuthority
from core.clock import SystemClock
from tests.conftest import REPO


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class AppServer:
    url: str
    data_dir: Path
    database_url: str
    ca: CertificateAuthority
    process: subprocess.Popen[bytes]
    log: Path

    def post_json(self, path: str, body: dict[str, Any], token: str | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(base: Path, **settings: str) -> AppServer:
    """Create the CA, migrate the database, start ``sotkab serve`` and wait until it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    data_dir = base / "var"
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite+aiosqlite:///{data_dir / 'sotkab.db'}"
    ca = CertificateAuthority.init(data_dir / "pki", base_url=url, clock=SystemClock())
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOTKAB_")}
    env.update({"SOTKAB_DATA_DIR": str(data_dir), "SOTKAB_DATABASE_URL": database_url,
                "SOTKAB_HOST": "127.0.0.1", "SOTKAB_PORT": str(port), "SOTKAB_PUBLIC_URL": url,
                "SOTKAB_ACCESS_LOG": "false"})
    env.update({f"SOTKAB_{k.upper()}": v for k, v in settings.items()})
    log = base / "server.log"
    command = [sys.executable, "-c", "from web.cli import main; raise SystemExit(main())"]
    # In a process of its own: Playwright's sync API keeps an event loop running in this thread.
    subprocess.run([*command, "db", "upgrade"], cwd=REPO, env=env, check=True, capture_output=True, timeout=120)
    with log.open("wb") as out:
        process = subprocess.Popen([*command, "serve"],
                                   cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = AppServer(url, data_dir, database_url, ca, process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the server did not answer within 60 s: {log.read_text()[-3000:]}")
