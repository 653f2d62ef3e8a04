"""A socket lives only as long as what let it in: attacks by a party, a lawyer and a clerk on open
sockets, through real python-socketio clients (issue 9, items 7, 8 and 8a).

The periodic re-check is set far off here (``socket_recheck_s``), so what these tests show is the
check on every call and the logout's own ending; ``test_socket_recheck`` shows the periodic one.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from tests.signaling.conftest import HEARING_NS, Courthouse, Socket, connect, iin_of, leave_all
from tests.signaling.test_hearing_flow import roster_shows

PEOPLE = {"judge": "judge", "clerk": "clerk", "alice": "plaintiff", "bob": "defendant"}


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {"notify_poll_s": 0.2, "socket_recheck_s": 600.0}


def left_the_session(user_id: int) -> Any:
    """A roster of the started hearing without ``user_id`` (earlier rosters show them outside too)."""
    return lambda roster: roster["state"] == "in_session" and roster_shows(user_id, "outside")(roster)


async def gone(socket: Socket, within: float = 5.0) -> None:
    """The server closed the socket."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while socket.sio.namespaces.get(socket.namespace) is not None or socket.sio.connected:
        if loop.time() > deadline:
            raise AssertionError(f"the server did not close the socket within {within} s")
        await asyncio.sleep(0.05)


async def in_session(h: Courthouse, party: str) -> tuple[int, Socket, Socket]:
    """A started hearing with auto-admission: the judge's socket and the party's, in the room."""
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    judge = await h.join("judge", hearing)
    other = await h.join(party, hearing)
    assert (await judge.call("start"))["ok"]
    await other.wait("roster", roster_shows(h.ids[party], "in_room"))
    return hearing, judge, other


async def test_a_client_sending_reserved_event_names_is_refused_and_stays_known(courthouse: Courthouse) -> None:
    """Item 7: a client-sent ``disconnect`` made the server forget a socket that stayed in the
    hearing's rooms, so a removed party kept receiving the chat; ``connect`` re-ran the join."""
    h = courthouse
    _, judge, alice = await in_session(h, "alice")
    try:
        await alice.wait("joined")
        joined = len(alice.received["joined"])
        for name in ("disconnect", "connect", "connect_error"):
            reply = await alice.sio.call(name, {"reason": "forged"}, namespace=HEARING_NS, timeout=5)
            assert reply["error"]["code"] == "reserved_event", (name, reply)
        reply = await alice.call("make_me_judge", {"target": h.ids["alice"]})
        assert reply["error"]["code"] == "unknown_event"
        await asyncio.sleep(0.3)
        assert len(alice.received["joined"]) == joined, "a forged connect does not re-run the join"

        # The server still knows the socket: removing Alice ends it, and she hears no more chat.
        assert (await judge.call("remove", {"target": h.ids["alice"]}))["ok"]
        ended = await alice.wait("ended")
        assert ended["code"] == "removed"
        await gone(alice)
        chats = len(alice.received["hearing_event"])
        assert (await judge.call("chat", {"text": "после удаления"}))["ok"]
        await asyncio.sleep(0.3)
        assert len(alice.received["hearing_event"]) == chats
    finally:
        await leave_all(judge, alice)


async def test_logout_ends_the_hearing_and_cabinet_sockets_at_once(courthouse: Courthouse) -> None:
    """Item 8: after logout the open sockets kept working (chat, heartbeats, events)."""
    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    judge = await h.join("judge", hearing)
    alice = await h.join("alice", hearing)
    cabinet = await connect(h.url, "/cabinet", {"token": h.tokens["alice"]})
    try:
        assert (await judge.call("start"))["ok"]
        await alice.wait("roster", roster_shows(h.ids["alice"], "in_room"))
        response = await h.app.client.post("/api/v1/auth/logout", headers=await h.court.as_("alice"))
        assert response.status in (200, 204), await response.text()
        assert (await alice.wait("ended", within=3))["code"] == "session_ended"
        assert (await cabinet.wait("ended", within=3))["code"] == "session_ended"
        await gone(alice)
        await gone(cabinet)
        # She has left the hearing: the judge's roster says so, without her calling anything.
        await judge.wait("roster", left_the_session(h.ids["alice"]))
        refusal = await h.refused("alice", hearing)
        assert refusal["code"] == "unauthenticated"
    finally:
        await leave_all(judge, alice, cabinet)


