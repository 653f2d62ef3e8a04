"""Scheduling a hearing from the case page over HTTP, on both databases: the booking, the clash
messages the booking service gives, the form's own refusals, and who may not schedule."""

from __future__ import annotations

import re
from datetime import timedelta

from core.clock import COURT_TIME
from tests.cabinet.filing.conftest import Court
from tests.web.pages.test_bench_desk import registered
from tests.web.pages.test_pages_http import token_of
from tests.web.pages.test_registry_desk import HTML, browser_of


async def accepted(court: Court) -> tuple[str, str]:
    number, judge = await registered(court)
    response = await court.post(judge, f"/api/v1/staff/cases/{number}/accept")
    assert response.status == 200, await response.text()
    return number, judge


def slot(court: Court, days: int = 3) -> dict[str, str]:
    day = (court.app.clock.now().astimezone(COURT_TIME) + timedelta(days=days)).date()
    return {"courtroom": "Зал 1", "day": day.isoformat(), "time": "10:00", "duration": "60", "format": "mixed",
            "is_open": "yes"}


async def test_the_clerk_schedules_and_meets_a_clash(court: Court) -> None:
    first, _judge = await accepted(court)
    second, _judge2 = await accepted(court)
    async with await browser_of(court, court.cast.clerk) as clerk:
        form = await (await clerk.get(f"/staff/cases/{first}/schedule", headers=HTML)).text()
        assert "Plaintiff: ӘЛИЕВА АЛИЯ" in form and "Defendant: БЕКОВ БОЛАТ" in form
        response = await clerk.post(f"/staff/cases/{first}/schedule", headers=HTML, data={
            "csrf_token": token_of(form), **slot(court), "summoned": ["900101400123", "850505300456"]})
        html = await response.text()
        assert response.status == 200 and "The hearing is scheduled" in html
        assert str(response.url).split("?")[0].endswith(f"/cabinet/cases/{first}")
        form = await (await clerk.get(f"/staff/cases/{second}/schedule", headers=HTML)).text()
        clash = await clerk.post(f"/staff/cases/{second}/schedule", headers=HTML, data={
            "csrf_token": token_of(form), **slot(court), "summoned": ["900101400123"]})
        html = await clash.text()
        assert clash.status == 409 and "The time clashes with other hearings" in html
        assert re.search(r"The courtroom is taken from .+ 10:00 to 11:00\.", html)
    hearings = (await (await court.get("alice", f"/api/v1/cases/{first}")).json())["hearings"]
    assert len(hearings) == 1 and hearings[0]["courtroom"] == "Зал 1"
    assert (await (await court.get("alice", f"/api/v1/cases/{second}")).json())["hearings"] == []


async def test_the_form_says_what_is_wrong_at_each_field(court: Court) -> None:
    number, _judge = await accepted(court)
    async with await browser_of(court, court.cast.clerk) as clerk:
        form = await (await clerk.get(f"/staff/cases/{number}/schedule", headers=HTML)).text()
        cases = [({**slot(court), "day": "2026-02-30"}, "Enter the day of the hearing as a real date"),
                 ({**slot(court), "duration": "abc"}, "Enter the length in minutes"),
                 ({**slot(court), "duration": "2"}, "Enter the length in minutes"),
                 ({**slot(court, days=-3)}, "Enter a day and time in the future."),
                 ({**slot(court), "courtroom": "Зал 99"}, "Choose a courtroom of this court.")]
        for data, words in cases:
            response = await clerk.post(f"/staff/cases/{number}/schedule", headers=HTML, data={
                "csrf_token": token_of(form), **data, "summoned": ["900101400123"]})
            html = await response.text()
            assert response.status in (400, 404) and words in html, (data, response.status)
        nobody = await clerk.post(f"/staff/cases/{number}/schedule", headers=HTML,
                                  data={"csrf_token": token_of(form), **slot(court)})
        assert nobody.status == 400 and "Choose at least one person to summon." in await nobody.text()
    assert (await (await court.get("alice", f"/api/v1/cases/{number}")).json())["hearings"] == []


async def test_a_party_cannot_schedule(court: Court) -> None:
    number, _judge = await accepted(court)
    async with await browser_of(court, court.cast.alice) as alice:
        form = await (await alice.get(f"/cabinet/cases/{number}", headers=HTML)).text()
        assert "/schedule" not in form
        response = await alice.post(f"/staff/cases/{number}/schedule", headers=HTML, data={
            "csrf_token": token_of(form), **slot(court), "summoned": ["900101400123"]})
        assert response.status == 403
    assert (await (await court.get("alice", f"/api/v1/cases/{number}")).json())["hearings"] == []
