"""The state duty a filing owes, by the rate table of Tax Code art. 610 and the MRP of the filing date."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cabinet.errors import CabinetError, FeeRequestInvalid
from cabinet.fees import (
    EXEMPTIONS,
    FEE_RULES,
    MRP_TABLE,
    CaseKind,
    ClaimKind,
    FeeRequest,
    FilingType,
    MrpMultiple,
    PayerKind,
    PercentOfClaim,
    fee_rule,
    mrp_on,
    quote,
)
from cabinet.money import Money
from core.errors import BadRequest

IN_2026 = date(2026, 3, 2)
IN_2025 = date(2025, 6, 30)


def claim(
    amount: Money | None = None,
    payer: PayerKind = PayerKind.INDIVIDUAL,
    kind: ClaimKind = ClaimKind.PROPERTY,
    filing: FilingType = FilingType.STATEMENT_OF_CLAIM,
    case: CaseKind = CaseKind.CIVIL,
    exemption: str | None = None,
) -> FeeRequest:
    return FeeRequest(case, filing, kind, payer, claim_amount=amount, exemption=exemption)


def test_an_individuals_property_claim_owes_one_percent() -> None:
    fee = quote(claim(Money.tenge(1_000_000)), IN_2026)
    assert fee.amount == Money.tenge(10_000)
    assert fee.rule_id == "property_claim_individual"
    assert fee.article == "Tax Code of the RK, art. 610(1)(1)"
    assert fee.rule_verified
    assert not fee.cap_applied
    assert fee.cap == Money.tenge(43_250_000)
    assert fee.exemption is None
    assert "1 % of" in fee.basis


def test_a_huge_individual_claim_is_capped_at_ten_thousand_mrp_in_2026() -> None:
    fee = quote(claim(Money.tenge(10_000_000_000)), IN_2026)
    assert fee.amount == Money.tenge(43_250_000)  # 10,000 MRP × 4,325
    assert fee.cap_applied
    assert fee.mrp == Money.tenge(4_325)
    assert fee.mrp_year == 2026
    assert "capped at 10000 MRP" in fee.basis


def test_the_cap_starts_on_the_first_of_january_2026() -> None:
    huge = claim(Money.tenge(10_000_000_000))
    assert quote(huge, date(2025, 12, 31)).amount == Money.tenge(100_000_000)
    assert not quote(huge, date(2025, 12, 31)).cap_applied
    assert quote(huge, date(2026, 1, 1)).cap_applied


def test_a_claim_exactly_at_the_cap_is_not_reported_as_capped() -> None:
    fee = quote(claim(Money.tenge(4_325_000_000)), IN_2026)
    assert fee.amount == Money.tenge(43_250_000)
    assert not fee.cap_applied


def test_a_legal_entity_owes_three_percent_capped_at_twenty_thousand_mrp() -> None:
    small = quote(claim(Money.tenge(1_000_000), payer=PayerKind.LEGAL_ENTITY), IN_2026)
    assert small.amount == Money.tenge(30_000)
    assert small.rule_id == "property_claim_legal_entity"
    huge = quote(claim(Money.tenge(5_000_000_000), payer=PayerKind.LEGAL_ENTITY), IN_2026)
    assert huge.amount == Money.tenge(86_500_000)  # 20,000 MRP × 4,325 < 150,000,000
    assert huge.cap_applied


def test_percentages_round_half_up_to_a_tiyn() -> None:
    assert quote(claim(Money(150)), IN_2026).amount == Money(2)
    assert quote(claim(Money.parse("1234.56")), IN_2026).amount == Money(1_235)


def test_an_individuals_complaint_against_a_state_body_is_three_tenths_of_an_mrp() -> None:
    request = claim(kind=ClaimKind.STATE_BODY_COMPLAINT, filing=FilingType.COMPLAINT, case=CaseKind.ADMINISTRATIVE)
    fee = quote(request, IN_2026)
    assert fee.amount == Money.parse("1297.50")
    assert fee.article == "Tax Code of the RK, art. 610(1)(2)"
    assert fee.rule_verified
    assert fee.to_json()["amount"] == "1297.50"


def test_2025_filings_use_the_2025_mrp() -> None:
    request = claim(kind=ClaimKind.STATE_BODY_COMPLAINT, filing=FilingType.COMPLAINT)
    fee = quote(request, IN_2025)
    assert fee.mrp == Money.tenge(3_932)
    assert fee.mrp_year == 2025
    assert fee.amount == Money.parse("1179.60")


def test_mid_year_mrp_changes_are_followed() -> None:
    assert mrp_on(date(2022, 3, 31)).amount == Money.tenge(3_063)
    assert mrp_on(date(2022, 4, 1)).amount == Money.tenge(3_180)


def test_an_exemption_zeroes_the_duty_and_keeps_its_reference() -> None:
    fee = quote(claim(Money.tenge(2_000_000), exemption="labour"), IN_2026)
    assert fee.amount == Money.zero()
    assert fee.exemption is not None
    assert fee.exemption.article == "Tax Code of the RK, art. 616(1)(1)"
    assert fee.rule_id == "property_claim_individual"
    assert fee.basis.startswith("exempt:")
    assert Money.tenge(20_000).format() in fee.basis  # what it would have been
    assert fee.to_json()["exemption"]["code"] == "labour"


@pytest.mark.parametrize("code", ["alimony", "harm_to_health"])
def test_alimony_and_harm_to_health_claims_are_exempt(code: str) -> None:
    assert quote(claim(Money.tenge(500_000), exemption=code), IN_2026).amount == Money.zero()


def test_an_appeal_owes_half_the_first_instance_duty_on_the_amount_appealed() -> None:
    fee = quote(claim(Money.tenge(1_000_000), filing=FilingType.APPEAL), IN_2026)
    assert fee.amount == Money.tenge(5_000)
    assert fee.rule_id == "appeal"
    assert not fee.rule_verified


def test_an_appeal_on_a_huge_claim_takes_half_of_the_capped_duty() -> None:
    fee = quote(claim(Money.tenge(10_000_000_000), filing=FilingType.APPEAL), IN_2026)
    assert fee.amount == Money.tenge(21_625_000)
    assert fee.cap_applied


def test_a_non_property_appeal_is_a_fixed_share_of_the_mrp_rate() -> None:
    fee = quote(claim(kind=ClaimKind.NON_PROPERTY, filing=FilingType.CASSATION), IN_2026)
    assert fee.amount == Money.tenge(4_325).times(Decimal("0.25"))


def test_fixed_rows_use_the_mrp() -> None:
    non_property = quote(claim(kind=ClaimKind.NON_PROPERTY, payer=PayerKind.LEGAL_ENTITY), IN_2026)
    assert non_property.amount == Money.tenge(21_625)
    copies = quote(claim(kind=ClaimKind.COPY_REISSUE, filing=FilingType.APPLICATION), IN_2026)
    assert copies.amount == Money.parse("1297.50")


def test_procedural_and_criminal_filings_owe_nothing() -> None:
    assert quote(claim(kind=ClaimKind.PROCEDURAL, filing=FilingType.MOTION), IN_2026).amount == Money.zero()
    criminal = quote(claim(kind=ClaimKind.PROCEDURAL, filing=FilingType.APPEAL, case=CaseKind.CRIMINAL), IN_2026)
    assert criminal.amount == Money.zero()
    assert criminal.rule_id == "criminal_proceedings"


def test_a_court_order_is_half_the_property_rate() -> None:
    request = claim(Money.tenge(200_000), kind=ClaimKind.COURT_ORDER, filing=FilingType.APPLICATION)
    assert quote(request, IN_2026).amount == Money.tenge(1_000)


def refusal(request: FeeRequest, on: date = IN_2026) -> FeeRequestInvalid:
    with pytest.raises(FeeRequestInvalid) as info:
        quote(request, on)
    assert isinstance(info.value, BadRequest)
    assert isinstance(info.value, CabinetError)
    return info.value


def test_a_property_claim_without_an_amount_is_refused() -> None:
    error = refusal(claim(None))
    assert error.code == "claim_amount_required"
    assert error.details["field"] == "claim_amount"


def test_an_amount_on_a_fixed_rate_filing_is_refused_rather_than_ignored() -> None:
    assert refusal(claim(Money.tenge(5), kind=ClaimKind.NON_PROPERTY)).code == "claim_amount_not_applicable"


def test_unknown_combinations_are_refused() -> None:
    error = refusal(claim(kind=ClaimKind.DIVORCE, payer=PayerKind.LEGAL_ENTITY))
    assert error.code == "fee_rule_not_found"
    assert error.details["claim_kind"] == "divorce"
    assert refusal(claim(kind=ClaimKind.COURT_ORDER, filing=FilingType.APPEAL)).code == "fee_rule_not_found"


def test_exemptions_must_exist_and_fit_the_filing() -> None:
    assert refusal(claim(Money.tenge(10), exemption="friendship")).code == "unknown_exemption"
    legal_labour = claim(Money.tenge(10), payer=PayerKind.LEGAL_ENTITY, exemption="labour")
    assert refusal(legal_labour).code == "exemption_not_applicable"


def test_dates_outside_the_mrp_table_are_refused_not_extrapolated() -> None:
    assert refusal(claim(Money.tenge(10)), date(2027, 1, 1)).code == "mrp_unknown"
    assert refusal(claim(Money.tenge(10)), date(2017, 12, 31)).code == "mrp_unknown"


def test_non_positive_claim_amounts_are_refused() -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        claim(Money.zero())
    assert info.value.code == "invalid_claim_amount"


def test_parse_reads_query_parameters() -> None:
    request = FeeRequest.parse(
        {"case_kind": "civil", "filing_type": "statement_of_claim", "claim_kind": "property",
         "payer_kind": "individual", "claim_amount": "1 000 000,00", "exemption": ""}
    )
    assert request == claim(Money.tenge(1_000_000))


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"filing_type": "appeal", "claim_kind": "property", "payer_kind": "individual"}, "case_kind",
         "fee_request_invalid"),
        ({"case_kind": "civil", "filing_type": "lawsuit", "claim_kind": "property", "payer_kind": "individual"},
         "filing_type", "fee_request_invalid"),
        ({"case_kind": "civil", "filing_type": "appeal", "claim_kind": "property", "payer_kind": "individual",
          "claim_amount": "12.345"}, "claim_amount", "invalid_claim_amount"),
    ],
)
def test_parse_names_the_wrong_field(fields: dict[str, str], field: str, code: str) -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        FeeRequest.parse(fields)
    assert info.value.details["field"] == field
    assert info.value.code == code


def test_no_two_rows_cover_the_same_filing() -> None:
    for combo in itertools.product(CaseKind, FilingType, ClaimKind, PayerKind):
        request = FeeRequest(*combo)
        matching = [rule.id for rule in FEE_RULES if rule.matches(request)]
        assert len(matching) <= 1, (combo, matching)


def test_every_row_and_exemption_carries_a_reference_and_ids_are_unique() -> None:
    assert len({rule.id for rule in FEE_RULES}) == len(FEE_RULES)
    assert len({e.code for e in EXEMPTIONS}) == len(EXEMPTIONS)
    assert all("art. 610" in rule.article or "Code" in rule.article for rule in FEE_RULES)
    assert all("art. 616" in e.article for e in EXEMPTIONS)
    assert fee_rule("appeal").rate == FEE_RULES[10].rate


def test_verified_flags_are_honest_about_what_was_checked() -> None:
    verified = {rule.id for rule in FEE_RULES if rule.verified}
    assert verified == {"property_claim_individual", "property_claim_legal_entity",
                        "state_body_complaint_individual"}
    assert {p.starts.year for p in MRP_TABLE if p.verified} == {2023, 2025, 2026}


def test_the_mrp_table_has_no_gaps_or_overlaps() -> None:
    for earlier, later in itertools.pairwise(MRP_TABLE):
        assert (later.starts - earlier.ends).days == 1


requests = st.builds(
    FeeRequest,
    st.sampled_from(CaseKind),
    st.sampled_from(FilingType),
    st.sampled_from(ClaimKind),
    st.sampled_from(PayerKind),
    st.one_of(st.none(), st.integers(min_value=1, max_value=10**16).map(Money)),
    st.one_of(st.none(), st.sampled_from([e.code for e in EXEMPTIONS])),
)


@given(requests, st.dates(min_value=date(2018, 1, 1), max_value=date(2026, 12, 31)))
def test_any_request_gets_a_non_negative_quote_or_a_typed_refusal(request: FeeRequest, on: date) -> None:
    try:
        fee = quote(request, on)
    except FeeRequestInvalid as exc:
        assert exc.code in {"fee_rule_not_found", "claim_amount_required", "claim_amount_not_applicable",
                            "exemption_not_applicable"}
    else:
        assert fee.amount.tiyn >= 0
        assert fee.basis
        assert fee.mrp == mrp_on(on).amount
        if fee.cap_applied:
            assert fee.cap is not None
        rate = fee_rule(fee.rule_id).rate
        if isinstance(rate, PercentOfClaim) and fee.cap is not None and fee.exemption is None:
            assert fee.amount <= fee.cap
        if isinstance(rate, MrpMultiple) and fee.exemption is None:
            assert fee.amount == fee.mrp.times(rate.mrp)


@given(st.integers(min_value=1, max_value=10**15), st.sampled_from(PayerKind))
def test_the_duty_never_decreases_as_the_claim_grows(tiyn: int, payer: PayerKind) -> None:
    smaller = quote(claim(Money(tiyn), payer=payer), IN_2026).amount
    larger = quote(claim(Money(tiyn + 100), payer=payer), IN_2026).amount
    assert smaller <= larger
