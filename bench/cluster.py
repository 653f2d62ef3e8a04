"""The cluster: K hearings of 4 participants through HAProxy, on 1 worker and then on 2 workers.

Each phase starts ``sotkab serve --workers N`` and a real HAProxy in front of it (the configuration
``sotkab deploy haproxy`` generates; tests/web/cluster.py), on a fresh PostgreSQL database and the
real Redis. Every participant is the relay bench's synthetic aiortc publisher (pre-encoded VP8 30 fps
and Opus, stamped so a viewer knows whose frame it got) driven by the Python hearing client
(:mod:`signaling.client`: the hearing in the handshake URL, WebSocket, media negotiated through
``media_offer``), all in this process.

Figures per phase, side by side:

- *joins p95*: from starting a participant's connection through the router to the join's answer;
- *frames delivered*: over a measured window, for every (viewer, publisher) pair of a hearing the
  publisher's video frames the viewer received out of those sent; a hearing is *held* when every
  pair is at >= 99 %;
- *CPU per hearing*: the workers' CPU time (``/proc``, user + system) over the window / window / K,
  in % of one core — it survives a noisy machine, wall time does not; and each worker's own CPU
  per hearing it holds;
- *capacity*: the hearings each worker would hold at its own CPU cost per hearing with a core to
  itself, summed over the workers. ``scale_1_to_2`` = capacity with 2 workers / with 1: what a
  second process buys (1.0 if nothing, 2.0 if everything: it shows what the second process costs
  beside the first — Redis between them, each its own sweeps and leases), target >= 1.7;
- ``failover_s`` (2 workers): SIGKILL the worker holding hearing 0; seconds until every one of its
  participants receives video from every other again through the other worker (target < 5).

The router hashes hearing ids, and a handful of hearings may all land on one worker; the bench
seeds more hearings than it measures, sends each one's handshake through the router once, and
takes the hearings round the workers in turn (:func:`placed`), so each worker holds K / N.

The participants watch without aiortc's receive-side estimate (REMB): aiortc's is not a browser's
(it starts low and grows 8 % a second), and the relay's downlink policy would rightly thin the
video of a viewer reporting it — here that measured the estimator, not the servers (0-37 % of the
frames delivered at load 5-10). bench/bwe.py measures the policy with Chromium's estimator.

This machine has two cores and is shared: the load average before and after is printed, and the
clients (aiortc in pure Python, all in this process; its own CPU share is printed) compete with the
workers for the same cores, which is why the capacity is read from CPU time, not from where
delivery collapses.

    flock /tmp/sotkab-bench.lock nice -n 10 .venv/bin/python bench/cluster.py --hearings 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import socketio

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.signaling import _pg_admin, _pg_up, seed  # noqa: E402
from sessions.hearings import HearingRole  # noqa: E402
from signaling.client import HearingClient  # noqa: E402
from tests.signaling.nodes import REDIS_URL, redis_up  # noqa: E402
from tests.web.cluster import (  # noqa: E402
    Cluster,
    RelayPeer,
    haproxy_present,
    hears_everyone,
    kill_the_hearings_worker,
    start_cluster,
)
from web.migrate import upgrade_async  # noqa: E402

PEOPLE_PER_HEARING = 4
HELD = 0.99
TARGET_SCALE = 1.7
TARGET_FAILOVER_S = 5.0
RECEIVE_BUFFER = 4 * 2**20
"""Bytes of UDP receive buffer per client socket (as bench/parts/relay_load.py asks)."""
CANDIDATES = 3
"""Hearings seeded per hearing measured, for an even placement over the workers (:func:`placed`)."""
START_ATTEMPTS = 3
START_TIMEOUT_S = 30.0


def synthetic(name: str) -> RelayPeer:
    """A participant's media: publishes, and watches the three others without aiortc's estimator."""
    return RelayPeer(name, slots=PEOPLE_PER_HEARING - 1, remb=False, receive_buffer=RECEIVE_BUFFER)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def worker_processes(cluster: Cluster) -> list[psutil.Process]:
    return [psutil.Process(pid) for pid in cluster.worker_pids().values()]


def cpu_of(processes: list[psutil.Process]) -> list[float]:
    out = []
    for process in processes:
        try:
            times = process.cpu_times()
            out.append(times.user + times.system)
        except psutil.Error:
            out.append(0.0)
    return out


async def start(judge: HearingClient) -> None:
    """The judge opens the hearing. A call is lost when its socket drops before the answer (a busy
    worker or client misses engine.io's ping, the router closes an idle tunnel): the client then
    rejoins by itself, and the start is asked again on the new socket; a hearing already in session
    (the lost call was applied) is what was wanted."""
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            reply = await judge.call("start", timeout_s=START_TIMEOUT_S)
        except (socketio.exceptions.SocketIOError, TimeoutError) as exc:
            print(f"hearing {judge.hearing_id}: start not answered ({type(exc).__name__}, attempt {attempt}, "
                  f"{judge.connections} connection(s)); asking again", file=sys.stderr, flush=True)
            await wait_connected(judge, START_TIMEOUT_S)
            continue
        error = reply.get("error", {}) if isinstance(reply, dict) else {}
        if reply.get("ok") or error.get("code") == "illegal_hearing_transition":
            return
        raise SystemExit(f"hearing {judge.hearing_id}: start refused: {reply}")
    raise SystemExit(f"hearing {judge.hearing_id}: start not answered in {START_ATTEMPTS} attempts")


async def wait_connected(client: HearingClient, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while not client.sio.connected and time.monotonic() < deadline:  # noqa: ASYNC110 (the client's own state)
        await asyncio.sleep(0.1)


METRICS_TOKEN = secrets.token_urlsafe(24)
"""The workers' ``/metrics`` take a token: behind the router on loopback, loopback is the proxy."""
RELAY_FIGURES = ("frames_in", "frames_forwarded", "frames_dropped", "video_frames_thinned", "packets_lost",
                 "plis_sent", "thinned_slots")


async def relay_figures(cluster: Cluster) -> dict[str, dict[str, float]]:
    """Each worker's relay counters summed over its participants (``GET /metrics`` on the worker)."""
    out: dict[str, dict[str, float]] = {}
    async with aiohttp.ClientSession() as session:
        for name in cluster.worker_pids():
            port = cluster.worker_port + int(name.removeprefix("worker"))
            figures = dict.fromkeys(RELAY_FIGURES, 0.0)
            with contextlib.suppress(aiohttp.ClientError, ValueError):
                async with session.get(f"http://127.0.0.1:{port}/metrics",
                                       headers={"Authorization": f"Bearer {METRICS_TOKEN}"}) as response:
                    for line in (await response.text()).splitlines():
                        metric, _, value = line.partition(" ")
                        key = metric.split("{")[0].removesuffix("_total")
                        for figure in RELAY_FIGURES:
                            if not line.startswith("#") and key.endswith(figure):
                                figures[figure] += float(value)
            out[name] = figures
    return out


async def placed(cluster: Cluster, candidates: list[int], want: int) -> list[int]:
    """``want`` hearings of ``candidates`` spread evenly over the workers, as the router places them.

    The router hashes hearing ids (``url_param hearing``, consistent hashing): a handful of
    hearings may all land on one worker, which would measure the hash, not the workers. So each
    candidate's engine.io handshake is sent through the router once, its log says where it went,
    and the hearings are taken round the workers in turn.
    """
    async with aiohttp.ClientSession() as session:
        for hearing in candidates:
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{cluster.url}/socket.io/?hearing={hearing}&EIO=4&transport=polling",
                                       ssl=False) as response:
                    await response.read()
    routed = dict(await cluster.wait_routed(len(candidates)))
    by_worker: dict[str, list[int]] = {}
    for hearing in candidates:
        if hearing in routed:
            by_worker.setdefault(routed[hearing], []).append(hearing)
    chosen: list[int] = []
    while len(chosen) < want and any(by_worker.values()):
        for queue in by_worker.values():
            if queue and len(chosen) < want:
                chosen.append(queue.pop(0))
    if len(chosen) < want:
        raise SystemExit(f"only {len(chosen)} of {want} hearings could be placed: {routed}")
    return chosen


