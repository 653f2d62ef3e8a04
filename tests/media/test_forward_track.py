"""One viewer's track, without a relay around it: what it sends, when it asks for a keyframe, how
its timestamps stay monotonic across a change of source, and how its queue counts what it drops."""

from __future__ import annotations

import asyncio
from fractions import Fraction

import pytest
from aiortc.mediastreams import MediaStreamError

from media.forwarding import (
    AUDIO_QUEUE_FRAMES,
    VIDEO_QUEUE_FRAMES,
    ForwardTrack,
    FrameQueue,
    KeyframeThrottle,
    PushOutcome,
)
from media.frames import Kind, RelayedFrame

KEY = bytes([0x50, 0x07, 0x00]) + b"k" * 100
DELTA = bytes([0x91, 0x04, 0x00]) + b"d" * 50


def video(key: bool, ts: int) -> RelayedFrame:
    return RelayedFrame.build(Kind.VIDEO, KEY if key else DELTA, ts)


def audio(ts: int) -> RelayedFrame:
    return RelayedFrame.build(Kind.AUDIO, b"opus", ts)


def test_default_capacities_hold_about_a_quarter_second() -> None:
    assert (VIDEO_QUEUE_FRAMES, AUDIO_QUEUE_FRAMES) == (8, 16)
    assert FrameQueue(Kind.VIDEO).capacity == 8 and FrameQueue(Kind.AUDIO).capacity == 16
    assert FrameQueue(Kind.AUDIO, capacity=1).capacity == 1
    with pytest.raises(ValueError, match=r"^a frame queue holds at least one frame$"):
        FrameQueue(Kind.AUDIO, capacity=-1)


def test_audio_needs_no_keyframe_and_a_full_audio_queue_keeps_the_newest() -> None:
    queue = FrameQueue(Kind.AUDIO, capacity=16)
    assert not queue.need_keyframe
    for ts in range(17):
        assert queue.push(audio(ts)) is PushOutcome.QUEUED
    assert len(queue) == 16 and queue.dropped == 1
    assert queue.pop().rtp_timestamp == 1  # type: ignore[union-attr]
    assert queue.forwarded == 1


def test_an_overflowing_video_queue_kept_by_a_keyframe() -> None:
    queue = FrameQueue(Kind.VIDEO, capacity=2)
    queue.push(video(True, 0))
    queue.push(video(False, 3000))
    assert queue.push(video(True, 6000)) is PushOutcome.QUEUED
    assert len(queue) == 1 and queue.dropped == 2 and not queue.need_keyframe
    assert queue.push(video(False, 9000)) is PushOutcome.QUEUED
    assert queue.push(video(False, 12000)) is PushOutcome.OVERFLOW
    assert queue.dropped == 5 and len(queue) == 0


def test_every_dropped_frame_is_counted() -> None:
    waiting = FrameQueue(Kind.VIDEO, capacity=2)
    for ts in (0, 3000, 6000):
        assert waiting.push(video(False, ts)) is PushOutcome.WAITING_FOR_KEYFRAME
    assert waiting.dropped == 3
    sound = FrameQueue(Kind.AUDIO, capacity=1)
    for ts in range(4):
        sound.push(audio(ts))
    assert sound.dropped == 3 and sound.pop().rtp_timestamp == 3  # type: ignore[union-attr]
    behind = FrameQueue(Kind.VIDEO, capacity=1)
    behind.push(video(True, 0))
    assert behind.push(video(False, 3000)) is PushOutcome.OVERFLOW
    assert behind.push(video(False, 6000)) is PushOutcome.WAITING_FOR_KEYFRAME
    assert behind.dropped == 3


def test_a_restart_drops_what_is_queued_and_waits_for_a_keyframe_on_video_only() -> None:
    queue = FrameQueue(Kind.VIDEO)
    queue.push(video(False, 0))  # dropped while waiting for the first keyframe
    queue.push(video(True, 0))
    queue.push(video(False, 3000))
    queue.restart()
    assert (len(queue), queue.dropped, queue.need_keyframe) == (0, 3, True)
    sound = FrameQueue(Kind.AUDIO)
    sound.push(audio(0))
    sound.restart()
    assert (len(sound), sound.dropped, sound.need_keyframe) == (0, 1, False)


