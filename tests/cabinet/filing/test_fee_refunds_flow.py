"""Refunds caused by case events, sent back through the payment provider, with the receipt the payer reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cabinet.audit import AuditEntry
from cabinet.payments.models import Payment, PaymentRefund
from cabinet.payments.routes import REFUNDS
from tests.cabinet.filing.conftest import Court, claim_body, pdf, registered_case


async def _paid_claim(court: Court, amount: str = "10000.00", claim_amount: str = "1000000") -> int:
    draft = await court.create("alice", claim_body("850505300456", claim_amount=claim_amount))
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    await court.pay("alice", draft["id"], amount)
    return int(draft["id"])


async def _submit(court: Court, filing_id: int) -> None:
    response = await court.post("alice", f"/api/v1/filings/{filing_id}/submit")
    assert response.status == 200, await response.text()


async def _payment_id(court: Court, filing_id: int) -> str:
    async with court.db.sessions() as session:
        payment_id = await session.scalar(select(Payment.id).where(Payment.reference == f"filing:{filing_id}"))
    assert payment_id is not None
    return str(payment_id)


async def _refunds(court: Court, who: str, payment_id: str) -> tuple[int, Any]:
    response = await court.get(who, f"/api/v1/payments/{payment_id}/refunds")
    return response.status, await response.json()


async def test_a_returned_claim_is_refunded_in_full_through_the_provider_with_a_receipt(court: Court) -> None:
    filing_id = await _paid_claim(court)
    await _submit(court, filing_id)
    response = await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/return",
                                {"reason": "the claim is not signed by the plaintiff"})
    assert response.status == 200, await response.text()
    payment_id = await _payment_id(court, filing_id)
    await court.client.app[REFUNDS].process()
    status, body = await _refunds(court, "alice", payment_id)
    assert status == 200
    [refund] = body["refunds"]
    assert refund["amount"] == "10000.00" and refund["event"] == "claim_returned" and refund["status"] == "done"
    assert refund["article"].endswith("art. 120(4)(4)-(5)")
    receipt = refund["receipt"]
    assert receipt["provider"] == "sandbox" and receipt["provider_refund_id"].startswith("SBXR-")
    assert receipt["payer_iin"] == "900101400123" and receipt["amount"] == "10000.00"
    async with court.db.sessions() as session:
        sent = await session.scalar(select(AuditEntry).where(AuditEntry.action == "payment.refund_sent"))
    assert sent is not None and sent.details["receipt_digest"] == receipt["digest"]
    payment = await (await court.get("alice", f"/api/v1/payments/{payment_id}")).json()
    assert payment["status"] == "refunded"
    assert await court.client.app[REFUNDS].process() == 0, "a refund is sent once"


async def test_nobody_else_sees_the_refunds_of_a_payment(court: Court) -> None:
    filing_id = await _paid_claim(court)
    payment_id = await _payment_id(court, filing_id)
    for who in ("bob", "clerk"):
        status, body = await _refunds(court, who, payment_id)
        assert status == 404 and body["error"]["code"] == "payment_not_found"
    status, body = await _refunds(court, "alice", "nonsense")
    assert status == 404


async def _accepted_case(court: Court) -> tuple[int, str]:
    filing_id = await _paid_claim(court)
    await _submit(court, filing_id)
    response = await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/register")
    assert response.status == 200, await response.text()
    number = (await response.json())["case_number"]
    assert (await court.post("judge", f"/api/v1/staff/cases/{number}/accept")).status == 200
    return filing_id, number


async def _terminate(court: Court, number: str, **fields: str) -> Any:
    return await court.upload("judge", 0, pdf("Ruling: proceedings terminated"), name="ruling.pdf", kind="",
                              url=f"/api/v1/staff/cases/{number}/acts",
                              fields={"act_type": "ruling", "outcome": "terminate",
                                      "reason": "the parties settled", **fields})


async def _refunded(court: Court, filing_id: int) -> list[tuple[str, int]]:
    async with court.db.sessions() as session:
        rows = await session.execute(select(PaymentRefund.event, PaymentRefund.amount_tiyn)
                                     .where(PaymentRefund.reference == f"filing:{filing_id}"))
        return [(event, amount) for event, amount in rows]


async def test_a_settlement_ruling_refunds_the_duty_in_full(court: Court) -> None:
    filing_id, number = await _accepted_case(court)
    response = await _terminate(court, number, termination_ground="settlement")
    assert response.status == 201, await response.text()
    assert await _refunded(court, filing_id) == [("settlement", 1_000_000)]
    listing = await (await court.get("alice", "/api/v1/notifications")).json()
    assert any(n["kind"] == "fee_refunded" for n in listing["notifications"])


async def test_a_withdrawal_refunds_nothing_and_says_why(court: Court) -> None:
    filing_id, number = await _accepted_case(court)
    response = await _terminate(court, number, termination_ground="withdrawal")
    assert response.status == 201, await response.text()
    assert await _refunded(court, filing_id) == []
    async with court.db.sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "filing.fee_refund"))
    assert entry is not None and entry.details["article"].endswith("art. 121(2)")
    assert entry.details["refunded"] == "0.00"


async def test_a_bad_termination_ground_is_refused_before_anything_is_stored(court: Court) -> None:
    filing_id, number = await _accepted_case(court)
    before, files = await court.counts(), court.stored_files()
    for fields in ({"termination_ground": "judge_felt_generous"}, {"termination_ground": "overpayment"}):
        response = await _terminate(court, number, **fields)
        body = await response.json()
        assert response.status == 400 and body["error"]["code"] == "invalid_termination_ground", body
    response = await court.upload("judge", 0, pdf("Ruling"), name="ruling.pdf", kind="",
                                  url=f"/api/v1/staff/cases/{number}/acts",
                                  fields={"act_type": "ruling", "termination_ground": "settlement"})
    assert response.status == 400 and (await response.json())["error"]["code"] == "invalid_termination_ground"
    assert await court.counts() == before and court.stored_files() == files
    assert await _refunded(court, filing_id) == []


async def test_a_party_cannot_terminate_to_get_a_refund(court: Court) -> None:
    filing_id, number = await _accepted_case(court)
    response = await court.upload("alice", 0, pdf("Ruling"), name="ruling.pdf", kind="",
                                  url=f"/api/v1/staff/cases/{number}/acts",
                                  fields={"act_type": "ruling", "outcome": "terminate", "reason": "x",
                                          "termination_ground": "settlement"})
    assert response.status in {403, 404}
    assert await _refunded(court, filing_id) == []


async def test_an_overpayment_is_refunded_at_registration(court: Court) -> None:
    filing_id = await _paid_claim(court, amount="12000.00")
    await _submit(court, filing_id)
    response = await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/register")
    assert response.status == 200, await response.text()
    assert await _refunded(court, filing_id) == [("overpayment", 200_000)]
    payment = await (await court.get("alice", f"/api/v1/payments/{await _payment_id(court, filing_id)}")).json()
    assert payment["status"] == "paid", "a partly refunded payment still holds the duty"


async def test_no_refund_of_the_difference_when_the_claim_was_cut_after_paying(court: Court) -> None:
    filing_id = await _paid_claim(court)
    response = await court.patch("alice", f"/api/v1/filings/{filing_id}", {"claim_amount": "500000"})
    assert response.status == 200 and (await response.json())["fee"]["quote"]["amount"] == "5000.00"
    await _submit(court, filing_id)
    response = await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/register")
    assert response.status == 200, await response.text()
    assert await _refunded(court, filing_id) == []


async def test_a_returned_cassation_complaint_is_refunded_in_full(court: Court) -> None:
    filing_id, number = await registered_case(court)
    draft = await court.create("alice", {"filing_type": "cassation", "case_number": number, "claim_kind": "property",
                                         "payer_kind": "individual", "claim_amount": "1000000"})
    assert draft["fee"]["quote"]["amount"] == "5000.00" and draft["fee"]["quote"]["rule"]["id"] == "cassation"
    assert (await court.upload("alice", draft["id"], pdf("Cassation complaint"))).status == 201
    await court.pay("alice", draft["id"], "5000.00")
    await _submit(court, draft["id"])
    response = await court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/return",
                                {"reason": "filed after the cassation term"})
    assert response.status == 200, await response.text()
    assert await _refunded(court, draft["id"]) == [("cassation_returned", 500_000)]
    assert await _refunded(court, filing_id) == []
