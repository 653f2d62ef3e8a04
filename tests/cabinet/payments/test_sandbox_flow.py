"""Paying the state duty through the SANDBOX bank, end to end over real HTTP.

The payer starts a payment, is sent to the sandbox's hosted page, presses Pay or Decline; the
sandbox POSTs its signed callback to the app's public URL and redirects the payer back. Forged,
replayed and inconsistent callbacks are each a clear 4xx that changes nothing.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from cabinet.audit import AuditEntry, verify_chain
from cabinet.money import Money
from cabinet.payments.ledger import paid_amount, record_refund
from cabinet.payments.models import Payment, PaymentReceipt
from cabinet.payments.provider import CallbackStatus
from cabinet.payments.sandbox import SIGNATURE_HEADER, SandboxCallback, SandboxPaymentProvider
from cabinet.payments.sandbox_pages import SANDBOX_PROVIDER
from core.db import Database
from tests.cabinet.conftest import CabinetApp, Cast, bearer

DUTY = "1297.50"


def sandbox(app: CabinetApp) -> SandboxPaymentProvider:
    application = app.client.app
    assert application is not None
    return application[SANDBOX_PROVIDER]


async def start(app: CabinetApp, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {"reference": "filing:42", "amount": DUTY, "purpose": "State duty on a statement of claim", **fields}
    response = await app.client.post("/api/v1/payments", json=body, headers=headers)
    assert response.status == 201, await response.text()
    return dict(await response.json())


async def submit(app: CabinetApp, redirect_url: str, decision: str) -> tuple[int, str, str]:
    async with app.client.session.post(redirect_url, data={"decision": decision}, allow_redirects=False) as r:
        return r.status, r.headers.get("Location", ""), await r.text()


async def send(app: CabinetApp, body: bytes, signature: str | None) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    url = f"{app.config.public_url}/api/v1/payments/callback/sandbox"
    async with app.client.session.post(url, data=body, headers=headers) as response:
        return response.status, await response.json()


async def send_signed(app: CabinetApp, callback: SandboxCallback) -> tuple[int, dict[str, Any]]:
    return await send(app, callback.canonical(), sandbox(app).sign(callback))


def paid_callback(app: CabinetApp, started: dict[str, Any]) -> SandboxCallback:
    """Exactly the callback the sandbox page sends when Pay is pressed (same transaction id)."""
    token = started["redirect_url"].rsplit("/", 1)[1]
    provider = sandbox(app)
    return provider.callback_for(token, provider.open_session(token), CallbackStatus.PAID)


async def snapshot(db: Database, reference: str = "filing:42") -> dict[str, Any]:
    async with db.transaction() as session:
        return {
            "paid": await paid_amount(session, reference),
            "statuses": sorted(await session.scalars(select(Payment.status))),
            "receipts": await session.scalar(select(func.count()).select_from(PaymentReceipt)),
            "audit": list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq))),
        }


async def test_paying_through_the_sandbox_page_pays_the_reference_once_with_a_receipt(
        pay_app: CabinetApp, cast: Cast, db: Database) -> None:
    alice = await bearer(pay_app, cast.alice)
    started = await start(pay_app, alice)
    assert started["status"] == "pending" and started["amount"] == DUTY
    assert started["redirect_url"].startswith(f"{pay_app.config.public_url}/sandbox/pay/")

    async with pay_app.client.session.get(started["redirect_url"]) as page:
        assert page.status == 200
        text = await page.text()
    assert "SANDBOX — no money moves" in text and "1\u00a0297,50\u00a0₸" in text
    assert 'value="pay"' in text and 'value="decline"' in text

    status, location, _ = await submit(pay_app, started["redirect_url"], "pay")
    assert status == 303
    assert location == (f"{pay_app.config.public_url}/api/v1/payments/{started['payment_id']}"
                        f"?payment_id={started['payment_id']}&status=paid")

    state = await snapshot(db)
    assert state["paid"] == Money.parse(DUTY)
    assert state["statuses"] == ["paid"] and state["receipts"] == 1
    assert state["audit"][-2:] == ["payment.created", "payment.paid"]

    shown = await (await pay_app.client.get(f"/api/v1/payments/{started['payment_id']}", headers=alice)).json()
    assert shown["status"] == "paid" and shown["reference"] == "filing:42" and shown["amount"] == DUTY
    assert shown["provider"] == "sandbox" and shown["provider_transaction_id"].startswith("SBX-")
    receipt_response = await pay_app.client.get(f"/api/v1/payments/{started['payment_id']}/receipt", headers=alice)
    assert receipt_response.status == 200
    receipt = await receipt_response.json()
    assert receipt["payment_id"] == started["payment_id"] and receipt["amount"] == DUTY
    assert receipt["payer"]["iin"] == "900101400123"
    assert receipt["provider_transaction_id"] == shown["provider_transaction_id"]
    assert receipt["paid_at"] and len(receipt["digest"]) == 64
    async with db.transaction() as session:
        paid_entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "payment.paid"))
        assert paid_entry is not None and paid_entry.details["receipt_digest"] == receipt["digest"]
        assert (await verify_chain(session)).ok


async def test_a_replayed_callback_answers_as_before_and_never_pays_twice(
        pay_app: CabinetApp, cast: Cast, db: Database) -> None:
    started = await start(pay_app, await bearer(pay_app, cast.alice))
    assert (await submit(pay_app, started["redirect_url"], "pay"))[0] == 303
    before = await snapshot(db)
    for _ in range(3):
        status, body = await send_signed(pay_app, paid_callback(pay_app, started))
        assert status == 200
        assert body == {"payment_id": started["payment_id"], "status": "paid", "replayed": True}
    status, location, _ = await submit(pay_app, started["redirect_url"], "pay")  # the payer presses Pay again
    assert status == 303 and location.endswith("status=paid")
    assert await snapshot(db) == before


async def test_a_declined_payment_fails_pays_nothing_and_cannot_be_paid_afterwards(
        pay_app: CabinetApp, cast: Cast, db: Database) -> None:
    alice = await bearer(pay_app, cast.alice)
    started = await start(pay_app, alice, return_path="/cabinet/filings/42")
    status, location, _ = await submit(pay_app, started["redirect_url"], "decline")
    assert status == 303
    assert location.startswith(f"{pay_app.config.public_url}/cabinet/filings/42?") and "status=failed" in location
    shown = await (await pay_app.client.get(f"/api/v1/payments/{started['payment_id']}", headers=alice)).json()
    assert shown["status"] == "failed" and "declined" in shown["failure_reason"]
    receipt = await pay_app.client.get(f"/api/v1/payments/{started['payment_id']}/receipt", headers=alice)
    assert receipt.status == 409 and (await receipt.json())["error"]["code"] == "payment_not_paid"
    before = await snapshot(db)
    assert before["paid"] == Money.zero() and before["audit"][-1] == "payment.failed"

    status, _, page = await submit(pay_app, started["redirect_url"], "pay")
    assert status == 409 and "payment_transition_illegal" in page and "SANDBOX" in page
    assert await snapshot(db) == before


async def test_a_refund_after_payment_is_recorded_once_and_a_later_replay_changes_nothing(
        pay_app: CabinetApp, cast: Cast, db: Database) -> None:
    alice = await bearer(pay_app, cast.alice)
    started = await start(pay_app, alice)
    await submit(pay_app, started["redirect_url"], "pay")
    async with db.transaction() as session:
        assert await record_refund(session, pay_app.clock, "filing:42", "claim returned") == Money.parse(DUTY)
    async with db.transaction() as session:
        assert await record_refund(session, pay_app.clock, "filing:42", "claim returned") == Money.zero()
    status, body = await send_signed(pay_app, paid_callback(pay_app, started))
    assert status == 200 and body["replayed"] is True and body["status"] == "refunded"
    state = await snapshot(db)
    assert state["paid"] == Money.zero() and state["audit"].count("payment.refunded") == 1
    shown = await (await pay_app.client.get(f"/api/v1/payments/{started['payment_id']}", headers=alice)).json()
    assert shown["status"] == "refunded" and shown["refunded_at"]
    assert (await pay_app.client.get(f"/api/v1/payments/{started['payment_id']}/receipt", headers=alice)).status == 200


def _forgeries(app: CabinetApp, started: dict[str, Any]) -> dict[str, tuple[bytes, str | None, int, str]]:
    good = paid_callback(app, started)
    provider = sandbox(app)
    stranger = SandboxPaymentProvider(b"s" * 32, base_url="http://bank.invalid", clock=app.clock)
    tampered = json.loads(good.canonical())
    tampered["amount_tiyn"] = 1
    wrong_amount = replace(good, amount=Money(good.amount.tiyn - 1))
    unknown = replace(good, payment_id="0" * 32)
    return {
        "signed with another installation's secret": (good.canonical(), stranger.sign(good), 400,
                                                      "callback_signature_invalid"),
        "no signature": (good.canonical(), None, 400, "callback_signature_invalid"),
        "amount edited after signing": (json.dumps(tampered).encode(), provider.sign(good), 400,
                                        "callback_signature_invalid"),
        "signed, but for another amount": (wrong_amount.canonical(), provider.sign(wrong_amount), 409,
                                           "callback_amount_mismatch"),
        "signed, but for an unknown payment": (unknown.canonical(), provider.sign(unknown), 404,
                                               "payment_not_found"),
        "not JSON": (b"payment_id=1&status=paid", provider.sign(good), 400, "callback_malformed"),
        "an extra field": (json.dumps({**json.loads(good.canonical()), "bonus": 1}).encode(), provider.sign(good),
                           400, "callback_malformed"),
    }


@pytest.mark.parametrize("case", [
    "signed with another installation's secret", "no signature", "amount edited after signing",
    "signed, but for another amount", "signed, but for an unknown payment", "not JSON", "an extra field",
])
async def test_a_forged_or_inconsistent_callback_is_refused_and_changes_nothing(
        pay_app: CabinetApp, cast: Cast, db: Database, case: str) -> None:
    started = await start(pay_app, await bearer(pay_app, cast.alice))
    before = await snapshot(db)
    body, signature, status, code = _forgeries(pay_app, started)[case]
    got_status, answer = await send(pay_app, body, signature)
    assert (got_status, answer["error"]["code"]) == (status, code)
    assert answer["error"]["message"]
    assert await snapshot(db) == before and before["statuses"] == ["pending"]


async def test_a_callback_for_an_unknown_provider_is_a_404(pay_app: CabinetApp) -> None:
    async with pay_app.client.session.post(f"{pay_app.config.public_url}/api/v1/payments/callback/kaspi",
                                           data=b"{}") as response:
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "payment_provider_unknown"


async def test_one_bank_transaction_cannot_settle_two_payments(pay_app: CabinetApp, cast: Cast, db: Database) -> None:
    alice = await bearer(pay_app, cast.alice)
    first = await start(pay_app, alice)
    second = await start(pay_app, alice, reference="filing:43")
    await submit(pay_app, first["redirect_url"], "pay")
    before = await snapshot(db, "filing:43")
    reused = replace(paid_callback(pay_app, second), transaction_id=paid_callback(pay_app, first).transaction_id)
    status, body = await send_signed(pay_app, reused)
    assert (status, body["error"]["code"]) == (409, "provider_transaction_reused")
    assert await snapshot(db, "filing:43") == before


async def test_a_settled_payment_refuses_a_different_outcome_or_transaction(
        pay_app: CabinetApp, cast: Cast, db: Database) -> None:
    started = await start(pay_app, await bearer(pay_app, cast.alice))
    await submit(pay_app, started["redirect_url"], "pay")
    before = await snapshot(db)
    paid = paid_callback(pay_app, started)
    failed = replace(paid, status=CallbackStatus.FAILED, reason="card blocked")
    status, body = await send_signed(pay_app, failed)
    assert (status, body["error"]["code"]) == (409, "payment_transition_illegal")
    status, body = await send_signed(pay_app, replace(paid, transaction_id="SBX-ANOTHER"))
    assert (status, body["error"]["code"]) == (409, "payment_already_settled")
    assert await snapshot(db) == before


@pytest.mark.parametrize(("fields", "code"), [
    ({"amount": "0"}, "invalid_amount"),
    ({"amount": "-5"}, "invalid_amount"),
    ({"amount": "12.345"}, "invalid_amount"),
    ({"amount": 1297.5}, "invalid_request"),
    ({"amount": None}, "invalid_request"),
    ({"reference": "42"}, "invalid_reference"),
    ({"reference": "filing:"}, "invalid_reference"),
    ({"purpose": "x" * 301}, "invalid_purpose"),
    ({"return_path": "https://evil.example/steal"}, "invalid_return_path"),
    ({"return_path": "//evil.example/steal"}, "invalid_return_path"),
    ({"return_path": "/cabinet?next=//evil"}, "invalid_return_path"),
])
async def test_a_bad_payment_request_is_a_400_and_stores_nothing(
        pay_app: CabinetApp, cast: Cast, db: Database, fields: dict[str, Any], code: str) -> None:
    alice = await bearer(pay_app, cast.alice)
    before = await snapshot(db)
    body = {"reference": "filing:42", "amount": DUTY, **fields}
    response = await pay_app.client.post("/api/v1/payments", json=body, headers=alice)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == code
    assert await snapshot(db) == before


async def test_payments_are_visible_to_their_payer_only(pay_app: CabinetApp, cast: Cast) -> None:
    alice, bob = await bearer(pay_app, cast.alice), await bearer(pay_app, cast.bob)
    started = await start(pay_app, alice)
    anonymous = await pay_app.client.post("/api/v1/payments", json={"reference": "filing:1", "amount": "1"})
    assert anonymous.status == 401
    for path in (f"/api/v1/payments/{started['payment_id']}", f"/api/v1/payments/{started['payment_id']}/receipt"):
        assert (await pay_app.client.get(path)).status == 401
        refused = await pay_app.client.get(path, headers=bob)
        assert refused.status == 404 and (await refused.json())["error"]["code"] == "payment_not_found"
    missing = await pay_app.client.get("/api/v1/payments/not-a-payment", headers=alice)
    assert missing.status == 404
    pending = await pay_app.client.get(f"/api/v1/payments/{started['payment_id']}/receipt", headers=alice)
    assert pending.status == 409


async def test_a_sandbox_link_cannot_be_edited_and_expires(pay_app: CabinetApp, cast: Cast, db: Database) -> None:
    started = await start(pay_app, await bearer(pay_app, cast.alice))
    url = started["redirect_url"]
    payload, mac = url.rsplit("/", 1)[1].split(".")
    forged = url.rsplit("/", 1)[0] + "/" + payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + mac
    for bad in (forged, url + "x", url.rsplit(".", 1)[0]):
        async with pay_app.client.session.get(bad) as response:
            assert response.status == 400
            assert (await response.json())["error"]["code"] == "sandbox_session_invalid"
    status, _, _ = await submit(pay_app, url, "maybe")
    assert status == 400
    pay_app.clock.advance(timedelta(hours=2))
    async with pay_app.client.session.get(url) as response:
        assert response.status == 400
        assert (await response.json())["error"]["code"] == "sandbox_session_expired"
    assert (await snapshot(db))["statuses"] == ["pending"]


async def test_the_same_callback_arriving_five_times_at_once_pays_once(
        pay_app: CabinetApp, cast: Cast, db: Database) -> None:
    started = await start(pay_app, await bearer(pay_app, cast.alice))
    callback = paid_callback(pay_app, started)
    answers = await asyncio.gather(*(send_signed(pay_app, callback) for _ in range(5)))
    assert [status for status, _ in answers] == [200] * 5
    assert sorted(body["replayed"] for _, body in answers) == [False, True, True, True, True]
    state = await snapshot(db)
    assert state["paid"] == Money.parse(DUTY) and state["receipts"] == 1
    assert state["audit"].count("payment.paid") == 1