async def test_a_track_hands_out_its_frames_in_order_and_waits_for_the_next() -> None:
    track = ForwardTrack(Kind.VIDEO)
    assert track.kind == "video" and track.media_kind is Kind.VIDEO
    assert track.push(video(False, 0)) is PushOutcome.WAITING_FOR_KEYFRAME
    waiting = asyncio.ensure_future(track.next_frame())
    await asyncio.sleep(0)
    assert not waiting.done()
    assert track.push(video(True, 90_000)) is PushOutcome.QUEUED
    assert await asyncio.wait_for(waiting, 5) == (KEY, 90_000)
    track.push(video(False, 93_000))
    packet = await track.recv()
    assert bytes(packet) == DELTA and packet.pts == packet.dts == 93_000
    assert packet.time_base == Fraction(1, 90_000)
    assert track.meter.bits_per_second(asyncio.get_running_loop().time()) >= 0
    track.stop()
    with pytest.raises(MediaStreamError):
        await track.next_frame()


async def test_stopping_wakes_a_waiting_sender() -> None:
    track = ForwardTrack(Kind.AUDIO)
    waiting = asyncio.ensure_future(track.next_frame())
    await asyncio.sleep(0)
    track.stop()
    with pytest.raises(MediaStreamError):
        await asyncio.wait_for(waiting, 5)


async def test_an_overflow_asks_the_source_for_a_keyframe() -> None:
    asked: list[str] = []
    track = ForwardTrack(Kind.VIDEO, capacity=2)
    track.request_keyframe()  # no source yet: nothing to ask, nothing fails
    track.switch_source(lambda: asked.append("pli"))
    track.push(video(True, 0))
    track.push(video(False, 3000))
    assert asked == []
    assert track.push(video(False, 6000)) is PushOutcome.OVERFLOW
    assert asked == ["pli"]
    assert track.push(video(False, 9000)) is PushOutcome.WAITING_FOR_KEYFRAME
    assert asked == ["pli"]


async def test_timestamps_stay_monotonic_across_a_change_of_source() -> None:
    track = ForwardTrack(Kind.VIDEO)
    track.push(video(True, 500_000))
    track.push(video(False, 503_000))
    assert (await track.next_frame())[1] == 500_000  # the first source goes out as it is
    assert (await track.next_frame())[1] == 503_000
    track.switch_source(None)
    track.push(video(True, 10))  # another publisher's clock, and its own frame spacing from here on
    track.push(video(False, 3510))
    track.push(video(False, 5010))
    assert (await track.next_frame())[1] == 503_000 + 3000  # one frame step after the last one sent
    assert (await track.next_frame())[1] == 506_000 + 3500
    assert (await track.next_frame())[1] == 506_000 + 5000
    sound = ForwardTrack(Kind.AUDIO)
    sound.switch_source(None)  # before anything was sent: nothing to continue from
    sound.push(audio(777))
    assert (await sound.next_frame())[1] == 777
    sound.switch_source(None)
    sound.push(audio(5))
    assert (await sound.next_frame())[1] == 777 + 960


def test_the_throttle_refuses_a_negative_interval_and_sends_at_the_interval_boundary() -> None:
    with pytest.raises(ValueError, match=r"^min_interval must be non-negative$"):
        KeyframeThrottle(-0.1)
    throttle = KeyframeThrottle(0.5)
    throttle.sent(10.0)
    assert throttle.request(10.5) == 0.0
    assert throttle.request(10.5) == 0.0  # sent at once, nothing deferred to coalesce into
    throttle.sent(10.5)
    assert throttle.request(10.6) == pytest.approx(0.4)
    throttle.sent(10.6)
    assert throttle.request(10.7) == pytest.approx(0.4)  # a PLI sent clears the deferral
    assert KeyframeThrottle(0).request(0.0) == 0.0


def test_a_track_is_unpaced_until_the_balancer_paces_it_and_again_after_a_change_of_source() -> None:
    """``pace()`` is read by the sender once per frame: ``None`` means "send as the frames come"; a new
    source starts unpaced because the downlink policy decides afresh for it."""
    track = ForwardTrack(Kind.VIDEO)
    assert track.pace() is None
    track.pace_bps = 150_000.0
    assert track.pace() == 150_000.0
    track.switch_source(None)
    assert track.pace() is None
