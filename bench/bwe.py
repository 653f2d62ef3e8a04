"""Benchmark: how fast a Chromium publisher's picture gets sharp through our relay, Janus, and a direct call.

The same generated hard 640×360/30 fps clip is every camera (tests/media/browser_lab.py). Each
setup runs in network namespaces of its own (tests/media/netlab.py), with Debian's Chromium
driven by Playwright, and the receiving page is sampled once a second for ``--duration`` s:

- ``relay``: publisher -> our relay -> a viewer (transport-cc feedback, start bitrate in the answer);
- ``relay_no_start``: the same without ``x-google-start-bitrate`` (Chromium starts at its default);
- ``relay@N``: the relay answering with a start bitrate of N kbps (to choose the default);
- ``janus``: Janus 1.1.2's echotest (the publisher receives its own stream back);
- ``direct``: two browsers calling each other, routed through the hub namespace.

Printed: a per-second table of received video kbps / resolution / fps and the publisher's
estimate, then a summary like issue 10's table, and the JSON line with
``relay_time_to_600kbps_s``, ``janus_time_to_600kbps_s``, ``bwe_vs_janus_ratio`` (target ≤ 1.5)
and ``relay_full_res_s`` (target ≤ 3). Run as root: ``.venv/bin/python bench/bwe.py``
(``--only relay,janus --duration 20`` for a shorter run). The host is shared: figures vary run to run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from media.twcc import ArrivalLog
from tests.media.browser_lab import BrowserLab, Sampler, unavailable_reason

SETUPS = ("relay", "relay_no_start", "janus", "direct")
NEVER = float("inf")


async def run_setup(setup: str, workdir: Path, duration: int) -> Sampler:
    """Start one setup, sample the receiving page for ``duration`` seconds, and return the samples."""
    start_bitrate = 0 if setup == "relay_no_start" else None
    if setup.startswith("relay@"):
        start_bitrate = int(setup.split("@", 1)[1])
    async with BrowserLab(workdir, start_bitrate_kbps=start_bitrate, janus=setup == "janus") as lab:
        if setup.startswith("relay"):
            await lab.open("pub")
            await lab.open("view")
            await lab.pages["pub"].evaluate("lab.joinRelay('pub', true, 1)")
            await lab.pages["view"].evaluate("lab.joinRelay('view', false, 1)")
            receiving, sending = "view", "pub"
        elif setup == "janus":
            await lab.open("pub")
            await asyncio.sleep(2.0)  # Janus starts its transports
            await lab.pages["pub"].evaluate("lab.joinJanusEcho()")
            receiving = sending = "pub"
        else:
            await lab.open("caller")
            await lab.open("callee")
            await asyncio.gather(lab.pages["caller"].evaluate("lab.callDirect('caller')"),
                                 lab.pages["callee"].evaluate("lab.callDirect('callee')"))
            receiving, sending = "callee", "caller"
        samplers = {receiving: Sampler(receiving)}
        if sending != receiving:
            samplers[sending] = Sampler(sending)
        caps: list[float] = []

        async def relay_cap(second: int) -> None:
            if setup.startswith("relay"):
                caps.append((await lab.relay_stats())[sending]["publisher_cap_bps"])

        await lab.sample_for(duration, samplers, relay_cap)
        received = samplers[receiving]
        for row, cap in zip(received.rows, caps, strict=False):
            row["cap_kbps"] = cap / 1000
        if sending != receiving:  # the publisher's estimate, beside what the viewer gets
            for row, sent in zip(received.rows, samplers[sending].rows, strict=False):
                row["estimate_kbps"] = sent["estimate_kbps"]
        return received


def first_second(flags: list[bool], hold: int = 1) -> float:
    """The first second (1-based) from which ``flags`` holds for ``hold`` consecutive samples."""
    for i in range(len(flags) - hold + 1):
        if all(flags[i:i + hold]):
            return float(i + 1)
    return NEVER


def figures(sampler: Sampler) -> dict[str, Any]:
    video = sampler.inbound_video()
    return {
        "time_to_600kbps_s": first_second([s["kbps"] >= 600 for s in video]),
        "full_res_s": first_second([s["kbps"] > 0 and s["width"] >= 640 and s["fps"] >= 25 for s in video], hold=3),
        "kbps": [round(s["kbps"]) for s in video],
        "width": [s["width"] for s in video],
        "fps": [round(s["fps"]) for s in video],
        "estimate_kbps": [round(r["estimate_kbps"]) for r in sampler.rows],
        "caps": sorted({round(r.get("cap_kbps", 0)) for r in sampler.rows} - {0}),
    }


def feedback_cost_us(packets: int = 100_000) -> float:
    """CPU microseconds per received packet for recording it and its share of the feedback."""
    log = ArrivalLog()
    arrival = 1_000_000
    started = time.process_time()
    for i in range(packets):
        arrival += 700 + (i * 37) % 300
        if i % 50 != 7:  # 2 % lost
            log.record(i & 0xFFFF, arrival)
        if i % 25 == 24:  # ~50 ms of a 1.5 Mbps publisher per feedback
            log.feedback(1, 2)
    return (time.process_time() - started) / packets * 1e6


def show(value: float) -> str:
    return "never" if value == NEVER else f"{value:.0f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=40)
    parser.add_argument("--only", default=",".join(SETUPS))
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason:
        print(f"bench/bwe.py cannot run here: {reason}", file=sys.stderr)
        return 2
    setups = [s for s in args.only.split(",") if s]
    unknown = {s for s in setups if not (s in SETUPS or re.fullmatch(r"relay@\d+", s))}
    if unknown:
        print(f"unknown setups {sorted(unknown)}; choose from {SETUPS}", file=sys.stderr)
        return 2
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="sotkab-bwe-") as tmp:
        for setup in setups:
            print(f"== {setup} ({args.duration} s)", flush=True)
            results[setup] = figures(asyncio.run(run_setup(setup, Path(tmp), args.duration)))
    print("\nper second: received video kbps / width / fps (publisher's estimate kbps)")
    print("  s " + "".join(f"| {s:^26} " for s in setups))
    for second in range(args.duration):
        cells = []
        for setup in setups:
            f = results[setup]
            if second < len(f["kbps"]):
                cells.append(f"| {f['kbps'][second]:5d} {f['width'][second]:4d} {f['fps'][second]:3d} "
                             f"({f['estimate_kbps'][second]:5d})    ")
            else:
                cells.append("| " + " " * 26 + " ")
        print(f"{second + 1:3d} " + "".join(cells))
    print("\n| | first >= 600 kbps | 640x360 at >= 25 fps (held 3 s) from |\n|---|---|---|")
    for setup in setups:
        print(f"| {setup} | {show(results[setup]['time_to_600kbps_s'])} | {show(results[setup]['full_res_s'])} |")
    for setup in setups:
        if results[setup]["caps"]:
            print(f"{setup}: the relay capped the publisher by REMB at {results[setup]['caps']} kbps")
    out = []

    def add(name: str, value: float, unit: str, target: str, met: bool | None) -> None:
        out.append({"name": name, "value": None if value == NEVER else value, "unit": unit,
                    "target": target, "met": met})

    cost = feedback_cost_us()
    print(f"\ntransport-cc bookkeeping: {cost:.2f} us of CPU per received publisher packet "
          "(the relay spends ~28-50 us per forwarded packet; bench/relay.py)")
    add("feedback_cpu_us_per_packet", round(cost, 2), "us", "", None)
    relay = results.get("relay")
    janus = results.get("janus")
    if relay:
        add("relay_time_to_600kbps_s", relay["time_to_600kbps_s"], "s", "", None)
        add("relay_full_res_s", relay["full_res_s"], "s", "<= 3", relay["full_res_s"] <= 3)
    if janus:
        add("janus_time_to_600kbps_s", janus["time_to_600kbps_s"], "s", "", None)
    if relay and janus:
        ratio = relay["time_to_600kbps_s"] / janus["time_to_600kbps_s"] if janus["time_to_600kbps_s"] else NEVER
        add("bwe_vs_janus_ratio", ratio, "x", "<= 1.5", ratio <= 1.5)
    for other in [s for s in setups if s not in ("relay", "janus")]:
        if other in results:
            add(f"{other}_time_to_600kbps_s", results[other]["time_to_600kbps_s"], "s", "", None)
            add(f"{other}_full_res_s", results[other]["full_res_s"], "s", "", None)
    print(json.dumps({"results": out}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
