"""What leaves the relay for other components: the recording tap and the hearing's event feed.

Both are bounded queues filled without awaiting, so a slow recorder or a slow signaling
consumer can never stall forwarding to viewers: when full, the oldest item goes and is counted.
A *lossless* tap (the court recorder's) is the exception: a recording is evidence, so it keeps
every frame and only counts how far past its capacity the recorder fell behind (the recorder
writes a frame in ~10 µs, so the backlog stays small; memory, not the record, takes the strain).
A tap that lost a video frame skips that track's inter frames until its next keyframe and asks
the publisher for one, so the recording resumes cleanly instead of carrying corrupt pictures.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from media.frames import EncodedFrame, Kind

logger = logging.getLogger(__name__)

T = TypeVar("T")

TAP_CAPACITY = 2048  # ≈ 5 s of a 6-party hearing's audio and video frames
EVENT_CAPACITY = 1024


class BoundedFeed(Generic[T]):
    """An async iterator over a bounded queue; ``close()`` ends the iteration after the backlog."""

    def __init__(self, capacity: int, on_close: Callable[[BoundedFeed[T]], None] | None = None) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self.dropped = 0
        self.closed = False
        self._items: deque[T] = deque()
        self._ready = asyncio.Event()
        self._on_close = on_close

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: T) -> bool:
        """Queue ``item``; returns False when an older item had to be dropped for it."""
        if self.closed:
            return True
        evicted = False
        if len(self._items) >= self.capacity:
            self._items.popleft()
            self.dropped += 1
            evicted = True
        self._items.append(item)
        self._ready.set()
        return not evicted

    def get_nowait(self) -> T | None:
        return self._items.popleft() if self._items else None

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._ready.set()
            if self._on_close is not None:
                self._on_close(self)

    def __aiter__(self) -> BoundedFeed[T]:
        return self

    async def __anext__(self) -> T:
        while True:
            if self._items:
                return self._items.popleft()
            if self.closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()


class Tap(BoundedFeed[EncodedFrame]):
    """A recorder's subscription to every track of one hearing."""

    def __init__(
        self,
        capacity: int = TAP_CAPACITY,
        *,
        request_keyframe: Callable[[str], None] | None = None,
        on_close: Callable[[BoundedFeed[EncodedFrame]], None] | None = None,
        lossless: bool = False,
    ) -> None:
        super().__init__(capacity, on_close)
        self._request_keyframe = request_keyframe
        self._waiting: set[str] = set()
        self.lossless = lossless
        """A recorder's tap: never drops; past ``capacity`` it grows, and the overrun is counted."""
        self.overruns = 0
        self.peak = 0

    def expect_keyframe(self, track_id: str) -> None:
        self._waiting.add(track_id)

    def offer(self, frame: EncodedFrame) -> None:
        if frame.track_id in self._waiting and not frame.muted:
            if frame.kind is Kind.VIDEO and not frame.keyframe:
                self.dropped += 1
                return
            self._waiting.discard(frame.track_id)
        if self.lossless:
            self._keep(frame)
            return
        head = self._items[0] if self._items else None
        if not self.put(frame) and head is not None and head.kind is Kind.VIDEO and not head.muted:
            logger.warning("recording tap fell behind; track %s resumes at its next keyframe", head.track_id)
            self._waiting.add(head.track_id)
            if self._request_keyframe is not None:
                self._request_keyframe(head.track_id)

    def _keep(self, frame: EncodedFrame) -> None:
        """Evidence is not dropped: a recorder behind by more than ``capacity`` frames is logged, not cut."""
        if self.closed:
            return
        if len(self._items) >= self.capacity:
            if self.overruns == 0 or len(self._items) >= 2 * self.peak:
                logger.warning("recording tap backlog at %d frames (capacity %d); keeping every frame",
                               len(self._items), self.capacity)
            self.overruns += 1
        self._items.append(frame)
        self.peak = max(self.peak, len(self._items))
        self._ready.set()


@dataclass(frozen=True)
class SlotAssigned:
    """Viewer ``viewer_id`` now shows ``publisher_id`` (None: nobody) in receive slot ``slot``."""

    hearing_id: str
    viewer_id: str
    slot: int
    publisher_id: str | None


@dataclass(frozen=True)
class ParticipantLeft:
    """The relay ended a participant's session: ``reason`` is removed, replaced, failed or closed."""

    hearing_id: str
    participant_id: str
    reason: str


@dataclass(frozen=True)
class ViewerQuality:
    """What viewer ``viewer_id`` now gets of ``publisher_id``'s video in ``slot`` on its downlink.

    ``mode`` is ``full``, ``keyframes`` (a still picture every few seconds) or ``audio_only``;
    ``estimate_bps`` is the viewer's share of its browser's downlink estimate. The page shows it
    (and may suggest turning video off); audio keeps flowing in every mode.
    """

    hearing_id: str
    viewer_id: str
    slot: int
    publisher_id: str
    mode: str
    estimate_bps: int


RelayEvent = SlotAssigned | ParticipantLeft | ViewerQuality
