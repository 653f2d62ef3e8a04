"""Relief from the state duty decided at the staff desks over HTTP, on both databases: the clerk confirms
or refuses a claimed exemption (art. 668) from the registry, the judge of the case grants a deferral to a
date or in instalments, or refuses it (art. 135), from the docket — and what a bad form, another judge,
the clerk, a party, another court's clerk or a stale form meets there: a page saying why, nothing stored."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from cabinet.courts import CourtSpec, CourtStore
from cabinet.eds.profile import parse_identity
from cabinet.fee_instalments import month_after
from cabinet.identity.roles import Role
from cabinet.identity.users import PersonName, UserService
from core.clock import COURT_TIME, SystemClock
from tests.cabinet.filing.conftest import Court, attach_exemption_proof, claim_body, pdf
from tests.web.pages.test_pages_http import token_of
from tests.web.pages.test_registry_desk import HTML, browser_of

HARDSHIP = "I lost my job in October; the employment-centre certificate is attached"
OTHER_COURT = CourtSpec("1990", "Астана", "Астана соты", "Суд Астаны", "Astana Court")
NEW_WORDS = ("Exemption from the duty claimed", "Confirm the exemption", "Refuse the exemption",
             "Check the proof", "Requests to defer the state duty", "Decide on the deferral",
             "Reason given by the filer", "State duty owed", "Asked for", "monthly instalments",
             "Instalments asked for", "Grant the deferral", "Refuse the deferral", "Your decision",
             "Due date of the duty", "Record the decision", "Needed if you refuse", "Why is the exemption",
             "The filer reads this", "Enter the reason", "The due date must", "Filer", "Deferral of the duty")
"""The English of these pages' own words: none of it may be left on a page in Kazakh or Russian."""


def _today(court: Court) -> date:
    return court.app.clock.now().astimezone(COURT_TIME).date()


def _error_fields(html: str) -> list[str]:
    return sorted(re.findall(r'<li><a href="#(\w+)">', html))


async def _filing(court: Court, filing_id: int) -> dict[str, Any]:
    return dict(await (await court.get("alice", f"/api/v1/filings/{filing_id}")).json())


async def claimed(court: Court) -> dict[str, Any]:
    """Alice's claim for a labour debt, exempt by the labour ground she claims, submitted and undecided."""
    draft = await court.create("alice", claim_body("850505300456", exemption="labour"))
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    await attach_exemption_proof(court, "alice", draft["id"])
    response = await court.post("alice", f"/api/v1/filings/{draft['id']}/submit")
    assert response.status == 200, await response.text()
    body = dict(await response.json())
    assert body["exemption_decision"]["status"] == "claimed" and body["fee"]["quote"]["amount"] == "0.00"
    return body


async def deferred(court: Court, **ask: Any) -> tuple[int, str, str]:
    """Alice's claim (duty 10 000 ₸) with a deferral asked, submitted and registered; returns the filing
    id, its incoming number and the cast name of the judge the case went to."""
    draft = await court.create("alice", claim_body("850505300456"))
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    response = await court.post("alice", f"/api/v1/filings/{draft['id']}/deferral", {"reason": HARDSHIP, **ask})
    assert response.status == 201, await response.text()
    submitted = await court.post("alice", f"/api/v1/filings/{draft['id']}/submit")
    assert submitted.status == 200, await submitted.text()
    response = await court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/register")
    assert response.status == 200, await response.text()
    case = await (await court.get("clerk", f"/api/v1/cases/{(await response.json())['case_number']}")).json()
    judge = "judge" if case["judge"]["name"].startswith("СУДЬЯЕВ") else "judge2"
    return int(draft["id"]), (await submitted.json())["incoming_number"], judge


# -- the clerk and a claimed exemption ----------------------------------------------------------------

