"""Deferral of the state duty (art. 135) over HTTP: the filer asks, the filing proceeds unpaid, the judge of
the case decides, the due date is tracked with a notice before it — and nobody else decides."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cabinet.filing.deferrals import remind_due
from cabinet.identity.models import User
from cabinet.notifications.models import Notice
from core.clock import COURT_TIME
from tests.cabinet.filing.conftest import Court, claim_body, pdf

HARDSHIP = {"reason": "I lost my job in October; the employment-centre certificate is attached"}


def _today(court: Court) -> Any:
    return court.app.clock.now().astimezone(COURT_TIME).date()


async def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    body = await response.json()
    assert response.status == status, body
    assert body["error"]["code"] == code and body["error"]["message"], body
    return dict(body["error"])


async def _draft(court: Court, **extra: Any) -> int:
    draft = await court.create("alice", {**claim_body("850505300456"), **extra})
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    return int(draft["id"])


async def _deferred_and_registered(court: Court) -> int:
    filing_id = await _draft(court)
    response = await court.post("alice", f"/api/v1/filings/{filing_id}/deferral", HARDSHIP)
    assert response.status == 201, await response.text()
    assert (await response.json())["status"] == "requested"
    response = await court.post("alice", f"/api/v1/filings/{filing_id}/submit")
    assert response.status == 200, await response.text()
    submitted = await response.json()
    assert submitted["fee"]["quote"]["amount"] == "10000.00" and submitted["fee"]["quote"]["paid"] == "0.00"
    assert submitted["fee_deferral"]["status"] == "requested"
    response = await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/register")
    assert response.status == 200, await response.text()
    return filing_id


IINS = {"alice": "900101400123", "judge": "700707300783"}


async def _kinds(court: Court, who: str) -> list[str]:
    """The notices' kinds from the outbox (the clock may be weeks ahead, where nobody can log in)."""
    async with court.db.sessions() as session:
        return list(await session.scalars(select(Notice.kind).join(User, User.id == Notice.user_id)
                                          .where(User.iin == IINS[who])))


async def test_a_granted_deferral_is_tracked_with_a_notice_before_the_due_date(court: Court) -> None:
    filing_id = await _deferred_and_registered(court)
    due = _today(court) + timedelta(days=30)
    response = await court.post("judge", f"/api/v1/staff/filings/{filing_id}/deferral",
                                {"decision": "grant", "due_date": due.isoformat()})
    assert response.status == 200, await response.text()
    assert (await response.json())["due_date"] == due.isoformat()
    filing = await (await court.get("alice", f"/api/v1/filings/{filing_id}")).json()
    assert filing["fee_deferral"]["status"] == "granted" and filing["fee_deferral"]["due_date"] == due.isoformat()
    assert filing["fee_deferral"]["article"].endswith("art. 135")
    assert "deferral_granted" in await _kinds(court, "alice")

    assert await remind_due(court.db, court.app.clock) == 0, "a month ahead is too early for the notice"
    court.app.clock.set(datetime.combine(due - timedelta(days=3), datetime.min.time(), COURT_TIME).astimezone(UTC)
                        + timedelta(hours=9))
    assert await remind_due(court.db, court.app.clock) == 1
    assert await remind_due(court.db, court.app.clock) == 0, "the notice is sent once"
    assert "fee_due_soon" in await _kinds(court, "alice")
    court.app.clock.set(court.app.clock.now() + timedelta(days=4))
    assert await remind_due(court.db, court.app.clock) == 1
    assert "fee_overdue" in await _kinds(court, "judge")
    assert await remind_due(court.db, court.app.clock) == 0


async def test_a_paid_deferred_duty_needs_no_notice(court: Court) -> None:
    filing_id = await _deferred_and_registered(court)
    due = _today(court) + timedelta(days=2)
    response = await court.post("judge", f"/api/v1/staff/filings/{filing_id}/deferral",
                                {"decision": "grant", "due_date": due.isoformat()})
    assert response.status == 200
    await court.pay("alice", filing_id, "10000.00")
    assert await remind_due(court.db, court.app.clock) == 0


