"""The court administrator's desk over HTTP, on both databases: grant, revoke, the audit trail,
and the refusals a clerk or a forged form meets."""

from __future__ import annotations

from tests.cabinet.filing.conftest import Court
from tests.web.pages.test_pages_http import token_of
from tests.web.pages.test_registry_desk import HTML, browser_of

NEW_CLERK = "900101400122"  # someone new to the court: a valid IIN nobody in the cast holds


async def test_the_administrator_grants_and_revokes_with_an_audit_trail(court: Court) -> None:
    async with await browser_of(court, court.cast.admin) as admin:
        page = await (await admin.get("/staff/grants", headers=HTML)).text()
        assert "Roles at the court" in page and "Judge · 7594" in page
        response = await admin.post("/staff/grants", headers=HTML, data={
            "csrf_token": token_of(page), "iin": NEW_CLERK, "name": "ӘЛИЕВА АЛИЯ", "role": "clerk", "court": "7594",
            "action": "grant"})
        page = await response.text()
        assert response.status == 200 and f"The role was granted to {NEW_CLERK}." in page
        assert "Granted: Clerk · 7594" in page and NEW_CLERK in page
        again = await admin.post("/staff/grants", headers=HTML, data={
            "csrf_token": token_of(page), "iin": NEW_CLERK, "role": "clerk", "court": "7594", "action": "grant"})
        assert again.status == 400 and "already holds this role" in await again.text()
        response = await admin.post("/staff/grants", headers=HTML, data={
            "csrf_token": token_of(page), "iin": NEW_CLERK, "role": "clerk", "court": "7594", "action": "revoke"})
        page = await response.text()
        assert response.status == 200 and f"The role of {NEW_CLERK} was revoked." in page
        assert "Revoked: Clerk · 7594" in page
    audit = await (await court.get("admin", "/api/v1/me")).json()
    assert audit["iin"]  # the administrator's own session is untouched


async def test_bad_input_is_said_at_the_field(court: Court) -> None:
    async with await browser_of(court, court.cast.admin) as admin:
        page = await (await admin.get("/staff/grants", headers=HTML)).text()
        for data, field in (({"iin": "123456789012", "role": "clerk"}, "iin"),
                            ({"iin": NEW_CLERK, "role": "pope"}, "role"),
                            ({"iin": "<script>", "role": "judge"}, "iin")):
            response = await admin.post("/staff/grants", headers=HTML,
                                        data={"csrf_token": token_of(page), "court": "7594", "action": "grant", **data})
            html = await response.text()
            assert response.status == 400 and f'href="#{field}"' in html and "<script>" not in html, data


async def test_a_clerk_cannot_grant_and_a_foreign_court_is_refused(court: Court) -> None:
    async with await browser_of(court, court.cast.clerk) as clerk:
        assert (await clerk.get("/staff/grants", headers=HTML)).status == 403
        home = await (await clerk.get("/", headers=HTML)).text()
        response = await clerk.post("/staff/grants", headers=HTML, data={
            "csrf_token": token_of(home), "iin": NEW_CLERK, "role": "judge", "court": "7594", "action": "grant"})
        assert response.status == 403
    async with await browser_of(court, court.cast.admin) as admin:
        page = await (await admin.get("/staff/grants", headers=HTML)).text()
        response = await admin.post("/staff/grants", headers=HTML, data={
            "csrf_token": token_of(page), "iin": NEW_CLERK, "role": "judge", "court": "9999", "action": "grant"})
        assert response.status in (403, 404)
        page = await (await admin.get("/staff/grants", headers=HTML)).text()
        assert NEW_CLERK not in page  # nothing was granted, nothing entered the audit trail
