"""The hearing room's page over HTTP: who may open it, and what it allows the browser.

The socket's join decides admission; the page refuses early, with the same codes, whoever the join
would refuse — a visitor not logged in, somebody not listed in a closed hearing, a party the judge
removed — and grants camera and microphone only to people who publish, only on this page.
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.signaling.conftest import Courthouse, app_overrides, courthouse, leave_all, live  # noqa: F401 - fixtures
from tests.web.pages.test_registry_desk import HTML

ROOM = "/hearings/{}/room"


async def page_as(h: Courthouse, name: str | None, path: str, language: str = "kk") -> tuple[int, str, Any]:
    cookies = {"sotkab_session": h.tokens[name]} if name else {}
    async with aiohttp.ClientSession(base_url=h.url, cookies=cookies) as browser:
        async with browser.get(path, headers={**HTML, "Accept-Language": language}, allow_redirects=False) as response:
            return response.status, await response.text(), response.headers


async def test_a_listed_party_gets_the_room_with_camera_and_microphone_allowed_here_only(
        courthouse: Courthouse) -> None:  # noqa: F811
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff"}, is_open=False)
    status, html, headers = await page_as(h, "alice", ROOM.format(hearing))
    assert status == 200, html
    assert headers["Permissions-Policy"].startswith("camera=(self), microphone=(self)")
    assert 'data-publish="true"' in html and 'id="check"' in html and 'id="bench"' not in html
    assert "<script>" not in html and " style=" not in html and "room." in html
    _, _, elsewhere = await page_as(h, "alice", "/cabinet")
    assert "camera=()" in elsewhere["Permissions-Policy"] and "microphone=()" in elsewhere["Permissions-Policy"]
    status, html, _ = await page_as(h, "judge", ROOM.format(hearing))
    assert status == 200 and 'id="bench"' in html


@pytest.mark.parametrize(("language", "courtroom"), [
    ("kk", "сот залы: Зал 1"), ("ru", "зал суда: Зал 1"), ("en", "courtroom: Зал 1")])
async def test_the_header_names_the_courtroom_as_stored_in_each_language(
        courthouse: Courthouse, language: str, courtroom: str) -> None:  # noqa: F811
    """The stored name already holds the word: it stands after the label, not inside a phrase."""
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff"}, is_open=False)
    status, html, _ = await page_as(h, "alice", ROOM.format(hearing), language)
    assert status == 200 and f'<html lang="{language}"' in html, html
    header = html.split('<p class="hint">', 1)[1].split("</p>", 1)[0]
    assert f", {courtroom} · " in header, header
    assert "Зал 1 залы" not in html and "зал Зал 1" not in html.lower()


async def test_a_public_observer_watches_without_camera_or_microphone(courthouse: Courthouse) -> None:  # noqa: F811
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff"}, is_open=True)
    status, html, headers = await page_as(h, "carol", ROOM.format(hearing))
    assert status == 200, html
    assert headers["Permissions-Policy"].startswith("camera=(), microphone=()")
    assert 'data-publish="false"' in html and 'id="camera-select"' not in html


async def test_who_may_not_be_in_the_hearing_is_refused_before_the_page(courthouse: Courthouse) -> None:  # noqa: F811
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff", "bob": "defendant"}, is_open=False)
    status, _, headers = await page_as(h, None, ROOM.format(hearing))
    assert status == 303 and headers["Location"].startswith("/login?next=")
    status, html, _ = await page_as(h, "carol", ROOM.format(hearing))
    assert status == 403 and "not_a_participant" in html
    for bad in ("0", "abc", "99999999999999999999", str(hearing + 1000)):
        status, _, _ = await page_as(h, "alice", ROOM.format(bad))
        assert status == 404, bad

    # Removed by the judge: the page says so instead of opening the room again.
    judge, bob = await h.join("judge", hearing), await h.join("bob", hearing)
    try:
        assert (await judge.call("start"))["ok"]
        assert (await judge.call("remove", {"target": h.ids["bob"]}))["ok"]
        status, html, _ = await page_as(h, "bob", ROOM.format(hearing))
        assert status == 403 and "removed" in html
    finally:
        await leave_all(judge, bob)