async def test_the_registry_shows_the_claimed_ground_and_the_clerk_confirms_it_then_registers(
        court: Court) -> None:
    filing = await claimed(court)
    async with await browser_of(court, court.cast.clerk) as clerk:
        html = await (await clerk.get("/staff/registry", headers=HTML)).text()
        row = html[html.index(f'id="exemption-{filing["id"]}"'):]
        assert "Claimants in labour claims — Tax Code of the RK No. 214-VIII, art. 668" in row
        assert f'action="/staff/registry/{filing["id"]}/exemption/confirm"' in html
        assert f'action="/staff/registry/{filing["id"]}/register"' not in html, "registration waits for the decision"
        response = await clerk.post(f"/staff/registry/{filing['id']}/exemption/confirm",
                                    data={"csrf_token": token_of(html)}, headers=HTML)
        html = await response.text()
        assert response.status == 200
        assert f"The exemption claimed in filing {filing['incoming_number']} was confirmed" in html
        assert "Exemption confirmed" in html and f'action="/staff/registry/{filing["id"]}/register"' in html
        registered = await clerk.post(f"/staff/registry/{filing['id']}/register",
                                      data={"csrf_token": token_of(html)}, headers=HTML)
        assert registered.status == 200 and "registered as case" in await registered.text()
    state = await _filing(court, filing["id"])
    assert state["exemption_decision"]["status"] == "confirmed" and state["status"] == "registered"


async def test_refusing_an_exemption_needs_a_reason_and_requotes_the_duty(court: Court) -> None:
    filing = await claimed(court)
    url = f"/staff/registry/{filing['id']}/exemption/refuse"
    async with await browser_of(court, court.cast.clerk) as clerk:
        page = await clerk.get(url, headers=HTML)
        form = await page.text()
        assert page.status == 200 and "Claimants in labour claims" in form and "art. 668" in form
        before = await court.counts()
        for reason in ("   ", "x" * 2001):
            response = await clerk.post(url, data={"csrf_token": token_of(form), "reason": reason}, headers=HTML)
            html = await response.text()
            assert response.status == 400 and _error_fields(html) == ["reason"], len(reason)
            assert 'aria-invalid="true"' in html
        assert await court.counts() == before
        unchanged = await _filing(court, filing["id"])
        assert unchanged["exemption_decision"]["status"] == "claimed" and unchanged["fee"]["quote"]["amount"] == "0.00"
        response = await clerk.post(url, data={"csrf_token": token_of(form),
                                               "reason": "The contract attached is for services, not <b>labour</b>"},
                                    headers=HTML)
        html = await response.text()
        assert response.status == 200
        assert f"The exemption claimed in filing {filing['incoming_number']} was refused" in html
        assert "Exemption refused" in html
    state = await _filing(court, filing["id"])
    assert state["exemption_decision"] == {**state["exemption_decision"], "status": "refused",
                                           "reason": "The contract attached is for services, not <b>labour</b>"}
    assert state["fee"]["quote"]["amount"] == "10000.00", "without the exemption the duty is owed"


async def test_an_exemption_decided_twice_is_refused_the_second_time(court: Court) -> None:
    filing = await claimed(court)
    async with await browser_of(court, court.cast.clerk) as clerk:
        html = await (await clerk.get("/staff/registry", headers=HTML)).text()
        url = f"/staff/registry/{filing['id']}/exemption/confirm"
        assert (await clerk.post(url, data={"csrf_token": token_of(html)}, headers=HTML)).status == 200
        again = await clerk.post(url, data={"csrf_token": token_of(html)}, headers=HTML)
        text = await again.text()
        assert again.status == 409 and "no_exemption_claim" in text
        assert "No exemption claimed in this filing awaits a decision: it was already decided" in text
        refuse = await clerk.post(f"/staff/registry/{filing['id']}/exemption/refuse",
                                  data={"csrf_token": token_of(html), "reason": "too late"}, headers=HTML)
        assert refuse.status == 409
        assert (await clerk.get(f"/staff/registry/{filing['id']}/exemption/refuse", headers=HTML)).status == 409
    assert (await _filing(court, filing["id"]))["exemption_decision"]["status"] == "confirmed"


async def grant_other_court_clerk(court: Court) -> None:
    """Carol is a clerk, of court 1990: staff, but not of the court the filing went to."""
    carol = parse_identity(court.cast.carol.auth.certificate)
    assert carol.iin is not None
    async with court.db.transaction() as session:
        await CourtStore(session).add(OTHER_COURT)
        await UserService(session, SystemClock()).grant(PersonName(carol.iin, carol.common_name), Role.CLERK, "1990",
                                                        granter=None, actor="test")


