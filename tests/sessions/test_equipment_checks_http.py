"""Equipment checks over HTTP: each person stores their own, the bench hears of it and reads them all.

The person is the logged-in caller: a check for somebody else cannot even be expressed (a
``user_id`` is an unknown field), a hearing the caller is not in is refused, and so is anyone the
judge removed. Only the court's judges and clerks read the checks. A stored check reaches the
judge's and clerk's sockets at once, never a party's.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.cabinet.conftest import cast  # noqa: F401 - fixture
from tests.signaling.conftest import Courthouse, app_overrides, courthouse, leave_all, live  # noqa: F401 - fixtures

CHECK = {"rtt_ms": 42.0, "packet_loss": 0.004, "bitrate_kbps": 1180.0, "camera": "FaceTime HD Camera",
         "microphone": "Headset Microphone"}


async def put(h: Courthouse, who: str | None, hearing: object, body: Any, **kw: Any) -> tuple[int, Any]:
    headers = {} if who is None else {"Authorization": f"Bearer {h.tokens[who]}"}
    response = await h.app.client.put(f"/api/v1/hearings/{hearing}/equipment-check", json=body, headers=headers, **kw)
    return response.status, await response.json()


async def checks(h: Courthouse, who: str, hearing: int) -> tuple[int, Any]:
    response = await h.app.client.get(f"/api/v1/hearings/{hearing}/equipment-checks",
                                      headers={"Authorization": f"Bearer {h.tokens[who]}"})
    return response.status, await response.json()


async def test_a_party_stores_their_check_the_bench_hears_of_it_and_the_clerk_reads_it(
        courthouse: Courthouse) -> None:  # noqa: F811
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "clerk": "clerk", "alice": "plaintiff", "bob": "defendant"},
                           is_open=False)
    judge, bob = await h.join("judge", hearing), await h.join("bob", hearing)
    try:
        status, body = await put(h, "alice", hearing, CHECK)
        assert status == 200, body
        assert body["verdict"] == "good" and body["user_id"] == h.ids["alice"] and body["role"] == "plaintiff"
        assert body["camera"] == "FaceTime HD Camera" and body["checked_at"]
        pushed = await judge.wait("equipment_check", lambda c: c["user_id"] == h.ids["alice"])
        assert pushed == body
        assert "equipment_check" not in bob.received  # a party never sees another's devices

        # A second check replaces the first; a failed test (no figures) is stored as failed.
        status, again = await put(h, "alice", hearing, {"camera": "USB Camera", "microphone": ""})
        assert status == 200 and again["verdict"] == "failed" and again["rtt_ms"] is None
        status, slow = await put(h, "bob", hearing, {**CHECK, "rtt_ms": 250.0})
        assert status == 200 and slow["verdict"] == "okay"

        status, listed = await checks(h, "clerk", hearing)
        assert status == 200, listed
        by_user = {c["user_id"]: c for c in listed["checks"]}
        assert set(by_user) == {h.ids["alice"], h.ids["bob"]}
        assert by_user[h.ids["alice"]]["verdict"] == "failed" and by_user[h.ids["alice"]]["camera"] == "USB Camera"
        assert by_user[h.ids["bob"]]["verdict"] == "okay"
        status, _ = await checks(h, "judge", hearing)
        assert status == 200
    finally:
        await leave_all(judge, bob)


async def test_nobody_stores_a_check_for_someone_else_or_a_hearing_they_are_not_in(
        courthouse: Courthouse) -> None:  # noqa: F811
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff", "bob": "defendant"}, is_open=False)

    # Somebody else's check: there is no way to say so, the person is the caller.
    status, body = await put(h, "alice", hearing, {**CHECK, "user_id": h.ids["bob"]})
    assert status == 400 and body["error"]["code"] == "invalid_request"
    assert body["error"]["details"]["field"] == "user_id"
    # Not a participant of this (closed) hearing; not logged in; no such hearing.
    status, body = await put(h, "carol", hearing, CHECK)
    assert status == 403 and body["error"]["code"] == "not_a_participant"
    status, body = await put(h, None, hearing, CHECK)
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    for missing in (hearing + 1000, 2**31, 99999999999999999999):
        status, body = await put(h, "alice", missing, CHECK)
        assert status == 404 and body["error"]["code"] == "hearing_not_found", (missing, body)
    # The parties do not read the checks; nor does another court's judge... nor a stranger.
    for who in ("alice", "carol"):
        status, body = await checks(h, who, hearing)
        assert status in (403, 404) and body["error"]["code"] in ("not_court_staff", "hearing_not_found"), body

    # Removed by the judge: no more checks.
    judge, bob = await h.join("judge", hearing), await h.join("bob", hearing)
    try:
        assert (await judge.call("start"))["ok"]
        assert (await judge.call("remove", {"target": h.ids["bob"]}))["ok"]
        status, body = await put(h, "bob", hearing, CHECK)
        assert status == 403 and body["error"]["code"] == "removed"
    finally:
        await leave_all(judge, bob)
    status, listed = await checks(h, "judge", hearing)
    assert status == 200 and listed["checks"] == []


async def test_bad_payloads_are_4xx_json_errors(courthouse: Courthouse) -> None:  # noqa: F811
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff"}, is_open=False)
    bearer = {"Authorization": f"Bearer {h.tokens['alice']}"}
    url = f"/api/v1/hearings/{hearing}/equipment-check"
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"data": b"{not json", "headers": {**bearer, "Content-Type": "application/json"}}, 400, "invalid_json"),
        ({"data": b"rtt=1", "headers": {**bearer, "Content-Type": "application/x-www-form-urlencoded"}}, 400,
         "invalid_request"),
        ({"json": [1, 2], "headers": bearer}, 400, "invalid_request"),
        ({"json": {"rtt_ms": 10}, "headers": bearer}, 400, "invalid_request"),
        ({"json": {**CHECK, "packet_loss": -0.1}, "headers": bearer}, 400, "invalid_request"),
        ({"json": {**CHECK, "verdict": "good"}, "headers": bearer}, 400, "invalid_request"),
        ({"json": {**CHECK, "camera": "x" * 5000}, "headers": bearer}, 413, "body_too_large"),
    ]
    for kw, status, code in cases:
        response = await h.app.client.put(url, **kw)
        body = await response.json()
        assert (response.status, body["error"]["code"]) == (status, code), (kw, body)
        assert body["error"]["message"]


async def test_a_page_storing_its_check_with_the_session_cookie_must_come_from_the_court(
        courthouse: Courthouse) -> None:  # noqa: F811
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff"}, is_open=False)
    url = f"{h.url}/api/v1/hearings/{hearing}/equipment-check"
    async with aiohttp.ClientSession(cookies={"sotkab_session": h.tokens["alice"]}) as browser:
        async with browser.put(url, json=CHECK, headers={"Origin": "https://evil.example"}) as response:
            assert response.status == 403 and (await response.json())["error"]["code"] == "cross_site_request"
        async with browser.put(url, json=CHECK, headers={"Origin": h.url}) as response:
            assert response.status == 200, await response.text()


async def test_two_first_checks_at_once_from_two_tabs_both_store_and_one_row_remains(
        courthouse: Courthouse) -> None:  # noqa: F811
    import asyncio

    h = courthouse
    hearing = await h.book(people={"judge": "judge", "clerk": "clerk", "alice": "plaintiff"}, is_open=False)
    results = await asyncio.gather(*(put(h, "alice", hearing, {**CHECK, "rtt_ms": 40.0 + n}) for n in range(4)))
    assert [status for status, _ in results] == [200] * 4, results
    status, listed = await checks(h, "clerk", hearing)
    assert status == 200 and len(listed["checks"]) == 1
    assert listed["checks"][0]["rtt_ms"] in {40.0 + n for n in range(4)}
