"""Bounded per-viewer forwarding: the policy (pure) and the aiortc track that applies it.

Every viewer has its own small queue per forwarded track. The publisher's frame is pushed into
each queue without waiting, so a viewer that cannot keep up (a stalled sender task, a starved
loop) only ever loses its own frames: the queue never grows past ``capacity`` and never holds
back the other viewers. A video queue that overflows drops everything it holds and then waits for
the next keyframe (inter frames after a gap are undecodable), asking the publisher for one.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import av
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from media.downlink import VideoMode
from media.frames import Kind, RelayedFrame
from media.stats import RateMeter

logger = logging.getLogger(__name__)

VIDEO_QUEUE_FRAMES = 8  # ≈ 270 ms at 30 fps: a viewer further behind than that is not live any more
AUDIO_QUEUE_FRAMES = 16  # ≈ 320 ms of 20 ms Opus frames
_FRAME_STEP = {Kind.VIDEO: 3000, Kind.AUDIO: 960}  # one frame at 30 fps / 20 ms, in clock units


class PushOutcome(enum.Enum):
    QUEUED = "queued"
    WAITING_FOR_KEYFRAME = "waiting_for_keyframe"  # dropped: the viewer cannot decode it yet
    OVERFLOW = "overflow"  # the viewer fell behind: queue flushed, a keyframe is needed
    THINNED = "thinned"  # dropped by the viewer's downlink mode (keyframes only, or audio only)


class FrameQueue:
    """The drop policy of one viewer's track, free of I/O so tests can drive it frame by frame."""

    def __init__(self, kind: Kind, capacity: int | None = None) -> None:
        self.kind = kind
        self.capacity = capacity or (VIDEO_QUEUE_FRAMES if kind is Kind.VIDEO else AUDIO_QUEUE_FRAMES)
        if self.capacity < 1:
            raise ValueError("a frame queue holds at least one frame")
        self._frames: deque[RelayedFrame] = deque()
        self.need_keyframe = kind is Kind.VIDEO
        self.dropped = 0
        self.forwarded = 0
        self.thinned = 0
        self.mode = VideoMode.FULL

    def set_mode(self, mode: VideoMode) -> None:
        """Apply a viewer's downlink mode; back to full rate, video restarts on a keyframe."""
        if self.kind is not Kind.VIDEO or mode is self.mode:
            return
        self.mode = mode
        if mode is VideoMode.FULL:
            self.restart()
        elif mode is VideoMode.AUDIO_ONLY:
            self.thinned += len(self._frames)
            self._frames.clear()

    def __len__(self) -> int:
        return len(self._frames)

    def push(self, frame: RelayedFrame) -> PushOutcome:
        if self.mode is not VideoMode.FULL and (self.mode is VideoMode.AUDIO_ONLY or not frame.keyframe):
            self.thinned += 1
            return PushOutcome.THINNED
        if self.need_keyframe:
            if not frame.keyframe:
                self.dropped += 1
                return PushOutcome.WAITING_FOR_KEYFRAME
            self.need_keyframe = False
        if len(self._frames) >= self.capacity:
            if self.kind is Kind.AUDIO:
                self._frames.popleft()
                self.dropped += 1
            else:
                self.dropped += len(self._frames)
                self._frames.clear()
                if not frame.keyframe:
                    self.dropped += 1
                    self.need_keyframe = True
                    return PushOutcome.OVERFLOW
        self._frames.append(frame)
        return PushOutcome.QUEUED

    def pop(self) -> RelayedFrame | None:
        if not self._frames:
            return None
        self.forwarded += 1
        return self._frames.popleft()

    def restart(self) -> None:
        """A new source (or a resumed one) starts here: drop the old frames, start on a keyframe."""
        self.dropped += len(self._frames)
        self._frames.clear()
        self.need_keyframe = self.kind is Kind.VIDEO


