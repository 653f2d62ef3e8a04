"""Per-participant relay statistics for the clerk's monitor and for metrics.

Counters are plain integers bumped on the forwarding path (no locks, no awaits); bitrates are
computed over a sliding window of one-second buckets so that any number of readers get the same
figure, unlike a "since the last call" rate.
"""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

RATE_WINDOW_SECONDS = 5


class RateMeter:
    """Bytes per second over the last ``window`` whole seconds; time is passed in (pure)."""

    def __init__(self, window: int = RATE_WINDOW_SECONDS) -> None:
        if window < 1:
            raise ValueError("window must be at least one second")
        self.window = window
        self.total = 0
        self._buckets: deque[tuple[int, int]] = deque()
        self._started: float | None = None

    def add(self, nbytes: int, now: float) -> None:
        self.total += nbytes
        if self._started is None:
            self._started = now
        second = int(now)
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1] = (second, self._buckets[-1][1] + nbytes)
        else:
            self._buckets.append((second, nbytes))
            while len(self._buckets) > self.window + 1:
                self._buckets.popleft()

    def bits_per_second(self, now: float) -> float:
        if self._started is None:
            return 0.0
        current = int(now)
        oldest = current - self.window
        counted = sum(n for second, n in self._buckets if oldest <= second < current)
        span = min(self.window, max(current - int(self._started), 0))
        if span == 0:
            elapsed = max(now - self._started, 1e-3)
            return self.total * 8 / elapsed
        return counted * 8 / span


@dataclass(frozen=True)
class ParticipantStats:
    """One participant's figures at one instant; ``packet_loss`` is a fraction of packets sent to us."""

    participant_id: str
    publishing: bool
    privileged: bool
    audio_muted: bool
    video_muted: bool
    connection_state: str
    bitrate_in_bps: float
    bitrate_out_bps: float
    packets_received: int
    packets_lost: int
    packet_loss: float
    frames_in: int
    frames_forwarded: int
    frames_dropped: int
    video_frames_in: int
    video_frames_forwarded: int
    video_frames_dropped: int
    plis_sent: int
    keyframe_requests_received: int
    transport_cc_feedback: int = 0  # feedback packets sent to it as publisher
    publisher_cap_bps: float = 0.0  # the last REMB the relay sent it (0: never capped)
    downlink_estimate_bps: float = 0.0  # its browser's estimate of its downlink (REMB)
    video_frames_thinned: int = 0  # frames its downlink mode left out (keyframes only / audio only)
    thinned_slots: int = 0  # slots it gets less than every frame in

    def __post_init__(self) -> None:
        if not 0.0 <= self.packet_loss <= 1.0:
            raise ValueError("packet_loss is a fraction")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
