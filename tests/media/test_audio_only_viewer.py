"""A viewer's audio-only choice: its own slots stop carrying video, with no renegotiation, while its
audio, and everybody else's video, go on; turning video back on resumes it from a keyframe."""

from __future__ import annotations

import asyncio

import pytest

from media.errors import UnknownParticipant
from media.relay import Relay
from tests.media.media_peers import Peer, wait_for

H = "hearing-1"


async def test_an_audio_only_viewer_receives_no_video_and_the_others_are_untouched(relay: Relay) -> None:
    judge, party, other = Peer("judge"), Peer("party"), Peer("other")
    for peer in (judge, party, other):
        await peer.join(relay, H)
    try:
        party_sees = lambda: party.frames_from(relay, H, "judge")  # noqa: E731
        party_hears = lambda: party.audio_from(relay, H, "judge")  # noqa: E731
        other_sees = lambda: other.frames_from(relay, H, "judge")  # noqa: E731
        await wait_for(lambda: len(party_sees()) > 10 and len(other_sees()) > 10)

        await relay.receive_video(H, "party", False)
        await asyncio.sleep(0.3)  # frames already in flight
        seen, heard, others = len(party_sees()), len(party_hears()), len(other_sees())
        await asyncio.sleep(1.5)  # longer than a downlink balancing round: the choice holds
        assert len(party_sees()) == seen, "an audio-only viewer still received video"
        assert len(party_hears()) > heard + 20, "audio stops with video"
        assert len(other_sees()) > others + 20, "another viewer's video stopped"
        stats = await relay.stats(H)
        assert stats["party"].thinned_slots == 4  # every slot it offered (two still empty) carries audio only

        await relay.receive_video(H, "party", True)
        await wait_for(lambda: len(party_sees()) > seen + 10, within=5)
        frames = party_sees()
        seqs = [frame.stamp[1] for frame in frames]  # type: ignore[index]
        # aiortc's jitter buffer hands over the last frame before the gap with the first after it.
        resumed = next(i for i in range(1, len(seqs)) if seqs[i] != seqs[i - 1] + 1)
        assert frames[resumed].keyframe, "video must come back on a keyframe"
    finally:
        for peer in (judge, party, other):
            await peer.close()


async def test_a_publisher_joining_later_is_not_shown_to_an_audio_only_viewer(relay: Relay) -> None:
    party, judge = Peer("party"), Peer("judge")
    await party.join(relay, H)
    try:
        await relay.receive_video(H, "party", False)
        await judge.join(relay, H)
        await wait_for(lambda: len(party.audio_from(relay, H, "judge")) > 20)
        assert party.frames_from(relay, H, "judge") == []
    finally:
        await party.close()
        await judge.close()


async def test_only_a_viewer_with_a_session_chooses(relay: Relay) -> None:
    party = Peer("party")
    await party.join(relay, H)
    try:
        with pytest.raises(UnknownParticipant):
            await relay.receive_video(H, "nobody", False)
    finally:
        await party.close()
