"""The /cabinet namespace: a logged-in user sees new notices and the unread count live."""

from __future__ import annotations

from typing import Any

from cabinet.identity.http import SESSION_COOKIE
from cabinet.identity.login import LoginService
from cabinet.notifications.outbox import notify
from core.resources import CLOCK, DB
from tests.cabinet.conftest import CabinetApp, Cast
from tests.signaling.conftest import base_url, connect, refusal, token_of

NS = "/cabinet"


async def _user_id(app: CabinetApp, token: str) -> int:
    from cabinet.identity.http import LOGIN

    login: LoginService = app.client.app[LOGIN]
    principal = await login.authenticate(token)
    assert principal is not None
    return principal.user_id


async def _notify(app: CabinetApp, user_id: int, number: str) -> int:
    web_app: Any = app.client.app
    async with web_app[DB].transaction() as session:
        return await notify(session, web_app[CLOCK], user_id=user_id, kind="document_received",
                            facts={"case_number": number, "incoming_number": "N-1", "filer": "ӘЛИЕВА АЛИЯ"})


async def test_without_a_session_the_connection_is_refused_as_unauthenticated(live: CabinetApp) -> None:
    url = base_url(live)
    assert (await refusal(url, NS, None))["code"] == "unauthenticated"
    assert (await refusal(url, NS, {"token": "not-a-session"}))["code"] == "unauthenticated"
    assert (await refusal(url, NS, {"token": "x" * 500}))["code"] == "unauthenticated"
    assert (await refusal(url, NS, {"token": 42}))["code"] == "unauthenticated"


async def test_a_logged_out_session_no_longer_connects(live: CabinetApp, cast: Cast) -> None:
    token = await token_of(live, cast.alice)
    response = await live.client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert response.status in (200, 204), await response.text()
    assert (await refusal(base_url(live), NS, {"token": token}))["code"] == "unauthenticated"


async def test_the_session_cookie_authenticates_the_handshake(live: CabinetApp, cast: Cast) -> None:
    token = await token_of(live, cast.alice)
    socket = await connect(base_url(live), NS, None, headers={"Cookie": f"{SESSION_COOKIE}={token}"})
    try:
        assert await socket.wait("unread") == {"unread": 0}
    finally:
        await socket.close()


async def test_new_notices_and_the_unread_count_arrive_live(live: CabinetApp, cast: Cast) -> None:
    token = await token_of(live, cast.alice)
    other_token = await token_of(live, cast.bob)
    alice = await _user_id(live, token)
    await _notify(live, alice, "Before connecting")
    socket = await connect(base_url(live), NS, {"token": token})
    bob = await connect(base_url(live), NS, {"token": other_token})
    try:
        assert await socket.wait("unread") == {"unread": 1}
        notice_id = await _notify(live, alice, "Statement of defence received")
        pushed = await socket.wait("notice")
        assert pushed["id"] == notice_id
        assert pushed["title"] == "Statement of defence received ісі бойынша құжат келіп түсті"
        assert pushed["read"] is False and pushed["kind"] == "document_received"
        await socket.wait("unread", lambda d: d == {"unread": 2})
        assert [n["id"] for n in socket.received["notice"]] == [notice_id], "the old notice is not pushed again"

        response = await live.client.post(f"/api/v1/notifications/{notice_id}/read",
                                          headers={"Authorization": f"Bearer {token}"})
        assert response.status == 200
        await socket.wait("unread", lambda d: d == {"unread": 1})
        await bob.wait("unread")
        assert "notice" not in bob.received, "nobody sees another person's notices"
        assert bob.received["unread"] == [{"unread": 0}]
    finally:
        await socket.close()
        await bob.close()


async def test_every_socket_of_a_user_gets_the_push(live: CabinetApp, cast: Cast) -> None:
    token = await token_of(live, cast.alice)
    alice = await _user_id(live, token)
    tabs = [await connect(base_url(live), NS, {"token": token}) for _ in range(2)]
    try:
        await tabs[1].close()
        notice_id = await _notify(live, alice, "Hearing moved")
        assert (await tabs[0].wait("notice"))["id"] == notice_id
        third = await connect(base_url(live), NS, {"token": token})
        tabs.append(third)
        await third.wait("unread", lambda d: d == {"unread": 1})
        second = await _notify(live, alice, "Judge assigned")
        assert (await third.wait("notice"))["id"] == second
        assert (await tabs[0].wait("notice", lambda n: n["id"] == second))["id"] == second
    finally:
        for tab in tabs:
            await tab.close()


async def test_which_hearings_can_be_joined_arrives_live_and_only_to_their_participants(
        live: CabinetApp, cast: Cast) -> None:
    """The cabinet's join buttons follow ``hearings``: at connection, when the court opens a waiting
    room by hand, and when the clock opens or closes one; a person not summoned hears of none."""
    from datetime import timedelta

    from core.clock import FixedClock
    from sessions.models import HearingRow
    from tests.web.pages.test_cabinet_page import seed

    alice_token, bob_token = await token_of(live, cast.alice), await token_of(live, cast.bob)
    _draft, hearings = await seed(live.client)  # Alice's: in two days, in 5 minutes (online), courtroom-only
    alice = await connect(base_url(live), NS, {"token": alice_token})
    bob = await connect(base_url(live), NS, {"token": bob_token})
    web_app: Any = live.client.app
    try:
        assert await alice.wait("hearings") == {"joinable": [hearings["soon"]]}
        assert await bob.wait("hearings") == {"joinable": []}
        async with web_app[DB].transaction() as session:  # the clerk opens the later hearing's waiting room
            row = await session.get(HearingRow, hearings["later"])
            assert row is not None
            row.state = "lobby_open"
        both = sorted([hearings["soon"], hearings["later"]])
        await alice.wait("hearings", lambda pushed: pushed == {"joinable": both})
        clock = web_app[CLOCK]
        assert isinstance(clock, FixedClock)
        clock.advance(timedelta(hours=1, minutes=10))  # the soon one has ended by the clock
        await alice.wait("hearings", lambda pushed: pushed == {"joinable": [hearings["later"]]})
        assert bob.received["hearings"] == [{"joinable": []}], "nobody hears of another person's hearings"
        assert all(h["joinable"] != [hearings["courtroom"]] for h in alice.received["hearings"])
    finally:
        await alice.close()
        await bob.close()
