"""The Python relay processes bench/relay.py measures: our passthrough relay or aiortc's stock way.

Each serves ``POST /admit`` (offer in, answer out) for the load generator, ``/lag`` (worst
event-loop lag in the window) and ``/counters`` (the relay's own video counters, so that frames
the relay lost are told apart from frames the generator lost). Run by bench/relay.py as
``parts/relay_servers.py MODE --port N`` (a part, not a bench: ``make bench`` runs only
``bench/*.py``); it prints READY once it listens. Mode ``recorded`` is the
passthrough relay with the court recorder on a lossless tap (bench/compose.py): ``/counters`` then
also reports the recorder's CPU (thread time spent writing frames) and the frames it received.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any


class _LagMonitor:
    def __init__(self) -> None:
        self.worst = 0.0

    async def run(self) -> None:
        while True:
            started = time.monotonic()
            await asyncio.sleep(0.02)
            self.worst = max(self.worst, time.monotonic() - started - 0.02)


class _Recorder:
    """The court recorder on the bench hearing, timing its own CPU per frame written."""

    def __init__(self, relay: Any) -> None:
        import tempfile
        from pathlib import Path

        from core.clock import SystemClock
        from recordings.capture import HearingRecorder

        self.directory = Path(tempfile.mkdtemp(prefix="bench-recording-"))
        self.recorder = HearingRecorder(self.directory / "rec", SystemClock())
        self.tap = relay.subscribe_tap("bench", 4096, lossless=True)
        self.cpu_s = 0.0
        self.task = asyncio.ensure_future(self.run())

    async def run(self) -> None:
        count = 0
        async for frame in self.tap:
            started = time.thread_time()
            self.recorder.on_frame(frame)
            self.cpu_s += time.thread_time() - started
            count += 1
            if count % 256 == 0:
                await asyncio.sleep(0)

    def counters(self) -> dict[str, Any]:
        c = self.recorder.counters
        return {"recorder_cpu_s": self.cpu_s, "recorder_received": c.received, "recorder_written": c.written,
                "recorder_waited": c.waited_for_keyframe, "tap_dropped": self.tap.dropped,
                "tap_backlog": len(self.tap), "tap_peak": self.tap.peak}


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

    from media.errors import UnknownHearing
    from media.relay import Relay

    lag = _LagMonitor()
    relay = Relay() if mode in ("passthrough", "recorded") else None
    transcoder = _TranscodingRelay() if mode == "transcode" else None
    recorder = _Recorder(relay) if mode == "recorded" else None

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

    async def get_counters(request: web.Request) -> web.Response:
        """The relay's own video counters, so its losses are told apart from the generator's."""
        if relay is None:
            return web.json_response({})
        try:
            stats = list((await relay.stats("bench")).values())
        except UnknownHearing:
            stats = []
        return web.json_response({
            "in": sum(s.video_frames_in for s in stats),
            "forwarded": sum(s.video_frames_forwarded for s in stats),
            "dropped": sum(s.video_frames_dropped for s in stats),
            "packets_received": sum(s.packets_received for s in stats),
            "packets_lost": sum(s.packets_lost for s in stats),
            "plis": sum(s.plis_sent for s in stats),
            "all_forwarded": sum(s.frames_forwarded for s in stats),
            "all_in": sum(s.frames_in for s in stats),
            **(recorder.counters() if recorder is not None else {}),
        })

    async def reset_lag(request: web.Request) -> web.Response:
        lag.worst = 0.0
        return web.json_response({})

    app = web.Application()
    app.add_routes([web.post("/admit", admit), web.get("/lag", get_lag), web.post("/lag/reset", reset_lag),
                    web.get("/counters", get_counters)])
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    monitor = asyncio.create_task(lag.run())
    print("READY", flush=True)
    await asyncio.Event().wait()
    monitor.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["passthrough", "transcode", "recorded"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.mode, args.port))


if __name__ == "__main__":
    main()
