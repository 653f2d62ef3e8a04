"""The forwarding policy, frame by frame: bounded queues, keyframe waits, PLI throttling, rates."""

from __future__ import annotations

import pytest

from media.controls import ForwardingRule
from media.downlink import VideoMode
from media.forwarding import FrameQueue, KeyframeThrottle, PushOutcome
from media.frames import Kind, RelayedFrame
from media.stats import RateMeter

KEY = bytes([0x50, 0x07, 0x00]) + b"k" * 100
DELTA = bytes([0x91, 0x04, 0x00]) + b"d" * 50


def video(key: bool, ts: int = 0) -> RelayedFrame:
    return RelayedFrame.build(Kind.VIDEO, KEY if key else DELTA, ts)


def audio(ts: int = 0) -> RelayedFrame:
    return RelayedFrame.build(Kind.AUDIO, b"opus", ts)


def test_keyframe_is_read_from_the_vp8_frame_tag() -> None:
    assert video(True).keyframe and not video(False).keyframe
    assert audio().keyframe


def test_a_new_video_viewer_starts_on_a_keyframe() -> None:
    queue = FrameQueue(Kind.VIDEO)
    assert queue.push(video(False)) is PushOutcome.WAITING_FOR_KEYFRAME
    assert queue.push(video(True)) is PushOutcome.QUEUED
    assert queue.push(video(False)) is PushOutcome.QUEUED
    assert [f.keyframe for f in (queue.pop(), queue.pop())] == [True, False]
    assert queue.dropped == 1 and queue.forwarded == 2


def test_a_viewer_that_stops_reading_never_holds_more_than_its_capacity() -> None:
    queue = FrameQueue(Kind.VIDEO, capacity=8)
    outcomes = [queue.push(video(i % 30 == 0, i * 3000)) for i in range(10_000)]
    assert len(queue) <= 8
    assert PushOutcome.OVERFLOW in outcomes
    assert queue.dropped + len(queue) == 10_000


def test_an_overflowing_video_queue_flushes_and_waits_for_the_next_keyframe() -> None:
    queue = FrameQueue(Kind.VIDEO, capacity=3)
    queue.push(video(True))
    queue.push(video(False))
    queue.push(video(False))
    assert queue.push(video(False)) is PushOutcome.OVERFLOW
    assert len(queue) == 0 and queue.need_keyframe
    assert queue.push(video(False)) is PushOutcome.WAITING_FOR_KEYFRAME
    assert queue.push(video(True)) is PushOutcome.QUEUED
    assert queue.pop() is not None and queue.pop() is None


def test_an_overflowing_audio_queue_drops_its_oldest_frame() -> None:
    queue = FrameQueue(Kind.AUDIO, capacity=2)
    for ts in (1, 2, 3):
        assert queue.push(audio(ts)) is PushOutcome.QUEUED
    assert [queue.pop().rtp_timestamp, queue.pop().rtp_timestamp] == [2, 3]  # type: ignore[union-attr]
    assert queue.dropped == 1


def test_the_throttle_sends_one_pli_per_interval_and_defers_one_for_a_burst() -> None:
    throttle = KeyframeThrottle(0.5)
    assert throttle.request(10.0) == 0.0
    throttle.sent(10.0)
    assert throttle.request(10.1) == pytest.approx(0.4)
    assert throttle.request(10.2) is None  # coalesced into the deferred one
    throttle.sent(10.5)
    assert throttle.request(11.1) == 0.0


def test_pause_forwards_only_judge_and_clerk_and_mute_is_per_kind() -> None:
    party = ForwardingRule(muted=frozenset(), paused=True, privileged=False)
    judge = ForwardingRule(muted=frozenset(), paused=True, privileged=True)
    muted_judge = ForwardingRule(muted=frozenset({Kind.AUDIO}), paused=False, privileged=True)
    assert not party.forwards(Kind.VIDEO) and judge.forwards(Kind.VIDEO)
    assert not muted_judge.forwards(Kind.AUDIO) and muted_judge.forwards(Kind.VIDEO)


def test_rate_meter_reports_bits_per_second_over_its_window() -> None:
    meter = RateMeter(window=2)
    for tenth in range(40):
        meter.add(1000, 100.0 + tenth / 10)
    assert meter.bits_per_second(104.0) == pytest.approx(80_000)
    assert meter.bits_per_second(110.0) == 0.0


def test_a_thinned_viewer_gets_keyframes_only_or_no_video_and_restarts_on_a_keyframe() -> None:
    queue = FrameQueue(Kind.VIDEO)
    queue.push(video(True))
    queue.set_mode(VideoMode.KEYFRAMES)
    assert queue.push(video(False)) is PushOutcome.THINNED
    assert queue.push(video(True)) is PushOutcome.QUEUED
    queue.set_mode(VideoMode.AUDIO_ONLY)
    assert len(queue) == 0  # what was queued is not worth the link any more
    assert queue.push(video(True)) is PushOutcome.THINNED
    queue.set_mode(VideoMode.FULL)
    assert queue.push(video(False)) is PushOutcome.WAITING_FOR_KEYFRAME  # inter frames need their keyframe
    assert queue.push(video(True)) is PushOutcome.QUEUED
    assert queue.thinned == 4  # one inter frame, the two queued keyframes, one keyframe in audio-only


def test_audio_ignores_downlink_modes() -> None:
    queue = FrameQueue(Kind.AUDIO)
    queue.set_mode(VideoMode.AUDIO_ONLY)
    assert queue.push(audio()) is PushOutcome.QUEUED and queue.mode is VideoMode.FULL
