"""Arts 120–122 as data: the share of the duty each case event gives back, with its article."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cabinet.errors import FeeRequestInvalid
from cabinet.fee_refunds import REFUND_RULES, Instance, RefundEvent, RefundRule, refund_due, refund_rule
from cabinet.money import Money

PAID = Money.tenge(10_000)
TC = "Tax Code of the RK No. 214-VIII, art. "
E, N = RefundEvent, Instance

# event, instance, refunded of 10,000 paid, article, verified
CASES = [
    (E.SETTLEMENT, N.FIRST, "10000.00", "120(4)(4)", True),
    (E.SETTLEMENT, N.APPELLATE, "10000.00", "120(4)(4)", True),
    (E.SETTLEMENT, N.CASSATION, "5000.00", "120(4)(4)", True),
    (E.ARBITRATION, N.FIRST, "10000.00", "120(4)(4)-(5)", False),
    (E.CLAIM_RETURNED, N.FIRST, "10000.00", "120(4)(4)-(5)", False),
    (E.CLAIM_REFUSED, N.FIRST, "10000.00", "120(4)(4)-(5)", False),
    (E.NOT_FOR_COURT, N.APPELLATE, "10000.00", "120(4)(4)-(5)", False),
    (E.PRETRIAL_SKIPPED, N.FIRST, "10000.00", "120(4)(4)-(5)", False),
    (E.INCAPABLE_FILER, N.FIRST, "10000.00", "120(4)(4)-(5)", False),
    (E.CASSATION_RETURNED, N.CASSATION, "10000.00", "120(4)(5)", True),
    (E.WITHDRAWAL, N.FIRST, "0.00", "121(2)", True),
    (E.CLAIM_REDUCED, N.FIRST, "0.00", "121(2)", True),
    (E.COURT_ORDER_CANCELLED, N.FIRST, "0.00", "121(2)", True),
]


@pytest.mark.parametrize(("event", "instance", "refunded", "article", "verified"), CASES,
                         ids=[f"{c[0].value}-{c[1].value}-art.{c[3]}" for c in CASES])
def test_each_refund_event_gives_back_its_share(event: RefundEvent, instance: Instance, refunded: str, article: str,
                                                verified: bool) -> None:
    decision = refund_due(event, instance, paid=PAID)
    assert decision.amount == Money.parse(refunded)
    assert decision.rule.article == TC + article and decision.rule.verified is verified
    assert decision.rule.article in decision.basis


def test_an_overpayment_gives_back_the_excess_only() -> None:
    decision = refund_due(E.OVERPAYMENT, N.FIRST, paid=Money.tenge(12_000), owed=Money.tenge(10_000))
    assert decision.amount == Money.tenge(2_000) and decision.rule.article == TC + "120(4)(6)"
    assert refund_due(E.OVERPAYMENT, N.FIRST, paid=PAID, owed=PAID).amount == Money.zero()
    with pytest.raises(ValueError):
        refund_due(E.OVERPAYMENT, N.FIRST, paid=PAID)


def test_events_outside_their_instance_have_no_rule() -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        refund_rule(E.CASSATION_RETURNED, N.FIRST)
    assert info.value.code == "refund_rule_not_found"


def test_every_rule_is_tested_and_shares_are_what_the_law_says() -> None:
    tested = {(c[0], c[1]) for c in CASES} | {(E.OVERPAYMENT, N.FIRST)}
    for rule in REFUND_RULES:
        assert any((rule.event, instance) in tested for instance in rule.instances), rule
    assert {rule.percent for rule in REFUND_RULES} == {Decimal("100"), Decimal("50"), Decimal("0")}


def test_the_basis_shows_the_share_the_sum_and_the_article() -> None:
    """The basis is printed on the refund receipt: share, what was paid, what comes back, and the law."""
    half = refund_due(E.SETTLEMENT, N.CASSATION, paid=PAID)
    assert half.basis == f"50 % × {PAID.format()} = {Money.tenge(5_000).format()} ({TC}120(4)(4))"
    nothing = refund_due(E.WITHDRAWAL, N.APPELLATE, paid=PAID)
    assert nothing.basis == f"0 % × {PAID.format()} = {Money.zero().format()} ({TC}121(2))"


def test_an_overpayment_is_given_back_at_every_instance_with_its_arithmetic() -> None:
    paid, owed = Money.tenge(12_000), Money.tenge(10_000)
    for instance in Instance:
        decision = refund_due(E.OVERPAYMENT, instance, paid=paid, owed=owed)
        assert decision.amount == Money.tenge(2_000)
        assert decision.rule.verified is True and decision.rule.percent == Decimal("100")
        assert decision.basis == (f"paid {paid.format()} - owed {owed.format()} = {Money.tenge(2_000).format()} "
                                  f"({TC}120(4)(6))")
    short = refund_due(E.OVERPAYMENT, N.FIRST, paid=Money.tenge(9_000), owed=owed)
    assert short.amount == Money.zero()
    with pytest.raises(ValueError, match=r"^an overpayment is measured against what was owed$"):
        refund_due(E.OVERPAYMENT, N.APPELLATE, paid=PAID)


def test_a_missing_rule_names_the_event_and_the_instance() -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        refund_rule(E.CASSATION_RETURNED, N.APPELLATE)
    assert info.value.details == {"event": "cassation_returned", "instance": "appellate"}
    assert info.value.message == "no refund rule for cassation_returned at the appellate instance"


def test_only_cassation_halves_a_settlement_and_only_cassation_returns_a_cassation_complaint() -> None:
    assert {rule.percent for rule in REFUND_RULES if rule.event is E.SETTLEMENT} == {Decimal("100"), Decimal("50")}
    for instance in (N.FIRST, N.APPELLATE):
        assert refund_rule(E.SETTLEMENT, instance).percent == Decimal("100")
        with pytest.raises(FeeRequestInvalid):
            refund_rule(E.CASSATION_RETURNED, instance)
    for event in set(E) - {E.CASSATION_RETURNED}:
        for instance in Instance:
            assert refund_rule(event, instance).event is event


@pytest.mark.parametrize("percent", ["-1", "100.01"])
def test_a_refund_share_outside_0_to_100_percent_cannot_be_a_row(percent: str) -> None:
    with pytest.raises(ValueError, match=r"^a refund share is 0\.\.100 %, got "):
        RefundRule(E.OVERPAYMENT, Decimal(percent), "art. 120", True)
    assert RefundRule(E.OVERPAYMENT, Decimal("0"), "art. 121", True).instances == frozenset(Instance)
