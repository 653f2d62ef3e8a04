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
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

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
    machines: list[asyncio.subprocess.Process] = field(default_factory=list)
    """With ``machines=True``: one ``serve`` per simulated machine (the supervisor is the first)."""

    def worker_pids(self) -> dict[str, int]:
        """``worker0`` .. by the port each child serves on."""
        if self.machines:
            return {f"worker{i}": process.pid for i, process in enumerate(self.machines)}
        if self.workers == 1:
            return {"worker0": self.supervisor.pid}
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
        servers = self.machines or [self.supervisor]
        for process in (self.router, *servers):
            if process.returncode is None:
                process.send_signal(signal.SIGTERM if process is self.router else signal.SIGINT)
        for process in (self.router, *servers):
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        for task in self._readers:
            task.cancel()


def machines_possible() -> bool:
    """Whether this host can give a process a host name of its own (a UTS namespace: root on Linux)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        return subprocess.run([unshare, "--uts", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


async def _ready(process: asyncio.subprocess.Process, log: list[str], deadline: float, *, supervised: bool) -> bool:
    assert process.stdout is not None
    while time.monotonic() < deadline:
        try:
            line = await asyncio.wait_for(process.stdout.readline(), deadline - time.monotonic())
        except TimeoutError:
            return False
        if not line:
            return False
        log.append(line.decode(errors="replace").rstrip())
        if READY in line and (not supervised or b"workers" in line):  # one worker: serve runs it directly
            return True
    return False


async def start_cluster(*, database_url: str, data_dir: Path, redis_url: str, workers: int = 2,
                        extra_env: dict[str, str] | None = None, machines: bool = False) -> Cluster:
    """``sotkab serve --workers N`` and HAProxy in front of it, both ready.

    ``machines=True``: instead, N single-worker ``serve`` processes, each with a host name of its
    own (``machine-0`` ..., in a UTS namespace; see :func:`machines_possible`) — what several
    machines behind one router look like to the processes: one cannot see whether another's
    process is alive, only its leases in the database.
    """
    worker_port = free_ports(workers)
    https, http = free_ports(1), free_ports(1)
    url = f"https://127.0.0.1:{https}"
    env = {**os.environ, "SOTKAB_DATABASE_URL": database_url, "SOTKAB_DATA_DIR": str(data_dir),
           "SOTKAB_REDIS_URL": redis_url, "SOTKAB_PUBLIC_URL": url, "SOTKAB_TRUSTED_PROXIES": "127.0.0.1",
           "SOTKAB_LOG_LEVEL": "WARNING", **(extra_env or {})}
    serve = [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1"]
    if machines:
        started = [await asyncio.create_subprocess_exec(
            "unshare", "--uts", "sh", "-c", 'hostname "$0" && exec "$@"', f"machine-{i}", *serve,
            "--port", str(worker_port + i), "--workers", "1", cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT) for i in range(workers)]
    else:
        started = [await asyncio.create_subprocess_exec(
            *serve, "--port", str(worker_port), "--workers", str(workers), cwd=REPO, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)]
    supervisor = started[0]
    log: list[str] = []
    deadline = time.monotonic() + 120
    ready = await asyncio.gather(*(_ready(p, log, deadline, supervised=workers > 1 and not machines)
                                   for p in started))
    if not all(ready):
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        raise AssertionError("the workers did not start:\n" + "\n".join(log))
    config = load_config(environ={}, port=worker_port, workers=workers, redis_url=redis_url)
    plan = RouterPlan.from_settings(config, https_bind=f"127.0.0.1:{https}", http_bind=f"127.0.0.1:{http}",
                                    certificate=self_signed(data_dir), max_connections=2000)
    assert plan.upstreams == tuple(Upstream("127.0.0.1", worker_port + i) for i in range(workers))
    config_file = data_dir / "haproxy.cfg"
    config_file.write_text(haproxy_config(plan))
    router = await asyncio.create_subprocess_exec(HAPROXY, "-db", "-f", str(config_file),
                                                  stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    assert router.stdout is not None and all(p.stdout is not None for p in started)
    cluster = Cluster(supervisor, router, worker_port, workers, url, supervisor_log=log,
                      machines=started if machines else [])
    cluster._readers = [asyncio.ensure_future(_lines(router.stdout, cluster.router_log)),
                        *(asyncio.ensure_future(_lines(p.stdout, cluster.supervisor_log))  # type: ignore[arg-type]
                          for p in started)]
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


# ---- aiortc participants through the cluster, and the failover they live through -------------

class RelayPeer:
    """An aiortc participant (the relay tests' synthetic VP8/Opus publisher) as a HearingClient's
    media: a fresh one per connection, because a media session lives in one worker's relay."""

    def __init__(self, name: str, slots: int, *, remb: bool = True, receive_buffer: int = 0) -> None:
        """``remb=False``: the viewer sends no receive-side estimate. aiortc's own (nothing for ~3 s,
        then +8 %/s from a low start, and slowed by a busy client's late reads) is not a browser's,
        and the relay's downlink policy would rightly thin the video of a viewer that reports it:
        a capacity bench measures forwarding, not aiortc's estimator (bench/bwe.py measures that).
        ``receive_buffer``: bytes asked for the UDP sockets, so a client stalled by a busy machine
        finds its packets queued rather than dropped."""
        from media import aiortc_hooks
        from tests.media.media_peers import Peer

        self.name = name
        self.peer = Peer(name, slots=slots)
        self.created = time.monotonic()
        self.receive_buffer = receive_buffer
        if not remb:
            for transceiver in self.peer.pc.getTransceivers():
                if transceiver.direction == "recvonly":
                    aiortc_hooks.disable_receiver_remb(transceiver.receiver)

    async def offer(self) -> str:
        sdp = await self.peer.offer()
        if self.receive_buffer:
            from media import aiortc_hooks

            aiortc_hooks.enlarge_receive_buffers(self.peer.pc, self.receive_buffer)
        return sdp

    async def accept(self, answer_sdp: str) -> None:
        from aiortc import RTCSessionDescription

        await self.peer.pc.setRemoteDescription(RTCSessionDescription(answer_sdp, "answer"))

    async def close(self) -> None:
        await self.peer.close()

    def first_video_from(self, sender: str) -> float | None:
        """``time.monotonic()`` of the first video frame this peer received from ``sender``."""
        times = [r.at for inbox in self.peer.inboxes for r in inbox.video if (r.stamp or ("", 0))[0] == sender]
        return min(times) if times else None

    def video_span(self, sender: str) -> tuple[float, float] | None:
        """``time.monotonic()`` of the first and last video frame received from ``sender``."""
        times = [r.at for inbox in self.peer.inboxes for r in inbox.video if (r.stamp or ("", 0))[0] == sender]
        return (min(times), max(times)) if times else None

    def video_frames_from(self, sender: str) -> set[int]:
        """The sequence numbers of ``sender``'s video frames this peer received."""
        return {stamp[1] for inbox in self.peer.inboxes for r in inbox.video
                if (stamp := r.stamp) is not None and stamp[0] == sender}

    def first_media(self) -> float | None:
        """``time.monotonic()`` of the first frame, audio or video, this peer received."""
        times = [r.at for inbox in self.peer.inboxes for r in (*inbox.video, *inbox.audio)]
        return min(times) if times else None

    def video_count(self) -> int:
        return sum(len(inbox.video) for inbox in self.peer.inboxes)


def hears_everyone(client: Any, others: list[str]) -> bool:
    """Whether the client's current peer receives video from every one of ``others``."""
    peer = client.peer
    return isinstance(peer, RelayPeer) and all(peer.first_video_from(o) is not None for o in others)


async def wait_until(predicate: Any, within: float) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within} s")
        await asyncio.sleep(0.02)


