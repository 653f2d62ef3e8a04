"""Arts 120–122 as data: the share of the duty each case event gives back, with its article."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cabinet.errors import FeeRequestInvalid
from cabinet.fee_refunds import REFUND_RULES, Instance, RefundEvent, refund_due, refund_rule
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
