"""An address naming a row no database can hold is a page not found, on both databases.

The routes let up to 18 digits through; past PostgreSQL's ``INTEGER`` the database refuses to
compare the key at all, and the page answered 500 where SQLite found nothing."""

from __future__ import annotations

from tests.cabinet.filing.conftest import Court
from tests.web.pages.test_pages_http import token_of
from tests.web.pages.test_registry_desk import HTML, browser_of

BEYOND = ("2147483648", "999999999999999999")
"""One past the largest ``INTEGER``, and the most digits a route lets through."""


async def test_a_row_id_past_any_row_is_not_found_on_every_desk(court: Court) -> None:
    async with await browser_of(court, court.cast.clerk) as desk:
        token = token_of(await (await desk.get("/staff/registry", headers=HTML)).text())
        form = {"csrf_token": token, "reason": "r", "decision": "refuse"}
        for number in BEYOND:
            for method, path in (("GET", f"/staff/registry/{number}/exemption/refuse"),
                                 ("POST", f"/staff/registry/{number}/exemption/confirm"),
                                 ("POST", f"/staff/registry/{number}/exemption/refuse"),
                                 ("POST", f"/staff/registry/{number}/register"),
                                 ("POST", f"/staff/registry/{number}/return"),
                                 ("GET", f"/staff/deferrals/{number}"),
                                 ("POST", f"/staff/deferrals/{number}"),
                                 ("GET", f"/cabinet/notices/{number}"),
                                 ("GET", f"/hearings/{number}/room")):
                response = await desk.request(method, path, headers=HTML, data=form if method == "POST" else None)
                assert response.status == 404, (method, path, response.status)
