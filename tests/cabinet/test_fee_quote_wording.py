"""What a fee quote says and how its refusals read: the formula a receipt prints, the flags the cabinet
shows, and the field each refusal names.

The formula and the flags are what a party sees and a clerk checks against the Code; a refusal's
``details.field`` is where the fee form puts the message. Each case below is one a party can reach
through the quote API.
"""

from __future__ import annotations

from datetime import date

import pytest

from cabinet.case_numbers import CaseKind
from cabinet.errors import FeeRequestInvalid
from cabinet.fee_kinds import ClaimKind, FilingType, PayerKind
from cabinet.fees import FeeQuote, FeeRequest, quote
from cabinet.money import Money

IN_2026 = date(2026, 3, 2)
BEFORE_THE_CAPS = date(2023, 1, 10)
NBSP = "\u00a0"
CIV, ADM = CaseKind.CIVIL, CaseKind.ADMINISTRATIVE
IND, LE = PayerKind.INDIVIDUAL, PayerKind.LEGAL_ENTITY
F, K = FilingType, ClaimKind


def tenge(text: str) -> str:
    """An amount as the receipt prints it: non-breaking spaces between thousands and before the sign."""
    return text.replace(" ", NBSP) + NBSP + "₸"


def fee(case: CaseKind, filing: FilingType, kind: ClaimKind, payer: PayerKind = IND, amount: str | None = None,
        on: date = IN_2026, **counts: int) -> FeeQuote:
    return quote(FeeRequest(case, filing, kind, payer, claim_amount=None if amount is None else Money.parse(amount),
                            **counts), on)


def refused(case: CaseKind, filing: FilingType, kind: ClaimKind, payer: PayerKind = IND, amount: str | None = None,
            **counts: int) -> FeeRequestInvalid:
    with pytest.raises(FeeRequestInvalid) as info:
        fee(case, filing, kind, payer, amount, **counts)
    return info.value


def test_a_filing_no_row_covers_is_refused_in_words_with_each_kind_named() -> None:
    error = refused(CIV, F.STATEMENT_OF_CLAIM, K.DIVORCE, LE)
    assert error.message == ("no state-duty rule covers a statement_of_claim (divorce) in civil proceedings "
                             "by a legal entity")
    assert (error.code, error.details) == ("fee_rule_not_found", {
        "case_kind": "civil", "filing_type": "statement_of_claim", "claim_kind": "divorce",
        "payer_kind": "legal_entity"})


def test_a_cassation_with_no_first_instance_duty_to_share_is_refused_naming_the_claim() -> None:
    error = refused(ADM, F.CASSATION, K.DIVORCE)
    assert (error.code, error.message) == ("fee_rule_not_found",
                                           "no first-instance duty exists for a divorce claim to take a share of")


@pytest.mark.parametrize(("filing", "kind", "rule_id", "title"), [
    (F.APPLICATION, K.COURT_ORDER, "court_order", "Application for a court order: 50 % of the property-claim rate"),
    (F.STATEMENT_OF_CLAIM, K.PROPERTY, "property_claim_individual",
     "Property claim of an individual: 1 % of the claim, at most 10,000 MRP"),
])
def test_a_percentage_without_the_claim_amount_is_refused_at_the_amount_field(filing: FilingType, kind: ClaimKind,
                                                                              rule_id: str, title: str) -> None:
    error = refused(CIV, filing, kind)
    assert error.message == f"{title} is a percentage of the claim: the claim amount is required"
    assert (error.code, error.details) == ("claim_amount_required", {"field": "claim_amount", "rule": rule_id})


@pytest.mark.parametrize(("kind", "counts", "rule_id", "title"), [
    (K.DIVORCE, {}, "divorce_claim", "Claim for dissolution of marriage"),
    (K.COPY_REISSUE, {"documents": 2, "pages": 3}, "copy_reissue",
     "Repeat issue of copies of judicial acts or case papers: per document plus per page"),
])
def test_an_amount_on_a_filing_not_priced_by_it_is_refused_at_the_amount_field(kind: ClaimKind, counts: dict[str, int],
                                                                               rule_id: str, title: str) -> None:
    filing = F.APPLICATION if kind is K.COPY_REISSUE else F.STATEMENT_OF_CLAIM
    error = refused(CIV, filing, kind, IND, "5", **counts)
    assert error.message == (f"{title} is not computed from a claim amount; leave the amount out or choose a "
                             "property claim")
    assert (error.code, error.details) == ("claim_amount_not_applicable", {"field": "claim_amount", "rule": rule_id})


