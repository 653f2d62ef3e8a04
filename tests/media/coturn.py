"""A real coturn on loopback for the tests that claim to test TURN (Debian package ``coturn``).

UDP only (no TCP listener to collide with), relay ports below Linux's ephemeral range, and a fresh
port on the rare start-up clash with another process on this shared machine. ``auth`` is the
authentication part of the configuration: static long-term users (``lt-cred-mech``) or the court's
scheme, ``use-auth-secret`` with ``static-auth-secret`` (per-person expiring credentials).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
REALM = "sotkab.test"


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def coturn(workdir: Path, auth: Sequence[str]) -> Iterator[int]:
    """Run turnserver with ``auth`` lines until the block ends; yields its UDP port on 127.0.0.1."""
    binary = shutil.which("turnserver")
    if binary is None:
        reason = "coturn's turnserver is not installed (apt-get install -y coturn)"
        if IN_CI:
            pytest.fail(f"required under CI=true: {reason}")
        pytest.skip(reason)
    for attempt in range(3):
        port = _free_udp_port()
        relay_base = 20000 + secrets.randbelow(100) * 100
        config = workdir / f"turnserver-{attempt}.conf"
        log = workdir / f"turn-{attempt}.log"
        config.write_text(
            "\n".join([
                f"listening-port={port}", "listening-ip=127.0.0.1", "relay-ip=127.0.0.1", *auth,
                f"realm={REALM}", "no-tls", "no-dtls", "no-tcp", "no-tcp-relay", "no-cli", "fingerprint",
                "allow-loopback-peers", f"min-port={relay_base}", f"max-port={relay_base + 99}",
                f"pidfile={workdir / 'turn.pid'}", f"log-file={log}", "simple-log", "no-stdout-log",
            ]) + "\n"
        )
        process = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not _answers_stun(port) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if process.poll() is None and _answers_stun(port):
            break
        process.terminate()
        process.wait(timeout=10)
    else:
        pytest.fail(f"turnserver did not come up in 3 attempts: {_read(log)[-2000:]}")
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers_stun(port: int) -> bool:
    """A STUN binding request (RFC 5389 header only) answered means the listener is up."""
    request = b"\x00\x01\x00\x00\x21\x12\xa4\x42" + os.urandom(12)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.1)
        s.sendto(request, ("127.0.0.1", port))
        try:
            return s.recv(2048)[8:20] == request[8:20]
        except OSError:
            return False


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""
