"""The relay end to end, with in-process aiortc participants on loopback.

Publishers send real VP8 frames stamped with their name and sequence number; viewers receive
through the passthrough hook, so nothing in the process may decode — the tests assert aiortc's
decoder factory is never called.
"""

from __future__ import annotations

import asyncio
import itertools
import time

import av
import pytest
from aiortc import rtcrtpreceiver

from media import aiortc_hooks
from media.controls import Control
from media.errors import InvalidControl, InvalidOffer, PublishNotAllowed, UnknownHearing, UnknownParticipant
from media.feeds import ParticipantLeft, SlotAssigned
from media.frames import Kind
from media.relay import Relay
from tests.media.media_peers import Peer, wait_for

H = "hearing-1"


@pytest.fixture
def decoder_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    original = rtcrtpreceiver.get_decoder

    def counting(codec):  # type: ignore[no-untyped-def]
        calls.append(codec.name)
        return original(codec)

    monkeypatch.setattr(rtcrtpreceiver, "get_decoder", counting)
    return calls


def in_order_from(frames, sender: str) -> list[int]:  # type: ignore[no-untyped-def]
    stamps = [f.stamp for f in frames]
    assert all(s is not None and s[0] == sender for s in stamps), f"frames not all from {sender}"
    seqs = [s[1] for s in stamps]
    assert seqs == sorted(set(seqs)), "frames out of order or duplicated"
    return seqs


async def close_all(*peers: Peer) -> None:
    await asyncio.gather(*(p.close() for p in peers))


async def test_everyone_receives_exactly_the_others_frames_in_order_and_nothing_is_decoded(
    relay: Relay, decoder_calls: list[str]
) -> None:
    peers = [Peer("judge"), Peer("plaintiff"), Peer("defendant")]
    observer = Peer("observer", publish=False)
    for peer in peers:
        await peer.join(relay, H)
    await observer.join(relay, H, may_publish=False)
    await wait_for(lambda: all(len(v.frames_from(relay, H, p.name)) >= 45
                               for v in [*peers, observer] for p in peers if p is not v), within=20)
    for viewer in [*peers, observer]:
        assert observer.name not in relay.layout(H, viewer.name).values()
        for publisher in peers:
            if publisher is viewer:
                continue
            seqs = in_order_from(viewer.frames_from(relay, H, publisher.name), publisher.name)
            assert seqs[-1] - seqs[0] + 1 - len(seqs) <= 2, f"{viewer.name} missed frames of {publisher.name}"
            assert viewer.frames_from(relay, H, publisher.name)[0].keyframe
            assert len(viewer.audio_from(relay, H, publisher.name)) > 0
    hearing = relay._hearings[H]
    receivers = [p.receiver for s in hearing.participants.values() for p in s.published.values()]
    assert len(receivers) == 6 and all(aiortc_hooks.is_passthrough(r) for r in receivers)
    assert decoder_calls == []
    await close_all(*peers, observer)


async def test_an_observer_cannot_publish(relay: Relay) -> None:
    sneaky = Peer("observer-2", publish=True, slots=1)
    with pytest.raises(PublishNotAllowed):
        await sneaky.join(relay, H, may_publish=False)
    await sneaky.close()


async def test_a_late_joiner_gets_a_keyframe_through_a_forwarded_pli(relay: Relay) -> None:
    """The speaker behaves like Chrome (no periodic keyframes): without the relay forwarding the
    late joiner's keyframe request upstream, the late joiner would never see a decodable frame."""
    speaker, first = Peer("speaker", periodic_keyframes=False), Peer("first")
    await speaker.join(relay, H)
    await first.join(relay, H)
    await wait_for(lambda: len(first.frames_from(relay, H, "speaker")) > 40)
    requests_before = speaker.video.keyframe_requests  # type: ignore[union-attr]
    late = Peer("late")
    await late.join(relay, H)
    await wait_for(lambda: len(late.frames_from(relay, H, "speaker")) > 0, within=30)
    first_frame = late.frames_from(relay, H, "speaker")[0]
    assert first_frame.keyframe
    assert speaker.video.keyframe_requests > requests_before  # type: ignore[union-attr]
    decoder = av.CodecContext.create("vp8", "r")
    pictures = decoder.decode(av.Packet(first_frame.data))
    assert pictures and pictures[0].width == 160
    stats = await relay.stats(H)
    assert stats["speaker"].plis_sent >= 1
    await close_all(speaker, first, late)


