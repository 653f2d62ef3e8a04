"""When the state duty is given back, and how much: arts 120–122 of the Tax Code No. 214-VIII, as data.

A refund is caused by a case event, never asked for in the abstract: the event names the row, the
row says the share and cites its article. In full: a settlement, mediation or participatory
agreement at first or appellate instance (at cassation: half the cassation duty), the case sent to
arbitration, the claim returned or refused, the case terminated or left without consideration as
not for a court, for a skipped pre-trial step or because an incapable person filed it, a cassation
complaint returned; overpayment, unless the claimant reduced the claim. None on withdrawal or
reduction of a claim or a cancelled court order, and no offset against other duties (art. 121(2)).
The money is returned by the tax authority to a bank account (art. 122(4)); here it goes back
through the payment provider that collected it, with a receipt.

Our reference reads sub-paragraphs 120(4)(4), 120(4)(5), 120(4)(6) and art. 121(2) from the
Code's text; it does not say under which of (4) and (5) the middle events fall, so those rows cite
both and are unverified.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from decimal import Decimal

from cabinet.errors import FeeRequestInvalid
from cabinet.money import Money

logger = logging.getLogger(__name__)

CODE = "Tax Code of the RK No. 214-VIII"


class RefundEvent(enum.Enum):
    SETTLEMENT = "settlement"  # settlement, mediation or participatory agreement
    ARBITRATION = "arbitration"  # the case sent to arbitration
    CLAIM_RETURNED = "claim_returned"
    CLAIM_REFUSED = "claim_refused"  # acceptance of the claim refused
    NOT_FOR_COURT = "not_for_court"  # terminated: not to be heard by a court
    PRETRIAL_SKIPPED = "pretrial_skipped"  # left without consideration: the pre-trial procedure was skipped
    INCAPABLE_FILER = "incapable_filer"  # left without consideration: filed by an incapable person
    CASSATION_RETURNED = "cassation_returned"
    OVERPAYMENT = "overpayment"
    WITHDRAWAL = "withdrawal"
    CLAIM_REDUCED = "claim_reduced"
    COURT_ORDER_CANCELLED = "court_order_cancelled"


class Instance(enum.Enum):
    FIRST = "first"
    APPELLATE = "appellate"
    CASSATION = "cassation"


_ALL = frozenset(Instance)


@dataclass(frozen=True)
class RefundRule:
    event: RefundEvent
    percent: Decimal
    article: str
    verified: bool
    instances: frozenset[Instance] = _ALL

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.percent <= Decimal(100):
            raise ValueError(f"a refund share is 0..100 %, got {self.percent}")


def _rule(event: RefundEvent, percent: str, ref: str, verified: bool,
          instances: frozenset[Instance] = _ALL) -> RefundRule:
    return RefundRule(event, Decimal(percent), f"{CODE}, art. {ref}", verified, instances)


_LOWER = frozenset({Instance.FIRST, Instance.APPELLATE})
_BOTH = "120(4)(4)-(5)"

REFUND_RULES: tuple[RefundRule, ...] = (
    _rule(RefundEvent.SETTLEMENT, "100", "120(4)(4)", True, _LOWER),
    _rule(RefundEvent.SETTLEMENT, "50", "120(4)(4)", True, frozenset({Instance.CASSATION})),
    _rule(RefundEvent.ARBITRATION, "100", _BOTH, False),
    _rule(RefundEvent.CLAIM_RETURNED, "100", _BOTH, False),
    _rule(RefundEvent.CLAIM_REFUSED, "100", _BOTH, False),
    _rule(RefundEvent.NOT_FOR_COURT, "100", _BOTH, False),
    _rule(RefundEvent.PRETRIAL_SKIPPED, "100", _BOTH, False),
    _rule(RefundEvent.INCAPABLE_FILER, "100", _BOTH, False),
    _rule(RefundEvent.CASSATION_RETURNED, "100", "120(4)(5)", True, frozenset({Instance.CASSATION})),
    _rule(RefundEvent.OVERPAYMENT, "100", "120(4)(6)", True),
    _rule(RefundEvent.WITHDRAWAL, "0", "121(2)", True),
    _rule(RefundEvent.CLAIM_REDUCED, "0", "121(2)", True),
    _rule(RefundEvent.COURT_ORDER_CANCELLED, "0", "121(2)", True),
)


@dataclass(frozen=True)
class RefundDecision:
    rule: RefundRule
    amount: Money
    basis: str


def refund_rule(event: RefundEvent, instance: Instance) -> RefundRule:
    for rule in REFUND_RULES:
        if rule.event is event and instance in rule.instances:
            return rule
    raise FeeRequestInvalid(f"no refund rule for {event.value} at the {instance.value} instance",
                            code="refund_rule_not_found", details={"event": event.value, "instance": instance.value})


def refund_due(event: RefundEvent, instance: Instance, *, paid: Money, owed: Money | None = None) -> RefundDecision:
    """What goes back of ``paid`` because of ``event``; for an overpayment, what exceeds ``owed``."""
    rule = refund_rule(event, instance)
    if event is RefundEvent.OVERPAYMENT:
        if owed is None:
            raise ValueError("an overpayment is measured against what was owed")
        excess = paid - owed if paid > owed else Money.zero()
        return RefundDecision(rule, excess, f"paid {paid.format()} - owed {owed.format()} = {excess.format()} "
                                            f"({rule.article})")
    amount = paid.percent(rule.percent) if rule.percent else Money.zero()
    return RefundDecision(rule, amount, f"{rule.percent} % × {paid.format()} = {amount.format()} ({rule.article})")
