"""The clerk's registry desk over HTTP, on both databases: register, return with a reason, and
the refusals a party poking at staff pages or a stale form meets."""

from __future__ import annotations

import base64
import re
from typing import Any

import aiohttp

from cabinet.eds.ca import IssuedPerson
from cabinet.eds.keys import load_key_file
from tests.cabinet.conftest import PASSWORD
from tests.cabinet.filing.conftest import Court, attach_exemption_proof, claim_body, confirm_exemption, pdf
from tests.web.pages.test_pages_http import token_of

HTML = {"Accept": "text/html", "Accept-Language": "en"}


async def browser_of(court: Court, person: IssuedPerson) -> aiohttp.ClientSession:
    """A browser logged in with ``person``'s AUTH key: the session cookie, as the login page leaves it."""
    session = aiohttp.ClientSession(base_url=str(court.client.make_url("/")),
                                    cookie_jar=aiohttp.CookieJar(unsafe=True))
    nonce = (await (await session.post("/api/v1/auth/challenge")).json())["nonce"]
    signature = load_key_file(person.auth.p12, PASSWORD).sign(base64.b64decode(nonce), detached=True)
    response = await session.post("/api/v1/auth/login",
                                  json={"nonce": nonce, "signature": base64.b64encode(signature).decode()})
    assert response.status == 200, await response.text()
    return session


async def submitted(court: Court) -> dict[str, Any]:
    draft = await court.create("alice", claim_body("850505300456", exemption="labour"))
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    await attach_exemption_proof(court, "alice", draft["id"])
    response = await court.post("alice", f"/api/v1/filings/{draft['id']}/submit")
    assert response.status == 200, await response.text()
    await confirm_exemption(court, draft["id"])
    return dict(await response.json())


async def test_the_clerk_registers_a_filing_from_the_queue(court: Court) -> None:
    filing = await submitted(court)
    async with await browser_of(court, court.cast.clerk) as clerk:
        html = await (await clerk.get("/staff/registry", headers=HTML)).text()
        assert filing["incoming_number"] in html and "Statement of claim" in html
        assert "Plaintiff: ӘЛИЕВА АЛИЯ" in html
        refused = await clerk.post(f"/staff/registry/{filing['id']}/register", data={}, headers=HTML,
                                   allow_redirects=False)
        assert refused.status == 403
        response = await clerk.post(f"/staff/registry/{filing['id']}/register", data={"csrf_token": token_of(html)},
                                    headers=HTML)
        html = await response.text()
        assert response.status == 200
        number = re.search(r"registered as case (\S+)\.", html)
        assert number and number[1].startswith("7594-")
        assert "No filings are waiting for registration." in html
        again = await clerk.post(f"/staff/registry/{filing['id']}/register", data={"csrf_token": token_of(html)},
                                 headers=HTML)
        assert again.status == 409  # already registered: said as a page, nothing changes
    state = await court.get("alice", f"/api/v1/filings/{filing['id']}")
    assert (await state.json())["status"] == "registered"


async def test_returning_needs_a_reason_which_the_filer_reads(court: Court) -> None:
    filing = await submitted(court)
    async with await browser_of(court, court.cast.clerk) as clerk:
        page = await (await clerk.get(f"/staff/registry/{filing['id']}/return", headers=HTML)).text()
        empty = await clerk.post(f"/staff/registry/{filing['id']}/return",
                                 data={"csrf_token": token_of(page), "reason": "   "}, headers=HTML)
        html = await empty.text()
        assert empty.status == 400 and 'href="#reason"' in html and 'aria-invalid="true"' in html
        response = await clerk.post(f"/staff/registry/{filing['id']}/return",
                                    data={"csrf_token": token_of(html), "reason": "No power of attorney <b>"},
                                    headers=HTML)
        assert response.status == 200 and "was returned to the filer" in await response.text()
    state = await (await court.get("alice", f"/api/v1/filings/{filing['id']}")).json()
    assert state["status"] == "returned"
    notices = await (await court.get("alice", "/api/v1/notifications")).json()
    assert any(n["kind"] == "filing_returned" for n in notices["notifications"])


async def test_a_party_cannot_use_the_registry(court: Court) -> None:
    filing = await submitted(court)
    async with await browser_of(court, court.cast.alice) as alice:
        queue = await alice.get("/staff/registry", headers=HTML)
        assert queue.status == 403 and "not_court_staff" in await queue.text()
        home = await (await alice.get("/", headers=HTML)).text()
        response = await alice.post(f"/staff/registry/{filing['id']}/register", data={"csrf_token": token_of(home)},
                                    headers=HTML)
        assert response.status == 403
    state = await (await court.get("alice", f"/api/v1/filings/{filing['id']}")).json()
    assert state["status"] == "submitted"