async def phase(workers: int, url: str, work: Path, candidates: list[list[tuple[str, int, Any]]], count: int,
                window_s: float, failover: bool) -> dict[str, Any]:
    cluster = await start_cluster(database_url=url, data_dir=work, redis_url=REDIS_URL, workers=workers,
                                  extra_env={"SOTKAB_METRICS_TOKEN": METRICS_TOKEN})
    clients: list[list[HearingClient]] = []
    joins_ms: list[float] = []
    try:
        by_id = {people[0][1]: people for people in candidates}
        chosen = await placed(cluster, list(by_id), count)
        hearings = [by_id[h] for h in chosen]
        placement = dict(cluster.routed())
        hearings_on = {w: sum(placement[h] == w for h in chosen) for w in cluster.worker_pids()}
        async def join(client: HearingClient) -> None:
            started = time.perf_counter()
            await client.connect(timeout_s=60)
            joins_ms.append((time.perf_counter() - started) * 1000)

        for h, people in enumerate(hearings):
            row = []
            # A witness waits to be called (never auto-admitted): the four are judge, parties, expert.
            present = [p for p in people if p[2] is not HearingRole.WITNESS][:PEOPLE_PER_HEARING]
            for i, (token, hearing_id, _role) in enumerate(present):
                name = f"h{h}p{i}"
                row.append(HearingClient(cluster.url, hearing_id, token, ssl_verify=False, join_timeout_s=60,
                                         media=lambda name=name: synthetic(name)))
            clients.append(row)
        await asyncio.gather(*(join(row[0]) for row in clients))
        await asyncio.gather(*(start(row[0]) for row in clients))
        await asyncio.gather(*(join(c) for row in clients for c in row[1:]))
        await asyncio.gather(*(c.media_ready(120) for row in clients for c in row))
        deadline = time.monotonic() + 120
        for h, row in enumerate(clients):
            names = [f"h{h}p{i}" for i in range(len(row))]
            for i, client in enumerate(row):
                while not hears_everyone(client, [n for n in names if n != names[i]]):
                    if time.monotonic() > deadline:
                        raise SystemExit(f"hearing {h}: participant {i} never received everyone's video")
                    await asyncio.sleep(0.1)
        await asyncio.sleep(2.0)  # past the first keyframes

        processes = worker_processes(cluster)
        names = list(cluster.worker_pids())
        generator = psutil.Process()
        generator_before = sum(generator.cpu_times()[:2])
        sent_before = {(h, i): c.peer.peer.video.seq for h, row in enumerate(clients) for i, c in enumerate(row)
                       if isinstance(c.peer, RelayPeer) and c.peer.peer.video is not None}
        cpu_before = cpu_of(processes)
        started = time.monotonic()
        await asyncio.sleep(window_s)
        elapsed = time.monotonic() - started
        cpu_after = cpu_of(processes)
        generator_share = (sum(generator.cpu_times()[:2]) - generator_before) / elapsed
        sent_after = {(h, i): c.peer.peer.video.seq for h, row in enumerate(clients) for i, c in enumerate(row)
                      if isinstance(c.peer, RelayPeer) and c.peer.peer.video is not None}
        await asyncio.sleep(1.0)  # frames in flight at the window's end
        relay = await relay_figures(cluster)
        rejoined = {f"h{h}p{i}": [f"{what} +{t - started:.1f} s" for t, what in c.timeline if t >= started - 5]
                    for h, row in enumerate(clients) for i, c in enumerate(row) if c.connections > 1}
        if rejoined:
            print(f"    reconnected during the run (times from the window's start): {rejoined}", flush=True)
        ratios: list[float] = []
        held = 0
        for h, row in enumerate(clients):
            worst = 1.0
            for i in range(len(row)):
                window = set(range(sent_before[(h, i)], sent_after[(h, i)]))
                for j, viewer in enumerate(row):
                    if j == i or not isinstance(viewer.peer, RelayPeer):
                        continue
                    got = len(window & viewer.peer.video_frames_from(f"h{h}p{i}"))
                    ratio = got / len(window) if window else 0.0
                    if ratio < HELD:
                        print(f"    h{h}: p{j} got {got} of p{i}'s {len(window)} frames "
                              f"({sent_before[(h, i)]}..{sent_after[(h, i)]})", flush=True)
                    ratios.append(ratio)
                    worst = min(worst, ratio)
            held += worst >= HELD
        used = [after - before for before, after in zip(cpu_before, cpu_after, strict=True)]
        rss_mb = [p.memory_info().rss / 2**20 for p in processes if p.is_running()]
        share = [u / elapsed for u in used]
        # Each worker's own cost per hearing it holds; the cluster's capacity is what every worker
        # would hold at its own cost with a core to itself (the sum), not where delivery collapses
        # on a machine whose two cores also run the load generator and the other engineers' work.
        per_hearing = {name: s / hearings_on[name] for name, s in zip(names, share, strict=True) if hearings_on[name]}
        result: dict[str, Any] = {
            "workers": workers, "hearings": len(clients), "held": held, "delivered_min": min(ratios),
            "delivered_mean": sum(ratios) / len(ratios), "join_p50_ms": percentile(joins_ms, 50),
            "join_p95_ms": percentile(joins_ms, 95), "cpu_per_hearing_pct": 100 * sum(used) / elapsed / len(clients),
            "worker_share": share, "worker_rss_mb": rss_mb, "hearings_on": hearings_on,
            "worker_cpu_per_hearing_pct": {name: 100 * c for name, c in per_hearing.items()},
            "generator_share": generator_share, "relay": relay,
            "capacity": sum(1 / c for c in per_hearing.values()) if all(per_hearing.values()) else float("inf"),
        }
        if failover:
            first = clients[0]
            named = {f"h0p{i}": c for i, c in enumerate(first)}
            outcome = await kill_the_hearings_worker(cluster, first[0].hearing_id, named, within=120)
            result["failover_s"] = outcome.outage_s
            result["failover_first_media_s"] = outcome.first_media_s
        return result
    except BaseException:
        print("the workers' last lines:\n" + "\n".join(cluster.supervisor_log[-30:]), file=sys.stderr, flush=True)
        raise
    finally:
        await asyncio.gather(*(c.close() for row in clients for c in row), return_exceptions=True)
        await cluster.stop()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hearings", type=int, default=2, help="K concurrent hearings of 4 (default 2)")
    parser.add_argument("--window", type=float, default=10.0, help="measured seconds of streaming (default 10)")
    parser.add_argument("--postgres", default=os.environ.get("SOTKAB_TEST_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--phases", type=int, nargs="+", default=[1, 2], choices=[1, 2],
                        help="worker counts to run (default: 1 2; the figures side by side need both)")
    args = parser.parse_args()
    if not (haproxy_present() and await redis_up() and await _pg_up(args.postgres)):
        print("bench/cluster.py needs haproxy, Redis at 127.0.0.1:6379 and PostgreSQL", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load_before[0]:.1f} (1 min) before the run")
    results: dict[int, dict[str, Any]] = {}
    for workers in args.phases:
        work = Path(tempfile.mkdtemp(prefix=f"sotkab-bench-cluster-{workers}-"))
        name = f"sotkab_bench_cluster_{os.getpid()}_{secrets.token_hex(3)}"
        await _pg_admin(args.postgres, f'CREATE DATABASE "{name}"')
        url = args.postgres.replace("postgresql://", "postgresql+asyncpg://", 1).rsplit("/", 1)[0] + "/" + name
        try:
            await upgrade_async(url)
            candidates = await seed(url, CANDIDATES * args.hearings)
            results[workers] = await phase(workers, url, work, candidates, args.hearings, args.window,
                                           failover=workers == 2 and 1 in args.phases)
        finally:
            await _pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        r = results[workers]
        print(f"{workers} worker(s): {r['held']}/{r['hearings']} hearings held at >= 99 % (frames delivered: "
              f"min {100 * r['delivered_min']:.1f} %, mean {100 * r['delivered_mean']:.1f} %); joins p50 "
              f"{r['join_p50_ms']:.0f} ms, p95 {r['join_p95_ms']:.0f} ms; CPU per hearing "
              f"{r['cpu_per_hearing_pct']:.1f} % of a core; workers' shares of a core "
              f"{', '.join(f'{100 * s:.0f} %' for s in r['worker_share'])}; RSS per worker "
              f"{', '.join(f'{m:.0f} MB' for m in r['worker_rss_mb'])}; capacity {r['capacity']:.1f} hearings",
              flush=True)
        print(f"    hearings per worker {r['hearings_on']}; each worker's CPU per hearing it holds "
              f"{', '.join(f'{w} {c:.1f} %' for w, c in r['worker_cpu_per_hearing_pct'].items())}; "
              f"the load generator (this process: {PEOPLE_PER_HEARING * r['hearings']} aiortc peers) used "
              f"{100 * r['generator_share']:.0f} % of a core", flush=True)
        print(f"    relay counters per worker (since it started): {r['relay']}", flush=True)
    if set(results) != {1, 2}:
        print("one phase only: no scale_1_to_2 (run both for the JSON figures)")
        return 0
    one, two = results[1], results[2]
    scale = two["capacity"] / one["capacity"]
    load_after = os.getloadavg()
    print(f"scale 1 -> 2 workers: {scale:.2f} (capacity {one['capacity']:.1f} -> {two['capacity']:.1f}); "
          f"failover: everyone back after {two['failover_s']:.2f} s "
          f"(first media {two['failover_first_media_s']:.2f} s)")
    print(f"machine: load average {load_after[0]:.1f} (1 min) after the run; a load above {os.cpu_count()} means "
          "the workers waited for a core")
    out = [
        {"name": "hearings_held_1_worker", "value": one["held"], "unit": f"of {one['hearings']} hearings",
         "target": one["hearings"], "met": one["held"] == one["hearings"]},
        {"name": "hearings_held_2_workers", "value": two["held"], "unit": f"of {two['hearings']} hearings",
         "target": two["hearings"], "met": two["held"] == two["hearings"]},
        {"name": "cpu_per_hearing_pct", "value": round(one["cpu_per_hearing_pct"], 2),
         "unit": "% of a core per 4-person hearing (1 worker)", "target": None, "met": None},
        {"name": "join_p95_ms", "value": round(two["join_p95_ms"], 1), "unit": "ms through HAProxy (2 workers)",
         "target": None, "met": None},
        {"name": "scale_1_to_2", "value": round(scale, 2), "unit": "capacity ratio", "target": TARGET_SCALE,
         "met": scale >= TARGET_SCALE},
        {"name": "failover_s", "value": round(two["failover_s"], 2), "unit": "s to media from everyone again",
         "target": TARGET_FAILOVER_S, "met": two["failover_s"] < TARGET_FAILOVER_S},
        {"name": "load_average", "value": round(load_after[0], 1), "unit": f"1-min load on {os.cpu_count()} cores",
         "target": None, "met": None},
    ]
    print(json.dumps({"results": out}))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
