"""Each person's page gets its ICE servers at the join, with a TURN credential of its own.

The court's coturn runs with ``use-auth-secret``: the server mints ``<expiry>:<user id>`` and its
HMAC for each person (media/turn.py), coturn checks them. Shown here with a real coturn on
loopback: a relay-only participant holds a hearing with the credential the join gave it, and
what a hostile party would try — an expired credential, a stretched expiry, somebody else's
name on one's own password, joining without a session — is refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aioice import stun
from aioice.turn import create_turn_endpoint

from media.ice import IceConfig, IceServer
from media.turn import TurnIssuer
from tests.media.coturn import coturn
from tests.media.media_peers import wait_for
from tests.signaling.conftest import Courthouse, leave_all
from tests.signaling.test_hearing_flow import roster_shows
from tests.signaling.webrtc import SignaledPeer

pytestmark = pytest.mark.coturn
SECRET = "court-turn-secret-4f1c9a2e7b"
TTL_S = 600


@pytest.fixture
def turn_port(tmp_path: Path) -> Iterator[int]:
    with coturn(tmp_path, ["use-auth-secret", f"static-auth-secret={SECRET}"]) as port:
        yield port


@pytest.fixture
def app_overrides(turn_port: int) -> dict[str, Any]:
    return {"notify_poll_s": 0.2, "turn_url": f"turn:127.0.0.1:{turn_port}?transport=udp",
            "turn_secret": SECRET, "turn_ttl_s": TTL_S, "ice_relay_only": True}


def ice_config(ice: dict[str, Any]) -> IceConfig:
    """What a page does with the ``ice`` it was given: hand it to its peer connection."""
    servers = tuple(IceServer(s["urls"][0], s.get("username"), s.get("credential")) for s in ice["ice_servers"])
    return IceConfig(servers, relay_only=ice["ice_transport_policy"] == "relay")


async def allocate(port: int, username: str, password: str) -> int | None:
    """Ask coturn for a relay allocation: None when granted, else the STUN error code."""
    try:
        transport, _ = await asyncio.wait_for(create_turn_endpoint(
            asyncio.DatagramProtocol, ("127.0.0.1", port), username, password, lifetime=60), 10)
    except stun.TransactionFailed as exc:
        return int(exc.response.attributes["ERROR-CODE"][0])
    transport.close()
    return None


async def test_the_join_gives_each_person_a_fresh_credential_naming_them(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff"})
    judge, alice = await h.join("judge", hearing), await h.join("alice", hearing)
    try:
        mine = (await alice.wait("joined"))["ice"]
        theirs = (await judge.wait("joined"))["ice"]
        assert mine["ice_transport_policy"] == "relay"
        [server] = mine["ice_servers"]
        expiry, _, user = server["username"].partition(":")
        assert user == str(h.ids["alice"])
        assert int(expiry) == int((h.app.clock.now() + timedelta(seconds=TTL_S)).timestamp())
        assert theirs["ice_servers"][0]["username"].endswith(f":{h.ids['judge']}")
        assert theirs["ice_servers"][0]["credential"] != server["credential"]
        assert SECRET not in repr(alice.received) and SECRET not in repr(judge.received)
        assert not alice.camel_case_keys()
    finally:
        await leave_all(judge, alice)


async def test_a_relay_only_participant_holds_the_hearing_through_coturn(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff"})
    judge, alice = await h.join("judge", hearing), await h.join("alice", hearing)
    alice_ice = ice_config((await alice.wait("joined"))["ice"])
    judge_peer, alice_peer = SignaledPeer("judge", slots=1), SignaledPeer("alice", slots=1, ice=alice_ice)
    try:
        assert (await judge.call("start"))["ok"]
        assert (await judge.call("admit", {"target": h.ids["alice"]}))["ok"]
        await alice.wait("roster", roster_shows(h.ids["alice"], "in_room"))
        offer = await alice_peer.offer()
        candidates = [line for line in offer.splitlines() if line.startswith("a=candidate:")]
        assert candidates and all(" typ relay " in line for line in candidates), candidates
        await judge_peer.negotiate(judge)
        reply = await alice_peer.negotiate(alice)
        assert reply["ice"]["ice_servers"][0]["username"].endswith(f":{h.ids['alice']}")
        await wait_for(lambda: len(alice_peer.inboxes[0].video) > 10 and len(judge_peer.inboxes[0].video) > 10,
                       within=20)
        assert alice_peer.pc.connectionState == "connected"
    finally:
        await judge_peer.close()
        await alice_peer.close()
        await leave_all(judge, alice)


async def test_coturn_refuses_expired_stretched_and_borrowed_credentials(courthouse: Courthouse,
                                                                          turn_port: int) -> None:
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff", "bob": "defendant"})
    alice = await h.join("alice", hearing)
    try:
        [server] = (await alice.wait("joined"))["ice"]["ice_servers"]
        username, password = server["username"], server["credential"]
        assert await allocate(turn_port, username, password) is None, "the issued credential works"

        expiry, _, user = username.partition(":")
        issuer = TurnIssuer(f"turn:127.0.0.1:{turn_port}", SECRET, TTL_S)
        old = issuer.credential(user, h.app.clock.now() - timedelta(seconds=TTL_S + 60))
        assert await allocate(turn_port, old.username or "", old.credential or "") == 401, "expired"
        stretched = f"{int(expiry) + 86_400}:{user}"
        assert await allocate(turn_port, stretched, password) == 401, "a later expiry on the same password"
        borrowed = f"{expiry}:{h.ids['bob']}"
        assert await allocate(turn_port, borrowed, password) == 401, "another person's name on it"
        assert await allocate(turn_port, "court", "hearing-secret") == 401, "no static password exists"
    finally:
        await leave_all(alice)


async def test_nobody_without_a_session_or_a_place_in_the_hearing_gets_a_credential(
        courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff"}, is_open=False)
    anonymous = await h.refused(None, hearing)
    assert anonymous["code"] == "unauthenticated" and "ice" not in repr(anonymous)
    outsider = await h.refused("carol", hearing)
    assert outsider["code"] == "not_a_participant" and "credential" not in repr(outsider)
