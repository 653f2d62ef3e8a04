"""The WebRTC path: aiortc participants negotiate through /hearing and receive each other's media."""

from __future__ import annotations

import asyncio

from tests.media.media_peers import wait_for
from tests.signaling.conftest import Courthouse, leave_all
from tests.signaling.test_hearing_flow import roster_shows
from tests.signaling.webrtc import SignaledPeer


async def test_media_flows_between_admitted_participants_and_controls_reach_the_relay(
        courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff", "bob": "defendant"})
    judge_id, alice_id = h.ids["judge"], h.ids["alice"]
    judge = await h.join("judge", hearing)
    alice = await h.join("alice", hearing)
    judge_peer, alice_peer = SignaledPeer("judge", slots=2), SignaledPeer("alice", slots=2)
    try:
        assert (await judge.call("start"))["ok"]
        assert (await judge.call("admit", {"target": alice_id}))["ok"]
        await alice.wait("roster", roster_shows(alice_id, "in_room"))

        reply = await judge_peer.negotiate(judge)
        assert reply["slots"] == [0, 1] and reply["ice"]["ice_servers"] == []
        await alice_peer.negotiate(alice)
        await alice.wait("media_slot", lambda e: e["user_id"] == judge_id)
        await judge.wait("media_slot", lambda e: e["user_id"] == alice_id)

        slot = SignaledPeer.slot_showing(alice, judge_id)
        assert slot is not None
        inbox = alice_peer.inboxes[slot]
        await wait_for(lambda: any(r.stamp and r.stamp[0] == "judge" for r in inbox.video), within=20)
        await wait_for(lambda: len(inbox.audio) > 5, within=10)

        # The judge mutes Alice's audio: the relay stops forwarding it to the judge.
        back = judge_peer.inboxes[SignaledPeer.slot_showing(judge, alice_id) or 0]
        await wait_for(lambda: len(back.audio) > 5, within=10)
        assert (await judge.call("mute", {"target": alice_id, "media": "audio"}))["ok"]
        await alice.wait("roster", lambda r: any(p["user_id"] == alice_id and p["muted_audio"]
                                                 for p in r["participants"]))
        await asyncio.sleep(0.5)
        count = len(back.audio)
        await asyncio.sleep(1.0)
        assert len(back.audio) <= count + 2, "muted audio is no longer forwarded"

        # Removal ends her media session through the relay.
        assert (await judge.call("remove", {"target": alice_id}))["ok"]
        await alice.wait("ended")
        await judge.wait("media_slot", lambda e: e["user_id"] is None)
    finally:
        await judge_peer.close()
        await alice_peer.close()
        await leave_all(judge, alice)


async def test_audio_only_mode_stops_the_video_a_viewer_receives_and_nobody_elses(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff"})
    judge_id, alice_id = h.ids["judge"], h.ids["alice"]
    judge = await h.join("judge", hearing)
    alice = await h.join("alice", hearing)
    judge_peer, alice_peer = SignaledPeer("judge", slots=1), SignaledPeer("alice", slots=1)
    try:
        assert (await judge.call("start"))["ok"]
        # Before any media session there is nothing to thin; bad payloads are refused by name.
        refused = await alice.call("receive_video", {"on": False})
        assert refused["error"]["code"] == "no_media_session", refused
        for bad, field in (({"on": "no"}, "on"), ({}, "on"), ({"on": False, "user_id": judge_id}, "user_id")):
            refused = await judge.call("receive_video", bad)
            assert refused["error"]["code"] == "invalid_payload" and refused["error"]["details"]["field"] == field
        assert (await judge.call("admit", {"target": alice_id}))["ok"]
        await alice.wait("roster", roster_shows(alice_id, "in_room"))
        await judge_peer.negotiate(judge)
        await alice_peer.negotiate(alice)
        sees_judge = alice_peer.inboxes[0]
        sees_alice = judge_peer.inboxes[0]
        await wait_for(lambda: len(sees_judge.video) > 10 and len(sees_alice.video) > 10, within=20)

        assert await alice.call("receive_video", {"on": False}) == {"ok": True, "receive_video": False}
        await asyncio.sleep(0.5)
        video, audio, back = len(sees_judge.video), len(sees_judge.audio), len(sees_alice.video)
        await asyncio.sleep(1.5)
        assert len(sees_judge.video) == video, "Alice chose audio only but still receives video"
        assert len(sees_judge.audio) > audio + 10 and len(sees_alice.video) > back + 10
        assert (await alice.call("receive_video", {"on": True}))["ok"]
        await wait_for(lambda: len(sees_judge.video) > video + 10, within=10)
    finally:
        await judge_peer.close()
        await alice_peer.close()
        await leave_all(judge, alice)
