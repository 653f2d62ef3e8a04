"""GET /api/v1/fees/quote: the state duty of a filing, public, with the fee module's refusal codes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.cabinet.conftest import CabinetApp

PROPERTY = {"case_kind": "civil", "filing_type": "statement_of_claim", "claim_kind": "property",
            "payer_kind": "individual"}


async def _quote(app: CabinetApp, **params: str) -> tuple[int, dict[str, Any]]:
    response = await app.client.get("/api/v1/fees/quote", params=params)
    return response.status, await response.json()


async def test_an_individuals_property_claim_is_one_percent_without_logging_in(cabinet_app: CabinetApp) -> None:
    status, body = await _quote(cabinet_app, **PROPERTY, claim_amount="1000000", on="2026-03-02")
    assert status == 200
    assert body["amount"] == "10000.00"
    assert body["rule"]["article"] == "Tax Code of the RK No. 214-VIII, art. 665(1)(1)"
    assert body["mrp"] == {"amount": "4325.00", "year": 2026, "in_force_from": "2026-01-01",
                           "payment_date": "2026-03-02"}
    assert body["cap"] == "43250000.00" and body["cap_applied"] is False
    assert body["date"] == "2026-03-02"


async def test_a_huge_claim_is_capped_and_amounts_stay_exact_strings(cabinet_app: CabinetApp) -> None:
    status, body = await _quote(cabinet_app, **PROPERTY, claim_amount="10 000 000 000,00", on="2026-03-02")
    assert status == 200
    assert body["amount"] == "43250000.00" and body["cap_applied"] is True


async def test_a_complaint_against_a_state_body_is_three_tenths_of_an_mrp(cabinet_app: CabinetApp) -> None:
    status, body = await _quote(cabinet_app, case_kind="administrative", filing_type="complaint",
                                claim_kind="state_body_complaint", payer_kind="individual", on="2026-03-02")
    assert status == 200
    assert body["amount"] == "1297.50"
    assert body["rule"]["verified"] is True


async def test_a_claimed_exemption_zeroes_the_duty_and_names_its_article(cabinet_app: CabinetApp) -> None:
    status, body = await _quote(cabinet_app, **PROPERTY, claim_amount="2000000", exemption="labour",
                                on="2026-03-02")
    assert status == 200
    assert body["amount"] == "0.00"
    assert body["exemption"]["code"] == "labour"


async def test_without_a_date_the_courts_local_date_is_used(cabinet_app: CabinetApp) -> None:
    cabinet_app.clock.set(datetime(2025, 12, 31, 19, 30, tzinfo=UTC))  # 00:30 on 1 January in Almaty
    status, body = await _quote(cabinet_app, **PROPERTY, claim_amount="1000000")
    assert status == 200
    assert body["date"] == "2026-01-01" and body["mrp"]["year"] == 2026


async def test_copies_are_quoted_per_document_and_page_with_a_three_language_explanation(
        cabinet_app: CabinetApp) -> None:
    status, body = await _quote(cabinet_app, case_kind="civil", filing_type="application", claim_kind="copy_reissue",
                                payer_kind="individual", documents="2", pages="10", on="2025-05-01")
    assert status == 200, body
    assert body["amount"] == "1966.00" and body["mrp"]["amount"] == "3932.00"  # 0.2 + 0.3 MRP of 2025
    assert body["rule"]["article"].endswith("art. 665(1)(12)")
    assert set(body["explanation"]) == {"kk", "ru", "en"}
    assert "01.05.2025" in body["explanation"]["ru"] and "665(1)(12)" in body["explanation"]["kk"]


async def test_an_unverified_figure_is_shown_as_such(cabinet_app: CabinetApp) -> None:
    status, body = await _quote(cabinet_app, case_kind="civil", filing_type="appeal", claim_kind="property",
                                payer_kind="individual", on="2026-03-02")
    assert status == 200 and body["amount"] == "0.00"
    assert body["verified"] is False and body["rule"]["note"].startswith("No duty")
    assert body["warning"]["en"].startswith("This amount is not confirmed")


@pytest.mark.parametrize(("params", "code", "field"), [
    ({k: v for k, v in PROPERTY.items() if k != "case_kind"}, "fee_request_invalid", "case_kind"),
    ({**PROPERTY, "payer_kind": "robot"}, "fee_request_invalid", "payer_kind"),
    ({**PROPERTY, "claim_amount": "12.345"}, "invalid_claim_amount", "claim_amount"),
    ({**PROPERTY, "claim_amount": "1e6"}, "invalid_claim_amount", "claim_amount"),
    ({**PROPERTY, "claim_amount": "-100"}, "invalid_claim_amount", "claim_amount"),
    ({**PROPERTY}, "claim_amount_required", "claim_amount"),
    ({**PROPERTY, "claim_amount": "100", "exemption": "friendship"}, "unknown_exemption", "exemption"),
    ({**PROPERTY, "claim_amount": "100", "on": "2026-02-30"}, "invalid_date", "on"),
    ({**PROPERTY, "claim_amount": "100", "currency": "USD"}, "unknown_parameter", "currency"),
    ({**PROPERTY, "case_kind": "criminal", "claim_kind": "divorce"}, "fee_rule_not_found", None),
    ({**PROPERTY, "claim_amount": "100", "on": "1990-01-01"}, "mrp_unknown", None),
    ({**PROPERTY, "claim_amount": "100", "documents": "1", "pages": "1"}, "counts_not_applicable", "documents"),
    ({**PROPERTY, "claim_kind": "copy_reissue", "filing_type": "application", "documents": "1"}, "counts_required",
     "documents"),
    ({**PROPERTY, "claim_kind": "copy_reissue", "filing_type": "application", "documents": "x", "pages": "1"},
     "invalid_count", "documents"),
    ({**PROPERTY, "claim_kind": "copy_reissue", "filing_type": "application", "documents": "1",
      "pages": "9999999"}, "invalid_count", "pages"),
])
async def test_a_bad_request_is_a_400_with_the_fee_modules_code(
        cabinet_app: CabinetApp, params: dict[str, str], code: str, field: str | None) -> None:
    status, body = await _quote(cabinet_app, **params)
    assert status == 400, body
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    if field is not None:
        assert body["error"]["details"]["field"] == field


async def test_a_parameter_given_twice_is_refused_rather_than_guessed(cabinet_app: CabinetApp) -> None:
    response = await cabinet_app.client.get(
        "/api/v1/fees/quote?case_kind=civil&case_kind=criminal&filing_type=statement_of_claim"
        "&claim_kind=property&payer_kind=individual&claim_amount=100")
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "repeated_parameter"
