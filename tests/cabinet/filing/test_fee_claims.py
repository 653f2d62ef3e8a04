"""Claiming an exemption (art. 668) with its proof, the clerk's decision at registration, and the MRP of the
payment date — through the HTTP API, with the refusals a filer or a careless clerk would meet."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.cabinet.filing.conftest import Court, attach_exemption_proof, claim_body, confirm_exemption, pdf

CLERK_IIN = "920202400567"


async def _submitted(court: Court, who: str = "alice", *, proof: bool = True, **extra: Any) -> int:
    draft = await court.create(who, {**claim_body("850505300456", exemption="labour"), **extra})
    assert (await court.upload(who, draft["id"], pdf())).status == 201
    if proof:
        await attach_exemption_proof(court, who, draft["id"])
    response = await court.post(who, f"/api/v1/filings/{draft['id']}/submit")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["exemption_decision"]["status"] == "claimed"
    return int(draft["id"])


async def _notice(court: Court, who: str, kind: str) -> str:
    """The whole notice of ``kind`` the person last received, as text (whatever the JSON key spelling)."""
    listing = await (await court.get(who, "/api/v1/notifications")).json()
    found = [n["id"] for n in listing["notifications"] if n["kind"] == kind]
    assert found, listing
    return json.dumps(await (await court.get(who, f"/api/v1/notifications/{found[0]}")).json(), ensure_ascii=False)


async def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    body = await response.json()
    assert response.status == status, body
    assert body["error"]["code"] == code and body["error"]["message"]
    return dict(body["error"])


async def test_an_exemption_without_its_supporting_document_is_not_submitted(court: Court) -> None:
    draft = await court.create("alice", claim_body("850505300456", exemption="labour"))
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    before = await court.counts()
    error = await _error(await court.post("alice", f"/api/v1/filings/{draft['id']}/submit"), 409,
                         "exemption_document_required")
    assert error["details"]["missing"] == ["documents.exemption_proof"]
    assert await court.counts() == before
    assert (await (await court.get("alice", f"/api/v1/filings/{draft['id']}")).json())["status"] == "draft"


async def test_a_claimed_exemption_is_decided_before_registration(court: Court) -> None:
    filing_id = await _submitted(court)
    before = await court.counts()
    await _error(await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/register"), 409, "exemption_undecided")
    assert await court.counts() == before
    await confirm_exemption(court, filing_id)
    response = await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/register")
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["exemption_decision"]["status"] == "confirmed" and body["fee"]["quote"]["amount"] == "0.00"


async def test_the_filer_cannot_confirm_their_own_exemption(court: Court) -> None:
    filing_id = await _submitted(court)
    before = await court.counts()
    await _error(await court.post("alice", f"/api/v1/staff/filings/{filing_id}/exemption", {"decision": "confirm"}),
                 403, "not_court_clerk")
    await _error(await court.post("bob", f"/api/v1/staff/filings/{filing_id}/exemption", {"decision": "confirm"}),
                 404, "filing_not_found")
    await _error(await court.post("judge", f"/api/v1/staff/filings/{filing_id}/exemption", {"decision": "confirm"}),
                 404, "filing_not_found")
    await _error(await court.post(None, f"/api/v1/staff/filings/{filing_id}/exemption", {"decision": "confirm"}),
                 401, "unauthenticated")
    assert await court.counts() == before


async def test_a_clerk_who_files_their_own_claim_cannot_confirm_its_exemption(court: Court) -> None:
    parties = [{"role": "plaintiff", "iin": CLERK_IIN, "name": "ХАТШЫ ХАДИША"},
               {"role": "defendant", "iin": "850505300456", "name": "БЕКОВ БОЛАТ"}]
    filing_id = await _submitted(court, "clerk", parties=parties)
    before = await court.counts()
    await _error(await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/exemption", {"decision": "confirm"}),
                 403, "own_filing")
    await _error(await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/register"), 409, "exemption_undecided")
    assert await court.counts() == before


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"decision": "refuse"}, 400, "reason_required"),
    ({"decision": "refuse", "reason": "   "}, 400, "reason_required"),
    ({"decision": "approve"}, 400, "invalid_field"),
    ({}, 400, "invalid_request"),
    ({"decision": 1}, 400, "invalid_request"),
])
async def test_bad_decisions_are_refused_and_change_nothing(court: Court, body: dict[str, Any], status: int,
                                                            code: str) -> None:
    filing_id = await _submitted(court)
    before = await court.counts()
    await _error(await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/exemption", body), status, code)
    assert await court.counts() == before


async def test_a_refused_exemption_must_be_paid_before_registration(court: Court) -> None:
    filing_id = await _submitted(court)
    response = await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/exemption",
                                {"decision": "refuse", "reason": "the contract is a civil-law contract, not labour"})
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["exemption_decision"]["status"] == "refused"
    assert body["fee"]["quote"]["amount"] == "10000.00" and body["fee"]["quote"]["exemption"] is None
    await _error(await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/exemption", {"decision": "confirm"}),
                 409, "no_exemption_claim")
    error = await _error(await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/register"), 402,
                         "fee_not_paid")
    assert error["details"]["owed"] == "10000.00"
    notice = await _notice(court, "alice", "exemption_refused")
    assert "civil-law contract" in notice and "10\u00a0000,00" in notice
    await court.pay("alice", filing_id, "10000.00")
    response = await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/register")
    assert response.status == 200, await response.text()


async def _non_property_draft(court: Court) -> int:
    """Drafted and signed now (the test certificates are this year's); the clock is moved afterwards."""
    draft = await court.create("alice", claim_body("850505300456", claim_kind="non_property", claim_amount=None))
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    return int(draft["id"])


async def test_a_payment_made_before_the_mrp_rose_is_good_after_it(court: Court) -> None:
    filing_id = await _non_property_draft(court)
    court.app.clock.set(datetime(2025, 12, 31, 10, 0, tzinfo=UTC))
    await court.pay("alice", filing_id, "1966.00")  # 0.5 MRP of 2025
    court.app.clock.set(datetime(2026, 1, 5, 10, 0, tzinfo=UTC))
    response = await court.post("alice", f"/api/v1/filings/{filing_id}/submit")
    assert response.status == 200, await response.text()
    quote = (await response.json())["fee"]["quote"]
    assert quote["amount"] == "1966.00" and quote["mrp"]["payment_date"] == "2025-12-31"


async def test_a_payment_made_after_the_mrp_rose_is_checked_against_the_new_amount(court: Court) -> None:
    filing_id = await _non_property_draft(court)
    court.app.clock.set(datetime(2025, 12, 31, 10, 0, tzinfo=UTC))
    draft = await (await court.patch("alice", f"/api/v1/filings/{filing_id}", {"title": "Defamation"})).json()
    assert draft["fee"]["quote"]["amount"] == "1966.00"
    court.app.clock.set(datetime(2026, 1, 2, 10, 0, tzinfo=UTC))
    await court.pay("alice", filing_id, "1966.00")  # the old quote, paid in January
    error = await _error(await court.post("alice", f"/api/v1/filings/{filing_id}/submit"), 402, "fee_not_paid")
    assert error["details"]["owed"] == "2162.50" and error["details"]["mrp"] == "4325.00"
    assert error["details"]["payment_date"] == "2026-01-02"
    await court.pay("alice", filing_id, "196.50")
    response = await court.post("alice", f"/api/v1/filings/{filing_id}/submit")
    assert response.status == 200, await response.text()


async def test_a_request_for_copies_is_quoted_per_document_and_page(court: Court) -> None:
    body = {**claim_body("850505300456", claim_kind="copy_reissue", filing_type="application", claim_amount=None),
            "copy_documents": 2, "copy_pages": 10}
    draft = await court.create("alice", body)
    assert draft["fee"]["quote"]["amount"] == "2162.50"  # 0.2 MRP + 0.3 MRP of 2026
    assert (draft["copy_documents"], draft["copy_pages"]) == (2, 10)
    response = await court.patch("alice", f"/api/v1/filings/{draft['id']}", {"copy_pages": None})
    assert (await response.json())["fee"]["quote"]["error"]["code"] == "counts_required"
    for bad in (0, 10_001, "3", True, 1.5):
        await _error(await court.patch("alice", f"/api/v1/filings/{draft['id']}", {"copy_pages": bad}), 400,
                     "invalid_field")


async def test_the_owner_of_a_draft_cannot_reach_the_clerks_acts_through_it(court: Court) -> None:
    """A draft's owner may act on the draft, but registering, returning or deciding its exemption is the clerk's
    (found by the API fuzzer: registering one's own court-less draft was a 500)."""
    draft = await court.create("alice", claim_body("850505300456"))
    before = await court.counts()
    acts = {"register": {}, "return": {"reason": "mine"}, "exemption": {"decision": "confirm"}}
    for path, body in acts.items():
        response = await court.post("alice", f"/api/v1/staff/filings/{draft['id']}/{path}", body)
        await _error(response, 403, "not_court_clerk")
    assert await court.counts() == before
    assert (await (await court.get("alice", f"/api/v1/filings/{draft['id']}")).json())["status"] == "draft"
