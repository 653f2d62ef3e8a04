"""The state duty by the 2026 Tax Code (No. 214-VIII): every row of art. 665 at 2026 and 2025 MRP, the caps
at their boundaries and entry dates, the MRP of the payment date, and the refusals."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cabinet.case_numbers import CaseKind
from cabinet.errors import CabinetError, FeeRequestInvalid
from cabinet.fee_exemptions import EXEMPTIONS
from cabinet.fee_kinds import ClaimKind, FilingType, PayerKind
from cabinet.fees import (
    APPEAL_DECISION,
    FEE_RULES,
    FeeRequest,
    FeeRule,
    MrpMultiple,
    NoDuty,
    PercentOfClaim,
    PerDocumentAndPage,
    ShareOfFirstInstance,
    ShareOfRule,
    SumOfRules,
    fee_rule,
    quote,
)
from cabinet.money import Money
from cabinet.mrp import MRP_TABLE, mrp_on
from core.errors import BadRequest

IN_2026 = date(2026, 3, 2)
IN_2025 = date(2025, 6, 30)
TC = "Tax Code of the RK No. 214-VIII, art. "
M = Money.parse

CIV, ADM, CRIM = CaseKind.CIVIL, CaseKind.ADMINISTRATIVE, CaseKind.CRIMINAL
IND, LE = PayerKind.INDIVIDUAL, PayerKind.LEGAL_ENTITY
F, K = FilingType, ClaimKind


def claim(amount: Money | str | None = None, payer: PayerKind = IND, kind: ClaimKind = K.PROPERTY,
          filing: FilingType = F.STATEMENT_OF_CLAIM, case: CaseKind = CIV, exemption: str | None = None,
          documents: int | None = None, pages: int | None = None) -> FeeRequest:
    money = M(amount) if isinstance(amount, str) else amount
    return FeeRequest(case, filing, kind, payer, claim_amount=money, exemption=exemption, documents=documents,
                      pages=pages)


# rule id, article, verified, request, duty at 2026 MRP (4,325), duty at 2025 MRP (3,932)
ROWS: list[tuple[str, str, bool, dict[str, Any], str, str]] = [
    ("property_claim_individual", "665(1)(1)", True, {"amount": "1000000"}, "10000.00", "10000.00"),
    ("property_claim_legal_entity", "665(1)(1)", True, {"amount": "1000000", "payer": LE}, "30000.00", "30000.00"),
    ("state_body_complaint_individual", "665(1)(2)", True,
     {"kind": K.STATE_BODY_COMPLAINT, "filing": F.COMPLAINT, "case": ADM}, "1297.50", "1179.60"),
    ("state_body_complaint_legal_entity", "665(1)(3)", True,
     {"kind": K.STATE_BODY_COMPLAINT, "filing": F.COMPLAINT, "case": ADM, "payer": LE}, "21625.00", "19660.00"),
    ("tax_audit_notice_individual", "665(1)(4)", True,
     {"kind": K.TAX_AUDIT_NOTICE, "case": ADM, "amount": "1000000"}, "1000.00", "1000.00"),
    ("tax_audit_notice_legal_entity", "665(1)(4)", True,
     {"kind": K.TAX_AUDIT_NOTICE, "case": ADM, "amount": "1000000", "payer": LE}, "10000.00", "10000.00"),
    ("divorce_claim", "665(1)(5)", True, {"kind": K.DIVORCE}, "1297.50", "1179.60"),
    ("property_division_claim", "665(1)(6)", True, {"kind": K.PROPERTY_DIVISION, "amount": "2000000"},
     "20000.00", "20000.00"),
    ("non_property_claim", "665(1)(7)", True, {"kind": K.NON_PROPERTY}, "2162.50", "1966.00"),
    ("special_proceeding_application", "665(1)(8)", True,
     {"kind": K.SPECIAL_PROCEEDING, "filing": F.APPLICATION}, "2162.50", "1966.00"),
    ("administrative_claim", "665(1)(8)", True, {"kind": K.NON_PROPERTY, "case": ADM, "payer": LE},
     "2162.50", "1966.00"),
    ("arbitral_set_aside", "665(1)(9)", True, {"kind": K.ARBITRAL_SET_ASIDE, "filing": F.APPLICATION},
     "1081.25", "983.00"),
    ("court_order", "665(1)(10)", True, {"kind": K.COURT_ORDER, "filing": F.APPLICATION, "amount": "200000"},
     "1000.00", "1000.00"),
    ("duplicate_writ", "665(1)(11)", True, {"kind": K.DUPLICATE_WRIT, "filing": F.APPLICATION},
     "21625.00", "19660.00"),
    ("award_enforcement", "665(1)(11)", True, {"kind": K.AWARD_ENFORCEMENT, "filing": F.APPLICATION},
     "21625.00", "19660.00"),
    ("copy_reissue", "665(1)(12)", True,
     {"kind": K.COPY_REISSUE, "filing": F.APPLICATION, "documents": 3, "pages": 7}, "2205.75", "2005.32"),
    ("bankruptcy", "665(1)(13)", True, {"kind": K.BANKRUPTCY, "filing": F.APPLICATION, "payer": LE},
     "2162.50", "1966.00"),
    ("personal_insolvency", "665(1)(14)", True, {"kind": K.PERSONAL_INSOLVENCY, "filing": F.APPLICATION},
     "1297.50", "1179.60"),
    ("defamation_individual", "665(1)(15)", True, {"kind": K.DEFAMATION, "amount": "10000000000"},
     "100000000.00", "100000000.00"),
    ("defamation_legal_entity", "665(1)(16)", True, {"kind": K.DEFAMATION, "amount": "1000000", "payer": LE},
     "30000.00", "30000.00"),
    ("constitutional_appeal", "665(2)", True, {"kind": K.CONSTITUTIONAL_APPEAL, "filing": F.APPLICATION},
     "0.00", "0.00"),
    ("mixed_claim_individual", "665(4)", True, {"kind": K.MIXED, "amount": "1000000"}, "12162.50", "11966.00"),
    ("mixed_claim_legal_entity", "665(4)", True, {"kind": K.MIXED, "amount": "1000000", "payer": LE},
     "32162.50", "31966.00"),
    ("appeal", "665 (no appellate rate); CPC art. 403(3)", False, {"filing": F.APPEAL, "amount": None},
     "0.00", "0.00"),
    ("cassation", "665(3)", True, {"filing": F.CASSATION, "amount": "1000000"}, "5000.00", "5000.00"),
    ("procedural_filing", "664(1)(1) (not an object of the duty)", True,
     {"kind": K.PROCEDURAL, "filing": F.MOTION}, "0.00", "0.00"),
    ("procedural_application", "668(15)", True, {"kind": K.PROCEDURAL, "filing": F.APPLICATION}, "0.00", "0.00"),
    ("private_complaint", "668(15)", True, {"kind": K.PROCEDURAL, "filing": F.COMPLAINT}, "0.00", "0.00"),
    ("bailiff_complaint", "668(15)", True, {"kind": K.BAILIFF_COMPLAINT, "filing": F.COMPLAINT}, "0.00", "0.00"),
    ("criminal_proceedings", "671(1)", True, {"case": CRIM, "amount": None}, "0.00", "0.00"),
    ("administrative_offence", "668(15)", True,
     {"kind": K.ADMINISTRATIVE_OFFENCE, "filing": F.COMPLAINT, "case": ADM}, "0.00", "0.00"),
]


@pytest.mark.parametrize(("rule_id", "article", "verified", "request_", "in_2026", "in_2025"), ROWS,
                         ids=[f"{row[0]}-art.{row[1].split(' ')[0]}" for row in ROWS])
def test_each_row_of_article_665_at_2026_and_2025_mrp(rule_id: str, article: str, verified: bool,
                                                     request_: dict[str, Any], in_2026: str, in_2025: str) -> None:
    request = claim(**request_)
    now, before = quote(request, IN_2026), quote(request, IN_2025)
    assert now.rule_id == before.rule_id == rule_id
    assert now.article == TC + article
    assert now.rule.verified is verified
    assert (now.amount, before.amount) == (M(in_2026), M(in_2025))
    assert now.mrp.amount == Money.tenge(4_325) and before.mrp.amount == Money.tenge(3_932)


def test_every_row_has_its_test() -> None:
    assert [rule.id for rule in FEE_RULES] == [row[0] for row in ROWS]


def test_the_same_rates_for_every_payer_where_the_law_says_any_payer() -> None:
    for kind, filing in ((K.NON_PROPERTY, F.STATEMENT_OF_CLAIM), (K.DUPLICATE_WRIT, F.APPLICATION),
                         (K.AWARD_ENFORCEMENT, F.APPLICATION)):
        amounts = {quote(claim(kind=kind, filing=filing, payer=payer), IN_2026).amount for payer in PayerKind}
        assert len(amounts) == 1, kind


def test_a_set_aside_petition_on_a_contested_sum_is_half_the_property_rate() -> None:
    individual = quote(claim("1000000", kind=K.ARBITRAL_SET_ASIDE, filing=F.APPLICATION), IN_2026)
    entity = quote(claim("1000000", kind=K.ARBITRAL_SET_ASIDE, filing=F.APPLICATION, payer=LE), IN_2026)
    assert (individual.amount, entity.amount) == (M("5000"), M("15000"))
    assert individual.verified


def test_a_court_order_of_a_legal_entity_is_one_and_a_half_percent() -> None:
    fee = quote(claim("200000", kind=K.COURT_ORDER, filing=F.APPLICATION, payer=LE), IN_2026)
    assert fee.amount == M("3000") and fee.verified


def test_cassation_of_a_non_property_case_and_of_an_award_ruling_is_half_the_first_instance_rate() -> None:
    assert quote(claim(kind=K.NON_PROPERTY, filing=F.CASSATION), IN_2026).amount == M("1081.25")
    award = quote(claim(kind=K.AWARD_ENFORCEMENT, filing=F.CASSATION, payer=LE), IN_2025)
    assert award.amount == M("9830") and award.rule_id == "cassation"
    set_aside = quote(claim(kind=K.ARBITRAL_SET_ASIDE, filing=F.CASSATION), IN_2026)
    assert set_aside.amount == M("540.63")


def test_copies_are_priced_per_document_plus_per_page() -> None:
    one = quote(claim(kind=K.COPY_REISSUE, filing=F.APPLICATION, documents=1, pages=1), IN_2026)
    assert one.amount == M("432.50") + M("129.75")
    more_pages = quote(claim(kind=K.COPY_REISSUE, filing=F.APPLICATION, documents=1, pages=2), IN_2026)
    assert more_pages.amount - one.amount == M("129.75")


def test_the_appeal_decision_is_written_down_with_its_source() -> None:
    fee = quote(claim(filing=F.APPEAL), IN_2026)
    assert fee.rule.note == APPEAL_DECISION
    assert "CPC art. 403(3)" in APPEAL_DECISION and "art. 665" in APPEAL_DECISION
    assert fee.to_json()["warning"] is not None and not fee.verified


# caps: (request, date, duty, cap applied)
CAPS: list[tuple[str, dict[str, Any], date, str, bool]] = [
    ("individual-exactly-at-10000-MRP", {"amount": "4325000000"}, IN_2026, "43250000.00", False),
    ("individual-1-tenge-above", {"amount": "4325000001"}, IN_2026, "43250000.00", True),
    ("individual-2025-MRP", {"amount": "3932000001"}, IN_2025, "39320000.00", True),
    ("individual-the-day-before-21-May-2023", {"amount": "10000000000"}, date(2023, 5, 20), "100000000.00", False),
    ("individual-from-21-May-2023", {"amount": "10000000000"}, date(2023, 5, 21), "34500000.00", True),
    ("legal-entity-below-20000-MRP", {"amount": "2883333300", "payer": LE}, IN_2026, "86499999.00", False),
    ("legal-entity-above-20000-MRP", {"amount": "5000000000", "payer": LE}, IN_2026, "86500000.00", True),
    ("legal-entity-2024", {"amount": "5000000000", "payer": LE}, date(2024, 2, 1), "73840000.00", True),
    ("legal-entity-before-the-cap", {"amount": "5000000000", "payer": LE}, date(2023, 5, 20), "150000000.00",
     False),
    ("property-division-capped", {"amount": "10000000000", "kind": K.PROPERTY_DIVISION}, IN_2026,
     "43250000.00", True),
    ("tax-audit-individual-exactly-500-MRP", {"amount": "2162500000", "kind": K.TAX_AUDIT_NOTICE, "case": ADM},
     IN_2026, "2162500.00", False),
    ("tax-audit-individual-above", {"amount": "2162500010", "kind": K.TAX_AUDIT_NOTICE, "case": ADM},
     IN_2026, "2162500.00", True),
    ("tax-audit-individual-before-2026", {"amount": "10000000000", "kind": K.TAX_AUDIT_NOTICE, "case": ADM},
     date(2025, 12, 31), "10000000.00", False),
    ("tax-audit-legal-entity-exactly-20000-MRP",
     {"amount": "8650000000", "kind": K.TAX_AUDIT_NOTICE, "case": ADM, "payer": LE}, IN_2026, "86500000.00", False),
    ("tax-audit-legal-entity-above",
     {"amount": "8650000100", "kind": K.TAX_AUDIT_NOTICE, "case": ADM, "payer": LE}, IN_2026, "86500000.00", True),
    ("defamation-has-no-cap", {"amount": "100000000000", "kind": K.DEFAMATION, "payer": LE}, IN_2026,
     "3000000000.00", False),
    ("cassation-takes-half-the-capped-duty", {"amount": "10000000000", "filing": F.CASSATION}, IN_2026,
     "21625000.00", True),
    ("mixed-claim-capped-plus-non-property", {"amount": "10000000000", "kind": K.MIXED}, IN_2026,
     "43252162.50", True),
]


@pytest.mark.parametrize(("request_", "on", "duty", "capped"), [row[1:] for row in CAPS], ids=[r[0] for r in CAPS])
def test_caps_at_their_boundaries_and_from_their_dates(request_: dict[str, Any], on: date, duty: str,
                                                       capped: bool) -> None:
    fee = quote(claim(**request_), on)
    assert fee.amount == M(duty)
    assert fee.cap_applied is capped
    if capped:
        assert fee.cap is not None
        if isinstance(fee.rule.rate, PercentOfClaim):
            assert fee.amount == fee.cap


def test_a_court_order_capped_by_interpretation_is_shown_as_unverified() -> None:
    small = quote(claim("200000", kind=K.COURT_ORDER, filing=F.APPLICATION), IN_2026)
    huge = quote(claim("10000000000", kind=K.COURT_ORDER, filing=F.APPLICATION), IN_2026)
    assert small.verified and not small.cap_applied
    assert huge.amount == M("21625000") and huge.cap_applied and not huge.verified
    assert huge.to_json()["warning"]["en"].startswith("This amount is not confirmed")


def test_the_mrp_is_the_one_in_force_on_the_payment_date() -> None:
    request = claim(kind=K.NON_PROPERTY)
    december, january = quote(request, date(2025, 12, 31)), quote(request, date(2026, 1, 1))
    assert (december.amount, january.amount) == (M("1966"), M("2162.50"))
    body = january.to_json()
    assert body["mrp"] == {"amount": "4325.00", "year": 2026, "in_force_from": "2026-01-01",
                           "payment_date": "2026-01-01"}


def test_mid_year_mrp_changes_are_followed() -> None:
    assert mrp_on(date(2022, 3, 31)).amount == Money.tenge(3_063)
    assert mrp_on(date(2022, 4, 1)).amount == Money.tenge(3_180)


def test_percentages_round_half_up_to_a_tiyn() -> None:
    assert quote(claim(Money(150)), IN_2026).amount == Money(2)
    assert quote(claim(M("1234.56")), IN_2026).amount == Money(1_235)


def refusal(request: FeeRequest, on: date = IN_2026) -> FeeRequestInvalid:
    with pytest.raises(FeeRequestInvalid) as info:
        quote(request, on)
    assert isinstance(info.value, BadRequest)
    assert isinstance(info.value, CabinetError)
    return info.value


@pytest.mark.parametrize(("request_", "code"), [
    ({"amount": None}, "claim_amount_required"),
    ({"kind": K.COURT_ORDER, "filing": F.APPLICATION}, "claim_amount_required"),
    ({"kind": K.DEFAMATION, "payer": LE}, "claim_amount_required"),
    ({"amount": "5", "kind": K.NON_PROPERTY}, "claim_amount_not_applicable"),
    ({"amount": "5", "filing": F.APPEAL}, "claim_amount_not_applicable"),
    ({"kind": K.COPY_REISSUE, "filing": F.APPLICATION}, "counts_required"),
    ({"kind": K.COPY_REISSUE, "filing": F.APPLICATION, "documents": 2}, "counts_required"),
    ({"amount": "5", "documents": 1, "pages": 1}, "counts_not_applicable"),
    ({"kind": K.DIVORCE, "payer": LE}, "fee_rule_not_found"),
    ({"kind": K.PERSONAL_INSOLVENCY, "filing": F.APPLICATION, "payer": LE}, "fee_rule_not_found"),
    ({"kind": K.CONSTITUTIONAL_APPEAL, "filing": F.APPLICATION, "payer": LE}, "fee_rule_not_found"),
    ({"kind": K.COURT_ORDER, "filing": F.CASSATION, "amount": "100"}, "fee_rule_not_found"),
    ({"kind": K.TAX_AUDIT_NOTICE, "amount": "100"}, "fee_rule_not_found"),
])
def test_requests_the_law_does_not_price_are_refused(request_: dict[str, Any], code: str) -> None:
    assert refusal(claim(**request_)).code == code


def test_dates_outside_the_mrp_table_are_refused_not_extrapolated() -> None:
    assert refusal(claim(Money.tenge(10)), date(2027, 1, 1)).code == "mrp_unknown"
    assert refusal(claim(Money.tenge(10)), date(2017, 12, 31)).code == "mrp_unknown"


@pytest.mark.parametrize("bad", [{"amount": Money.zero()}, {"documents": 0, "pages": 1},
                                 {"documents": 1, "pages": 10_001}, {"documents": True, "pages": 1}])
def test_bad_values_are_refused_when_the_request_is_built(bad: dict[str, Any]) -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        claim(**{"kind": K.COPY_REISSUE, "filing": F.APPLICATION, **bad})
    assert info.value.code in {"invalid_claim_amount", "invalid_count"}


def test_no_two_rows_cover_the_same_filing() -> None:
    for combo in itertools.product(CaseKind, FilingType, ClaimKind, PayerKind):
        request = FeeRequest(*combo)
        matching = [rule.id for rule in FEE_RULES if rule.matches(request)]
        assert len(matching) <= 1, (combo, matching)


def _all_but(enum: Any, *values: str) -> set[str]:
    return {member.value for member in enum} - set(values)


STAR = "*"
RULE_SCOPES: dict[str, tuple[Any, Any, Any, Any]] = {
    "property_claim_individual": ({"civil"}, {"counterclaim", "statement_of_claim"}, {"property"}, {"individual"}),
    "property_claim_legal_entity": ({"civil"}, {"counterclaim", "statement_of_claim"}, {"property"},
                                    {"legal_entity"}),
    "state_body_complaint_individual": ({"administrative", "civil"}, {"complaint", "statement_of_claim"},
                                        {"state_body_complaint"}, {"individual"}),
    "state_body_complaint_legal_entity": ({"administrative", "civil"}, {"complaint", "statement_of_claim"},
                                          {"state_body_complaint"}, {"legal_entity"}),
    "tax_audit_notice_individual": ({"administrative"}, {"complaint", "statement_of_claim"}, {"tax_audit_notice"},
                                    {"individual"}),
    "tax_audit_notice_legal_entity": ({"administrative"}, {"complaint", "statement_of_claim"},
                                      {"tax_audit_notice"}, {"legal_entity"}),
    "divorce_claim": ({"civil"}, {"counterclaim", "statement_of_claim"}, {"divorce"}, {"individual"}),
    "property_division_claim": ({"civil"}, {"counterclaim", "statement_of_claim"}, {"property_division"},
                                {"individual"}),
    "non_property_claim": ({"civil"}, {"counterclaim", "statement_of_claim"}, {"non_property"}, STAR),
    "special_proceeding_application": ({"civil"}, {"application"}, {"special_proceeding"}, STAR),
    "administrative_claim": ({"administrative"}, {"complaint", "statement_of_claim"}, {"non_property"}, STAR),
    "arbitral_set_aside": ({"civil"}, {"application"}, {"arbitral_set_aside"}, STAR),
    "court_order": ({"civil"}, {"application"}, {"court_order"}, STAR),
    "duplicate_writ": ({"administrative", "civil"}, {"application"}, {"duplicate_writ"}, STAR),
    "award_enforcement": ({"civil"}, {"application"}, {"award_enforcement"}, STAR),
    "copy_reissue": (STAR, {"application"}, {"copy_reissue"}, STAR),
    "bankruptcy": ({"civil"}, {"application", "statement_of_claim"}, {"bankruptcy"}, STAR),
    "personal_insolvency": ({"civil"}, {"application"}, {"personal_insolvency"}, {"individual"}),
    "defamation_individual": ({"civil"}, {"counterclaim", "statement_of_claim"}, {"defamation"}, {"individual"}),
    "defamation_legal_entity": ({"civil"}, {"counterclaim", "statement_of_claim"}, {"defamation"},
                                {"legal_entity"}),
    "constitutional_appeal": (STAR, {"application", "complaint"}, {"constitutional_appeal"}, {"individual"}),
    "mixed_claim_individual": ({"civil"}, {"counterclaim", "statement_of_claim"}, {"mixed"}, {"individual"}),
    "mixed_claim_legal_entity": ({"civil"}, {"counterclaim", "statement_of_claim"}, {"mixed"}, {"legal_entity"}),
    "appeal": ({"administrative", "civil"}, {"appeal"}, _all_but(ClaimKind, "administrative_offence"), STAR),
    "cassation": ({"administrative", "civil"}, {"cassation"},
                  {"arbitral_set_aside", "award_enforcement", "bankruptcy", "defamation", "divorce", "mixed",
                   "non_property", "personal_insolvency", "property", "property_division", "special_proceeding",
                   "state_body_complaint", "tax_audit_notice"}, STAR),
    "procedural_filing": (STAR, {"motion", "record_remarks", "response"}, STAR, STAR),
    "procedural_application": ({"administrative", "civil"}, {"application"}, {"procedural"}, STAR),
    "private_complaint": ({"administrative", "civil"}, {"complaint"}, {"procedural"}, STAR),
    "bailiff_complaint": ({"administrative", "civil"}, {"complaint"}, {"bailiff_complaint"}, STAR),
    "criminal_proceedings": ({"criminal"}, _all_but(FilingType, "motion", "record_remarks", "response"),
                             {"non_property", "procedural", "property"}, STAR),
    "administrative_offence": ({"administrative"}, _all_but(FilingType, "motion", "record_remarks", "response"),
                               {"administrative_offence"}, STAR),
}


def _values(members: frozenset[Any], universe: Any) -> Any:
    values = {member.value for member in members}
    return STAR if values == {member.value for member in universe} else values


@pytest.mark.parametrize("rule", FEE_RULES, ids=[rule.id for rule in FEE_RULES])
def test_each_rows_scope_is_exactly_what_the_law_names(rule: Any) -> None:
    scope = (_values(rule.case_kinds, CaseKind), _values(rule.filing_types, FilingType),
             _values(rule.claim_kinds, ClaimKind), _values(rule.payer_kinds, PayerKind))
    assert scope == RULE_SCOPES[rule.id]


def test_rule_ids_are_unique_and_found_by_id() -> None:
    assert len({rule.id for rule in FEE_RULES}) == len(FEE_RULES)
    assert fee_rule("appeal").rate == FEE_RULES[23].rate
    with pytest.raises(FeeRequestInvalid):
        fee_rule("nothing")


def test_the_mrp_table_has_no_gaps_or_overlaps_and_honest_flags() -> None:
    for earlier, later in itertools.pairwise(MRP_TABLE):
        assert (later.starts - earlier.ends).days == 1
    assert {p.starts.year for p in MRP_TABLE if p.verified} == {2023, 2025, 2026}


requests = st.builds(
    FeeRequest,
    st.sampled_from(CaseKind),
    st.sampled_from(FilingType),
    st.sampled_from(ClaimKind),
    st.sampled_from(PayerKind),
    st.one_of(st.none(), st.integers(min_value=1, max_value=10**16).map(Money)),
    st.one_of(st.none(), st.sampled_from([e.code for e in EXEMPTIONS])),
    st.one_of(st.none(), st.integers(min_value=1, max_value=100)),
    st.one_of(st.none(), st.integers(min_value=1, max_value=1000)),
)


@given(requests, st.dates(min_value=date(2018, 1, 1), max_value=date(2026, 12, 31)))
def test_any_request_gets_a_non_negative_quote_or_a_typed_refusal(request: FeeRequest, on: date) -> None:
    try:
        fee = quote(request, on)
    except FeeRequestInvalid as exc:
        assert exc.code in {"fee_rule_not_found", "claim_amount_required", "claim_amount_not_applicable",
                            "exemption_not_applicable", "counts_required", "counts_not_applicable"}
    else:
        assert fee.amount.tiyn >= 0
        assert fee.basis and set(fee.to_json()["explanation"]) == {"kk", "ru", "en"}
        assert fee.mrp == mrp_on(on)
        rate = fee.rule.rate
        if isinstance(rate, PercentOfClaim) and fee.cap is not None and fee.exemption is None:
            assert fee.amount <= fee.cap
        if isinstance(rate, MrpMultiple) and fee.exemption is None:
            assert fee.amount == fee.mrp.amount.times(rate.mrp)


@given(st.integers(min_value=1, max_value=10**15), st.sampled_from(PayerKind))
def test_the_duty_never_decreases_as_the_claim_grows(tiyn: int, payer: PayerKind) -> None:
    smaller = quote(claim(Money(tiyn), payer=payer), IN_2026).amount
    larger = quote(claim(Money(tiyn + 100), payer=payer), IN_2026).amount
    assert smaller <= larger


@pytest.mark.parametrize("build", [
    lambda: PercentOfClaim(Decimal("0")),
    lambda: PercentOfClaim(Decimal("100.01")),
    lambda: PercentOfClaim(Decimal("1"), cap_mrp=Decimal("10")),
    lambda: PercentOfClaim(Decimal("1"), cap_from=date(2026, 1, 1)),
    lambda: PercentOfClaim(Decimal("1"), cap_mrp=Decimal("0"), cap_from=date(2026, 1, 1)),
    lambda: MrpMultiple(Decimal("0")),
    lambda: PerDocumentAndPage(Decimal("0"), Decimal("0.03")),
    lambda: PerDocumentAndPage(Decimal("0.1"), Decimal("0")),
    lambda: ShareOfRule(Decimal("0"), without_amount="non_property_claim"),
    lambda: ShareOfRule(Decimal("101"), without_amount="non_property_claim"),
    lambda: ShareOfRule(Decimal("50")),
    lambda: SumOfRules(("non_property_claim",)),
    lambda: ShareOfFirstInstance(Decimal("0")),
    lambda: ShareOfFirstInstance(Decimal("100.5")),
    lambda: FeeRule("", "t", "a", True, frozenset(CaseKind), frozenset(FilingType), frozenset(ClaimKind),
                    frozenset(PayerKind), NoDuty()),
    lambda: FeeRule("x", "t", "a", True, frozenset(), frozenset(FilingType), frozenset(ClaimKind),
                    frozenset(PayerKind), NoDuty()),
])
def test_malformed_table_rows_cannot_be_built(build: Any) -> None:
    with pytest.raises(ValueError):
        build()


def test_the_edges_of_the_rates_are_allowed() -> None:
    assert PercentOfClaim(Decimal("100")).percent == 100
    assert ShareOfFirstInstance(Decimal("100")).percent == 100
    assert ShareOfRule(Decimal("100"), with_amount=("x",)).percent == 100
    most = quote(claim(kind=K.COPY_REISSUE, filing=F.APPLICATION, documents=10_000, pages=10_000), IN_2026)
    assert most.amount == M("4325000") + M("1297500")  # 1,000 MRP + 300 MRP


def test_a_set_aside_petition_on_a_huge_sum_keeps_the_confirmed_cap() -> None:
    fee = quote(claim("10000000000", kind=K.ARBITRAL_SET_ASIDE, filing=F.APPLICATION), IN_2026)
    assert fee.amount == M("21625000") and fee.cap_applied and fee.verified


def test_the_quote_json_has_exactly_its_fields() -> None:
    body = quote(claim("1000000"), IN_2026).to_json()
    explanation = body.pop("explanation")
    assert set(explanation) == {"kk", "ru", "en"}
    assert body == {
        "amount": "10000.00", "amount_text": "10\u00a0000,00\u00a0₸", "verified": True, "warning": None,
        "rule": {"id": "property_claim_individual", "article": TC + "665(1)(1)", "verified": True, "note": None},
        "date": "2026-03-02",
        "mrp": {"amount": "4325.00", "year": 2026, "in_force_from": "2026-01-01", "payment_date": "2026-03-02"},
        "cap": "43250000.00", "cap_applied": False, "exemption": None,
        "formula": "1 % × 1\u00a0000\u00a0000,00\u00a0₸ = 10\u00a0000,00\u00a0₸",
        "basis": "1 % × 1\u00a0000\u00a0000,00\u00a0₸ = 10\u00a0000,00\u00a0₸ (" + TC + "665(1)(1))",
        "notes": [],
    }
    noted = quote(claim("10000000000", kind=K.COURT_ORDER, filing=F.APPLICATION), IN_2026).to_json()
    assert noted["notes"] == [fee_rule("court_order").note] and noted["rule"]["note"]



def test_the_table_rows_refuse_rates_that_cannot_be_true_saying_why() -> None:
    with pytest.raises(ValueError, match=r"^an MRP rate must be positive$"):
        MrpMultiple(Decimal("-0.5"))
    with pytest.raises(ValueError, match=r"^copy rates must be positive$"):
        PerDocumentAndPage(Decimal("0.1"), Decimal("-0.03"))
    with pytest.raises(ValueError, match=r"^a sum needs at least two rows$"):
        SumOfRules(())
    assert MrpMultiple(Decimal("0.5")).mrp == Decimal("0.5")
    assert PerDocumentAndPage(Decimal("0.5"), Decimal("0.5")).per_page == Decimal("0.5")
    assert SumOfRules(("a", "b")).rules == ("a", "b")


# Each row in the words its refusals and no-duty bases print.
RULE_TITLES_EN: dict[str, str] = {
    "property_claim_individual": "Property claim of an individual: 1 % of the claim, at most 10,000 MRP",
    "property_claim_legal_entity": "Property claim of a legal entity: 3 % of the claim, at most 20,000 MRP",
    "state_body_complaint_individual": "Complaint of an individual against unlawful acts of state bodies and "
        "officials",
    "state_body_complaint_legal_entity": "Complaint of a legal entity against unlawful acts of state bodies and "
        "officials",
    "tax_audit_notice_individual": "Administrative claim of an individual entrepreneur or farm against a tax or "
        "customs audit notice: 0.1 % of the disputed sum, at most 500 MRP",
    "tax_audit_notice_legal_entity": "Administrative claim of a legal entity against a tax or customs audit notice: "
        "1 % of the disputed sum, at most 20,000 MRP",
    "divorce_claim": "Claim for dissolution of marriage",
    "property_division_claim": "Claim for division of property between spouses: the property-claim rate",
    "non_property_claim": "Claim of a non-property nature or not subject to valuation (any payer)",
    "special_proceeding_application": "Special claim or application in special proceedings",
    "administrative_claim": "Other administrative claim under the Administrative Procedure Code",
    "arbitral_set_aside": "Petition to set aside an arbitral award: 50 % of the non-property rate, or of the "
        "property rate on the contested sum",
    "court_order": "Application for a court order: 50 % of the property-claim rate",
    "duplicate_writ": "Application for a duplicate writ of execution (any payer)",
    "award_enforcement": "Application for a writ enforcing an arbitral award or a foreign court decision (any "
        "payer)",
    "copy_reissue": "Repeat issue of copies of judicial acts or case papers: per document plus per page",
    "bankruptcy": "Application for bankruptcy or rehabilitation of a legal entity",
    "personal_insolvency": "Application of an individual for restoration of solvency or judicial bankruptcy",
    "defamation_individual": "Claim of an individual for moral damages for defamation: 1 % (no cap)",
    "defamation_legal_entity": "Claim of a legal entity for losses to its business reputation: 3 % (no cap)",
    "constitutional_appeal": "Citizen's appeal to the Constitutional Court (rate zero)",
    "mixed_claim_individual": "Claim of an individual with property and non-property demands: both duties",
    "mixed_claim_legal_entity": "Claim of a legal entity with property and non-property demands: both duties",
    "appeal": "Appellate complaint: no rate in the Tax Code",
    "cassation": "Cassation petition (including against rulings on arbitral awards): 50 % of the first-instance "
        "rate",
    "procedural_filing": "Motion, response to a claim or remarks on a hearing record",
    "procedural_application": "Application on deferral, enforcement, securing a claim, new circumstances, reversal "
        "or a default judgment",
    "private_complaint": "Private complaint against a court ruling",
    "bailiff_complaint": "Complaint against acts of a bailiff",
    "criminal_proceedings": "Filings in criminal proceedings, including a civil claim in them",
    "administrative_offence": "Complaints against rulings in administrative-offence cases",
}
TAX_AUDIT_NOTE = "cap applied from 1 Jan 2026 (the Code's entry into force; no earlier date known)"


@pytest.mark.parametrize(("rule_id", "request_"), [(row[0], row[3]) for row in ROWS if row[0] != "copy_reissue"],
                         ids=[row[0] for row in ROWS if row[0] != "copy_reissue"])
def test_counts_on_a_filing_not_priced_per_page_are_refused_naming_the_row(rule_id: str,
                                                                          request_: dict[str, Any]) -> None:
    request = claim(**{**request_, "documents": 1, "pages": 1})
    error = refusal(request)
    assert (error.code, error.details) == ("counts_not_applicable", {"field": "documents", "rule": rule_id})
    assert error.message == f"{RULE_TITLES_EN[rule_id]} is not priced per document or page; leave the counts out"


def test_copies_without_counts_are_refused_naming_the_row() -> None:
    error = refusal(claim(kind=K.COPY_REISSUE, filing=F.APPLICATION))
    assert (error.code, error.details) == ("counts_required", {"field": "documents", "rule": "copy_reissue"})
    assert error.message == f"{RULE_TITLES_EN['copy_reissue']}: the number of documents and of pages are required"


def test_a_no_duty_basis_names_the_row_and_its_article() -> None:
    for rule_id, article, _, request_, _, _ in ROWS:
        if isinstance(fee_rule(rule_id).rate, NoDuty):
            basis = quote(claim(**request_), IN_2026).basis
            assert basis == f"no state duty: {RULE_TITLES_EN[rule_id]} ({TC}{article})"
    assert list(RULE_TITLES_EN) == [rule.id for rule in FEE_RULES]


def test_the_notes_a_quote_carries_are_the_decisions_recorded() -> None:
    for payer in (IND, LE):
        fee = quote(claim("1000000", payer=payer, kind=K.TAX_AUDIT_NOTICE, case=ADM), IN_2026)
        assert fee.notes == (TAX_AUDIT_NOTE,)
    order = quote(claim("200000", kind=K.COURT_ORDER, filing=F.APPLICATION), IN_2026)
    assert order.notes == ("0.5 % / 1.5 % confirmed; halving the capped property duty is our interpretation",)
    assert quote(claim(None, filing=F.APPEAL), IN_2026).notes == (
        "No duty: art. 665 names no rate for an appellate complaint and art. 664(1)(1) makes only the filings "
        "art. 665 lists objects of the duty; CPC art. 403(3) asks for proof of payment only 'in the cases "
        "established by law'. The CPC side is not confirmed by our reference.",)
    assert quote(claim("1000000"), IN_2026).notes == ()


