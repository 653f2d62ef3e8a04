"""A recorder's tap keeps every frame however far behind it falls; a viewer's tap still drops the oldest."""

from __future__ import annotations

from datetime import UTC, datetime

from media.feeds import Tap
from media.frames import EncodedFrame, Kind

ANCHOR = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def frame(n: int, *, keyframe: bool = False) -> EncodedFrame:
    return EncodedFrame(track_id="7/video", participant_id="7", kind=Kind.VIDEO, rtp_timestamp=n * 3000,
                        clock_rate=90_000, wall_clock_anchor=ANCHOR, keyframe=keyframe,
                        data=bytes([0 if keyframe else 1]) + n.to_bytes(4, "big"), muted=False)


def test_a_lossless_tap_keeps_every_frame_past_its_capacity_and_counts_the_overrun() -> None:
    requests: list[str] = []
    tap = Tap(8, request_keyframe=requests.append, lossless=True)
    for n in range(100):
        tap.offer(frame(n, keyframe=n == 0))
    got = []
    while (item := tap.get_nowait()) is not None:
        got.append(item.rtp_timestamp // 3000)
    assert got == list(range(100))
    assert tap.dropped == 0 and tap.overruns == 92 and tap.peak == 100
    assert requests == [], "nothing was lost, so no track needs a keyframe to resume"


def test_the_default_tap_still_drops_the_oldest_and_resumes_on_a_keyframe() -> None:
    requests: list[str] = []
    tap = Tap(8, request_keyframe=requests.append)
    for n in range(20):
        tap.offer(frame(n, keyframe=n == 0))
    assert tap.dropped > 0 and requests == ["7/video"] * len(requests) and requests


def test_a_lossless_tap_still_starts_a_track_on_a_keyframe() -> None:
    tap = Tap(8, lossless=True)
    tap.expect_keyframe("7/video")
    for n in range(1, 5):
        tap.offer(frame(n))
    tap.offer(frame(5, keyframe=True))
    tap.offer(frame(6))
    assert [f.rtp_timestamp // 3000 for f in iter(tap.get_nowait, None)] == [5, 6]
