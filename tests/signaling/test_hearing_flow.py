"""A whole hearing over real socket.io clients: lobby, waiting room, admission, witness called and
dismissed, mute, remove, pause and resume, close — each broadcast to the people it concerns."""

from __future__ import annotations

from typing import Any

from tests.signaling.conftest import Courthouse, Socket, leave_all


def presence(roster: dict[str, Any], user_id: int) -> str | None:
    return next((p["presence"] for p in roster["participants"] if p["user_id"] == user_id), None)


def roster_shows(user_id: int, state: str) -> Any:
    return lambda roster: presence(roster, user_id) == state


def event_of(action: str, target: int | None = None) -> Any:
    return lambda event: event["action"] == action and (target is None or event["target"] == target)


async def test_a_hearing_from_lobby_to_close(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "clerk": "clerk", "alice": "plaintiff",
                                   "bob": "defendant", "carol": "witness"})
    alice_id, bob_id, carol_id, observer_id = h.ids["alice"], h.ids["bob"], h.ids["carol"], h.ids["lawyer"]

    judge = await h.join("judge", hearing)
    you = (await judge.wait("joined"))["you"]
    assert you["role"] == "judge" and you["is_staff"] and you["presence"] == "in_room"
    assert (await judge.wait("joined"))["hearing"]["state"] == "lobby_open"

    alice = await h.join("alice", hearing)
    bob = await h.join("bob", hearing)
    carol = await h.join("carol", hearing)
    observer = await h.join("lawyer", hearing)  # a logged-in member of the public: the hearing is open
    sockets: list[Socket] = [judge, alice, bob, carol, observer]
    try:
        assert (await alice.wait("joined"))["you"]["presence"] == "waiting"
        assert (await carol.wait("joined"))["you"]["role"] == "witness"
        seen = (await observer.wait("joined"))["you"]
        assert seen["role"] == "observer" and not seen["capabilities"]["publish_audio"]
        await judge.wait("roster", roster_shows(bob_id, "waiting"))

        assert (await judge.call("start")) ["ok"]
        await alice.wait("hearing_event", event_of("start"))
        for party in (alice_id, bob_id):
            reply = await judge.call("admit", {"target": party})
            assert reply["ok"], reply
        await alice.wait("roster", roster_shows(alice_id, "in_room"))
        await observer.wait("hearing_event", event_of("admit", bob_id))

        # The witness waits until called, testifies, and goes back when dismissed.
        assert (await judge.call("call", {"target": carol_id}))["ok"]
        await carol.wait("roster", roster_shows(carol_id, "in_room"))
        assert (await judge.call("dismiss", {"target": carol_id}))["ok"]
        await carol.wait("hearing_event", event_of("dismiss", carol_id))
        await judge.wait("roster", roster_shows(carol_id, "waiting"))

        # Hands, chat to everybody in the room (not the waiting witness), staff chat.
        assert (await bob.call("raise_hand"))["ok"]
        await judge.wait("roster", lambda r: any(p["user_id"] == bob_id and p["hand_raised"]
                                                 for p in r["participants"]))
        assert (await alice.call("chat", {"text": "I have the receipt here", "channel": "all"}))["ok"]
        said = await bob.wait("hearing_event", event_of("chat"))
        assert said["details"] == {"channel": "all", "text": "I have the receipt here"}
        assert (await carol.call("chat", {"text": "Can I leave the waiting room?", "channel": "staff"}))["ok"]
        asked = await h_wait_staff_chat(judge)
        assert asked["actor"] == carol_id
        await carol.wait("hearing_event", lambda e: e["details"].get("channel") == "staff")
        assert not [e for e in carol.received["hearing_event"] if e["details"].get("channel") == "all"], \
            "the waiting witness does not hear the room's chat"
        assert not [e for e in alice.received["hearing_event"] if e["details"].get("channel") == "staff"], \
            "staff chat stays with the staff and its sender"

        # Mute, unmute, remove, pause, resume, close.
        assert (await judge.call("mute", {"target": bob_id, "media": "audio"}))["ok"]
        await bob.wait("roster", lambda r: any(p["user_id"] == bob_id and p["muted_audio"] for p in r["participants"]))
        assert (await judge.call("unmute", {"target": bob_id}))["ok"]
        assert (await judge.call("remove", {"target": observer_id, "reason": "filming the hearing"}))["ok"]
        ended = await observer.wait("ended")
        assert ended["code"] == "removed"
        await judge.wait("roster", roster_shows(observer_id, "removed"))
        assert (await h.refused("lawyer", hearing))["code"] == "removed"

        assert (await judge.call("pause", {"reason": "deliberation"}))["ok"]
        paused = await alice.wait("hearing_event", event_of("pause"))
        assert paused["state"] == "paused" and paused["details"]["reason"] == "deliberation"
        assert (await judge.call("recording_pause"))["ok"]
        assert (await judge.call("recording_resume"))["ok"]
        assert (await judge.call("resume"))["ok"]
        await bob.wait("hearing_event", event_of("resume"))

        assert (await judge.call("close"))["ok"]
        for socket in (alice, bob, carol, judge):
            assert (await socket.wait("ended"))["code"] == "hearing_closed"
        assert (await h.refused("alice", hearing))["code"] == "hearing_closed"
        assert [key for socket in sockets for key in socket.camel_case_keys()] == [], "events.md: snake_case keys"
    finally:
        await leave_all(*sockets)

    response = await h.app.client.get(f"/api/v1/hearings/{hearing}/minutes",
                                      headers=await h.court.as_("judge"))
    assert response.status == 200, await response.text()
    minutes = await response.text()
    for line in ("I have the receipt here",):
        assert line in minutes


async def h_wait_staff_chat(judge: Socket) -> dict[str, Any]:
    return dict(await judge.wait("hearing_event", lambda e: e["action"] == "chat"
                                 and e["details"].get("channel") == "staff"))