@pytest.mark.parametrize(("who", "status", "code"), [
    ("alice", 403, "not_court_clerk"), ("bob", 404, "filing_not_found"), ("judge", 404, "filing_not_found"),
    ("carol", 404, "filing_not_found")])
async def test_only_a_clerk_of_the_court_decides_an_exemption(court: Court, who: str, status: int,
                                                               code: str) -> None:
    """The filer, the other party, a judge of the court and a clerk of another court: each refused as the
    API refuses them, the claimed ground not shown."""
    filing = await claimed(court)
    await grant_other_court_clerk(court)
    async with await browser_of(court, getattr(court.cast, who)) as browser:
        home = await (await browser.get("/", headers=HTML)).text()
        before = await court.counts()
        refuse_url = f"/staff/registry/{filing['id']}/exemption/refuse"
        form = await browser.get(refuse_url, headers=HTML)
        text = await form.text()
        assert form.status == status and code in text and "Claimants in labour claims" not in text, who
        for url, data in ((f"/staff/registry/{filing['id']}/exemption/confirm", {}),
                          (refuse_url, {"reason": "no"}), (refuse_url, {"reason": ""})):
            response = await browser.post(url, data={"csrf_token": token_of(home), **data}, headers=HTML)
            assert response.status == status and code in await response.text(), (who, url, data)
        assert await court.counts() == before
    assert (await _filing(court, filing["id"]))["exemption_decision"]["status"] == "claimed"


async def test_an_exemption_form_without_its_token_is_refused(court: Court) -> None:
    filing = await claimed(court)
    async with await browser_of(court, court.cast.clerk) as clerk:
        await clerk.get("/staff/registry", headers=HTML)
        for token in ({}, {"csrf_token": "0" * 64}):
            for url, data in ((f"/staff/registry/{filing['id']}/exemption/confirm", {}),
                              (f"/staff/registry/{filing['id']}/exemption/refuse", {"reason": "no proof"})):
                response = await clerk.post(url, data={**token, **data}, headers=HTML)
                assert response.status == 403 and "csrf_token_invalid" in await response.text(), (url, token)
    assert (await _filing(court, filing["id"]))["exemption_decision"]["status"] == "claimed"


# -- the judge and a deferral -------------------------------------------------------------------------

async def test_the_judge_sees_a_pending_deferral_and_grants_the_date_asked(court: Court) -> None:
    until = _today(court) + timedelta(days=40)
    filing_id, number, judge = await deferred(court, until=until.isoformat())
    async with await browser_of(court, getattr(court.cast, judge)) as chambers:
        docket = await (await chambers.get("/staff/cases", headers=HTML)).text()
        assert "Requests to defer the state duty" in docket and HARDSHIP in docket
        assert f'href="/staff/deferrals/{filing_id}"' in docket and "10,000.00" in docket
        page = await (await chambers.get(f"/staff/deferrals/{filing_id}", headers=HTML)).text()
        assert f'name="due_date" type="date" value="{until.isoformat()}"' in page
        response = await chambers.post(f"/staff/deferrals/{filing_id}", headers=HTML, data={
            "csrf_token": token_of(page), "decision": "grant", "due_date": until.isoformat(), "reason": ""})
        html = await response.text()
        assert response.status == 200
        assert f"The deferral of the duty for filing {number} was granted" in html
        assert f'href="/staff/deferrals/{filing_id}"' not in html, "decided: no longer pending"
    deferral = (await _filing(court, filing_id))["fee_deferral"]
    assert deferral["status"] == "granted" and deferral["due_date"] == until.isoformat()


async def test_instalments_show_their_plan_and_the_grant_is_prefilled_with_the_last_date(court: Court) -> None:
    filing_id, _, judge = await deferred(court, instalments=3)
    today = _today(court)
    last = month_after(today, 3)
    async with await browser_of(court, getattr(court.cast, judge)) as chambers:
        page = await (await chambers.get(f"/staff/deferrals/{filing_id}", headers=HTML)).text()
        assert "3 monthly instalments" in page
        plan = page[page.index(f'id="plan-{filing_id}"'):page.index("</table>", page.index(f'id="plan-{filing_id}"'))]
        assert plan.count("<tr>") == 4 and "3,333.34" in plan and plan.count("3,333.33") == 2
        assert f'value="{last.isoformat()}"' in page
        response = await chambers.post(f"/staff/deferrals/{filing_id}", headers=HTML, data={
            "csrf_token": token_of(page), "decision": "grant", "due_date": last.isoformat(), "reason": ""})
        assert response.status == 200 and "was granted" in await response.text()
    deferral = (await _filing(court, filing_id))["fee_deferral"]
    assert deferral == {**deferral, "status": "granted", "instalments": 3, "due_date": last.isoformat()}


