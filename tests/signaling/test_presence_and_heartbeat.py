"""Dropped connections keep their place for the grace period; judge and clerk see connection health."""

from __future__ import annotations

from datetime import timedelta

from tests.signaling.conftest import Courthouse, leave_all
from tests.signaling.test_hearing_flow import presence, roster_shows

PEOPLE = {"judge": "judge", "clerk": "clerk", "alice": "plaintiff", "bob": "defendant"}


async def test_a_drop_within_the_grace_period_keeps_the_place(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people=PEOPLE)
    alice_id, bob_id = h.ids["alice"], h.ids["bob"]
    judge = await h.join("judge", hearing)
    alice = await h.join("alice", hearing)
    bob = await h.join("bob", hearing)
    try:
        assert (await judge.call("start"))["ok"]
        for party in (alice_id, bob_id):
            assert (await judge.call("admit", {"target": party}))["ok"]
        await bob.wait("roster", roster_shows(alice_id, "in_room"))

        await alice.sio.disconnect()  # the network drops: no "leave"
        roster = await bob.wait("roster", roster_shows(alice_id, "reconnecting"))
        assert presence(roster, alice_id) == "reconnecting", "the others see reconnecting, not left"
        alert = await judge.wait("alert", lambda a: a["kind"] == "connection_lost")
        assert alert["user_id"] == alice_id
        assert "alert" not in bob.received, "alerts are for the court staff"

        h.app.clock.advance(timedelta(seconds=10))
        alice = await h.join("alice", hearing)
        you = (await alice.wait("joined"))["you"]
        assert you["presence"] == "in_room", "back in the room without being admitted again"
        await bob.wait("roster", lambda r: presence(r, alice_id) == "in_room"
                       and r is bob.received["roster"][-1])
        admits = [e for e in judge.received["hearing_event"] if e["action"] == "admit" and e["target"] == alice_id]
        assert len(admits) == 1, "nobody had to admit her again"

        await bob.sio.disconnect()
        await judge.wait("roster", roster_shows(bob_id, "reconnecting"))
        h.app.clock.advance(timedelta(seconds=h.app.config.hearing_reconnect_grace_s + 1))
        await judge.wait("roster", roster_shows(bob_id, "outside"), within=15)
        assert (await judge.wait("alert", lambda a: a["kind"] == "left"))["user_id"] == bob_id
        bob = await h.join("bob", hearing)
        assert (await bob.wait("joined"))["you"]["presence"] == "waiting", "past the grace: the waiting room again"
    finally:
        await leave_all(judge, alice, bob)


async def test_leaving_on_purpose_is_not_a_drop(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    judge = await h.join("judge", hearing)
    alice = await h.join("alice", hearing)
    try:
        await judge.wait("roster", roster_shows(h.ids["alice"], "in_room"))
        assert (await alice.call("leave"))["ok"]
        await judge.wait("roster", roster_shows(h.ids["alice"], "outside"))
        assert "alert" not in judge.received
    finally:
        await leave_all(judge, alice)


async def test_a_second_window_replaces_the_first(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    judge = await h.join("judge", hearing)
    first = await h.join("alice", hearing)
    try:
        await judge.wait("roster", roster_shows(h.ids["alice"], "in_room"))
        second = await h.join("alice", hearing)
        assert (await first.wait("ended"))["code"] == "replaced"
        assert (await second.wait("joined"))["you"]["presence"] == "in_room"
        assert presence(judge.received["roster"][-1], h.ids["alice"]) == "in_room"
        await leave_all(second)
    finally:
        await leave_all(judge, first)


async def test_judge_and_clerk_see_connection_stats_and_alerts(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    judge = await h.join("judge", hearing)
    clerk = await h.join("clerk", hearing)
    alice = await h.join("alice", hearing)
    bob = await h.join("bob", hearing)
    try:
        assert (await alice.call("heartbeat", {"packet_loss": 0.01, "rtt_ms": 80, "bitrate_kbps": 900}))["ok"]
        for staff in (judge, clerk):
            stats = await staff.wait("stats")
            assert stats == {"user_id": h.ids["alice"], "name": stats["name"], "packet_loss": 0.01, "rtt_ms": 80.0,
                             "bitrate_kbps": 900.0}
        assert (await alice.call("heartbeat", {"packet_loss": 0.35, "rtt_ms": 1500}))["ok"]
        alert = await clerk.wait("alert", lambda a: a["kind"] == "poor_connection")
        assert alert["user_id"] == h.ids["alice"] and alert["packet_loss"] == 0.35
        await judge.wait("alert", lambda a: a["kind"] == "poor_connection")
        assert "stats" not in bob.received and "alert" not in bob.received, "parties do not see others' links"
        assert judge.camel_case_keys() == clerk.camel_case_keys() == [], "events.md: snake_case keys"
    finally:
        await leave_all(judge, clerk, alice, bob)


async def test_a_reload_whose_old_socket_closes_as_the_new_one_joins_stays_in_the_room(
        courthouse: Courthouse) -> None:
    """A page reloaded mid-hearing: the old socket's close and the new socket's join race. However
    they land, the person ends up in the room (the new page's media offer would otherwise be refused)."""
    import asyncio

    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    judge = await h.join("judge", hearing)
    page = await h.join("alice", hearing)
    try:
        await judge.wait("roster", roster_shows(h.ids["alice"], "in_room"))
        for attempt in range(6):
            if attempt % 2:  # the new socket first, then the old one closes
                joining = asyncio.create_task(h.join("alice", hearing))
                await asyncio.sleep(0)
                await page.close()
                page = await joining
            else:  # as a browser reloads: the old page's socket closes, the new page's joins at once
                await page.close()
                page = await h.join("alice", hearing)
            assert (await page.wait("joined"))["you"]["presence"] == "in_room"
            await asyncio.sleep(0.5)  # the old socket's close, however late, has been handled
            assert presence(judge.received["roster"][-1], h.ids["alice"]) == "in_room", judge.received["roster"][-1]
    finally:
        await leave_all(judge, page)