async def test_a_refused_deferral_makes_the_duty_due_now_and_says_why(court: Court) -> None:
    filing_id = await _deferred_and_registered(court)
    await _error(await court.post("judge", f"/api/v1/staff/filings/{filing_id}/deferral", {"decision": "refuse"}),
                 400, "reason_required")
    response = await court.post("judge", f"/api/v1/staff/filings/{filing_id}/deferral",
                                {"decision": "refuse", "reason": "no evidence of hardship"})
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["status"] == "refused" and body["due_date"] == _today(court).isoformat()
    listing = await (await court.get("alice", "/api/v1/notifications")).json()
    notice_id = next(n["id"] for n in listing["notifications"] if n["kind"] == "deferral_refused")
    text = json.dumps(await (await court.get("alice", f"/api/v1/notifications/{notice_id}")).json(),
                      ensure_ascii=False)
    assert "no evidence of hardship" in text
    await _error(await court.post("judge", f"/api/v1/staff/filings/{filing_id}/deferral",
                                  {"decision": "grant", "due_date": (_today(court) + timedelta(days=5)).isoformat()}),
                 409, "deferral_decided")


@pytest.mark.parametrize(("who", "status", "code"), [
    ("alice", 403, "not_judge_of_case"), ("bob", 403, "not_judge_of_case"), ("clerk", 403, "not_judge_of_case"),
    ("judge2", 403, "not_judge_of_case"), ("carol", 404, "case_not_found"), (None, 401, "unauthenticated"),
])
async def test_only_the_judge_of_the_case_decides(court: Court, who: str | None, status: int, code: str) -> None:
    filing_id = await _deferred_and_registered(court)
    before = await court.counts()
    due = (_today(court) + timedelta(days=30)).isoformat()
    await _error(await court.post(who, f"/api/v1/staff/filings/{filing_id}/deferral",
                                  {"decision": "grant", "due_date": due}), status, code)
    assert await court.counts() == before


@pytest.mark.parametrize("body", [
    {"decision": "grant"},
    {"decision": "grant", "due_date": "yesterday"},
    {"decision": "grant", "due_date": "2026-13-01"},
    {"decision": "grant", "due_date": "+30 days"},
])
async def test_a_grant_needs_a_due_date_within_a_year(court: Court, body: dict[str, str]) -> None:
    filing_id = await _deferred_and_registered(court)
    await _error(await court.post("judge", f"/api/v1/staff/filings/{filing_id}/deferral", body), 400,
                 "invalid_due_date")
    for days in (0, -1, 366):
        due = (_today(court) + timedelta(days=days)).isoformat()
        await _error(await court.post("judge", f"/api/v1/staff/filings/{filing_id}/deferral",
                                      {"decision": "grant", "due_date": due}), 400, "invalid_due_date")
    await _error(await court.post("judge", f"/api/v1/staff/filings/{filing_id}/deferral", {"decision": "forgive"}),
                 400, "invalid_field")


async def test_an_unregistered_filing_is_decided_by_nobody(court: Court) -> None:
    filing_id = await _draft(court)
    assert (await court.post("alice", f"/api/v1/filings/{filing_id}/deferral", HARDSHIP)).status == 201
    assert (await court.post("alice", f"/api/v1/filings/{filing_id}/submit")).status == 200
    due = (_today(court) + timedelta(days=30)).isoformat()
    for who in ("judge", "clerk", "alice"):
        await _error(await court.post(who, f"/api/v1/staff/filings/{filing_id}/deferral",
                                      {"decision": "grant", "due_date": due}), 404, "filing_not_found")


async def test_asking_is_refused_where_the_law_allows_no_deferral(court: Court) -> None:
    exempt = await _draft(court, exemption="labour")
    await _error(await court.post("alice", f"/api/v1/filings/{exempt}/deferral", HARDSHIP), 409,
                 "deferral_with_exemption")
    company = await _draft(court, payer_kind="legal_entity")
    await _error(await court.post("alice", f"/api/v1/filings/{company}/deferral", HARDSHIP), 400,
                 "not_eligible_for_deferral")
    response = await court.post("alice", f"/api/v1/filings/{company}/deferral",
                                {**HARDSHIP, "not_large_business": True})
    assert response.status == 201, await response.text()
    filing_id = await _draft(court)
    await _error(await court.post("bob", f"/api/v1/filings/{filing_id}/deferral", HARDSHIP), 404, "filing_not_found")
    await _error(await court.post("alice", f"/api/v1/filings/{filing_id}/deferral", {}), 400, "reason_required")
    await _error(await court.post("alice", f"/api/v1/filings/{filing_id}/deferral", {**HARDSHIP, "amount": "1"}),
                 400, "unknown_field")
    await _error(await court.post("alice", f"/api/v1/filings/{filing_id}/deferral",
                                  {**HARDSHIP, "until": (_today(court) + timedelta(days=400)).isoformat()}),
                 400, "invalid_due_date")
    await _error(await court.post("alice", f"/api/v1/filings/{filing_id}/deferral",
                                  {**HARDSHIP, "not_large_business": "yes"}), 400, "invalid_field")
    await court.pay("alice", filing_id, "10000.00")
    assert (await court.post("alice", f"/api/v1/filings/{filing_id}/submit")).status == 200
    await _error(await court.post("alice", f"/api/v1/filings/{filing_id}/deferral", HARDSHIP), 409,
                 "filing_not_draft")


