"""OpenAPI description of state duty and payment (see API.md; merged by :mod:`core.openapi`)."""

from __future__ import annotations

from cabinet.case_numbers import CaseKind
from cabinet.fees import ClaimKind, FilingType, PayerKind
from core.openapi import (
    AUTH,
    DATE,
    PUBLIC,
    TENGE,
    TIMESTAMP,
    array,
    json_body,
    nullable,
    obj,
    ok,
    operation,
    path_param,
    query_param,
    ref,
    string,
    values_of,
)

TAGS = ["fees and payments"]
PAYMENT_ID = path_param("payment_id", string("32 lowercase hex digits", maxLength=64))
TEXTS = obj({"kk": string(), "ru": string(), "en": string()})
PAYMENT_STATUS = values_of(["pending", "paid", "failed", "refunded"])

SCHEMAS = {
    "FeeQuote": obj({
        "amount": TENGE, "amount_text": string(),
        "verified": {"type": "boolean", "description": "false: the figure is not confirmed by the Code's text"},
        "warning": nullable(TEXTS),
        "rule": obj({"id": string(), "article": string(), "verified": {"type": "boolean"},
                     "note": nullable(string())}),
        "date": DATE,
        "mrp": obj({"amount": TENGE, "year": {"type": "integer"}, "in_force_from": DATE, "payment_date": DATE}),
        "cap": nullable(TENGE), "cap_applied": {"type": "boolean"},
        "exemption": nullable(obj({"code": string(), "article": string(), "verified": {"type": "boolean"}})),
        "formula": string(), "basis": string(), "notes": array(string()),
        "explanation": TEXTS,
    }, required=["amount", "verified", "rule", "date", "mrp", "basis", "explanation"]),
    "Payment": obj({
        "payment_id": string(), "reference": string(), "purpose": string(), "amount": TENGE,
        "amount_text": string(), "status": PAYMENT_STATUS, "provider": string(),
        "provider_transaction_id": nullable(string()), "created_at": TIMESTAMP, "settled_at": nullable(TIMESTAMP),
        "refunded_at": nullable(TIMESTAMP), "failure_reason": nullable(string()),
    }),
    "Refund": obj({
        "refund_id": {"type": "integer"}, "amount": TENGE, "event": string("the case event that caused it"),
        "article": string(), "reason": string(), "status": values_of(["pending", "done"]), "created_at": TIMESTAMP,
        "receipt": nullable(obj({
            "refund_id": {"type": "integer"}, "payment_id": string(), "reference": string(), "amount": TENGE,
            "amount_text": string(), "reason": string(), "event": string(), "article": string(),
            "payer_iin": string(), "provider": string(), "provider_refund_id": string(), "refunded_at": TIMESTAMP,
            "digest": string("SHA-256 hex of the receipt's canonical JSON without digest")})),
    }),
    "PaymentReceipt": obj({
        "payment_id": string(), "reference": string(), "purpose": string(), "amount": TENGE,
        "amount_text": string(), "payer": obj({"iin": string(), "name": string()}), "provider": string(),
        "provider_transaction_id": string(), "paid_at": TIMESTAMP,
        "digest": string("SHA-256 hex of the receipt's canonical JSON without digest"),
    }),
}

PATHS = {
    "/api/v1/fees/quote": {
        "get": operation(
            "The state duty a filing owes (no login)", tags=TAGS, security=PUBLIC,
            parameters=[
                query_param("case_kind", values_of(CaseKind), required=True),
                query_param("filing_type", values_of(FilingType), required=True),
                query_param("claim_kind", values_of(ClaimKind), required=True),
                query_param("payer_kind", values_of(PayerKind), required=True),
                query_param("claim_amount", string("tenge; for percentage rows only", maxLength=40)),
                query_param("exemption", string("an exemption code, e.g. `labour`", maxLength=40)),
                query_param("documents", string("number of documents, for copies only", maxLength=6)),
                query_param("pages", string("number of pages, for copies only", maxLength=6)),
                query_param("on", DATE | {"description": "payment date (its MRP applies); default: today"}),
            ],
            responses=ok(ref("FeeQuote")),
            errors={400: ["fee_request_invalid", "invalid_claim_amount", "claim_amount_required",
                          "claim_amount_not_applicable", "invalid_count", "counts_required", "counts_not_applicable",
                          "unknown_exemption", "exemption_not_applicable",
                          "fee_rule_not_found", "mrp_unknown", "invalid_date", "unknown_parameter",
                          "repeated_parameter"]}),
    },
    "/api/v1/payments": {
        "post": operation(
            "Start a payment at the provider's hosted page", tags=TAGS, security=AUTH,
            body=json_body(obj({
                "reference": string("`<kind>:<id>`, e.g. `filing:42`", maxLength=200),
                "amount": TENGE,
                "purpose": string("1-300 characters", maxLength=1000),
                "return_path": string("a path on this site", maxLength=1000),
            }, required=["reference", "amount"])),
            responses=ok(obj({"payment_id": string(), "status": PAYMENT_STATUS, "amount": TENGE,
                              "redirect_url": string(format="uri")}), "Started", status=201),
            errors={400: ["invalid_request", "invalid_json", "invalid_reference", "invalid_amount",
                          "invalid_purpose", "invalid_return_path"], 403: ["cross_site_request"],
                    502: ["payment_provider_unavailable"]}),
    },
    "/api/v1/payments/{payment_id}": {
        "get": operation("A payment (its payer only)", tags=TAGS, security=AUTH, parameters=[PAYMENT_ID],
                         responses=ok(ref("Payment")), errors={404: ["payment_not_found"]}),
    },
    "/api/v1/payments/{payment_id}/receipt": {
        "get": operation("The stored receipt of a paid payment (its payer only)", tags=TAGS, security=AUTH,
                         parameters=[PAYMENT_ID], responses=ok(ref("PaymentReceipt")),
                         errors={404: ["payment_not_found"], 409: ["payment_not_paid"]}),
    },
    "/api/v1/payments/{payment_id}/refunds": {
        "get": operation("Refunds of a payment and their receipts (its payer only)", tags=TAGS, security=AUTH,
                         parameters=[PAYMENT_ID], responses=ok(obj({"refunds": array(ref("Refund"))})),
                         errors={404: ["payment_not_found"]}),
    },
    "/api/v1/payments/callback/{provider}": {
        "post": operation(
            "Provider notification (server to server, signed)", tags=TAGS, security=PUBLIC,
            description="For the sandbox provider: header `X-Sandbox-Signature: sha256=<hex>` over the canonical "
                        "body (see cabinet/payments/API.md). Body at most 64 KiB.",
            parameters=[path_param("provider", string(examples=["sandbox"], maxLength=40)),
                        {"name": "X-Sandbox-Signature", "in": "header", "required": False, "schema": string()}],
            body=json_body(obj({
                "payment_id": string(pattern="^[0-9a-f]{32}$"), "status": values_of(["paid", "failed"]),
                "amount_tiyn": {"type": "integer", "minimum": 1}, "currency": string(enum=["KZT"]),
                "transaction_id": string(), "sent_at": TIMESTAMP, "reason": string(maxLength=300),
            })),
            responses=ok(obj({"payment_id": string(), "status": PAYMENT_STATUS, "replayed": {"type": "boolean"}})),
            errors={400: ["callback_malformed", "callback_signature_invalid"],
                    404: ["payment_provider_unknown", "payment_not_found"],
                    409: ["callback_amount_mismatch", "payment_transition_illegal", "payment_already_settled",
                          "provider_transaction_reused"], 413: ["callback_too_large"]}),
    },
}
