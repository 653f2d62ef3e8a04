"""A real cluster on loopback for the tests and bench/cluster.py: ``sotkab serve --workers N`` behind a
real HAProxy (Debian's), configured by ``sotkab deploy haproxy``'s generator, TLS with a throw-away
certificate. HAProxy logs each request as it starts (``option logasap``), so a test reads which
worker took which hearing from its log."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import psutil
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from core.config import load_config
from web.deploy import RouterPlan, Upstream, haproxy_config
from web.workers import READY

REPO = Path(__file__).resolve().parents[2]
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
_ROUTED = re.compile(r" (?P<backend>hearings|app)/(?P<server>worker\d+|<NOSRV>) .*\"GET /socket\.io/\?"
                     r"(?:[^\"]*&)?hearing=(?P<hearing>\d+)")


def haproxy_present() -> bool:
    return os.path.exists(HAPROXY)


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free loopback ports."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        if first + count >= 65535:
            continue
        holders: list[socket.socket] = []
        try:
            for port in range(first, first + count):
                holders.append(socket.socket())
                holders[-1].bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for holder in holders:
                holder.close()
        return first
    raise AssertionError("no consecutive free ports")


def self_signed(directory: Path) -> Path:
    """A PEM with key and certificate for 127.0.0.1, as HAProxy's ``crt`` wants it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    path = directory / "router.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM))
    return path


async def _lines(stream: asyncio.StreamReader, sink: list[str]) -> None:
    while line := await stream.readline():
        sink.append(line.decode(errors="replace").rstrip())


@dataclass
class Cluster:
    supervisor: asyncio.subprocess.Process
    router: asyncio.subprocess.Process
    worker_port: int
    workers: int
    url: str
    """The router's HTTPS URL: what every client uses."""
    router_log: list[str] = field(default_factory=list)
    supervisor_log: list[str] = field(default_factory=list)
    _readers: list[asyncio.Task[None]] = field(default_factory=list)

    def worker_pids(self) -> dict[str, int]:
        """``worker0`` .. by the port each child serves on."""
        out: dict[str, int] = {}
        for child in psutil.Process(self.supervisor.pid).children():
            with contextlib.suppress(psutil.Error):
                argv = child.cmdline()
                if "--port" in argv:
                    out[f"worker{int(argv[argv.index('--port') + 1]) - self.worker_port}"] = child.pid
        return out

    def routed(self) -> list[tuple[int, str]]:
        """(hearing, worker) of every /socket.io/ request with a hearing the router logged."""
        return [(int(m["hearing"]), m["server"]) for line in self.router_log if (m := _ROUTED.search(line))]

    async def wait_routed(self, count: int, within: float = 10.0) -> list[tuple[int, str]]:
        deadline = time.monotonic() + within
        while len(self.routed()) < count and time.monotonic() < deadline:  # noqa: ASYNC110 (a log, not an event)
            await asyncio.sleep(0.05)
        return self.routed()

    async def stop(self) -> None:
        for process in (self.router, self.supervisor):
            if process.returncode is None:
                process.send_signal(signal.SIGINT if process is self.supervisor else signal.SIGTERM)
        for process in (self.router, self.supervisor):
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        for task in self._readers:
            task.cancel()


async def start_cluster(*, database_url: str, data_dir: Path, redis_url: str, workers: int = 2,
                        extra_env: dict[str, str] | None = None) -> Cluster:
    """``sotkab serve --workers N`` and HAProxy in front of it, both ready."""
    worker_port = free_ports(workers)
    https, http = free_ports(1), free_ports(1)
    url = f"https://127.0.0.1:{https}"
    env = {**os.environ, "SOTKAB_DATABASE_URL": database_url, "SOTKAB_DATA_DIR": str(data_dir),
           "SOTKAB_REDIS_URL": redis_url, "SOTKAB_PUBLIC_URL": url, "SOTKAB_TRUSTED_PROXIES": "127.0.0.1",
           "SOTKAB_LOG_LEVEL": "WARNING", **(extra_env or {})}
    supervisor = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(worker_port),
        "--workers", str(workers), cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT)
    assert supervisor.stdout is not None
    log: list[str] = []
    deadline = time.monotonic() + 120
    ready = False
    while time.monotonic() < deadline:
        try:
            line = await asyncio.wait_for(supervisor.stdout.readline(), deadline - time.monotonic())
        except TimeoutError:
            break
        if not line:
            break
        log.append(line.decode(errors="replace").rstrip())
        if READY in line and b"workers" in line:
            ready = True
            break
    if not ready:
        with contextlib.suppress(ProcessLookupError):
            supervisor.kill()
        raise AssertionError("the workers did not start:\n" + "\n".join(log))
    config = load_config(environ={}, port=worker_port, workers=workers, redis_url=redis_url)
    plan = RouterPlan.from_settings(config, https_bind=f"127.0.0.1:{https}", http_bind=f"127.0.0.1:{http}",
                                    certificate=self_signed(data_dir), max_connections=2000)
    assert plan.upstreams == tuple(Upstream("127.0.0.1", worker_port + i) for i in range(workers))
    config_file = data_dir / "haproxy.cfg"
    config_file.write_text(haproxy_config(plan))
    router = await asyncio.create_subprocess_exec(HAPROXY, "-db", "-f", str(config_file),
                                                  stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert router.stdout is not None and supervisor.stdout is not None
    cluster = Cluster(supervisor, router, worker_port, workers, url, supervisor_log=log)
    cluster._readers = [asyncio.ensure_future(_lines(router.stdout, cluster.router_log)),
                        asyncio.ensure_future(_lines(supervisor.stdout, cluster.supervisor_log))]
    async with aiohttp.ClientSession() as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with client.get(f"{url}/healthz", ssl=False) as response:
                    if response.status == 200:
                        return cluster
            if router.returncode is not None:
                break
            await asyncio.sleep(0.2)
    await cluster.stop()
    raise AssertionError("HAProxy did not route to the workers:\n" + "\n".join(cluster.router_log))