@dataclass
class Failover:
    worker: str
    """The worker that held the hearing (killed)."""
    to: str
    """The worker the hearing moved to."""
    killed_at: float
    killed_wall: datetime
    back_s: dict[str, float]
    """Per participant: seconds from the kill to receiving video from every other participant again."""
    first_media_s: float
    """Seconds from the kill to the first frame anyone received again (media flowing at all)."""

    @property
    def outage_s(self) -> float:
        return max(self.back_s.values())


async def kill_the_hearings_worker(cluster: Cluster, hearing: int, clients: dict[str, Any],
                                   within: float = 30.0) -> Failover:
    """SIGKILL the worker the router placed ``hearing`` on; wait until every client is back with media
    from every other participant through another worker, and measure how long that took."""
    placed = {worker for hid, worker in cluster.routed() if hid == hearing}
    assert len(placed) == 1, cluster.routed()
    worker = placed.pop()
    pid = cluster.worker_pids()[worker]
    before = {name: client.connections for name, client in clients.items()}
    routed_before = len(cluster.routed())
    killed_at, killed_wall = time.monotonic(), datetime.now(UTC)
    os.kill(pid, signal.SIGKILL)
    names = list(clients)

    def back(name: str) -> bool:
        client = clients[name]
        return (client.connections > before[name] and isinstance(client.peer, RelayPeer)
                and client.peer.created > killed_at and hears_everyone(client, [n for n in names if n != name]))

    try:
        await wait_until(lambda: all(back(n) for n in names), within)
    except AssertionError:
        state = {n: {"connections": (c.connections, before[n]), "connected": c.sio.connected, "ended": c.ended,
                     "answers": c.media_answers,
                     "peer_new": isinstance(c.peer, RelayPeer) and c.peer.created > killed_at,
                     "video": c.peer.video_count() if isinstance(c.peer, RelayPeer) else None,
                     "errors": c.received.get("connect_error")} for n, c in clients.items()}
        raise AssertionError(f"not everyone came back with media: {state}\n" + "\n".join(cluster.router_log[-20:])
                             + "\n" + "\n".join(cluster.supervisor_log[-40:])) from None
    back_s = {}
    for name in names:
        peer = clients[name].peer
        back_s[name] = max(peer.first_video_from(o) for o in names if o != name) - killed_at
    moved = {w for hid, w in cluster.routed()[routed_before:] if hid == hearing}
    assert moved and worker not in moved, (worker, moved)
    first = min(t for c in clients.values() if (t := c.peer.first_media()) is not None) - killed_at
    return Failover(worker, moved.pop(), killed_at, killed_wall, back_s, first)
