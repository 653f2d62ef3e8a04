"""Media sessions start from the hearing's stored state (issue 9, items 5, 6 and 9): attacks by a
party through a real socket.io client and real aiortc peers against the relay.

Frames carry their sender's name (``tests.media.media_peers``), so "the judge receives no video of
Alice" is read from what reaches the judge's peer.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from signaling.media_bridge import RELAY
from tests.media.media_peers import wait_for
from tests.signaling.conftest import Courthouse, Socket, leave_all
from tests.signaling.test_hearing_flow import roster_shows
from tests.signaling.webrtc import SignaledPeer, offer_sdp

PEOPLE = {"judge": "judge", "alice": "plaintiff", "carol": "witness"}


def video_from(peer: SignaledPeer, sender: str) -> int:
    return sum(1 for inbox in peer.inboxes for r in inbox.video if r.stamp and r.stamp[0] == sender)


def audio_in(peer: SignaledPeer) -> int:
    return sum(len(inbox.audio) for inbox in peer.inboxes)


async def stays(count: Any, seconds: float = 1.5) -> None:
    """``count()`` does not grow (beyond a frame or two in flight) for ``seconds``."""
    await asyncio.sleep(0.5)
    before = count()
    await asyncio.sleep(seconds)
    assert count() <= before + 2, f"{count()} > {before}: media kept flowing"


async def _in_session(h: Courthouse, hearing: int) -> tuple[Socket, Socket]:
    judge = await h.join("judge", hearing)
    alice = await h.join("alice", hearing)
    assert (await judge.call("start"))["ok"]
    assert (await judge.call("admit", {"target": h.ids["alice"]}))["ok"]
    await alice.wait("roster", roster_shows(h.ids["alice"], "in_room"))
    return judge, alice


async def test_a_muted_party_stays_muted_in_a_new_media_session_and_after_reconnecting(
        courthouse: Courthouse) -> None:
    """Item 5: a muted participant unmuted themself by sending a new media_offer (or reconnecting)."""
    h = courthouse
    hearing = await h.book(people=PEOPLE)
    judge, alice = await _in_session(h, hearing)
    peers = [SignaledPeer("judge", slots=2), SignaledPeer("alice", slots=2)]
    judge_peer, alice_peer = peers
    try:
        await judge_peer.negotiate(judge)
        await alice_peer.negotiate(alice)
        await wait_for(lambda: video_from(judge_peer, "alice") > 5, within=20)
        for media in ("audio", "video"):
            assert (await judge.call("mute", {"target": h.ids["alice"], "media": media}))["ok"]
        await stays(lambda: video_from(judge_peer, "alice"))

        # A fresh offer from the same socket: the new session is muted from its first frame.
        again = SignaledPeer("alice", slots=2)
        peers.append(again)
        await again.negotiate(alice)
        await asyncio.sleep(1.0)
        stats = (await h.app.client.app[RELAY].stats(str(hearing)))[str(h.ids["alice"])]
        assert stats.audio_muted and stats.video_muted
        await stays(lambda: video_from(judge_peer, "alice"))
        await stays(lambda: audio_in(judge_peer))

        # Reconnecting (a new socket within the grace period) and offering again: still muted.
        await alice.close()
        alice = await h.join("alice", hearing)
        assert (await alice.wait("joined"))["you"]["presence"] == "in_room"
        third = SignaledPeer("alice", slots=2)
        peers.append(third)
        await third.negotiate(alice)
        await stays(lambda: video_from(judge_peer, "alice"))

        # The judge unmutes: the same session's video reaches the judge (the test can see media).
        assert (await judge.call("unmute", {"target": h.ids["alice"], "media": "video"}))["ok"]
        seen = video_from(judge_peer, "alice")
        await wait_for(lambda: video_from(judge_peer, "alice") > seen + 5, within=20)
    finally:
        for peer in peers:
            await peer.close()
        await leave_all(judge, alice)


async def test_a_pause_ordered_before_any_media_session_holds_for_later_sessions(courthouse: Courthouse) -> None:
    """Item 6: a pause sent before any media session existed in the process was dropped."""
    h = courthouse
    hearing = await h.book(people=PEOPLE)
    judge, alice = await _in_session(h, hearing)
    judge_peer, alice_peer = SignaledPeer("judge", slots=2), SignaledPeer("alice", slots=2)
    try:
        assert (await judge.call("pause", {"reason": "recess"}))["ok"]
        await judge_peer.negotiate(judge)
        await alice_peer.negotiate(alice)
        # The judge (court staff) is still forwarded during a recess; the party is not.
        await wait_for(lambda: video_from(alice_peer, "judge") > 5, within=20)
        await stays(lambda: video_from(judge_peer, "alice"))
        assert (await judge.call("resume"))["ok"]
        await wait_for(lambda: video_from(judge_peer, "alice") > 5, within=20)
    finally:
        await judge_peer.close()
        await alice_peer.close()
        await leave_all(judge, alice)


async def test_a_dismissal_during_the_relay_admission_leaves_no_media_session(
        courthouse: Courthouse, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 9: between media_offer's check and the relay's admission there is an await; a dismiss
    or remove in that window left a live media session. The relay's admission is held here until
    the judge's dismissal has been answered, so the dismissal lands inside the window every time."""
    h = courthouse
    hearing = await h.book(people=PEOPLE)
    judge, alice = await _in_session(h, hearing)
    carol = await h.join("carol", hearing)
    relay = h.app.client.app[RELAY]
    real_admit = relay.admit
    entered, release = asyncio.Event(), asyncio.Event()

    async def held_admit(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        await release.wait()
        return await real_admit(*args, **kwargs)

    monkeypatch.setattr(relay, "admit", held_admit)
    try:
        carol_id = h.ids["carol"]
        for control in ("dismiss", "remove"):
            entered.clear()
            release.clear()
            assert (await judge.call("call", {"target": carol_id}))["ok"]
            await wait_for(lambda: any(roster_shows(carol_id, "in_room")(r) for r in carol.received["roster"][-1:]))
            offer = asyncio.create_task(carol.call("media_offer", {"sdp": await offer_sdp(publish=True)}))
            await asyncio.wait_for(entered.wait(), 15)
            assert (await judge.call(control, {"target": carol_id}))["ok"]
            release.set()
            try:
                reply = await offer
            except Exception:  # removed: her socket may close before the refusal reaches it
                assert control == "remove"
            else:
                assert reply["error"]["code"] == "not_in_hearing_room", (control, reply)
            await asyncio.sleep(0.3)
            assert str(carol_id) not in await relay.stats(str(hearing)), f"a live media session after {control}"
    finally:
        release.set()
        await leave_all(judge, alice, carol)
