"""A fee-table row that cannot be true is refused when the module is imported, saying which part is wrong.

The table is law typed in by hand: a row with a zero or over-100 % rate, a cap without its date, a
share naming no row or a row that matches nothing would quote an unlawful duty or none at all. Each
rate's own check is pinned here at its edges and by its message, so a weakened check shows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from cabinet.case_numbers import CaseKind
from cabinet.errors import FeeRequestInvalid
from cabinet.fee_kinds import ClaimKind, FilingType, PayerKind
from cabinet.fees import (
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

D = Decimal
CAP_FROM = date(2023, 5, 21)
EVERY = (frozenset(CaseKind), frozenset(FilingType), frozenset(ClaimKind), frozenset(PayerKind))


@pytest.mark.parametrize("rate", ["0", "-1", "100.01", "101"])
def test_a_percentage_outside_0_to_100_is_refused_quoting_it(rate: str) -> None:
    for build in (PercentOfClaim, ShareOfFirstInstance):
        with pytest.raises(ValueError) as refused:
            build(D(rate))
        assert str(refused.value) == f"percent must be in (0, 100], got {rate}"
    with pytest.raises(ValueError) as refused:
        ShareOfRule(D(rate), without_amount="non_property_claim")
    assert str(refused.value) == f"percent must be in (0, 100], got {rate}"


@pytest.mark.parametrize("rate", ["0.01", "1", "100"])
def test_a_percentage_just_inside_the_range_is_a_rate(rate: str) -> None:
    assert PercentOfClaim(D(rate)).percent == D(rate)
    assert ShareOfFirstInstance(D(rate)).percent == D(rate)
    assert ShareOfRule(D(rate), without_amount="non_property_claim").percent == D(rate)


def test_a_cap_needs_both_its_size_and_its_date() -> None:
    for half in ({"cap_mrp": D("10000")}, {"cap_from": CAP_FROM}):
        with pytest.raises(ValueError) as refused:
            PercentOfClaim(D("1"), **half)  # type: ignore[arg-type]
        assert str(refused.value) == "a cap needs both its size in MRP and the date it takes effect"
    whole = PercentOfClaim(D("1"), cap_mrp=D("10000"), cap_from=CAP_FROM)
    assert (whole.cap_mrp, whole.cap_from) == (D("10000"), CAP_FROM)
    assert PercentOfClaim(D("1")).cap_mrp is None


@pytest.mark.parametrize("size", ["0", "-5"])
def test_a_cap_must_be_positive(size: str) -> None:
    with pytest.raises(ValueError) as refused:
        PercentOfClaim(D("1"), cap_mrp=D(size), cap_from=CAP_FROM)
    assert str(refused.value) == "a cap must be positive"
    assert PercentOfClaim(D("1"), cap_mrp=D("0.01"), cap_from=CAP_FROM).cap_mrp == D("0.01")


@pytest.mark.parametrize("rate", ["0", "-0.3"])
def test_an_mrp_multiple_must_be_positive(rate: str) -> None:
    with pytest.raises(ValueError) as refused:
        MrpMultiple(D(rate))
    assert str(refused.value) == "an MRP rate must be positive"
    assert MrpMultiple(D("0.01")).mrp == D("0.01")


@pytest.mark.parametrize(("per_document", "per_page"), [("0", "0.03"), ("0.1", "0"), ("-0.1", "0.03"), ("0", "0")])
def test_copy_rates_must_both_be_positive(per_document: str, per_page: str) -> None:
    with pytest.raises(ValueError) as refused:
        PerDocumentAndPage(D(per_document), D(per_page))
    assert str(refused.value) == "copy rates must be positive"


def test_a_share_must_name_the_row_it_is_a_share_of() -> None:
    with pytest.raises(ValueError) as refused:
        ShareOfRule(D("50"))
    assert str(refused.value) == "a share must name the row it is a share of"
    assert ShareOfRule(D("50"), with_amount=("property_claim_individual",)).without_amount is None
    assert ShareOfRule(D("50"), without_amount="non_property_claim").with_amount == ()
    assert ShareOfRule(D("50"), without_amount="non_property_claim").cap_confirmed is True


@pytest.mark.parametrize("rows", [(), ("non_property_claim",)])
def test_a_sum_needs_two_rows(rows: tuple[str, ...]) -> None:
    with pytest.raises(ValueError) as refused:
        SumOfRules(rows)
    assert str(refused.value) == "a sum needs at least two rows"
    assert len(SumOfRules(("a", "b", "c")).rules) == 3


@pytest.mark.parametrize(("rule_id", "title", "article"), [("", "t", "a"), ("x", "", "a"), ("x", "t", ""),
                                                           ("", "", "")])
def test_a_row_needs_an_id_a_title_and_an_article(rule_id: str, title: str, article: str) -> None:
    with pytest.raises(ValueError) as refused:
        FeeRule(rule_id, title, article, True, *EVERY, NoDuty())
    assert str(refused.value) == "a fee rule needs an id, a title and an article reference"


@pytest.mark.parametrize("empty", range(4))
def test_a_row_that_matches_nothing_is_refused_by_its_id(empty: int) -> None:
    scope = list(EVERY)
    scope[empty] = frozenset()
    with pytest.raises(ValueError) as refused:
        FeeRule("orphan", "t", "a", True, *scope, NoDuty())
    assert str(refused.value) == "fee rule orphan must match something"
    assert FeeRule("whole", "t", "a", True, *EVERY, NoDuty()).id == "whole"


def test_a_stored_quote_naming_no_row_is_refused_with_the_name_cut_short() -> None:
    with pytest.raises(FeeRequestInvalid) as refused:
        fee_rule("no_such_row")
    assert refused.value.code == "fee_rule_not_found"
    assert refused.value.message == "no fee rule 'no_such_row'"
    with pytest.raises(FeeRequestInvalid) as long:
        fee_rule("x" * 41)
    assert long.value.message == f"no fee rule {'x' * 40!r}"
    assert fee_rule("divorce_claim").id == "divorce_claim"


def test_a_quote_that_cannot_be_true_is_never_built() -> None:
    """The quote's own invariants back the table's: a negative duty, a cap applied but not recorded, or an
    exempt filing that still owes something would each reach a receipt."""
    request = FeeRequest(CaseKind.CIVIL, FilingType.STATEMENT_OF_CLAIM, ClaimKind.PROPERTY, PayerKind.INDIVIDUAL,
                         claim_amount=Money.parse("1000000"))
    fee = quote(request, date(2026, 3, 2))
    with pytest.raises(ValueError) as negative:
        replace(fee, amount=Money.parse("-0.01"))
    assert str(negative.value) == "a fee is never negative"
    assert replace(fee, amount=Money.zero()).amount == Money.zero()
    with pytest.raises(ValueError) as unrecorded:
        replace(fee, cap=None, cap_applied=True)
    assert str(unrecorded.value) == "a cap was applied but none is recorded"
    assert replace(fee, cap=None, cap_applied=False).cap is None
    exempt = quote(replace(request, exemption="labour"), date(2026, 3, 2))
    assert exempt.exemption is not None and exempt.amount == Money.zero()
    with pytest.raises(ValueError) as owing:
        replace(exempt, amount=Money.parse("0.01"))
    assert str(owing.value) == "an exempt filing owes nothing"
