"""The load generator for bench/relay.py, run in its own process so its CPU is never the relay's.

K participants each publish pre-encoded VP8 640×360 at 30 fps plus Opus and receive every other
participant's media. Frames are received through the relay's passthrough hook (nothing here
decodes), counted per stream inside a measurement window, and the totals are printed as JSON.
It speaks two protocols: our relay's bench endpoint (one peer connection per participant) and
Janus's videoroom JSON API (a publisher and a multistream subscriber handle per participant).
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import json
import os
import sys
import time
import uuid
from typing import Any

import aiohttp
import av
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from media import aiortc_hooks
from media.ice import IceConfig

FPS = 30
GOP = 60


def encode_gop(width: int = 640, height: int = 360, bitrate: int = 600_000) -> list[bytes]:
    """Two seconds of VP8 at a realistic camera bitrate: a drifting ramp with a little noise."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
    codec.framerate, codec.time_base = fractions.Fraction(FPS, 1), fractions.Fraction(1, FPS)
    codec.options = {"deadline": "realtime", "cpu-used": "8"}
    codec.gop_size, codec.bit_rate = GOP, bitrate
    packets: list[bytes] = []
    for i in range(GOP):
        frame = av.VideoFrame(width, height, "yuv420p")
        for n, plane in enumerate(frame.planes):
            if n == 0:
                row = bytes((x + 3 * i) % 256 for x in range(plane.line_size))
                luma = bytearray(row * (plane.buffer_size // plane.line_size))
                noise = os.urandom(plane.buffer_size // 64)
                for j, value in enumerate(noise):
                    luma[j * 64 + (i % 64)] = value
                plane.update(bytes(luma))
            else:
                plane.update(bytes([128]) * plane.buffer_size)
        frame.pts = i
        packets += [bytes(p) for p in codec.encode(frame)]
    packets += [bytes(p) for p in codec.encode(None)]
    return packets


def encode_opus(count: int = 50) -> list[bytes]:
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = 48000, "stereo", "s16"
    out: list[bytes] = []
    for i in range(count):
        frame = av.AudioFrame(format="s16", layout="stereo", samples=960)
        frame.sample_rate, frame.pts = 48000, i * 960
        for plane in frame.planes:
            plane.update(os.urandom(plane.buffer_size))
        out += [bytes(p) for p in codec.encode(frame)]
    return out


class PacedTrack(MediaStreamTrack):
    """Loops pre-encoded packets in real time; a keyframe request restarts the GOP."""

    def __init__(self, kind: str, packets: list[bytes], interval: float, clock_rate: int) -> None:
        super().__init__()
        self.kind = kind
        self.packets, self.interval, self.clock_rate = packets, interval, clock_rate
        self.seq, self.index, self.sent = 0, 0, 0
        self.start: float | None = None

    def restart_gop(self) -> None:
        self.index = 0

    async def recv(self) -> av.Packet:  # type: ignore[override]
        if self.start is None:
            self.start = time.monotonic()
        await asyncio.sleep(max(0.0, self.start + self.seq * self.interval - time.monotonic()))
        packet = av.Packet(self.packets[self.index])
        packet.pts = round(self.seq * self.interval * self.clock_rate)
        packet.time_base = fractions.Fraction(1, self.clock_rate)
        self.seq += 1
        self.sent += 1
        self.index = (self.index + 1) % len(self.packets)
        return packet


class Counter:
    """Video frames received, counted only inside the measurement window."""

    def __init__(self) -> None:
        self.counting = False
        self.frames = 0
        self.streams: set[int] = set()

    def sink(self, stream: int) -> aiortc_hooks.FrameSink:
        def on_frame(data: bytes, ts: int) -> None:
            if self.counting:
                self.frames += 1
                self.streams.add(stream)

        return on_frame


def publisher_pc(video: list[bytes], audio: list[bytes]) -> tuple[RTCPeerConnection, PacedTrack]:
    pc = RTCPeerConnection(IceConfig().rtc_configuration())
    pc.addTransceiver(PacedTrack("audio", audio, 0.02, 48000), direction="sendonly")
    vtrack = PacedTrack("video", video, 1 / FPS, 90000)
    sender = pc.addTransceiver(vtrack, direction="sendonly").sender
    aiortc_hooks.on_keyframe_request(sender, vtrack.restart_gop)
    return pc, vtrack


async def local_offer(pc: RTCPeerConnection) -> str:
    await pc.setLocalDescription(await pc.createOffer())
    enlarge_receive_buffers([pc])
    return str(pc.localDescription.sdp)


async def run_relay(url: str, k: int, video: list[bytes], audio: list[bytes], counter: Counter,
                    pcs: list[RTCPeerConnection]) -> None:
    """Our relay and the transcoding one: one connection per participant, K-1 receive slots."""
    async with aiohttp.ClientSession() as http:
        for i in range(k):
            pc, _ = publisher_pc(video, audio)
            for slot in range(k - 1):
                for kind in ("audio", "video"):
                    receiver = pc.addTransceiver(kind, direction="recvonly").receiver
                    sink = counter.sink(i * 100 + slot) if kind == "video" else (lambda d, t: None)
                    aiortc_hooks.install_passthrough(receiver, sink)
            body = {"participant": f"p{i}", "offer": await local_offer(pc)}
            async with http.post(f"{url}/admit", json=body) as response:
                answer = (await response.json())["answer"]
            await pc.setRemoteDescription(RTCSessionDescription(answer, "answer"))
            pcs.append(pc)


class Janus:
    """The slice of Janus's REST API the bench needs, with one long-poll task per session."""

    def __init__(self, http: aiohttp.ClientSession, url: str) -> None:
        self.http, self.url = http, url
        self.session = 0
        self.events: dict[int, asyncio.Queue[dict[str, Any]]] = {}
        self.poller: asyncio.Task[None] | None = None

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, "transaction": uuid.uuid4().hex}
        async with self.http.post(self.url + path, json=body) as response:
            reply: dict[str, Any] = await response.json(content_type=None)
        if reply.get("janus") == "error":
            raise RuntimeError(f"janus: {reply}")
        return reply

    async def start(self) -> None:
        self.session = (await self.post("", {"janus": "create"}))["data"]["id"]
        self.poller = asyncio.create_task(self._poll())

    async def _poll(self) -> None:
        while True:
            async with self.http.get(f"{self.url}/{self.session}?maxev=20") as response:
                events = await response.json(content_type=None)
            for event in events if isinstance(events, list) else [events]:
                handle = event.get("sender")
                if handle in self.events:
                    self.events[handle].put_nowait(event)

    async def attach(self) -> int:
        handle = int((await self.post(f"/{self.session}", {"janus": "attach", "plugin": "janus.plugin.videoroom"}))
                     ["data"]["id"])
        self.events[handle] = asyncio.Queue()
        return handle

    async def message(self, handle: int, body: dict[str, Any], jsep: dict[str, Any] | None = None) -> dict[str, Any]:
        request: dict[str, Any] = {"janus": "message", "body": body}
        if jsep is not None:
            request["jsep"] = jsep
        reply = await self.post(f"/{self.session}/{handle}", request)
        if reply.get("janus") == "success":
            return reply
        while True:
            event = await asyncio.wait_for(self.events[handle].get(), 20)
            if event.get("janus") == "event":
                return event


async def run_janus(url: str, k: int, video: list[bytes], audio: list[bytes], counter: Counter,
                    pcs: list[RTCPeerConnection], http: aiohttp.ClientSession) -> Janus:
    janus = Janus(http, url)
    await janus.start()
    room = 4242
    admin = await janus.attach()
    await janus.message(admin, {"request": "create", "room": room, "publishers": k + 1, "videocodec": "vp8",
                                "audiocodec": "opus", "bitrate": 0, "fir_freq": 0})
    feeds: list[int] = []
    for i in range(k):
        pc, _ = publisher_pc(video, audio)
        handle = await janus.attach()
        event = await janus.message(handle, {"request": "joinandconfigure", "room": room, "ptype": "publisher",
                                             "display": f"p{i}", "audio": True, "video": True},
                                    {"type": "offer", "sdp": await local_offer(pc)})
        feeds.append(int(event["plugindata"]["data"]["id"]))
        await pc.setRemoteDescription(RTCSessionDescription(event["jsep"]["sdp"], "answer"))
        pcs.append(pc)
    # A feed exists for subscribers only once its publisher's media is up.
    for _ in range(200):
        if all(pc.connectionState == "connected" for pc in pcs):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    for i in range(k):
        handle = await janus.attach()
        streams = [{"feed": feed} for j, feed in enumerate(feeds) if j != i]
        event = await janus.message(handle, {"request": "join", "room": room, "ptype": "subscriber",
                                             "streams": streams})
        if "jsep" not in event:
            raise RuntimeError(f"janus subscriber join returned no offer: {event}")
        pc = RTCPeerConnection(IceConfig().rtc_configuration())
        slots = iter(range(1000))

        def on_track(track: MediaStreamTrack, pc: RTCPeerConnection = pc, i: int = i, slot=slots) -> None:  # type: ignore[no-untyped-def,assignment]
            receiver = next(t.receiver for t in pc.getTransceivers() if t.receiver.track is track)
            sink = counter.sink(i * 100 + next(slot)) if track.kind == "video" else (lambda d, t: None)
            aiortc_hooks.install_passthrough(receiver, sink)

        pc.on("track", on_track)
        await pc.setRemoteDescription(RTCSessionDescription(event["jsep"]["sdp"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        enlarge_receive_buffers([pc])
        await janus.message(handle, {"request": "start"}, {"type": "answer", "sdp": pc.localDescription.sdp})
        pcs.append(pc)
    return janus


def enlarge_receive_buffers(pcs: list[RTCPeerConnection], size: int = 4 * 1024 * 1024) -> None:
    """One Python process receiving 132 streams overflows the default 208 KB UDP buffers in keyframe
    bursts (the kernel counts "receive buffer errors"); the generator, not the relay, would then
    lose the frames. aioice keeps its sockets private, hence the reach-in (bench only)."""
    import socket

    for pc in pcs:
        for transceiver in pc.getTransceivers():
            connection = transceiver.receiver.transport.transport._connection
            for protocol in getattr(connection, "_protocols", []):
                sock = protocol.transport.get_extra_info("socket") if protocol.transport else None
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", choices=["relay", "janus"], required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=12.0)
    args = parser.parse_args()
    video, audio = encode_gop(), encode_opus()
    counter = Counter()
    pcs: list[RTCPeerConnection] = []
    async with aiohttp.ClientSession() as http:
        janus = None
        if args.target == "janus":
            janus = await run_janus(args.url, args.k, video, audio, counter, pcs, http)
        else:
            await run_relay(args.url, args.k, video, audio, counter, pcs)
        await asyncio.sleep(args.warmup)
        print("WINDOW_START", flush=True)
        counter.counting = True
        started = time.monotonic()
        await asyncio.sleep(args.duration)
        counter.counting = False
        elapsed = time.monotonic() - started
        print("WINDOW_END", flush=True)
        expected = args.k * (args.k - 1) * FPS * elapsed
        print(json.dumps({"frames_received": counter.frames, "frames_expected": expected, "seconds": elapsed,
                          "streams_seen": len(counter.streams), "video_bytes": sum(map(len, video)) / len(video)}),
              flush=True)
        if janus is not None and janus.poller is not None:
            janus.poller.cancel()
        await asyncio.gather(*(pc.close() for pc in pcs), return_exceptions=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