async def test_an_expired_session_cannot_call_anything(courthouse: Courthouse) -> None:
    """Item 8: a session past its expiry kept sending chat and heartbeats on its open socket."""
    h = courthouse
    _, judge, alice = await in_session(h, "alice")
    try:
        assert (await alice.call("heartbeat", {"rtt_ms": 20}))["ok"]
        h.app.clock.advance(timedelta(seconds=h.app.config.session_ttl_s + 1))
        for name, data in (("chat", {"text": "я ещё здесь"}), ("heartbeat", {"rtt_ms": 20})):
            reply = await alice.call(name, data)
            assert reply["error"]["code"] in ("session_ended", "not_joined"), (name, reply)
            if name == "chat":
                assert reply["error"]["code"] == "session_ended"
        assert (await alice.wait("ended"))["code"] == "session_ended"
        await gone(alice)
        assert not [e for e in judge.received["hearing_event"] if e["action"] == "chat"], "no chat got through"
    finally:
        await leave_all(judge, alice)


async def _revoke_clerk(h: Courthouse) -> None:
    body = {"iin": iin_of(h.court.cast.clerk), "role": "clerk", "court": "7594"}
    response = await h.app.client.delete("/api/v1/admin/grants", json=body, headers=await h.court.as_("admin"))
    assert response.status == 200, await response.text()


async def test_a_clerk_whose_grant_was_revoked_can_no_longer_steer_the_hearing(courthouse: Courthouse) -> None:
    """Item 8: a clerk whose grant was revoked still suspended the hearing on their open socket."""
    h = courthouse
    _, judge, clerk = await in_session(h, "clerk")
    try:
        await _revoke_clerk(h)
        reply = await clerk.call("suspend", {"reason": "technical_failure"})
        assert reply["error"]["code"] == "staff_grant_revoked", reply
        assert (await clerk.wait("ended"))["code"] == "staff_grant_revoked"
        await gone(clerk)
        await asyncio.sleep(0.3)
        assert not [e for e in judge.received["hearing_event"] if e["action"] == "suspend"]
        await judge.wait("roster", left_the_session(h.ids["clerk"]))
    finally:
        await leave_all(judge, clerk)


async def test_a_refused_attempt_does_not_end_the_live_socket(courthouse: Courthouse) -> None:
    """Item 8a: a new connection ended the person's older socket ("replaced") before admission was
    decided, so a refused attempt still disconnected the live one. Now admission comes first."""
    h = courthouse
    hearing, judge, clerk = await in_session(h, "clerk")
    try:
        await _revoke_clerk(h)
        assert (await h.refused("clerk", hearing))["code"] == "staff_role_required"
        await asyncio.sleep(0.4)
        assert not clerk.received["ended"], "the refused attempt did not replace the open socket"
        # The open socket ends for its own reason, the first time it is used.
        assert (await clerk.call("heartbeat", {"rtt_ms": 10}))["error"]["code"] == "staff_grant_revoked"
        await clerk.wait("ended")  # sent before the reply, but recorded by its own handler
        assert [e["code"] for e in clerk.received["ended"]] == ["staff_grant_revoked"]

        # An admitted attempt still takes over from the older socket, as before.
        first = await h.join("judge", hearing)
        assert (await judge.wait("ended"))["code"] == "replaced"
        assert (await first.call("heartbeat", {"rtt_ms": 10}))["ok"]
        await leave_all(first)
    finally:
        await leave_all(judge, clerk)
