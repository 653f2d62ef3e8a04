"""Applying the downlink policy to one hearing's sessions, about once a second.

For each publisher's video: the share of every *congested* viewer (its estimate is under
what it is sent) goes through the publisher's :class:`media.downlink.DownlinkPolicy` (viewers
that cope are not limits); mode changes are applied to that viewer's
slot track (thinning, pacing) and reported as :class:`media.feeds.ViewerQuality`; the cap
becomes the REMB the relay sends the publisher. Viewers on keyframes get a fresh keyframe every
``KEYFRAMES_EVERY`` seconds (one PLI, shared with anyone else who needs one).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from media.downlink import AUDIO_ALLOWANCE_BPS, KEYFRAME_MIN_BPS, VideoMode, share_of
from media.feeds import ViewerQuality
from media.frames import Kind
from media.session import ParticipantSession

logger = logging.getLogger(__name__)

ESTIMATE_STALE_S = 5.0  # a viewer whose browser stopped reporting is no longer counted
RISING = 1.02  # an estimate 2 % above two rounds ago is still growing
CONGESTED_ROUNDS = 2
FAR_UNDER = 0.6
KEYFRAMES_EVERY = 3.0


@dataclass(frozen=True)
class Cap:
    """REMB for ``publisher``: ``bitrate_bps`` covers its video and audio."""

    publisher: ParticipantSession
    bitrate_bps: int


def _share(viewer: ParticipantSession, now: float) -> float | None:
    if viewer.downlink_bps is None or now - viewer.downlink_at > ESTIMATE_STALE_S:
        return None
    watched = [slot for slot in viewer.slots if slot.publisher_id is not None]
    audio = sum(slot.audio.meter.bits_per_second(now) for slot in watched)
    return share_of(viewer.downlink_bps, watched_videos=len(watched), audio_bps=audio)


def _track_congestion(viewer: ParticipantSession, now: float) -> None:
    """``viewer.congested`` while its browser's estimate is under what the relay sends it.

    A browser's REMB starts from what it receives and grows while its link copes (~8 %/s, so
    it may lag a publisher that jumps up), and a healthy viewer's REMB may sit 20-30 % under a
    bursty second for a while (seen in bench/bwe.py: capping on that dragged a healthy hearing
    down to 480×270). So a viewer is congested only after two rounds in a row of an estimate
    that is not rising and is under ``FAR_UNDER`` of what it is sent — a link that really does
    not cope (a 300 kbps viewer sent 1.7 Mbps reports ~200 kbps). A viewer a little short of
    the stream is left to its NACKs rather than capping everyone.
    """
    estimate = viewer.downlink_bps
    if estimate is None or now - viewer.downlink_at > ESTIMATE_STALE_S:
        viewer.congested = False
        return
    recent = viewer.recent_estimates
    recent.append(estimate)
    rising = len(recent) == recent.maxlen and estimate > RISING * recent[0]
    sent = sum(slot.track(kind).meter.bits_per_second(now) for slot in viewer.slots for kind in Kind)
    if estimate >= sent or rising:
        viewer.congested_rounds = 0
    elif estimate < FAR_UNDER * sent:
        viewer.congested_rounds += 1
    viewer.congested = viewer.congested_rounds >= CONGESTED_ROUNDS


def balance(hearing_id: str, sessions: list[ParticipantSession], now: float,
            emit: Callable[[ViewerQuality], None],
            request_keyframe: Callable[[ParticipantSession], None]) -> list[Cap]:
    """Update every publisher's policy; returns the REMB caps to send (publishers with transport-cc)."""
    caps: list[Cap] = []
    by_id = {s.participant_id: s for s in sessions}
    for viewer in sessions:
        _track_congestion(viewer, now)
    for publisher in sessions:
        if Kind.VIDEO not in publisher.published:
            continue
        watching = {v.participant_id: v for v in by_id.values()
                    if v is not publisher and v.slot_showing(publisher.participant_id) is not None}
        shares = {pid: _share(viewer, now) if viewer.congested else None for pid, viewer in watching.items()}
        rate = publisher.published[Kind.VIDEO].meter.bits_per_second(now)
        decision = publisher.policy.update(now, rate, shares)
        thinned = False
        for pid, viewer in watching.items():
            slot = viewer.slot_showing(publisher.participant_id)
            assert slot is not None
            mode = decision.modes.get(pid, VideoMode.FULL) if viewer.receives_video else VideoMode.AUDIO_ONLY
            share = shares.get(pid)
            slot.video.queue.set_mode(mode)
            if mode is not VideoMode.KEYFRAMES:
                slot.video.pace_bps = None
            elif share:
                slot.video.pace_bps = max(share, KEYFRAME_MIN_BPS)
            thinned = thinned or mode is VideoMode.KEYFRAMES
            if pid in decision.changed and viewer.receives_video:
                logger.info("viewer %s gets %s of %s (share %s bps)", pid, mode.value,
                            publisher.participant_id, share)
                emit(ViewerQuality(hearing_id, pid, slot.slot.index, publisher.participant_id, mode.value,
                                   int(share or 0)))
                if mode is VideoMode.FULL:
                    request_keyframe(publisher)
        if thinned and now - publisher.thinned_keyframe_at >= KEYFRAMES_EVERY:
            publisher.thinned_keyframe_at = now
            request_keyframe(publisher)
        if publisher.uplink is not None and (decision.cap_bps is not None or publisher.uplink.last_remb_bps):
            cap = decision.cap_bps + AUDIO_ALLOWANCE_BPS if decision.cap_bps is not None else UNCAPPED_BPS
            caps.append(Cap(publisher, cap))
    return caps


UNCAPPED_BPS = 50_000_000  # lifts an earlier cap: the publisher's own estimate decides again