async def test_the_judge_refuses_with_a_reason_and_the_duty_is_due_now(court: Court) -> None:
    filing_id, number, judge = await deferred(court)
    async with await browser_of(court, getattr(court.cast, judge)) as chambers:
        page = await (await chambers.get(f"/staff/deferrals/{filing_id}", headers=HTML)).text()
        assert "Deferral to a date the court sets" in page
        response = await chambers.post(f"/staff/deferrals/{filing_id}", headers=HTML, data={
            "csrf_token": token_of(page), "decision": "refuse", "due_date": "", "reason": "No evidence of hardship"})
        assert response.status == 200
        assert f"The deferral of the duty for filing {number} was refused" in await response.text()
    deferral = (await _filing(court, filing_id))["fee_deferral"]
    assert deferral == {**deferral, "status": "refused", "decision_reason": "No evidence of hardship",
                        "due_date": _today(court).isoformat()}


async def test_a_bad_decision_form_is_said_at_its_fields_and_nothing_is_stored(court: Court) -> None:
    filing_id, _, judge = await deferred(court)
    today = _today(court)
    async with await browser_of(court, getattr(court.cast, judge)) as chambers:
        page = await (await chambers.get(f"/staff/deferrals/{filing_id}", headers=HTML)).text()
        before = await court.counts()
        for data, fields in (({}, ["decision"]),
                             ({"decision": "postpone"}, ["decision"]),
                             ({"decision": "grant", "due_date": ""}, ["due_date"]),
                             ({"decision": "grant", "due_date": "2026-02-30"}, ["due_date"]),
                             ({"decision": "grant", "due_date": "tomorrow"}, ["due_date"]),
                             ({"decision": "grant", "due_date": today.isoformat()}, ["due_date"]),
                             ({"decision": "grant", "due_date": (today - timedelta(days=3)).isoformat()},
                              ["due_date"]),
                             ({"decision": "grant", "due_date": (today + timedelta(days=366)).isoformat()},
                              ["due_date"]),
                             ({"decision": "grant", "due_date": (today + timedelta(days=9)).isoformat(),
                               "reason": "x" * 2001}, ["reason"]),
                             ({"decision": "refuse", "reason": "  "}, ["reason"]),
                             ({"decision": "refuse", "reason": "y" * 2001}, ["reason"])):
            response = await chambers.post(f"/staff/deferrals/{filing_id}", headers=HTML,
                                           data={"csrf_token": token_of(page), **data})
            html = await response.text()
            assert response.status == 400, data
            assert _error_fields(html) == fields, data
            assert HARDSHIP in html, "the request is still shown beside the form"
        assert await court.counts() == before
    assert (await _filing(court, filing_id))["fee_deferral"]["status"] == "requested"


async def test_a_deferral_decided_twice_is_refused_the_second_time(court: Court) -> None:
    filing_id, _, judge = await deferred(court)
    due = (_today(court) + timedelta(days=20)).isoformat()
    async with await browser_of(court, getattr(court.cast, judge)) as chambers:
        page = await (await chambers.get(f"/staff/deferrals/{filing_id}", headers=HTML)).text()
        form = {"csrf_token": token_of(page), "decision": "grant", "due_date": due}
        assert (await chambers.post(f"/staff/deferrals/{filing_id}", data=form, headers=HTML)).status == 200
        again = await chambers.post(f"/staff/deferrals/{filing_id}", headers=HTML,
                                    data={**form, "decision": "refuse", "reason": "changed my mind"})
        text = await again.text()
        assert again.status == 409 and "deferral_decided" in text
        assert "This deferral has already been decided." in text
        assert (await chambers.get(f"/staff/deferrals/{filing_id}", headers=HTML)).status == 409
    deferral = (await _filing(court, filing_id))["fee_deferral"]
    assert deferral["status"] == "granted" and deferral["due_date"] == due