@dataclass
class _Rebase:
    """Keeps the RTP timestamps a viewer sees monotonic when its slot changes source."""

    offset: int = 0
    last_out: int | None = None
    pending: bool = False

    def apply(self, kind: Kind, ts: int) -> int:
        if self.pending:
            self.pending = False
            self.offset = 0 if self.last_out is None else self.last_out + _FRAME_STEP[kind] - ts
        out = ts + self.offset
        self.last_out = out
        return out


class ForwardTrack(MediaStreamTrack):
    """One viewer's track in one slot: the relay's sender loop takes encoded frames from it.

    ``next_frame`` waits on an event rather than polling, so an empty slot costs nothing; the
    sender (aiortc_hooks.install_frame_sender) packetizes the shared frame bytes directly.
    ``recv`` still yields ``av.Packet`` s for aiortc's own loop. ``on_keyframe_needed`` is the
    source's PLI path.
    """

    def __init__(self, kind: Kind, capacity: int | None = None) -> None:
        super().__init__()
        self.kind = kind.value
        self.media_kind = kind
        self.queue = FrameQueue(kind, capacity)
        self.meter = RateMeter()
        self.on_keyframe_needed: Callable[[], None] | None = None
        self.pace_bps: float | None = None  # set while the viewer's link takes less than the stream
        self._ready = asyncio.Event()
        self._rebase = _Rebase()

    def push(self, frame: RelayedFrame) -> PushOutcome:
        outcome = self.queue.push(frame)
        if outcome is PushOutcome.QUEUED:
            self._ready.set()
        elif outcome is PushOutcome.OVERFLOW:
            logger.debug("viewer track %s fell behind; waiting for a keyframe", self.id)
            self.request_keyframe()
        return outcome

    def pace(self) -> float | None:
        return self.pace_bps

    def request_keyframe(self) -> None:
        if self.on_keyframe_needed is not None:
            self.on_keyframe_needed()

    def switch_source(self, on_keyframe_needed: Callable[[], None] | None) -> None:
        """Point the track at another publisher (or none): old frames go, timestamps stay monotonic."""
        self.queue.restart()
        self.queue.mode = VideoMode.FULL  # the new source's downlink policy decides afresh
        self.pace_bps = None
        self.on_keyframe_needed = on_keyframe_needed
        self._rebase.pending = True

    async def next_frame(self) -> tuple[bytes, int]:
        """The next frame for this viewer and its RTP timestamp; what the relay's sender loop sends."""
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            frame = self.queue.pop()
            if frame is not None:
                self.meter.add(len(frame.data), time.monotonic())
                return frame.data, self._rebase.apply(self.media_kind, frame.rtp_timestamp)
            self._ready.clear()
            await self._ready.wait()

    async def recv(self) -> av.Packet:  # type: ignore[override]
        """The same frame as an ``av.Packet``, for aiortc's own sender loop (packet mode)."""
        data, ts = await self.next_frame()
        packet = av.Packet(data)
        packet.pts = packet.dts = ts
        packet.time_base = self.media_kind.time_base
        return packet

    def stop(self) -> None:
        super().stop()
        self._ready.set()


class KeyframeThrottle:
    """Rate-limits PLIs to one publisher: at most one per ``min_interval``, never losing a request.

    A request inside the interval is coalesced into one deferred PLI at the interval's end, so
    a burst of joining viewers costs the publisher one keyframe, and none of them is starved.
    """

    def __init__(self, min_interval: float) -> None:
        if min_interval < 0:
            raise ValueError("min_interval must be non-negative")
        self.min_interval = min_interval
        self._last_sent: float | None = None
        self._deferred = False

    def request(self, now: float) -> float | None:
        """Seconds to wait before sending (0 = now), or None when a PLI is already scheduled."""
        if self._deferred:
            return None
        if self._last_sent is None or now - self._last_sent >= self.min_interval:
            return 0.0
        self._deferred = True
        return self._last_sent + self.min_interval - now

    def sent(self, now: float) -> None:
        self._last_sent = now
        self._deferred = False
