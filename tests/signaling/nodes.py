"""Signaling server processes for the multi-process tests: ``python -m web.cli serve`` on free ports."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REDIS_URL = "redis://127.0.0.1:6379/0"
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def redis_up(url: str = REDIS_URL) -> bool:
    from redis import asyncio as aioredis

    client = aioredis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        return bool(await client.ping())
    except Exception:
        return False
    finally:
        await client.aclose()


@dataclass
class Node:
    process: asyncio.subprocess.Process
    url: str
    drain: asyncio.Task[None] | None = None
    lines: list[str] = field(default_factory=list)
    """What the process wrote after "serving" (stdout and stderr), line by line."""

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self.drain is not None:
            self.drain.cancel()


async def start_node(*, database_url: str, data_dir: Path, redis_url: str = REDIS_URL, **settings: str) -> Node:
    """One server process sharing the database (and PKI under ``data_dir``) with the others."""
    port = free_port()
    env = {**os.environ, "SOTKAB_DATABASE_URL": database_url, "SOTKAB_DATA_DIR": str(data_dir),
           "SOTKAB_REDIS_URL": redis_url, "SOTKAB_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "SOTKAB_LOG_LEVEL": "WARNING", **settings}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    return await serving(process, port)


async def serving(process: asyncio.subprocess.Process, port: int, within_s: float = 60) -> Node:
    """The node once ``process`` says it serves on ``port``. A process that does not get there (or a test
    stopped meanwhile) is killed: left running, it would go on serving the session's database to later
    tests (sealing, composing and re-signing their recordings with its own keys)."""
    assert process.stdout is not None
    deadline = time.monotonic() + within_s
    output = b""
    try:
        while time.monotonic() < deadline:
            try:
                line = await asyncio.wait_for(process.stdout.readline(), deadline - time.monotonic())
            except TimeoutError:
                break
            if not line:
                break
            output += line
            if b"is serving on" in line:
                node = Node(process, f"http://127.0.0.1:{port}")
                node.drain = asyncio.ensure_future(_drain(process.stdout, node.lines))
                return node
    except BaseException:
        await _kill(process)
        raise
    await _kill(process)
    raise AssertionError(f"server process did not start:\n{output.decode(errors='replace')}")


async def _kill(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    await process.wait()


async def _drain(stream: asyncio.StreamReader, lines: list[str]) -> None:
    while line := await stream.readline():
        lines.append(line.decode(errors="replace").rstrip("\n"))
