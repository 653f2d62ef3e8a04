"""``sotkab serve --workers N``: N server processes on consecutive ports, kept running by one supervisor.

One Python process uses one core, and a court's morning (hundreds of hearings at 09:00 and 10:00)
needs them all. Each worker is a complete ``sotkab serve`` on its own port — its own event loop,
its own media relay — sharing PostgreSQL and Redis with the others (socket.io rooms and the
signaling bus span processes through Redis; :class:`core.config.Config` refuses ``workers > 1``
without ``redis_url``). The router in front (``sotkab deploy haproxy``) sends all sockets of a
hearing to one worker, because media mixes inside one relay.

The supervisor only starts, watches and stops: it serves nothing itself. A worker that dies is
started again on the same port after a back-off (1 s, doubling to 30 s while it keeps dying
within a minute); its hearings have meanwhile moved to the other workers (the router's health
check and consistent hash). A worker that fails before it ever served stops the whole start-up
with its own message, so a bad deployment fails at once instead of looping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

READY = b"is serving on"
"""What ``sotkab serve`` prints once its port is open (the supervisor and the tests wait for it)."""
STOP_GRACE_S = 15.0
BACKOFF_START_S = 1.0
BACKOFF_MAX_S = 30.0
STABLE_S = 60.0


class WorkerFailed(Exception):
    """A worker ended before it served: the start-up is abandoned with its output."""


@dataclass
class Worker:
    index: int
    port: int
    process: asyncio.subprocess.Process | None = None
    started_at: float = 0.0
    backoff_s: float = BACKOFF_START_S
    restarts: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    output: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None


class Supervisor:
    """Starts ``count`` workers on ``port`` .. ``port + count - 1`` and keeps them up until stopped."""

    def __init__(self, *, host: str, port: int, count: int, config_file: Path | None) -> None:
        self.host = host
        self.workers = [Worker(i, port + i) for i in range(count)]
        self.config_file = config_file
        self._stopping = asyncio.Event()

    def command(self, worker: Worker) -> list[str]:
        config = ["--config", str(self.config_file)] if self.config_file else []
        return [sys.executable, "-m", "web.cli", *config, "serve", "--host", self.host, "--port", str(worker.port),
                "--workers", "1"]

    async def _spawn(self, worker: Worker) -> None:
        worker.ready.clear()
        worker.output.clear()
        worker.process = await asyncio.create_subprocess_exec(
            *self.command(worker), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        worker.started_at = time.monotonic()
        log.info("worker %d started on port %d (pid %d)", worker.index, worker.port, worker.process.pid)

    async def _relay_output(self, worker: Worker) -> None:
        """Forward a worker's lines, prefixed, and notice when it serves."""
        process = worker.process
        assert process is not None and process.stdout is not None
        while line := await process.stdout.readline():
            if READY in line:
                worker.ready.set()
            text = line.decode(errors="replace").rstrip()
            if not worker.ready.is_set():
                worker.output.append(text)
            print(f"[worker {worker.index}] {text}", flush=True)

    async def run(self) -> int:
        """Serve until SIGINT/SIGTERM; returns the exit status."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(signum, self._stopping.set)
        watchers: list[asyncio.Task[None]] = []
        try:
            for worker in self.workers:
                await self._spawn(worker)
            starting = [asyncio.create_task(self._first_start(worker)) for worker in self.workers]
            try:
                await asyncio.gather(*starting)
            except WorkerFailed as exc:
                for task in starting:
                    task.cancel()
                print(f"sotkab: {exc}", file=sys.stderr, flush=True)
                return 1
            first, last = self.workers[0].port, self.workers[-1].port
            print(f"Sot Kabinet is serving on http://{self.host}:{first}-{last} with {len(self.workers)} "
                  "workers  (press Ctrl+C to stop)", flush=True)
            watchers = [asyncio.create_task(self._watch(worker), name=f"worker-{worker.index}")
                        for worker in self.workers]
            await self._stopping.wait()
            return 0
        finally:
            for task in watchers:
                task.cancel()
            await asyncio.gather(*watchers, return_exceptions=True)
            await self._stop_all()

    async def _first_start(self, worker: Worker) -> None:
        process = worker.process
        assert process is not None
        relay = worker.reader = asyncio.create_task(self._relay_output(worker))
        ready = asyncio.create_task(worker.ready.wait())
        exited = asyncio.create_task(process.wait())
        await asyncio.wait({ready, exited}, return_when=asyncio.FIRST_COMPLETED)
        if not worker.ready.is_set():
            ready.cancel()
            await relay
            lines = "\n".join(worker.output[-20:])
            raise WorkerFailed(f"worker {worker.index} (port {worker.port}) stopped before serving "
                               f"(exit {process.returncode}):\n{lines}")
        exited.cancel()
        worker.output.clear()

    async def _watch(self, worker: Worker) -> None:
        """Start a worker again whenever it dies, backing off while it keeps dying."""
        while True:
            process = worker.process
            assert process is not None
            code = await process.wait()
            if self._stopping.is_set():
                return
            lived = time.monotonic() - worker.started_at
            worker.backoff_s = BACKOFF_START_S if lived > STABLE_S else min(worker.backoff_s * 2, BACKOFF_MAX_S)
            delay = BACKOFF_START_S if lived > STABLE_S else worker.backoff_s / 2
            log.error("worker %d (port %d) ended with status %s after %.1f s; starting it again in %.1f s",
                      worker.index, worker.port, code, lived, delay)
            print(f"sotkab: worker {worker.index} (port {worker.port}) ended with status {code}; "
                  f"restarting in {delay:.1f} s", file=sys.stderr, flush=True)
            await asyncio.sleep(delay)
            if self._stopping.is_set():
                return
            await self._spawn(worker)
            worker.restarts += 1
            worker.reader = asyncio.create_task(self._relay_output(worker))

    async def _stop_all(self) -> None:
        """SIGINT each worker (it closes its sockets, seals its recordings), then wait; kill stragglers."""
        running = [w.process for w in self.workers if w.process is not None and w.process.returncode is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(asyncio.gather(*(p.wait() for p in running)), STOP_GRACE_S)
        except TimeoutError:
            for process in running:
                if process.returncode is None:
                    log.warning("worker pid %d did not stop within %.0f s; killing it", process.pid, STOP_GRACE_S)
                    with contextlib.suppress(ProcessLookupError):
                        process.kill()
            await asyncio.gather(*(p.wait() for p in running))
