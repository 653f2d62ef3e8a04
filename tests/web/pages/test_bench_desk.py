"""The judge's desk over HTTP, on both databases: accept, leave without motion with what to
remedy and by when, and what a party or another judge meets there."""

from __future__ import annotations

import re
from datetime import timedelta

from core.clock import COURT_TIME
from tests.cabinet.filing.conftest import Court, registered_case
from tests.web.pages.test_pages_http import token_of
from tests.web.pages.test_registry_desk import HTML, browser_of


async def registered(court: Court) -> tuple[str, str]:
    """A claim submitted and registered; returns (case number, the assigned judge's cast name)."""
    _, number = await registered_case(court)
    case = await (await court.get("clerk", f"/api/v1/cases/{number}")).json()
    judge = "judge" if case["judge"]["name"].startswith("СУДЬЯЕВ") else "judge2"
    return number, judge


async def test_the_judge_accepts_a_registered_case(court: Court) -> None:
    number, judge = await registered(court)
    async with await browser_of(court, getattr(court.cast, judge)) as chambers:
        html = await (await chambers.get("/staff/cases", headers=HTML)).text()
        assert number in html and "Accept" in html
        response = await chambers.post(f"/staff/cases/{number}/accept", data={"csrf_token": token_of(html)},
                                       headers=HTML)
        html = await response.text()
        assert response.status == 200 and f"Case {number} was accepted for proceedings." in html
    case = await (await court.get("alice", f"/api/v1/cases/{number}")).json()
    assert case["status"] == "accepted"


async def test_leaving_without_motion_needs_a_reason_and_a_future_day(court: Court) -> None:
    number, judge = await registered(court)
    async with await browser_of(court, getattr(court.cast, judge)) as chambers:
        form = await (await chambers.get(f"/staff/cases/{number}/leave-without-motion", headers=HTML)).text()
        today = court.app.clock.now().astimezone(COURT_TIME).date()
        later = (today + timedelta(days=5)).isoformat()
        for data, fields in (({"reason": "", "deadline": ""}, ("reason", "deadline")),
                             ({"reason": "Attach the contract", "deadline": today.isoformat()}, ("deadline",)),
                             ({"reason": "Attach the contract", "deadline": "2026-02-30"}, ("deadline",)),
                             ({"reason": "x" * 2001, "deadline": later}, ("reason",))):
            response = await chambers.post(f"/staff/cases/{number}/leave-without-motion",
                                           data={"csrf_token": token_of(form), **data}, headers=HTML)
            html = await response.text()
            assert response.status == 400, data
            assert sorted(re.findall(r'<li><a href="#(\w+)">', html)) == sorted(fields), data
        day = today + timedelta(days=10)
        response = await chambers.post(f"/staff/cases/{number}/leave-without-motion",
                                       data={"csrf_token": token_of(form), "reason": "Attach the loan contract",
                                             "deadline": day.isoformat()}, headers=HTML)
        assert response.status == 200 and "left without motion" in await response.text()
    case = await (await court.get("alice", f"/api/v1/cases/{number}")).json()
    assert case["status"] == "left_without_motion"
    assert case["motion_deadline"].startswith(day.isoformat())


async def test_only_the_cases_judge_decides(court: Court) -> None:
    number, judge = await registered(court)
    other = "judge2" if judge == "judge" else "judge"
    for who in ("alice", other, "clerk"):
        async with await browser_of(court, getattr(court.cast, who)) as browser:
            home = await (await browser.get("/", headers=HTML)).text()
            response = await browser.post(f"/staff/cases/{number}/accept", data={"csrf_token": token_of(home)},
                                          headers=HTML)
            assert response.status in (403, 404), who
    case = await (await court.get("alice", f"/api/v1/cases/{number}")).json()
    assert case["status"] == "registered"
