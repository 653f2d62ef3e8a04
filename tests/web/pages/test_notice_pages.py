"""Notices in the cabinet over HTTP, on both databases: headings in the reader's language, opening
serves, the header counts what is unread, and nobody opens another person's notice."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient

from cabinet.identity.http import LOGIN
from cabinet.notifications.outbox import notify
from core.resources import CLOCK, DB
from tests.web.pages.conftest import People
from tests.web.pages.test_pages_http import HTML, log_in, other_browser, page


async def summon(client: TestClient[Any, Any], token: str) -> int:
    app: Any = client.app
    principal = await app[LOGIN].authenticate(token)
    async with app[DB].transaction() as session:
        return await notify(session, app[CLOCK], user_id=principal.user_id, kind="hearing_scheduled",
                            facts={"case_number": "7594-26-00-2/000001"},
                            court="Алмалинский районный суд города Алматы", case_number="7594-26-00-2/000001",
                            capacity="plaintiff", when=datetime(2026, 3, 10, 4, 0, tzinfo=UTC), place="Зал 1")


def unread_badge(html: str) -> str | None:
    found = re.search(r'<span class="count" id="unread-count"( hidden)?>(\d+)</span>', html)
    assert found, "no unread badge"
    return None if found[1] else found[2]


async def test_a_notice_reads_in_the_readers_language_and_opening_serves_it(
        people: People, client: TestClient[Any, Any]) -> None:
    token = await log_in(client, people.aliya)
    notice_id = await summon(client, token)
    _status, html, _response = await page(client, "/cabinet/notices", **{"Accept-Language": "kk"})
    assert unread_badge(html) == "1"
    assert f'href="/cabinet/notices/{notice_id}"' in html and "notice-list__item--unread" in html
    status, html, _response = await page(client, f"/cabinet/notices/{notice_id}", **{"Accept-Language": "kk"})
    assert status == 200
    assert "10.03.2026 09:00" in html and "Уақыты" in html and "Зал 1" in html
    assert "Сот отырысына шақыру" in html.split("<h1")[1][:200]  # the heading in Kazakh, not the stored title
    assert unread_badge(html) is None  # opened: read and served
    me = await client.get(f"/api/v1/notifications/{notice_id}", headers={"Authorization": f"Bearer {token}"})
    assert (await me.json())["served_at"] is not None


async def test_nobody_opens_another_persons_notice(people: People, client: TestClient[Any, Any]) -> None:
    token = await log_in(client, people.aliya)
    notice_id = await summon(client, token)
    async with other_browser(client) as stranger:
        await log_in(stranger, people.mallory)
        response = await stranger.get(f"/cabinet/notices/{notice_id}", headers=HTML)
        assert response.status == 404
        response = await stranger.get("/cabinet/notices/99999999999999999999", headers=HTML)
        assert response.status == 404
    _status, html, _response = await page(client, "/cabinet/notices")
    assert unread_badge(html) == "1"  # the stranger's attempts served nothing


async def test_notices_need_a_login(client: TestClient[Any, Any]) -> None:
    response = await client.get("/cabinet/notices/1", headers=HTML, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/login?next=")
