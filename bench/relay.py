"""Benchmark: our passthrough relay vs aiortc's stock transcoding MediaRelay vs Janus videoroom.

The same load (bench/relay_load.py, its own process: K participants publishing pre-encoded VP8
640×360 30 fps + Opus, each receiving all others) runs in one session against each relay process.
For the relay process we measure CPU seconds per forwarded video stream-second, frames delivered
over frames expected, worst event-loop lag (Python relays) and peak RSS. One table, the ratios,
and a closing JSON line. Run: ``.venv/bin/python bench/relay.py`` (needs Debian ``janus``).

The transcoding relay cannot sustain K=12 on a 2-core machine (it saturates around K=6, see
../shared/reference/media-aiortc.md), so (a)/(b) are compared at K=4 and (a)/(c) at K=12.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
LOAD = [sys.executable, str(REPO / "bench" / "relay_load.py")]
RUNS = [("passthrough", 4), ("transcode", 4), ("janus", 4), ("passthrough", 12), ("janus", 12)]


# ---- the relay processes under test ---------------------------------------------------------


class _LagMonitor:
    def __init__(self) -> None:
        self.worst = 0.0

    async def run(self) -> None:
        while True:
            started = time.monotonic()
            await asyncio.sleep(0.02)
            self.worst = max(self.worst, time.monotonic() - started - 0.02)


class _TranscodingRelay:
    """The stock way: decoded remote tracks fanned out with MediaRelay, re-encoded per viewer."""

    def __init__(self) -> None:
        from aiortc.contrib.media import MediaRelay

        self.media_relay = MediaRelay()
        self.free: list[tuple[str, Any]] = []  # (participant, sender) of empty receive slots
        self.tracks: list[tuple[str, Any]] = []  # (participant, published track)
        self.pcs: list[Any] = []

    def _connect(self, participant: str, track: Any) -> None:
        for entry in list(self.free):
            owner, transceiver = entry
            if owner != participant and transceiver.kind == track.kind:
                transceiver.sender.replaceTrack(self.media_relay.subscribe(track))
                self.free.remove(entry)
                return

    async def admit(self, participant: str, offer: str) -> str:
        from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
        from aiortc.rtcconfiguration import RTCBundlePolicy

        # max-bundle only so that aiortc binds several same-kind m-lines to the one transport.
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE))
        self.pcs.append(pc)
        own: list[Any] = []
        pc.on("track", own.append)
        await pc.setRemoteDescription(RTCSessionDescription(offer, "offer"))
        viewer_slots = [t for t in pc.getTransceivers() if t.receiver.track is None]
        for transceiver in viewer_slots:
            transceiver.direction = "sendonly"
        for _owner, track in self.tracks:
            for transceiver in viewer_slots:
                if transceiver.kind == track.kind and transceiver.sender.track is None:
                    transceiver.sender.replaceTrack(self.media_relay.subscribe(track))
                    break
        self.free += [(participant, t) for t in viewer_slots if t.sender.track is None]
        for track in own:
            self.tracks.append((participant, track))
            self._connect(participant, track)
        await pc.setLocalDescription(await pc.createAnswer())
        return str(pc.localDescription.sdp)


async def serve(mode: str, port: int) -> None:
    from aiohttp import web

    from media.relay import Relay

    lag = _LagMonitor()
    relay = Relay() if mode == "passthrough" else None
    transcoder = _TranscodingRelay() if mode == "transcode" else None

    async def admit(request: web.Request) -> web.Response:
        body = await request.json()
        if relay is not None:
            admission = await relay.admit("bench", body["participant"], may_publish=True, privileged=False,
                                          offer_sdp=body["offer"])
            answer = admission.answer_sdp
        else:
            assert transcoder is not None
            answer = await transcoder.admit(body["participant"], body["offer"])
        return web.json_response({"answer": answer})

    async def get_lag(request: web.Request) -> web.Response:
        return web.json_response({"worst_ms": lag.worst * 1000})

    async def reset_lag(request: web.Request) -> web.Response:
        lag.worst = 0.0
        return web.json_response({})

    app = web.Application()
    app.add_routes([web.post("/admit", admit), web.get("/lag", get_lag), web.post("/lag/reset", reset_lag)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    monitor = asyncio.create_task(lag.run())
    print("READY", flush=True)
    await asyncio.Event().wait()
    monitor.cancel()


# ---- orchestration --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _janus_folder(port: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bench-janus-"))
    for name in ("janus.plugin.videoroom.jcfg",):
        shutil.copy(Path("/etc/janus") / name, folder / name)
    (folder / "janus.jcfg").write_text(
        'general: {\n configs_folder = "FOLDER"\n plugins_folder = "/usr/lib/x86_64-linux-gnu/janus/plugins"\n'
        ' transports_folder = "/usr/lib/x86_64-linux-gnu/janus/transports"\n'
        ' events_folder = "/usr/lib/x86_64-linux-gnu/janus/events"\n'
        ' loggers_folder = "/usr/lib/x86_64-linux-gnu/janus/loggers"\n debug_level = 2\n}\n'
        'media: {\n rtp_port_range = "30000-39999"\n}\nnat: {\n ice_enforce_list = "lo"\n}\n'
        'plugins: {\n disable = "libjanus_audiobridge.so,libjanus_streaming.so,libjanus_sip.so,libjanus_nosip.so,'
        'libjanus_recordplay.so,libjanus_textroom.so,libjanus_videocall.so,libjanus_voicemail.so,libjanus_echotest.so,'
        'libjanus_duktape.so,libjanus_lua.so"\n}\n'
        'transports: {\n disable = "libjanus_websockets.so,libjanus_pfunix.so,libjanus_mqtt.so,libjanus_nanomsg.so,'
        'libjanus_rabbitmq.so"\n}\nevents: {\n broadcast = false\n}\n'.replace("FOLDER", str(folder))
    )
    (folder / "janus.transport.http.jcfg").write_text(
        'general: {\n json = "plain"\n base_path = "/janus"\n http = true\n port = PORT\n ip = "127.0.0.1"\n'
        ' https = false\n}\nadmin: {\n admin_http = false\n}\n'.replace("PORT", str(port))
    )
    return folder


def _start_server(mode: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    if mode == "janus":
        binary = shutil.which("janus")
        if binary is None:
            raise SystemExit("janus is not installed: apt-get install -y janus")
        folder = _janus_folder(port)
        process = subprocess.Popen([binary, "-F", str(folder), "-C", str(folder / "janus.jcfg")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/janus"
        deadline = time.monotonic() + 20
        import urllib.request

        while True:
            try:
                with urllib.request.urlopen(f"{url}/info", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("janus did not start") from None
                time.sleep(0.2)
        return process, url
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, __file__, "--serve", mode, "--port", str(port)],
                               stdout=subprocess.PIPE, env=env, cwd=REPO)
    assert process.stdout is not None
    if process.stdout.readline().strip() != b"READY":
        raise SystemExit(f"{mode} relay did not start")
    return process, f"http://127.0.0.1:{port}"


def _http(method: str, url: str) -> dict[str, Any]:
    import urllib.request

    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=5) as response:
        return dict(json.loads(response.read() or b"{}"))


def run_one(mode: str, k: int, duration: float) -> dict[str, Any]:
    server, url = _start_server(mode)
    proc = psutil.Process(server.pid)
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                peak[0] = max(peak[0], proc.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    target = "janus" if mode == "janus" else "relay"
    load = subprocess.Popen([*LOAD, "--target", target, "--url", url, "--k", str(k), "--duration", str(duration)],
                            stdout=subprocess.PIPE, env=env, cwd=REPO)
    assert load.stdout is not None
    load_proc = psutil.Process(load.pid)
    cpu0 = cpu1 = load0 = load1 = 0.0
    result: dict[str, Any] = {}
    try:
        for raw in load.stdout:
            line = raw.decode().strip()
            if line == "WINDOW_START":
                times = proc.cpu_times()
                cpu0 = times.user + times.system
                load0 = sum(load_proc.cpu_times()[:2])
                if mode != "janus":
                    _http("POST", f"{url}/lag/reset")
            elif line == "WINDOW_END":
                times = proc.cpu_times()
                cpu1 = times.user + times.system
                load1 = sum(load_proc.cpu_times()[:2])
                if mode != "janus":
                    result["lag_ms"] = _http("GET", f"{url}/lag")["worst_ms"]
            elif line.startswith("{"):
                result.update(json.loads(line))
        load.wait(timeout=60)
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    if "frames_expected" not in result:
        raise SystemExit(f"load generator failed against {mode} at K={k}")
    seconds = result["seconds"]
    streams = k * (k - 1)
    cpu = cpu1 - cpu0
    return {
        "mode": mode, "k": k, "streams": streams, "cores": cpu / seconds,
        # per stream-second actually forwarded: a relay that drops 70 % of frames forwarded 30 %.
        "cpu_per_stream": cpu / (streams * seconds * max(result["frames_received"] / result["frames_expected"], 1e-6)),
        "delivered": result["frames_received"] / result["frames_expected"],
        "lag_ms": result.get("lag_ms"), "peak_mb": peak[0] / 1e6, "load_cores": (load1 - load0) / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", choices=["passthrough", "transcode"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--duration", type=float, default=12.0)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve, args.port))
        return
    rows = []
    for mode, k in RUNS:
        print(f"running {mode} at K={k} for {args.duration:.0f} s ...", file=sys.stderr, flush=True)
        rows.append(run_one(mode, k, args.duration))
    print(f"{'relay':<12}{'K':>3}{'videos':>8}{'cores':>8}{'cpu/stream':>12}{'delivered':>11}"
          f"{'worst lag':>11}{'peak RSS':>10}{'load gen':>10}")
    for r in rows:
        lag = "n/a" if r["lag_ms"] is None else f"{r['lag_ms']:.0f} ms"
        print(f"{r['mode']:<12}{r['k']:>3}{r['streams']:>8}{r['cores']:>8.3f}{r['cpu_per_stream'] * 100:>11.2f}%"
              f"{r['delivered'] * 100:>10.1f}%{lag:>11}{r['peak_mb']:>7.0f} MB{r['load_cores']:>10.2f}")
    print("cpu/stream = relay CPU seconds per forwarded (delivered) video stream-second; load gen = its cores")
    by = {(r["mode"], r["k"]): r for r in rows}
    a4, b4, a12, c12 = by["passthrough", 4], by["transcode", 4], by["passthrough", 12], by["janus", 12]
    transcode_ratio = b4["cpu_per_stream"] / a4["cpu_per_stream"]
    janus_ratio = a12["cpu_per_stream"] / c12["cpu_per_stream"]
    print(f"transcode / passthrough CPU per stream (K=4): {transcode_ratio:.1f}x (target >= 10x)")
    print(f"passthrough / janus CPU per stream (K=12): {janus_ratio:.1f}x (target <= 3x)")
    print("(b) is measured at K=4: aiortc's transcoding relay saturates 2 cores well below K=12")
    results = [
        _result("passthrough_cpu_per_stream", a12["cpu_per_stream"], "core-s per stream-s", None),
        _result("transcode_cpu_per_stream", b4["cpu_per_stream"], "core-s per stream-s (K=4)", None),
        _result("janus_cpu_per_stream", c12["cpu_per_stream"], "core-s per stream-s", None),
        _result("transcode_vs_passthrough_cpu", transcode_ratio, "x", ">=10"),
        _result("passthrough_vs_janus_cpu", janus_ratio, "x", "<=3"),
        _result("relay_cores_12", a12["cores"], "cores", "<1"),
        _result("delivered_12", a12["delivered"], "fraction", ">=0.99"),
    ]
    print(json.dumps({"results": results}))


def _result(name: str, value: float, unit: str, target: str | None) -> dict[str, Any]:
    met: bool | None = None
    if target is not None:
        bound = float(target.lstrip("<>="))
        met = {">=": value >= bound, "<=": value <= bound, "<": value < bound}[target.rstrip("0123456789.")]
    return {"name": name, "value": round(value, 6), "unit": unit, "target": target, "met": met}


if __name__ == "__main__":
    main()
