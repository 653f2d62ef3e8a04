"""The load generator for bench/relay.py, run in its own processes so its CPU is never the relay's
(a part the bench starts, not a bench: ``make bench`` runs only ``bench/*.py``).

K participants each publish pre-encoded VP8 640×360 at 30 fps plus Opus and receive every other
participant's media. One process runs participants [first, first+count); bench/relay.py starts
several (one Python process cannot receive 132 streams on its share of a 2-core machine) and drives
them over stdin/stdout: ``READY`` → ``START`` (counting on) → ``STOP`` → one JSON line of totals.
Nothing here decodes. ``--receive count`` (the default) counts complete frames per stream from RTP
headers (aiortc_hooks.count_frames); ``--receive jitter`` takes aiortc's full receive path (jitter
buffer, depacketization, NACKs) up to the relay's passthrough hook, as the first version did.
It speaks two protocols: our relay's bench endpoint (one peer connection per participant) and
Janus's videoroom JSON API (a publisher and a multistream subscriber handle per participant; the
processes exchange their publishers' feed ids through bench/relay.py: ``FEEDS [...]``).
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
from collections.abc import Callable
from typing import Any

import aiohttp
import av
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from media import aiortc_hooks
from media.ice import IceConfig

FPS = 30
GOP = 60
ROOM = 4242
RECEIVE_BUFFER = 4 * 1024 * 1024  # 132 streams into one process overflow 208 KB buffers in keyframe bursts


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
    """Video frames received per stream, counted only inside the measurement window."""

    def __init__(self, receive: str) -> None:
        self.receive = receive
        self.counting = False
        self.frames = 0
        self.streams: set[int] = set()
        self.published: list[PacedTrack] = []  # this process's cameras, to count frames actually sent

    def sent(self) -> int:
        return sum(track.sent for track in self.published)

    def attach(self, receiver: RTCRtpReceiver, kind: str, stream: int) -> None:
        if self.receive == "count":
            aiortc_hooks.count_frames(receiver, kind, self._counter(stream) if kind == "video" else _ignore)
        else:
            sink = self._counter(stream) if kind == "video" else _ignore
            aiortc_hooks.install_passthrough(receiver, lambda data, ts: sink(0))

    def _counter(self, stream: int) -> Callable[[int], None]:
        def on_frame(_ssrc: int) -> None:
            if self.counting:
                self.frames += 1
                self.streams.add(stream)

        return on_frame


def _ignore(_ssrc: int) -> None:
    return None


def publisher_pc(video: list[bytes], audio: list[bytes]) -> tuple[RTCPeerConnection, PacedTrack]:
    pc = RTCPeerConnection(IceConfig().rtc_configuration())
    pc.addTransceiver(PacedTrack("audio", audio, 0.02, 48000), direction="sendonly")
    vtrack = PacedTrack("video", video, 1 / FPS, 90000)
    sender = pc.addTransceiver(vtrack, direction="sendonly").sender
    aiortc_hooks.on_keyframe_request(sender, vtrack.restart_gop)
    return pc, vtrack


async def local_offer(pc: RTCPeerConnection) -> str:
    await pc.setLocalDescription(await pc.createOffer())
    aiortc_hooks.enlarge_receive_buffers(pc, RECEIVE_BUFFER)
    return str(pc.localDescription.sdp)


async def run_relay(url: str, k: int, mine: range, video: list[bytes], audio: list[bytes], counter: Counter,
                    pcs: list[RTCPeerConnection], http: aiohttp.ClientSession) -> None:
    """Our relay and the transcoding one: one connection per participant, K-1 receive slots."""
    for i in mine:
        pc, camera = publisher_pc(video, audio)
        counter.published.append(camera)
        for slot in range(k - 1):
            for kind in ("audio", "video"):
                counter.attach(pc.addTransceiver(kind, direction="recvonly").receiver, kind, i * 100 + slot)
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


async def janus_publish(janus: Janus, k: int, mine: range, video: list[bytes], audio: list[bytes],
                        counter: Counter, pcs: list[RTCPeerConnection]) -> list[int]:
    """Publish this process's participants; every process may create the room, the first one wins."""
    admin = await janus.attach()
    await janus.message(admin, {"request": "create", "room": ROOM, "publishers": k + 1, "videocodec": "vp8",
                                "audiocodec": "opus", "bitrate": 0, "fir_freq": 0})
    feeds: list[int] = []
    for i in mine:
        pc, camera = publisher_pc(video, audio)
        counter.published.append(camera)
        handle = await janus.attach()
        event = await janus.message(handle, {"request": "joinandconfigure", "room": ROOM, "ptype": "publisher",
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
    return feeds


async def janus_subscribe(janus: Janus, mine: range, feeds: dict[int, int], counter: Counter,
                          pcs: list[RTCPeerConnection]) -> None:
    """Each participant subscribes to every other participant's feed in one multistream handle."""
    for i in mine:
        handle = await janus.attach()
        streams = [{"feed": feed} for j, feed in sorted(feeds.items()) if j != i]
        event = await janus.message(handle, {"request": "join", "room": ROOM, "ptype": "subscriber",
                                             "streams": streams})
        if "jsep" not in event:
            raise RuntimeError(f"janus subscriber join returned no offer: {event}")
        pc = RTCPeerConnection(IceConfig().rtc_configuration())
        slots = iter(range(1000))

        def on_track(track: MediaStreamTrack, pc: RTCPeerConnection = pc, i: int = i, slot=slots) -> None:  # type: ignore[no-untyped-def,assignment]
            receiver = next(t.receiver for t in pc.getTransceivers() if t.receiver.track is track)
            counter.attach(receiver, track.kind, i * 100 + next(slot))

        pc.on("track", on_track)
        await pc.setRemoteDescription(RTCSessionDescription(event["jsep"]["sdp"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        aiortc_hooks.enlarge_receive_buffers(pc, RECEIVE_BUFFER)
        await janus.message(handle, {"request": "start"}, {"type": "answer", "sdp": pc.localDescription.sdp})
        pcs.append(pc)


async def _command() -> str:
    return (await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)).strip()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", choices=["relay", "janus"], required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--k", type=int, required=True)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int)
    parser.add_argument("--receive", choices=["count", "jitter"], default="count")
    parser.add_argument("--warmup", type=float, default=3.0)
    args = parser.parse_args()
    mine = range(args.first, args.first + (args.k if args.count is None else args.count))
    video, audio = encode_gop(), encode_opus()
    counter = Counter(args.receive)
    pcs: list[RTCPeerConnection] = []
    async with aiohttp.ClientSession() as http:
        janus = None
        if args.target == "janus":
            janus = Janus(http, args.url)
            await janus.start()
            feeds = await janus_publish(janus, args.k, mine, video, audio, counter, pcs)
            print("FEEDS " + json.dumps(dict(zip(mine, feeds, strict=True))), flush=True)
            everyone = {int(i): feed for i, feed in json.loads((await _command()).removeprefix("FEEDS ")).items()}
            await asyncio.sleep(1.0)  # every feed's media is up before anyone subscribes to it
            await janus_subscribe(janus, mine, everyone, counter, pcs)
        else:
            await run_relay(args.url, args.k, mine, video, audio, counter, pcs, http)
        await asyncio.sleep(args.warmup)
        print("READY", flush=True)
        if await _command() != "START":
            raise SystemExit("expected START")
        counter.counting = True
        started, sent = time.monotonic(), counter.sent()
        if await _command() != "STOP":
            raise SystemExit("expected STOP")
        counter.counting = False
        elapsed, sent = time.monotonic() - started, counter.sent() - sent
        expected = len(mine) * (args.k - 1) * FPS * elapsed
        print(json.dumps({"frames_received": counter.frames, "frames_expected": expected, "seconds": elapsed,
                          "frames_sent": sent, "sent_expected": len(mine) * FPS * elapsed,
                          "streams_seen": len(counter.streams), "video_bytes": sum(map(len, video)) / len(video)}),
              flush=True)
        if janus is not None and janus.poller is not None:
            janus.poller.cancel()
        await asyncio.gather(*(pc.close() for pc in pcs), return_exceptions=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
