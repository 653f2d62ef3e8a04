"""Hearing affinity: the hearing in the handshake URL (what the router hashes on) must be the hearing
joined, and with several processes it is required and the transport is WebSocket (events.md)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
import socketio

from sessions.presence import PresenceState
from sessions.resources import HEARINGS
from signaling.affinity import AffinityRefused, check_handshake
from signaling.client import HearingClient, hearing_url
from tests.conftest import require
from tests.signaling.conftest import HEARING_NS, Courthouse, leave_all, refusal
from tests.signaling.nodes import REDIS_URL, redis_up

PEOPLE = {"judge": "judge", "alice": "plaintiff", "bob": "defendant"}


def test_the_url_hearing_must_be_the_joined_one() -> None:
    check_handshake({"QUERY_STRING": "hearing=7&transport=websocket&EIO=4"}, 7, several_processes=True)
    check_handshake({"QUERY_STRING": "transport=polling&EIO=4"}, 7, several_processes=False)
    cases: list[tuple[str, bool, str]] = [
        ("hearing=8&transport=websocket", False, "hearing_mismatch"),
        ("hearing=7&hearing=8&transport=websocket", False, "hearing_mismatch"),
        ("hearing=7&hearing=7&transport=websocket", True, "hearing_mismatch"),
        ("hearing=seven&transport=websocket", False, "hearing_mismatch"),
        ("hearing=&transport=websocket", True, "hearing_mismatch"),
        ("transport=websocket", True, "hearing_not_in_url"),
        ("hearing=7&transport=polling", True, "websocket_required"),
        ("hearing=7", True, "websocket_required"),
    ]
    for query, several, code in cases:
        with pytest.raises(AffinityRefused) as refused:
            check_handshake({"QUERY_STRING": query}, 7, several_processes=several)
        assert refused.value.code == code, query


async def _presence(h: Courthouse, hearing: int, name: str) -> PresenceState:
    view = await h.app.client.app[HEARINGS].view(hearing)
    return next(p.presence for p in view.participants if p.user_id == h.ids[name])


async def test_a_socket_naming_another_hearing_in_its_url_is_refused_and_joins_nothing(
        courthouse: Courthouse) -> None:
    """A party who may join hearing A asks the router for hearing B's process (URL) and joins A
    there (auth): refused before the join, so A's roster does not change and B is not touched."""
    h = courthouse
    mine = await h.book(people=PEOPLE)
    other = await h.book(people={"judge": "judge", "carol": "plaintiff"}, start_in=timedelta(hours=3))
    before = await _presence(h, mine, "alice")
    auth = {"token": h.tokens["alice"], "hearing": mine}
    refused = await refusal(hearing_url(h.url, other), HEARING_NS, auth)
    assert refused["code"] == "hearing_mismatch"
    assert str(other) in refused["message"] and str(mine) in refused["message"]
    doubled = await refusal(f"{h.url}/?hearing={mine}&hearing={other}", HEARING_NS, auth)
    assert doubled["code"] == "hearing_mismatch"
    assert await _presence(h, mine, "alice") == before
    # The same person, same auth, with the right URL: admitted.
    client = HearingClient(h.url, mine, h.tokens["alice"])
    try:
        await client.connect()
        assert client.connections == 1
        assert await _presence(h, mine, "alice") is not before
    finally:
        await client.close()


class TestSeveralProcesses:
    """With Redis (a deployment of several processes) the URL hearing and WebSocket are required."""

    @pytest.fixture
    def app_overrides(self) -> dict[str, Any]:
        return {"notify_poll_s": 0.2, "redis_url": REDIS_URL}

    async def test_a_handshake_the_router_cannot_place_is_refused(self, courthouse: Courthouse) -> None:
        require(await redis_up(), "Redis is not reachable at 127.0.0.1:6379")
        h = courthouse
        hearing = await h.book(people=PEOPLE)
        auth = {"token": h.tokens["bob"], "hearing": hearing}
        before = await _presence(h, hearing, "bob")
        assert (await refusal(f"{h.url}/?x=1", HEARING_NS, auth))["code"] == "hearing_not_in_url"
        polling = await refusal(hearing_url(h.url, hearing), HEARING_NS, auth, transports=["polling"])
        assert polling["code"] == "websocket_required"
        assert await _presence(h, hearing, "bob") == before

        client = HearingClient(h.url, hearing, h.tokens["bob"])
        try:
            await client.connect()
            assert client.connections == 1 and not client.received.get("connect_error")
        finally:
            await client.close()

    async def test_the_cabinet_namespace_needs_no_hearing(self, courthouse: Courthouse) -> None:
        require(await redis_up(), "Redis is not reachable at 127.0.0.1:6379")
        sio = socketio.AsyncClient(reconnection=False)
        try:
            await sio.connect(courthouse.url, namespaces=["/cabinet"], auth={"token": courthouse.tokens["bob"]},
                              transports=["websocket"], wait_timeout=10)
            assert "/cabinet" in sio.namespaces
        finally:
            await sio.disconnect()


async def test_the_client_comes_back_after_a_drop_and_not_after_being_ended(courthouse: Courthouse) -> None:
    """The Python client's reconnection: a dropped engine.io connection is re-joined within the grace
    period (same person, same place); a socket the server *ended* stays down."""
    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    judge = await h.join("judge", hearing)
    client = HearingClient(h.url, hearing, h.tokens["alice"])
    try:
        assert (await judge.call("start"))["ok"]
        await client.connect()
        assert client.sio.eio.ws is not None
        await client.sio.eio.ws.close()  # the network drops the connection under the client
        for _ in range(200):
            if client.connections == 2:
                break
            await asyncio.sleep(0.05)
        assert client.connections == 2, client.received
        assert await _presence(h, hearing, "alice") is PresenceState.IN_ROOM
        assert (await judge.call("remove", {"target": h.ids["alice"]}))["ok"]
        for _ in range(100):
            if client.ended is not None and not client.sio.connected:
                break
            await asyncio.sleep(0.05)
        assert client.ended is not None and client.ended["code"] == "removed"
        await asyncio.sleep(1.0)  # longer than the client's reconnection delays
        assert client.connections == 2 and not client.sio.connected
    finally:
        await client.close()
        await leave_all(judge)
