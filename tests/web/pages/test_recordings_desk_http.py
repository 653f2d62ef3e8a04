"""The recordings desk over HTTP, on both databases: the refusals a stale form, a bad search, a party
or another court's clerk meets — each said as a page, and nothing stored changes."""

from __future__ import annotations

from sqlalchemy import func, select

from recordings.models import RecordingLink
from tests.recordings.conftest import live  # noqa: F401 - the app on the wall clock
from tests.recordings.test_access import cast_the_outsiders, recorded
from tests.signaling.conftest import Courthouse, app_overrides, courthouse  # noqa: F401
from tests.web.pages.test_pages_http import token_of
from tests.web.pages.test_registry_desk import HTML, browser_of


async def links(h: Courthouse) -> int:
    async with h.court.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(RecordingLink)) or 0)


async def test_bad_searches_are_explained_at_their_field(courthouse: Courthouse) -> None:  # noqa: F811
    h = courthouse
    record = await recorded(h, is_open=True)
    async with await browser_of(h.court, h.court.cast.clerk) as clerk:
        page = await clerk.get("/staff/recordings", params={"case": h.case_number}, headers=HTML)
        html = await page.text()
        assert page.status == 200 and f'href="/recordings/{record["id"]}"' in html
        bad = [({"from": "yesterday"}, "from"), ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
               ({"judge": "99999"}, "judge"), ({"judge": "<b>"}, "judge")]
        for query, field in bad:
            response = await clerk.get("/staff/recordings", params=query, headers=HTML)
            body = await response.text()
            assert response.status == 400 and f'href="#{field}"' in body, (query, body[:300])
            assert "<b>" not in body


async def test_links_need_the_form_and_a_sane_length_and_the_party_of_another_case_is_refused(
        courthouse: Courthouse) -> None:  # noqa: F811
    h = courthouse
    await cast_the_outsiders(h)
    record = await recorded(h, is_open=True)
    url = f"/recordings/{record['id']}"
    async with await browser_of(h.court, h.court.cast.clerk) as clerk:
        html = await (await clerk.get(url, headers=HTML)).text()
        no_form = await clerk.post(url + "/links", data={"days": "3"}, headers=HTML)
        assert no_form.status == 403
        for days in ("0", "31", "three", ""):
            response = await clerk.post(url + "/links", data={"csrf_token": token_of(html), "days": days},
                                        headers=HTML)
            assert response.status == 400 and 'href="#days"' in await response.text(), days
        assert await links(h) == 0
        made = await clerk.post(url + "/links", data={"csrf_token": token_of(html), "days": "3"}, headers=HTML)
        assert made.status == 201 and 'id="new-link"' in await made.text()
        assert await links(h) == 1
    for outsider, status in (("carol", 403), ("admin", 403)):
        async with await browser_of(h.court, getattr(h.court.cast, outsider)) as other:
            page = await other.get(url, headers=HTML)
            assert page.status == status, outsider
            home = await (await other.get("/", headers=HTML)).text()
            revoke = await other.post(url + "/links/1/revoke", data={"csrf_token": token_of(home)}, headers=HTML)
            assert revoke.status == 403, outsider
            search = await other.get("/staff/recordings", headers=HTML)
            assert search.status == (403 if outsider == "carol" else 200)
            if outsider == "admin":
                assert f'href="{url}"' not in await search.text(), "another court's clerk does not find it"
    assert await links(h) == 1



async def test_parties_find_the_recording_on_their_case_page_once_they_may_see_it(courthouse: Courthouse) -> None:  # noqa: F811
    """A closed hearing's recording is hidden from the parties until the judge grants them access."""
    h = courthouse
    record = await recorded(h, is_open=False)
    link = f'href="/recordings/{record["id"]}"'
    async with await browser_of(h.court, h.court.cast.alice) as alice:
        case_page = f"/cabinet/cases/{h.case_number}"
        assert link not in await (await alice.get(case_page, headers=HTML)).text()
        assert (await alice.get(f"/recordings/{record['id']}", headers=HTML)).status == 403
        granted = await h.court.post("judge", f"/api/v1/recordings/{record['id']}/access", {"granted": True})
        assert granted.status == 200, await granted.text()
        assert link in await (await alice.get(case_page, headers=HTML)).text()
        page = await alice.get(f"/recordings/{record['id']}", headers=HTML)
        assert page.status == 200 and 'id="verify-button"' in await page.text()
        assert (await alice.get("/staff/recordings", headers=HTML)).status == 403, "the search is the court's"
