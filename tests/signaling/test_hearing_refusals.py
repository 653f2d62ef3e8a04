"""Every refusal comes back with its code: at the door as connect_error, inside as an error reply."""

from __future__ import annotations

from datetime import timedelta

from tests.signaling.conftest import Courthouse, leave_all

PEOPLE = {"judge": "judge", "clerk": "clerk", "alice": "plaintiff", "bob": "defendant", "carol": "witness"}


async def test_nobody_joins_without_a_session(courthouse: Courthouse) -> None:
    hearing = await courthouse.book(people=PEOPLE)
    assert (await courthouse.refused(None, hearing))["code"] == "unauthenticated"
    courthouse.tokens["forged"] = "forged-token"
    assert (await courthouse.refused("forged", hearing))["code"] == "unauthenticated"


async def test_the_hearing_must_be_named_and_exist(courthouse: Courthouse) -> None:
    for bad in (None, "", "abc", -1, 0, True, 1.5, "9" * 40, {"id": 1}):
        assert (await courthouse.refused("alice", bad))["code"] == "invalid_hearing_id", bad
    refusal = await courthouse.refused("alice", 999_999)
    assert refusal["code"].endswith("not_found"), refusal


async def test_a_closed_hearing_admits_only_its_participants(courthouse: Courthouse) -> None:
    hearing = await courthouse.book(people=PEOPLE, is_open=False)
    refusal = await courthouse.refused("lawyer", hearing)  # a logged-in member of the public
    assert refusal["code"] == "not_a_participant"
    assert (await courthouse.refused("judge2", hearing))["code"] == "not_a_participant"
    party = await courthouse.join("alice", hearing)
    await leave_all(party)


async def test_nobody_joins_before_the_lobby_opens(courthouse: Courthouse) -> None:
    hearing = await courthouse.book(people=PEOPLE, start_in=timedelta(hours=3), lead_minutes=15)
    refusal = await courthouse.refused("alice", hearing)
    assert refusal["code"] == "hearing_not_open"
    assert "opens_at" in refusal["details"]
    assert (await courthouse.refused("judge", hearing))["code"] == "hearing_not_open"


async def test_nobody_joins_after_the_close(courthouse: Courthouse) -> None:
    hearing = await courthouse.book(people=PEOPLE)
    judge = await courthouse.join("judge", hearing)
    try:
        assert (await judge.call("start"))["ok"]
        assert (await judge.call("close"))["ok"]
    finally:
        await leave_all(judge)
    for name in ("alice", "judge", "lawyer"):
        assert (await courthouse.refused(name, hearing))["code"] == "hearing_closed"


async def test_parties_and_observers_cannot_use_judge_controls(courthouse: Courthouse) -> None:
    hearing = await courthouse.book(people=PEOPLE)
    judge = await courthouse.join("judge", hearing)
    alice = await courthouse.join("alice", hearing)
    observer = await courthouse.join("lawyer", hearing)
    try:
        assert (await judge.call("start"))["ok"]
        assert (await judge.call("admit", {"target": courthouse.ids["alice"]}))["ok"]
        for socket in (alice, observer):
            for action, payload in (("close", None), ("pause", {"reason": "recess"}),
                                    ("admit", {"target": courthouse.ids["bob"]}),
                                    ("mute", {"target": courthouse.ids["judge"]}),
                                    ("remove", {"target": courthouse.ids["alice"]})):
                reply = await socket.call(action, payload)
                assert reply["error"]["code"] == "not_allowed", (action, reply)
        reply = await observer.call("chat", {"text": "hello"})
        assert reply["error"]["code"] == "chat_not_allowed"
        await judge.wait("hearing_event", lambda e: e["action"] == "admit")
        assert [e["action"] for e in judge.received["hearing_event"]] == ["start", "admit"], \
            "nothing a party or observer tried was logged or changed the hearing"
    finally:
        await leave_all(judge, alice, observer)


async def test_malformed_events_are_refused_before_anything_happens(courthouse: Courthouse) -> None:
    hearing = await courthouse.book(people=PEOPLE)
    judge = await courthouse.join("judge", hearing)
    try:
        assert (await judge.call("admit", "not an object"))["error"]["code"] == "invalid_payload"
        reply = await judge.call("admit", {"target": "alice"})
        assert reply["error"] == {"code": "invalid_payload", "message": "target must be a non-negative integer",
                                  "details": {"field": "target"}}
        assert (await judge.call("chat", {"text": 5}))["error"]["details"] == {"field": "text"}
        assert (await judge.call("heartbeat", {"packet_loss": 2}))["error"]["details"] == {"field": "packet_loss"}
        assert (await judge.call("heartbeat", {"cpu": 1}))["error"]["code"] == "invalid_payload"
        camel = await judge.call("heartbeat", {"packetLoss": 0.5})  # the old casing is not read silently
        assert camel["error"]["code"] == "invalid_payload" and camel["error"]["details"] == {"field": "packetLoss"}
        assert (await judge.call("media_offer", {}))["error"]["details"] == {"field": "sdp"}
        assert (await judge.call("close"))["error"]["code"] == "illegal_hearing_transition"
        assert (await judge.call("admit", {"target": 10**6}))["error"]["code"] == "illegal_control"
    finally:
        await leave_all(judge)


async def test_media_is_for_the_hearing_room_and_observers_do_not_publish(courthouse: Courthouse) -> None:
    from tests.signaling.webrtc import offer_sdp

    hearing = await courthouse.book(people=PEOPLE)
    judge = await courthouse.join("judge", hearing)
    alice = await courthouse.join("alice", hearing)
    observer = await courthouse.join("lawyer", hearing)
    try:
        reply = await alice.call("media_offer", {"sdp": await offer_sdp(publish=True)})
        assert reply["error"]["code"] == "not_in_hearing_room", "the waiting room gets no media"
        reply = await observer.call("media_offer", {"sdp": await offer_sdp(publish=True)})
        assert reply["error"]["code"] == "media_publish_not_allowed"
        reply = await observer.call("media_offer", {"sdp": await offer_sdp(publish=False)})
        assert reply["ok"] and reply["answer"]["type"] == "answer"
    finally:
        await leave_all(judge, alice, observer)