async def test_plis_to_a_publisher_are_rate_limited(relay: Relay) -> None:
    speaker, viewer = Peer("speaker"), Peer("viewer")
    await speaker.join(relay, H)
    await viewer.join(relay, H)
    await wait_for(lambda: len(viewer.frames_from(relay, H, "speaker")) > 5)
    session = relay._hearings[H].participants["speaker"]
    before, started = session.plis_sent, time.monotonic()
    for _ in range(50):
        relay._request_keyframe(session)
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.4)
    elapsed = time.monotonic() - started
    assert 1 <= session.plis_sent - before <= elapsed / 0.3 + 1
    await close_all(speaker, viewer)


async def test_mute_stops_a_participants_media_for_everyone_and_unmute_resumes_it(relay: Relay) -> None:
    party, judge = Peer("party"), Peer("judge")
    await party.join(relay, H)
    await judge.join(relay, H, privileged=True)
    tap = relay.subscribe_tap(H)
    video = lambda: judge.frames_from(relay, H, "party")  # noqa: E731
    audio = lambda: judge.audio_from(relay, H, "party")  # noqa: E731
    await wait_for(lambda: len(video()) > 10 and len(audio()) > 10)
    await relay.apply_control(H, "party", Control.MUTE_AUDIO)
    await relay.apply_control(H, "party", Control.MUTE_VIDEO)
    await asyncio.sleep(0.3)  # frames already in flight
    video_at_mute, audio_at_mute = len(video()), len(audio())
    await asyncio.sleep(1.0)
    assert (len(video()), len(audio())) == (video_at_mute, audio_at_mute)
    stats = await relay.stats(H)
    assert stats["party"].audio_muted and stats["party"].video_muted
    await relay.apply_control(H, "party", Control.UNMUTE_VIDEO)
    await relay.apply_control(H, "party", Control.UNMUTE_AUDIO)
    await wait_for(lambda: len(video()) > video_at_mute + 10 and len(audio()) > audio_at_mute + 10, within=5)
    seqs = in_order_from(video(), "party")
    # aiortc's jitter buffer releases a frame when the next one starts, so the last frame before
    # the mute arrives with the first after it; the first frame after the gap must be a keyframe.
    resumed = next(i for i in range(1, len(seqs)) if seqs[i] != seqs[i - 1] + 1)
    assert video()[resumed].keyframe, "video must resume on a keyframe"
    markers = []
    while (frame := tap.get_nowait()) is not None:
        if frame.participant_id == "party" and frame.muted:
            markers.append(frame.kind)
    assert sorted(k.value for k in markers) == ["audio", "video"]
    tap.close()
    await close_all(party, judge)


async def test_remove_closes_the_participants_session_and_frees_its_slot(relay: Relay) -> None:
    judge, party = Peer("judge"), Peer("party")
    events = relay.subscribe_events(H)
    await judge.join(relay, H, privileged=True)
    await party.join(relay, H)
    await wait_for(lambda: len(judge.frames_from(relay, H, "party")) > 5)
    session = relay._hearings[H].participants["party"]
    await relay.apply_control(H, "party", Control.REMOVE)
    assert session.pc.connectionState == "closed"
    await wait_for(lambda: all(inbox.ended for inbox in party.inboxes[:1]), within=5)  # RTCP BYE reached it
    assert relay.layout(H, "judge")[0] is None
    with pytest.raises(UnknownParticipant):
        await relay.apply_control(H, "party", Control.MUTE_AUDIO)
    seen = []
    while (event := events.get_nowait()) is not None:
        seen.append(event)
    assert ParticipantLeft(H, "party", "removed") in seen
    assert SlotAssigned(H, "judge", 0, None) in seen
    await close_all(judge, party)


async def test_pause_forwards_only_judge_and_clerk(relay: Relay) -> None:
    judge, clerk, party, other = Peer("judge"), Peer("clerk"), Peer("party"), Peer("other")
    await judge.join(relay, H, privileged=True)
    await clerk.join(relay, H, privileged=True)
    await party.join(relay, H)
    await other.join(relay, H)
    await wait_for(lambda: min(len(other.frames_from(relay, H, p)) for p in ("party", "judge")) > 5)
    await relay.apply_control(H, None, Control.PAUSE_HEARING)
    await asyncio.sleep(0.3)
    counts = {p: len(other.frames_from(relay, H, p)) for p in ("judge", "clerk", "party")}
    await asyncio.sleep(1.0)
    assert len(other.frames_from(relay, H, "party")) == counts["party"]
    assert len(judge.frames_from(relay, H, "party")) > 0
    assert len(other.frames_from(relay, H, "judge")) > counts["judge"] + 15
    assert len(other.frames_from(relay, H, "clerk")) > counts["clerk"] + 15
    await relay.apply_control(H, None, Control.RESUME_HEARING)
    await wait_for(lambda: len(other.frames_from(relay, H, "party")) > counts["party"] + 10, within=5)
    await close_all(judge, clerk, party, other)