@pytest.mark.parametrize(("who", "status", "code"), [
    ("other judge", 403, "not_judge_of_case"), ("clerk", 403, "not_judge_of_case"),
    ("alice", 403, "not_judge_of_case"), ("bob", 403, "not_judge_of_case"), ("carol", 404, "case_not_found")])
async def test_only_the_judge_of_the_case_sees_and_decides_a_deferral(court: Court, who: str, status: int,
                                                                      code: str) -> None:
    """Another judge of the court, the clerk, the filer, the other party and a clerk of another court:
    refused as the API refuses them, whatever the form holds, and the filer's reason not shown."""
    filing_id, _, judge = await deferred(court)
    await grant_other_court_clerk(court)
    person = ("judge2" if judge == "judge" else "judge") if who == "other judge" else who
    due = (_today(court) + timedelta(days=20)).isoformat()
    async with await browser_of(court, getattr(court.cast, person)) as browser:
        home = await (await browser.get("/", headers=HTML)).text()
        before = await court.counts()
        docket = await browser.get("/staff/cases", headers=HTML)
        assert HARDSHIP not in await docket.text(), who
        page = await browser.get(f"/staff/deferrals/{filing_id}", headers=HTML)
        text = await page.text()
        assert page.status == status and code in text and HARDSHIP not in text, who
        for data in ({"decision": "grant", "due_date": due}, {"decision": "refuse", "reason": ""},
                     {"decision": "grant", "due_date": "yesterday"}):
            response = await browser.post(f"/staff/deferrals/{filing_id}", headers=HTML,
                                          data={"csrf_token": token_of(home), **data})
            text = await response.text()
            assert response.status == status and code in text and HARDSHIP not in text, (who, data)
        assert await court.counts() == before
    assert (await _filing(court, filing_id))["fee_deferral"]["status"] == "requested"


async def test_a_deferral_form_without_its_token_is_refused(court: Court) -> None:
    filing_id, _, judge = await deferred(court)
    due = (_today(court) + timedelta(days=20)).isoformat()
    async with await browser_of(court, getattr(court.cast, judge)) as chambers:
        await chambers.get(f"/staff/deferrals/{filing_id}", headers=HTML)
        for token in ({}, {"csrf_token": "f" * 64}):
            response = await chambers.post(f"/staff/deferrals/{filing_id}", headers=HTML,
                                           data={**token, "decision": "grant", "due_date": due})
            assert response.status == 403 and "csrf_token_invalid" in await response.text(), token
    assert (await _filing(court, filing_id))["fee_deferral"]["status"] == "requested"


# -- the words ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["kk", "ru"])
async def test_the_relief_pages_are_in_kazakh_and_russian(court: Court, language: str) -> None:
    filing = await claimed(court)
    filing_id, _, judge = await deferred(court, instalments=4)
    headers = {"Accept": "text/html", "Accept-Language": language}
    pages = []
    async with await browser_of(court, court.cast.clerk) as clerk:
        pages.append(await (await clerk.get("/staff/registry", headers=headers)).text())
        form = await clerk.get(f"/staff/registry/{filing['id']}/exemption/refuse", headers=headers)
        pages.append(await form.text())
        bad = await clerk.post(f"/staff/registry/{filing['id']}/exemption/refuse", headers=headers,
                               data={"csrf_token": token_of(pages[-1]), "reason": ""})
        assert bad.status == 400
        pages.append(await bad.text())
    async with await browser_of(court, getattr(court.cast, judge)) as chambers:
        pages.append(await (await chambers.get("/staff/cases", headers=headers)).text())
        pages.append(await (await chambers.get(f"/staff/deferrals/{filing_id}", headers=headers)).text())
        for data in ({"decision": "grant", "due_date": "2020-01-01"}, {"decision": "refuse"}, {}):
            bad = await chambers.post(f"/staff/deferrals/{filing_id}", headers=headers,
                                      data={"csrf_token": token_of(pages[-1]), **data})
            assert bad.status == 400
            pages.append(await bad.text())
    article = "668-бап" if language == "kk" else "ст. 668"
    assert article in pages[0] and article in pages[1]
    for html in pages:
        left = [words for words in NEW_WORDS if words in html]
        assert left == [], left
