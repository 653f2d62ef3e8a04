"""Per-viewer downlink policy (pure): what each viewer gets of a publisher's video, and the cap.

Every viewer's browser estimates its own downlink from the relay's abs-send-time stamps and
reports it by REMB (Chromium's receive-side estimator). A viewer's *share* for one publisher is
that estimate less its audio, split evenly over the videos it watches. A browser's estimate
sits at or above what it receives while its link copes and falls below it when the link does
not, so a share under the publisher's rate marks a congested viewer. Then, per publisher:

- viewers that keep up, or whose share is at least ``floor_bps``, get every frame (``FULL``);
  the publisher is asked (REMB) to send no more than the smallest share of a congested one among
  them, so none is flooded — and is not capped at all while nobody is congested, so the
  viewers' slowly growing estimates never slow the publisher's own ramp;
- a viewer whose share stays under both the floor and the publisher's rate for ``settle``
  seconds does not drag the others down: it gets only keyframes, paced at its share
  (``KEYFRAMES``), or — if its share is below ``keyframe_min_bps`` when it is reduced — no
  video at all (``AUDIO_ONLY``; it moves up to keyframes when its share allows, never down).
  Audio is never touched.
- A reduced viewer cannot show that its link recovered (a browser's estimate grows only with
  what it receives), so after ``retry`` seconds it is tried at full rate again; each failed try
  doubles the wait, up to ``max_retry``.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

FLOOR_BPS = 650_000  # 640×360 at 30 fps needs ~600 kbps of a hard scene
KEYFRAME_MIN_BPS = 120_000  # below this even a paced keyframe every few seconds does not fit
AUDIO_ALLOWANCE_BPS = 48_000  # Opus at full quality with RTP/SRTP overhead (added to a publisher's cap)
CONGESTED = 0.9  # a share under 90 % of what the publisher sends: that viewer's link does not cope
SETTLE_S = 2.0
RETRY_S = 8.0
MAX_RETRY_S = 64.0


class VideoMode(enum.Enum):
    FULL = "full"
    KEYFRAMES = "keyframes"
    AUDIO_ONLY = "audio_only"


def share_of(estimate_bps: float, watched_videos: int, audio_bps: float) -> float:
    """One publisher's part of a viewer's downlink estimate (its audio first, the rest split evenly)."""
    if watched_videos <= 0:
        return estimate_bps
    return max(0.0, estimate_bps - audio_bps) / watched_videos


@dataclass
class _Viewer:
    mode: VideoMode = VideoMode.FULL
    below_since: float | None = None
    reduced_since: float = 0.0
    retry: float = RETRY_S


@dataclass(frozen=True)
class Decision:
    cap_bps: int | None  # REMB for the publisher (None: no viewer limits it)
    modes: Mapping[str, VideoMode]
    changed: Mapping[str, VideoMode]


@dataclass
class DownlinkPolicy:
    """The policy for one publisher's video; ``update`` is called about once a second."""

    floor_bps: float = FLOOR_BPS
    keyframe_min_bps: float = KEYFRAME_MIN_BPS
    settle: float = SETTLE_S
    retry: float = RETRY_S
    max_retry: float = MAX_RETRY_S
    _viewers: dict[str, _Viewer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0 < self.keyframe_min_bps <= self.floor_bps:
            raise ValueError("need 0 < keyframe_min_bps <= floor_bps")
        if self.settle < 0 or self.retry <= 0 or self.max_retry < self.retry:
            raise ValueError("need settle >= 0 and 0 < retry <= max_retry")

    def mode(self, viewer: str) -> VideoMode:
        state = self._viewers.get(viewer)
        return state.mode if state else VideoMode.FULL

    def update(self, now: float, publisher_bps: float, shares: Mapping[str, float | None]) -> Decision:
        """``publisher_bps``: what the publisher's video sends now; ``shares``: each current viewer's
        share in bps (None while it has sent no estimate)."""
        for gone in set(self._viewers) - set(shares):
            del self._viewers[gone]
        demand = min(self.floor_bps, publisher_bps) * CONGESTED
        changed: dict[str, VideoMode] = {}
        for viewer, share in shares.items():
            state = self._viewers.setdefault(viewer, _Viewer(retry=self.retry))
            before = state.mode
            self._step(state, now, share, demand)
            if state.mode is not before:
                changed[viewer] = state.mode
        congested = [s for v, s in shares.items() if s is not None and self._viewers[v].mode is VideoMode.FULL
                     and self.floor_bps <= s < publisher_bps * CONGESTED]
        cap = int(min(congested)) if congested else None
        return Decision(cap, {v: s.mode for v, s in self._viewers.items()}, changed)

    def _step(self, state: _Viewer, now: float, share: float | None, demand: float) -> None:
        if share is None:
            return
        reduced = VideoMode.KEYFRAMES if share >= self.keyframe_min_bps else VideoMode.AUDIO_ONLY
        if state.mode is VideoMode.FULL:
            if share >= demand:
                state.below_since = None
                if share >= demand * 1.5:
                    state.retry = self.retry  # held full rate comfortably: forget past failures
                return
            if state.below_since is None:
                state.below_since = now
            if now - state.below_since >= self.settle:
                state.mode, state.reduced_since, state.below_since = reduced, now, None
            return
        if now - state.reduced_since >= state.retry:
            state.mode = VideoMode.FULL  # try the link again
            state.below_since = now
            state.retry = min(state.retry * 2, self.max_retry)
            return
        if reduced is VideoMode.KEYFRAMES:
            # Never back down to audio only while reduced: a flooded browser's estimate collapses
            # for a while, and with no video coming it could never show that it recovered.
            state.mode = VideoMode.KEYFRAMES