async def test_the_tap_sees_every_tracks_frames_with_timestamps_and_a_wall_clock_anchor(relay: Relay) -> None:
    a, b = Peer("a"), Peer("b")
    tap = relay.subscribe_tap(H)
    await a.join(relay, H)
    await b.join(relay, H)
    frames = []

    async def collect() -> None:
        async for frame in tap:
            frames.append(frame)

    collector = asyncio.create_task(collect())
    await wait_for(lambda: sum(1 for f in frames if f.kind is Kind.VIDEO) > 60)
    tap.close()
    await collector
    for track_id in ("a/video", "b/video", "a/audio", "b/audio"):
        track = [f for f in frames if f.track_id == track_id]
        assert track, track_id
        assert [f.rtp_timestamp for f in track] == sorted(f.rtp_timestamp for f in track)
        assert len({f.wall_clock_anchor for f in track}) == 1 and track[0].wall_clock_anchor.tzinfo
        assert track[0].keyframe and not track[0].muted
    video = [f for f in frames if f.track_id == "a/video"]
    assert {f.clock_rate for f in video} == {90_000}
    assert all(b.rtp_timestamp - a.rtp_timestamp == 3000 for a, b in itertools.pairwise(video))
    await close_all(a, b)


async def test_stats_report_bitrates_loss_and_forwarding_per_participant(relay: Relay) -> None:
    a, b = Peer("a"), Peer("b")
    await a.join(relay, H)
    await b.join(relay, H)
    await wait_for(lambda: len(b.frames_from(relay, H, "a")) > 60, within=10)
    stats = await relay.stats(H)
    for name in ("a", "b"):
        s = stats[name]
        assert s.bitrate_in_bps > 10_000 and s.bitrate_out_bps > 10_000
        assert s.frames_in > 60 and s.frames_forwarded > 60
        assert s.packets_received > 0 and 0.0 <= s.packet_loss < 0.05
        assert s.connection_state == "connected"
        assert set(s.as_dict()) >= {"bitrate_in_bps", "frames_dropped", "plis_sent"}
    await close_all(a, b)


async def test_a_reconnecting_participant_replaces_the_old_session(relay: Relay) -> None:
    a, b = Peer("a"), Peer("b")
    await a.join(relay, H)
    await b.join(relay, H)
    await wait_for(lambda: len(a.frames_from(relay, H, "b")) > 5)
    b_again = Peer("b")
    await b_again.join(relay, H)
    seen_before = len(a.frames_from(relay, H, "b"))
    await wait_for(lambda: len(a.frames_from(relay, H, "b")) > seen_before + 15, within=5)
    assert len(relay._hearings[H].participants) == 2
    await close_all(a, b, b_again)


async def test_bad_requests_get_typed_errors(relay: Relay) -> None:
    with pytest.raises(InvalidOffer):
        await relay.admit(H, "x", may_publish=True, privileged=False, offer_sdp="not sdp")
    with pytest.raises(UnknownHearing):
        await relay.apply_control("nope", "x", Control.MUTE_AUDIO)
    a = Peer("a")
    await a.join(relay, H)
    with pytest.raises(InvalidControl):
        await relay.apply_control(H, None, Control.MUTE_VIDEO)
    with pytest.raises(UnknownHearing):
        await relay.stats("nope")
    with pytest.raises(UnknownParticipant):
        relay.layout(H, "nobody")
    await a.close()


async def test_closing_a_hearing_ends_sessions_taps_and_event_feeds(relay: Relay) -> None:
    a, b = Peer("a"), Peer("b")
    await a.join(relay, H)
    await b.join(relay, H)
    tap, events = relay.subscribe_tap(H), relay.subscribe_events(H)
    sessions = list(relay._hearings[H].participants.values())
    await relay.close_hearing(H)
    assert all(s.pc.connectionState == "closed" for s in sessions)
    assert tap.closed and events.closed
    await relay.close_hearing(H)  # twice is harmless
    with pytest.raises(UnknownHearing):
        await relay.stats(H)
    await close_all(a, b)
