"""HTTP API of state duty and payment: fee quotes, payments, receipts and provider callbacks.

Handlers parse, authorize, call one service method and serialize; every rule is elsewhere.
The full contract (shapes and error codes) is in ``API.md`` next to this file.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from cabinet.errors import FeeRequestInvalid, InvalidMoney
from cabinet.fees import FeeRequest, quote
from cabinet.identity.http import require_principal
from cabinet.money import Money
from cabinet.payments.errors import PaymentRequestInvalid
from cabinet.payments.refunds import RefundService
from cabinet.payments.service import PaymentService
from core.clock import COURT_TIME
from core.errors import PayloadTooLarge
from core.requests import json_object, string_field
from core.resources import CLOCK

PAYMENTS = web.AppKey("payment_service", PaymentService)
REFUNDS = web.AppKey("refund_service", RefundService)
QUOTE_PARAMETERS = frozenset({"case_kind", "filing_type", "claim_kind", "payer_kind", "claim_amount",
                              "exemption", "documents", "pages", "on"})
MAX_CALLBACK_BYTES = 64 * 1024

routes = web.RouteTableDef()


@routes.get("/api/v1/fees/quote")
async def fee_quote(request: web.Request) -> web.Response:
    params = request.query
    unknown = sorted(set(params) - QUOTE_PARAMETERS)
    if unknown:
        raise FeeRequestInvalid(f"unknown parameter {unknown[0][:40]!r} (known: {sorted(QUOTE_PARAMETERS)})",
                                code="unknown_parameter", details={"field": unknown[0][:40]})
    repeated = sorted(name for name in set(params) if len(params.getall(name)) > 1)
    if repeated:
        raise FeeRequestInvalid(f"parameter {repeated[0]!r} is given more than once",
                                code="repeated_parameter", details={"field": repeated[0]})
    on_text = params.get("on", "")
    if on_text:
        try:
            on = date.fromisoformat(on_text)
        except ValueError:
            raise FeeRequestInvalid(f"on {on_text[:40]!r} is not a date (YYYY-MM-DD)",
                                    code="invalid_date", details={"field": "on"}) from None
    else:
        on = request.app[CLOCK].now().astimezone(COURT_TIME).date()
    return web.json_response(quote(FeeRequest.parse(params), on).to_json())


@routes.post("/api/v1/payments")
async def start_payment(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    body = await json_object(request)
    reference = string_field(body, "reference", max_length=200)
    amount_text = string_field(body, "amount", max_length=40)
    try:
        amount = Money.parse(amount_text)
    except InvalidMoney as exc:
        raise PaymentRequestInvalid(exc.message, code="invalid_amount", details={"field": "amount"}) from None
    purpose = string_field(body, "purpose", required=False, max_length=1000) or f"State duty for {reference}"
    return_path = string_field(body, "return_path", required=False, max_length=1000) or None
    started = await request.app[PAYMENTS].start(principal, reference=reference, amount=amount, purpose=purpose,
                                                return_path=return_path)
    return web.json_response(started.to_json(), status=201)


@routes.get("/api/v1/payments/{payment_id}")
async def show_payment(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    view = await request.app[PAYMENTS].get(principal, request.match_info["payment_id"])
    return web.json_response(view.to_json())


@routes.get("/api/v1/payments/{payment_id}/receipt")
async def show_receipt(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    receipt = await request.app[PAYMENTS].receipt(principal, request.match_info["payment_id"])
    return web.json_response(receipt.to_json())


@routes.get("/api/v1/payments/{payment_id}/refunds")
async def show_refunds(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    refunds = await request.app[REFUNDS].of_payment(principal, request.match_info["payment_id"])
    return web.json_response({"refunds": refunds})


@routes.post("/api/v1/payments/callback/{provider}")
async def provider_callback(request: web.Request) -> web.Response:
    if request.content_length is not None and request.content_length > MAX_CALLBACK_BYTES:
        raise PayloadTooLarge(f"a callback is at most {MAX_CALLBACK_BYTES} bytes", code="callback_too_large")
    body = await request.content.read(MAX_CALLBACK_BYTES + 1)
    if len(body) > MAX_CALLBACK_BYTES:
        raise PayloadTooLarge(f"a callback is at most {MAX_CALLBACK_BYTES} bytes", code="callback_too_large")
    outcome = await request.app[PAYMENTS].apply_callback(request.match_info["provider"], body, request.headers)
    return web.json_response(outcome.to_json())
