"""In-process aiortc participants for the relay tests: synthetic pre-encoded VP8/Opus publishers.

Each video frame is real VP8 (decodable) followed by a trailer naming its sender and sequence
number, so a viewer can check who sent what, in which order, without decoding anything.
Viewers receive through the same passthrough hook as the relay: nothing in these tests decodes
unless a test does it explicitly with its own codec context.
"""

from __future__ import annotations

import asyncio
import fractions
import struct
import time
from dataclasses import dataclass, field

import av
from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from media import aiortc_hooks
from media.ice import IceConfig
from media.relay import Relay

MAGIC = b"SKF1"
TRAILER = struct.Struct("!4s16sI")
GOP = 30


def _encode_gop(width: int = 160, height: int = 120) -> list[bytes]:
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
    codec.framerate = fractions.Fraction(30, 1)
    codec.time_base = fractions.Fraction(1, 30)
    codec.options = {"deadline": "realtime", "cpu-used": "8"}
    codec.gop_size = GOP
    codec.bit_rate = 200_000
    packets: list[bytes] = []
    for i in range(GOP):
        frame = av.VideoFrame(width, height, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([(i * 8) % 255]) * plane.buffer_size)
        frame.pts = i
        packets += [bytes(p) for p in codec.encode(frame)]
    packets += [bytes(p) for p in codec.encode(None)]
    assert packets[0][0] & 1 == 0 and all(p[0] & 1 for p in packets[1:])
    return packets


def _encode_opus(count: int = 50) -> list[bytes]:
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = 48000, "stereo", "s16"
    out: list[bytes] = []
    for i in range(count):
        frame = av.AudioFrame(format="s16", layout="stereo", samples=960)
        frame.sample_rate = 48000
        frame.pts = i * 960
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        out += [bytes(p) for p in codec.encode(frame)]
    return out


VP8_GOP = _encode_gop()
OPUS_FRAMES = _encode_opus()


def stamp(sender: str, seq: int, vp8: bytes) -> bytes:
    return vp8 + TRAILER.pack(MAGIC, sender.encode().ljust(16, b"\0"), seq)


def read_stamp(data: bytes) -> tuple[str, int] | None:
    if len(data) < TRAILER.size:
        return None
    magic, sender, seq = TRAILER.unpack(data[-TRAILER.size:])
    if magic != MAGIC:
        return None
    return sender.rstrip(b"\0").decode(), seq


class SyntheticVideo(MediaStreamTrack):
    """30 fps VP8 from a pre-encoded GOP; a keyframe request restarts the GOP (like a browser).

    With ``periodic_keyframes=False`` it behaves like Chrome, which sends no periodic VP8
    keyframes: after the first GOP it never returns to a keyframe unless one is requested.
    """

    kind = "video"

    def __init__(self, sender: str, *, periodic_keyframes: bool = True) -> None:
        super().__init__()
        self.sender = sender
        self.periodic_keyframes = periodic_keyframes
        self.seq = 0
        self.gop_index = 0
        self.keyframe_requests = 0
        self._start: float | None = None

    def request_keyframe(self) -> None:
        self.keyframe_requests += 1
        self.gop_index = 0

    async def recv(self) -> av.Packet:  # type: ignore[override]
        if self._start is None:
            self._start = time.monotonic()
        due = self._start + self.seq / 30
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        packet = av.Packet(stamp(self.sender, self.seq, VP8_GOP[self.gop_index]))
        packet.pts = self.seq * 3000
        packet.time_base = fractions.Fraction(1, 90000)
        self.seq += 1
        self.gop_index = (self.gop_index + 1) % len(VP8_GOP)
        if self.gop_index == 0 and not self.periodic_keyframes:
            self.gop_index = 1
        return packet


class SyntheticAudio(MediaStreamTrack):
    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.seq = 0
        self._start: float | None = None

    async def recv(self) -> av.Packet:  # type: ignore[override]
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self.seq * 0.02 - time.monotonic()))
        packet = av.Packet(OPUS_FRAMES[self.seq % len(OPUS_FRAMES)])
        packet.pts = self.seq * 960
        packet.time_base = fractions.Fraction(1, 48000)
        self.seq += 1
        return packet


@dataclass
class Received:
    data: bytes
    rtp_timestamp: int
    at: float

    @property
    def stamp(self) -> tuple[str, int] | None:
        return read_stamp(self.data)

    @property
    def keyframe(self) -> bool:
        return (self.data[0] & 1) == 0


@dataclass
class SlotInbox:
    video: list[Received] = field(default_factory=list)
    audio: list[Received] = field(default_factory=list)
    ended: bool = False


class Peer:
    """A participant: optionally publishes, and receives in ``slots`` recvonly pairs."""

    def __init__(self, name: str, *, publish: bool = True, slots: int = 4, ice: IceConfig | None = None,
                 periodic_keyframes: bool = True):
        self.name = name
        self.ice = ice or IceConfig()
        self.pc = RTCPeerConnection(self.ice.rtc_configuration())
        self.video = SyntheticVideo(name, periodic_keyframes=periodic_keyframes) if publish else None
        self.audio = SyntheticAudio() if publish else None
        self.inboxes = [SlotInbox() for _ in range(slots)]
        if self.audio is not None and self.video is not None:
            self.pc.addTransceiver(self.audio, direction="sendonly")
            video_sender = self.pc.addTransceiver(self.video, direction="sendonly").sender
            aiortc_hooks.on_keyframe_request(video_sender, self.video.request_keyframe)
        for inbox in self.inboxes:
            for kind in ("audio", "video"):
                receiver = self.pc.addTransceiver(kind, direction="recvonly").receiver
                aiortc_hooks.install_passthrough(receiver, self._sink(inbox, kind), self._end(inbox))

    @staticmethod
    def _sink(inbox: SlotInbox, kind: str):  # type: ignore[no-untyped-def]
        target = inbox.video if kind == "video" else inbox.audio

        def sink(data: bytes, ts: int) -> None:
            target.append(Received(data, ts, time.monotonic()))

        return sink

    @staticmethod
    def _end(inbox: SlotInbox):  # type: ignore[no-untyped-def]
        def ended() -> None:
            inbox.ended = True

        return ended

    async def offer(self) -> str:
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def join(self, relay: Relay, hearing: str, *, may_publish: bool = True, privileged: bool = False):  # type: ignore[no-untyped-def]
        admission = await relay.admit(hearing, self.name, may_publish=may_publish, privileged=privileged,
                                      offer_sdp=await self.offer())
        await self.pc.setRemoteDescription(RTCSessionDescription(admission.answer_sdp, "answer"))
        return admission

    def frames_from(self, relay: Relay, hearing: str, sender: str) -> list[Received]:
        for index, shown in relay.layout(hearing, self.name).items():
            if shown == sender:
                return self.inboxes[index].video
        return []

    def audio_from(self, relay: Relay, hearing: str, sender: str) -> list[Received]:
        for index, shown in relay.layout(hearing, self.name).items():
            if shown == sender:
                return self.inboxes[index].audio
        return []

    async def close(self) -> None:
        await self.pc.close()


async def wait_for(predicate, within: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until true; fail the test after ``within`` seconds."""
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within:.1f} s")
        await asyncio.sleep(0.05)