async def test_without_a_deferral_an_unpaid_claim_is_still_refused(court: Court) -> None:
    filing_id = await _draft(court)
    await _error(await court.post("alice", f"/api/v1/filings/{filing_id}/submit"), 402, "fee_not_paid")


async def test_the_case_file_shows_the_deferred_duty_and_its_due_date(court: Court) -> None:
    filing_id = await _deferred_and_registered(court)
    due = _today(court) + timedelta(days=60)
    assert (await court.post("judge", f"/api/v1/staff/filings/{filing_id}/deferral",
                             {"decision": "grant", "due_date": due.isoformat()})).status == 200
    filing = await (await court.get("alice", f"/api/v1/filings/{filing_id}")).json()
    case_file = await (await court.get("bob", f"/api/v1/cases/{filing['case_number']}")).json()
    [fee] = case_file["fees"]
    assert fee["owed"] == "10000.00" and fee["paid"] == "0.00"
    assert fee["deferral"] == {"status": "granted", "due_date": due.isoformat()}


async def test_an_exemption_added_after_asking_for_a_deferral_is_not_submitted(court: Court) -> None:
    filing_id = await _draft(court)
    assert (await court.post("alice", f"/api/v1/filings/{filing_id}/deferral", HARDSHIP)).status == 201
    assert (await court.patch("alice", f"/api/v1/filings/{filing_id}", {"exemption": "labour"})).status == 200
    response = await court.upload("alice", filing_id, pdf("Employment contract"), name="c.pdf", kind="exemption_proof")
    assert response.status == 201
    await _error(await court.post("alice", f"/api/v1/filings/{filing_id}/submit"), 409, "deferral_with_exemption")


async def test_instalments_are_asked_as_monthly_parts_and_the_refusals_cite_art_135_in_each_language(
        court: Court) -> None:
    filing_id = await _draft(court)
    for body, code in (({**HARDSHIP, "instalments": 13}, "invalid_instalments"),
                       ({**HARDSHIP, "instalments": "3"}, "invalid_instalments"),
                       ({**HARDSHIP, "instalments": 3, "until": (_today(court) + timedelta(days=90)).isoformat()},
                        "invalid_field"),
                       ({**HARDSHIP, "until": (_today(court) + timedelta(days=400)).isoformat()}, "invalid_due_date")):
        error = await _error(await court.post("alice", f"/api/v1/filings/{filing_id}/deferral", body), 400, code)
        if code != "invalid_instalments":
            assert error["details"]["citation"]["ru"] == "Налоговый кодекс РК № 214-VIII, ст. 135", error
            assert error["details"]["citation"]["kk"] == "ҚР № 214-VIII Салық кодексі, 135-бап", error
    response = await court.post("alice", f"/api/v1/filings/{filing_id}/deferral", {**HARDSHIP, "instalments": 4})
    assert response.status == 201, await response.text()
    asked = await response.json()
    assert asked["instalments"] == 4 and asked["requested_until"] is None
    assert asked["citation"] == {"kk": "ҚР № 214-VIII Салық кодексі, 135-бап",
                                 "ru": "Налоговый кодекс РК № 214-VIII, ст. 135",
                                 "en": "Tax Code of the RK No. 214-VIII, art. 135"}
    response = await court.post("alice", f"/api/v1/filings/{filing_id}/deferral", HARDSHIP)  # asked again: one date
    assert (await response.json())["instalments"] is None


async def test_a_legal_entity_that_does_not_declare_it_is_no_large_business_is_refused_citing_the_article(
        court: Court) -> None:
    filing_id = await _draft(court, payer_kind="legal_entity")
    error = await _error(await court.post("alice", f"/api/v1/filings/{filing_id}/deferral", HARDSHIP), 400,
                         "not_eligible_for_deferral")
    assert error["details"]["citation"]["en"].endswith("art. 135")
    assert error["details"]["citation"]["kk"].endswith("135-бап")