@pytest.mark.parametrize("count", ["documents", "pages"])
def test_one_count_alone_on_a_filing_not_priced_per_page_is_refused(count: str) -> None:
    error = refused(CIV, F.STATEMENT_OF_CLAIM, K.PROPERTY, IND, "5", **{count: 1})
    assert (error.code, error.details) == ("counts_not_applicable",
                                           {"field": "documents", "rule": "property_claim_individual"})


def test_each_kind_of_rate_writes_its_formula_and_says_it_is_verified_and_uncapped() -> None:
    """Every rate type's quote is verified (the rows are), says no cap was applied as a plain false (the
    JSON shows it), and prints its formula."""
    cases = [
        (fee(CIV, F.MOTION, K.PROPERTY), "0"),
        (fee(CIV, F.STATEMENT_OF_CLAIM, K.DIVORCE), f"0.3 MRP × {tenge('4 325,00')} = {tenge('1 297,50')}"),
        (fee(CIV, F.APPLICATION, K.COPY_REISSUE, documents=2, pages=3),
         f"0.1 MRP × 2 + 0.03 MRP × 3 pages, MRP {tenge('4 325,00')} = {tenge('1 254,25')}"),
        (fee(CIV, F.STATEMENT_OF_CLAIM, K.DEFAMATION, amount="1000"), f"1 % × {tenge('1 000,00')} = {tenge('10,00')}"),
        (fee(CIV, F.STATEMENT_OF_CLAIM, K.PROPERTY, amount="1000", on=BEFORE_THE_CAPS),
         f"1 % × {tenge('1 000,00')} = {tenge('10,00')}"),
        (fee(CIV, F.STATEMENT_OF_CLAIM, K.MIXED, amount="1000"),
         f"[1 % × {tenge('1 000,00')} = {tenge('10,00')}] + [0.5 MRP × {tenge('4 325,00')} = {tenge('2 162,50')}]"
         f" = {tenge('2 172,50')}"),
        (fee(CIV, F.CASSATION, K.NON_PROPERTY),
         f"50 % × [0.5 MRP × {tenge('4 325,00')} = {tenge('2 162,50')}] = {tenge('1 081,25')}"),
    ]
    for quoted, formula in cases:
        assert quoted.formula == formula
        assert quoted.verified is True and quoted.to_json()["verified"] is True
        assert quoted.cap_applied is False and quoted.to_json()["cap_applied"] is False


def test_a_capped_duty_shows_the_percentage_and_then_the_cap() -> None:
    capped = fee(CIV, F.STATEMENT_OF_CLAIM, K.PROPERTY, amount="10000000000")
    assert capped.formula == (f"1 % × {tenge('10 000 000 000,00')} = {tenge('100 000 000,00')}; "
                              f"cap 10000 MRP × {tenge('4 325,00')} = {tenge('43 250 000,00')}")
    assert capped.cap_applied is True and capped.amount == Money.parse("43250000")


def test_a_mixed_claim_before_the_caps_existed_records_no_cap() -> None:
    """Before 21 May 2023 the property part had no cap, so the sum of both duties has none either."""
    mixed = fee(CIV, F.STATEMENT_OF_CLAIM, K.MIXED, amount="1000", on=BEFORE_THE_CAPS)
    assert mixed.cap is None and mixed.cap_applied is False
    assert mixed.amount == Money.parse("1735")
    assert fee(CIV, F.STATEMENT_OF_CLAIM, K.MIXED, amount="1000").cap == Money.parse("43250000")


def test_counts_on_a_capped_property_claim_are_refused_like_on_any_other() -> None:
    error = refused(CIV, F.STATEMENT_OF_CLAIM, K.PROPERTY, IND, "10000000000", documents=1, pages=1)
    assert (error.code, error.details) == ("counts_not_applicable",
                                           {"field": "documents", "rule": "property_claim_individual"})


@pytest.mark.parametrize(("payer", "capped"), [(IND, "2162500"), (LE, "86500000")])
def test_the_tax_audit_caps_apply_from_the_codes_first_day(payer: PayerKind, capped: str) -> None:
    """1 January 2026 is the first day of the new Code, and so of these caps (500 and 20,000 MRP)."""
    first_day = fee(ADM, F.STATEMENT_OF_CLAIM, K.TAX_AUDIT_NOTICE, payer, "100000000000", on=date(2026, 1, 1))
    assert first_day.cap_applied is True and first_day.amount == Money.parse(capped)
    day_before = fee(ADM, F.STATEMENT_OF_CLAIM, K.TAX_AUDIT_NOTICE, payer, "100000000000", on=date(2025, 12, 31))
    assert day_before.cap is None and day_before.cap_applied is False
