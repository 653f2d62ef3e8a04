"""The state duty (court fee) on a filing, as the 2026 Tax Code sets it: rates, caps, exemptions, the MRP.

The law is data here, not code. Since 1 January 2026 the court duty is in arts 662–672 of the Tax
Code No. 214-VIII of 18 July 2025: the rates in art. 665, the exemptions in art. 668, payment in
art. 672; deferral is art. 135 and refunds arts 120–122 (see :mod:`cabinet.fee_refunds`). Every
:class:`FeeRule` row cites its article, paragraph and sub-paragraph and says whether the figure was
``verified`` against the Code's text (our reference ``court-fees-2026.md`` read it from adilet's
text); the quote carries the flag so the cabinet shows an unverified figure as such.

Where the law changed in time the table says so: the caps on property claims entered the old
Code's art. 610 on 21 May 2023 and are applied from that date; the caps on challenges to tax and
customs audit notices are applied from the new Code's entry into force (the reference gives no
earlier date). Rates themselves are the 2026 Code's.

The MRP is the one in force on the **payment date** (art. 664(2)): :func:`quote` takes that date,
the quote says which MRP (amount and the date it entered into force) it used, and a payment made
after the MRP changed is checked against the new amount by the filing side.

Appeals: art. 665 names no appellate duty; the decision and its source are ``APPEAL_DECISION``.

How an amount is found: exactly one row matches the request's case kind, filing type, claim kind
and payer kind (a test walks every combination to keep rows from overlapping). Anything the tables
do not cover is refused with a typed error: guessing a fee means either an unlawful charge or a
claim returned for non-payment.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from cabinet.case_numbers import CaseKind
from cabinet.errors import FeeRequestInvalid, InvalidMoney
from cabinet.fee_exemptions import EXEMPTIONS, Exemption, claimed_exemption, exemption, exemptions_for
from cabinet.fee_kinds import (
    ANY_CASE,
    ANY_PAYER,
    CIVIL,
    CODE,
    INDIVIDUAL,
    LEGAL_ENTITY,
    NON_CRIMINAL,
    ClaimKind,
    FilingType,
    PayerKind,
    cite,
    kinds,
)
from cabinet.fee_texts import explain, unverified_warning
from cabinet.money import Money
from cabinet.mrp import MRP_TABLE, MrpPeriod, mrp_on

logger = logging.getLogger(__name__)

__all__ = ["EXEMPTIONS", "FEE_RULES", "MRP_TABLE", "ClaimKind", "Exemption", "FeeQuote", "FeeRequest", "FeeRule",
           "FilingType", "MrpPeriod", "PayerKind", "claimed_exemption", "exemption", "exemptions_for", "fee_rule",
           "mrp_on", "quote"]

MAX_COUNT = 10_000
"""At most this many documents or pages in one request for copies (a typo guard, not law)."""


@dataclass(frozen=True)
class PercentOfClaim:
    """``percent`` of the claim amount, capped at ``cap_mrp`` MRP for payments on or after ``cap_from``."""

    percent: Decimal
    cap_mrp: Decimal | None = None
    cap_from: date | None = None

    def __post_init__(self) -> None:
        if not Decimal(0) < self.percent <= Decimal(100):
            raise ValueError(f"percent must be in (0, 100], got {self.percent}")
        if (self.cap_mrp is None) != (self.cap_from is None):
            raise ValueError("a cap needs both its size in MRP and the date it takes effect")
        if self.cap_mrp is not None and self.cap_mrp <= 0:
            raise ValueError("a cap must be positive")


@dataclass(frozen=True)
class MrpMultiple:
    mrp: Decimal

    def __post_init__(self) -> None:
        if self.mrp <= 0:
            raise ValueError("an MRP rate must be positive")


@dataclass(frozen=True)
class PerDocumentAndPage:
    """``per_document`` MRP for each document plus ``per_page`` MRP for each page (repeat copies)."""

    per_document: Decimal
    per_page: Decimal

    def __post_init__(self) -> None:
        if self.per_document <= 0 or self.per_page <= 0:
            raise ValueError("copy rates must be positive")


@dataclass(frozen=True)
class ShareOfRule:
    """``percent`` of another row's duty: a row of ``with_amount`` (by payer) when a sum is contested,
    else the ``without_amount`` row. ``cap_confirmed`` says whether the law confirms that the other
    row's cap carries over (when it is applied and not confirmed, the quote is unverified)."""

    percent: Decimal
    with_amount: tuple[str, ...] = ()
    without_amount: str | None = None
    cap_confirmed: bool = True

    def __post_init__(self) -> None:
        if not Decimal(0) < self.percent <= Decimal(100):
            raise ValueError(f"percent must be in (0, 100], got {self.percent}")
        if not self.with_amount and self.without_amount is None:
            raise ValueError("a share must name the row it is a share of")


@dataclass(frozen=True)
class SumOfRules:
    """Both duties: a claim with property and non-property demands pays each (art. 665(4))."""

    rules: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.rules) < 2:
            raise ValueError("a sum needs at least two rows")


@dataclass(frozen=True)
class ShareOfFirstInstance:
    """``percent`` of the duty the first-instance filing of the same claim owes (cassation)."""

    percent: Decimal

    def __post_init__(self) -> None:
        if not Decimal(0) < self.percent <= Decimal(100):
            raise ValueError(f"percent must be in (0, 100], got {self.percent}")


@dataclass(frozen=True)
class NoDuty:
    """The filing carries no state duty at all (not merely an exemption a party must claim)."""


Rate = PercentOfClaim | MrpMultiple | PerDocumentAndPage | ShareOfRule | SumOfRules | ShareOfFirstInstance | NoDuty


@dataclass(frozen=True)
class FeeRule:
    id: str
    title: str
    article: str
    verified: bool
    case_kinds: frozenset[CaseKind]
    filing_types: frozenset[FilingType]
    claim_kinds: frozenset[ClaimKind]
    payer_kinds: frozenset[PayerKind]
    rate: Rate
    note: str = ""

    def __post_init__(self) -> None:
        if not self.id or not self.title or not self.article:
            raise ValueError("a fee rule needs an id, a title and an article reference")
        if not (self.case_kinds and self.filing_types and self.claim_kinds and self.payer_kinds):
            raise ValueError(f"fee rule {self.id} must match something")

    def matches(self, request: FeeRequest) -> bool:
        return (
            request.case_kind in self.case_kinds
            and request.filing_type in self.filing_types
            and request.claim_kind in self.claim_kinds
            and request.payer_kind in self.payer_kinds
        )


def _d(text: str) -> Decimal:
    return Decimal(text)


_ALL_KINDS, _CIVIL, _NON_CRIMINAL = ANY_CASE, CIVIL, NON_CRIMINAL
_ANY_PAYER, _IND, _LE = ANY_PAYER, INDIVIDUAL, LEGAL_ENTITY
_ADMIN = kinds(CaseKind.ADMINISTRATIVE)
_CLAIMS = kinds(FilingType.STATEMENT_OF_CLAIM, FilingType.COUNTERCLAIM)
_APPLICATION = kinds(FilingType.APPLICATION)
_COMPLAINTS = kinds(FilingType.COMPLAINT, FilingType.STATEMENT_OF_CLAIM)
_NOT_PROCEDURAL = frozenset(FilingType) - kinds(FilingType.MOTION, FilingType.RESPONSE, FilingType.RECORD_REMARKS)
PROPERTY_CAP_FROM = date(2023, 5, 21)
"""The caps of 10,000 / 20,000 MRP entered the old Code's art. 610 on 21 May 2023; art. 665(1)(1) keeps them."""
TAX_AUDIT_CAP_FROM = date(2026, 1, 1)
_PROPERTY_IND = PercentOfClaim(_d("1"), cap_mrp=_d("10000"), cap_from=PROPERTY_CAP_FROM)
_PROPERTY_LE = PercentOfClaim(_d("3"), cap_mrp=_d("20000"), cap_from=PROPERTY_CAP_FROM)
_CASSATION_KINDS = kinds(
    ClaimKind.PROPERTY, ClaimKind.NON_PROPERTY, ClaimKind.MIXED, ClaimKind.DIVORCE, ClaimKind.PROPERTY_DIVISION,
    ClaimKind.STATE_BODY_COMPLAINT, ClaimKind.TAX_AUDIT_NOTICE, ClaimKind.SPECIAL_PROCEEDING,
    ClaimKind.ARBITRAL_SET_ASIDE, ClaimKind.AWARD_ENFORCEMENT, ClaimKind.BANKRUPTCY,
    ClaimKind.PERSONAL_INSOLVENCY, ClaimKind.DEFAMATION,
)
APPEAL_DECISION = (
    "No duty: art. 665 names no rate for an appellate complaint and art. 664(1)(1) makes only the filings "
    "art. 665 lists objects of the duty; CPC art. 403(3) asks for proof of payment only 'in the cases "
    "established by law'. The CPC side is not confirmed by our reference."
)

FEE_RULES: tuple[FeeRule, ...] = (
    FeeRule("property_claim_individual", "Property claim of an individual: 1 % of the claim, at most 10,000 MRP",
            cite("665(1)(1)"), True, _CIVIL, _CLAIMS, kinds(ClaimKind.PROPERTY), _IND, _PROPERTY_IND),
    FeeRule("property_claim_legal_entity", "Property claim of a legal entity: 3 % of the claim, at most 20,000 MRP",
            cite("665(1)(1)"), True, _CIVIL, _CLAIMS, kinds(ClaimKind.PROPERTY), _LE, _PROPERTY_LE),
    FeeRule("state_body_complaint_individual",
            "Complaint of an individual against unlawful acts of state bodies and officials",
            cite("665(1)(2)"), True, _NON_CRIMINAL, _COMPLAINTS, kinds(ClaimKind.STATE_BODY_COMPLAINT), _IND,
            MrpMultiple(_d("0.3"))),
    FeeRule("state_body_complaint_legal_entity",
            "Complaint of a legal entity against unlawful acts of state bodies and officials",
            cite("665(1)(3)"), True, _NON_CRIMINAL, _COMPLAINTS, kinds(ClaimKind.STATE_BODY_COMPLAINT), _LE,
            MrpMultiple(_d("5"))),
    FeeRule("tax_audit_notice_individual",
            "Administrative claim of an individual entrepreneur or farm against a tax or customs audit notice: "
            "0.1 % of the disputed sum, at most 500 MRP", cite("665(1)(4)"), True, _ADMIN, _COMPLAINTS,
            kinds(ClaimKind.TAX_AUDIT_NOTICE), _IND,
            PercentOfClaim(_d("0.1"), cap_mrp=_d("500"), cap_from=TAX_AUDIT_CAP_FROM),
            note="cap applied from 1 Jan 2026 (the Code's entry into force; no earlier date known)"),
    FeeRule("tax_audit_notice_legal_entity",
            "Administrative claim of a legal entity against a tax or customs audit notice: 1 % of the "
            "disputed sum, at most 20,000 MRP", cite("665(1)(4)"), True, _ADMIN, _COMPLAINTS,
            kinds(ClaimKind.TAX_AUDIT_NOTICE), _LE,
            PercentOfClaim(_d("1"), cap_mrp=_d("20000"), cap_from=TAX_AUDIT_CAP_FROM),
            note="cap applied from 1 Jan 2026 (the Code's entry into force; no earlier date known)"),
    FeeRule("divorce_claim", "Claim for dissolution of marriage", cite("665(1)(5)"), True, _CIVIL, _CLAIMS,
            kinds(ClaimKind.DIVORCE), _IND, MrpMultiple(_d("0.3"))),
    FeeRule("property_division_claim", "Claim for division of property between spouses: the property-claim rate",
            cite("665(1)(6)"), True, _CIVIL, _CLAIMS, kinds(ClaimKind.PROPERTY_DIVISION), _IND, _PROPERTY_IND),
    FeeRule("non_property_claim", "Claim of a non-property nature or not subject to valuation (any payer)",
            cite("665(1)(7)"), True, _CIVIL, _CLAIMS, kinds(ClaimKind.NON_PROPERTY), _ANY_PAYER,
            MrpMultiple(_d("0.5"))),
    FeeRule("special_proceeding_application", "Special claim or application in special proceedings",
            cite("665(1)(8)"), True, _CIVIL, _APPLICATION, kinds(ClaimKind.SPECIAL_PROCEEDING), _ANY_PAYER,
            MrpMultiple(_d("0.5"))),
    FeeRule("administrative_claim", "Other administrative claim under the Administrative Procedure Code",
            cite("665(1)(8)"), True, _ADMIN, _COMPLAINTS, kinds(ClaimKind.NON_PROPERTY), _ANY_PAYER,
            MrpMultiple(_d("0.5"))),
    FeeRule("arbitral_set_aside", "Petition to set aside an arbitral award: 50 % of the non-property rate, or of "
            "the property rate on the contested sum", cite("665(1)(9)"), True, _CIVIL, _APPLICATION,
            kinds(ClaimKind.ARBITRAL_SET_ASIDE), _ANY_PAYER,
            ShareOfRule(_d("50"), with_amount=("property_claim_individual", "property_claim_legal_entity"),
                        without_amount="non_property_claim")),
    FeeRule("court_order", "Application for a court order: 50 % of the property-claim rate", cite("665(1)(10)"),
            True, _CIVIL, _APPLICATION, kinds(ClaimKind.COURT_ORDER), _ANY_PAYER,
            ShareOfRule(_d("50"), with_amount=("property_claim_individual", "property_claim_legal_entity"),
                        cap_confirmed=False),
            note="0.5 % / 1.5 % confirmed; halving the capped property duty is our interpretation"),
    FeeRule("duplicate_writ", "Application for a duplicate writ of execution (any payer)", cite("665(1)(11)"), True,
            _NON_CRIMINAL, _APPLICATION, kinds(ClaimKind.DUPLICATE_WRIT), _ANY_PAYER, MrpMultiple(_d("5"))),
    FeeRule("award_enforcement", "Application for a writ enforcing an arbitral award or a foreign court decision "
            "(any payer)", cite("665(1)(11)"), True, _CIVIL, _APPLICATION, kinds(ClaimKind.AWARD_ENFORCEMENT),
            _ANY_PAYER, MrpMultiple(_d("5"))),
    FeeRule("copy_reissue", "Repeat issue of copies of judicial acts or case papers: per document plus per page",
            cite("665(1)(12)"), True, _ALL_KINDS, _APPLICATION, kinds(ClaimKind.COPY_REISSUE), _ANY_PAYER,
            PerDocumentAndPage(_d("0.1"), _d("0.03"))),
    FeeRule("bankruptcy", "Application for bankruptcy or rehabilitation of a legal entity", cite("665(1)(13)"), True,
            _CIVIL, kinds(FilingType.APPLICATION, FilingType.STATEMENT_OF_CLAIM), kinds(ClaimKind.BANKRUPTCY),
            _ANY_PAYER, MrpMultiple(_d("0.5"))),
    FeeRule("personal_insolvency", "Application of an individual for restoration of solvency or judicial bankruptcy",
            cite("665(1)(14)"), True, _CIVIL, _APPLICATION, kinds(ClaimKind.PERSONAL_INSOLVENCY), _IND,
            MrpMultiple(_d("0.3"))),
    FeeRule("defamation_individual", "Claim of an individual for moral damages for defamation: 1 % (no cap)",
            cite("665(1)(15)"), True, _CIVIL, _CLAIMS, kinds(ClaimKind.DEFAMATION), _IND, PercentOfClaim(_d("1"))),
    FeeRule("defamation_legal_entity", "Claim of a legal entity for losses to its business reputation: 3 % (no cap)",
            cite("665(1)(16)"), True, _CIVIL, _CLAIMS, kinds(ClaimKind.DEFAMATION), _LE, PercentOfClaim(_d("3"))),
    FeeRule("constitutional_appeal", "Citizen's appeal to the Constitutional Court (rate zero)", cite("665(2)"), True,
            _ALL_KINDS, kinds(FilingType.APPLICATION, FilingType.COMPLAINT), kinds(ClaimKind.CONSTITUTIONAL_APPEAL),
            _IND, NoDuty()),
    FeeRule("mixed_claim_individual", "Claim of an individual with property and non-property demands: both duties",
            cite("665(4)"), True, _CIVIL, _CLAIMS, kinds(ClaimKind.MIXED), _IND,
            SumOfRules(("property_claim_individual", "non_property_claim"))),
    FeeRule("mixed_claim_legal_entity", "Claim of a legal entity with property and non-property demands: both duties",
            cite("665(4)"), True, _CIVIL, _CLAIMS, kinds(ClaimKind.MIXED), _LE,
            SumOfRules(("property_claim_legal_entity", "non_property_claim"))),
    FeeRule("appeal", "Appellate complaint: no rate in the Tax Code", f"{CODE}, art. 665 (no appellate rate); "
            "CPC art. 403(3)", False, _NON_CRIMINAL, kinds(FilingType.APPEAL),
            frozenset(ClaimKind) - kinds(ClaimKind.ADMINISTRATIVE_OFFENCE), _ANY_PAYER, NoDuty(), note=APPEAL_DECISION),
    FeeRule("cassation", "Cassation petition (including against rulings on arbitral awards): 50 % of the "
            "first-instance rate", cite("665(3)"), True, _NON_CRIMINAL, kinds(FilingType.CASSATION), _CASSATION_KINDS,
            _ANY_PAYER, ShareOfFirstInstance(_d("50"))),
    FeeRule("procedural_filing", "Motion, response to a claim or remarks on a hearing record",
            f"{CODE}, art. 664(1)(1) (not an object of the duty)", True, _ALL_KINDS,
            kinds(FilingType.MOTION, FilingType.RESPONSE, FilingType.RECORD_REMARKS), frozenset(ClaimKind), _ANY_PAYER,
            NoDuty()),
    FeeRule("procedural_application", "Application on deferral, enforcement, securing a claim, new circumstances, "
            "reversal or a default judgment", cite("668(15)"), True, _NON_CRIMINAL, _APPLICATION,
            kinds(ClaimKind.PROCEDURAL), _ANY_PAYER, NoDuty()),
    FeeRule("private_complaint", "Private complaint against a court ruling", cite("668(15)"), True, _NON_CRIMINAL,
            kinds(FilingType.COMPLAINT), kinds(ClaimKind.PROCEDURAL), _ANY_PAYER, NoDuty()),
    FeeRule("bailiff_complaint", "Complaint against acts of a bailiff", cite("668(15)"), True, _NON_CRIMINAL,
            kinds(FilingType.COMPLAINT), kinds(ClaimKind.BAILIFF_COMPLAINT), _ANY_PAYER, NoDuty()),
    FeeRule("criminal_proceedings", "Filings in criminal proceedings, including a civil claim in them",
            cite("671(1)"), True, kinds(CaseKind.CRIMINAL), _NOT_PROCEDURAL,
            kinds(ClaimKind.PROCEDURAL, ClaimKind.PROPERTY, ClaimKind.NON_PROPERTY), _ANY_PAYER, NoDuty()),
    FeeRule("administrative_offence", "Complaints against rulings in administrative-offence cases",
            cite("668(15)"), True, _ADMIN, _NOT_PROCEDURAL, kinds(ClaimKind.ADMINISTRATIVE_OFFENCE), _ANY_PAYER,
            NoDuty()),
)

_RULES_BY_ID: dict[str, FeeRule] = {rule.id: rule for rule in FEE_RULES}


def fee_rule(rule_id: str) -> FeeRule:
    """The row a stored quote names, so a receipt can show the rule it was computed under."""
    try:
        return _RULES_BY_ID[rule_id]
    except KeyError:
        raise FeeRequestInvalid(f"no fee rule {rule_id[:40]!r}", code="fee_rule_not_found") from None


def _count(fields: Mapping[str, Any], name: str) -> int | None:
    raw = fields.get(name)
    if raw is None or raw == "":
        return None
    text = str(raw)
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        raise FeeRequestInvalid(f"{name} must be a whole number from 1 to {MAX_COUNT}",
                                code="invalid_count", details={"field": name})
    return int(text)


@dataclass(frozen=True)
class FeeRequest:
    case_kind: CaseKind
    filing_type: FilingType
    claim_kind: ClaimKind
    payer_kind: PayerKind
    claim_amount: Money | None = None
    exemption: str | None = None
    documents: int | None = None
    pages: int | None = None

    def __post_init__(self) -> None:
        for name, kind in (("case_kind", CaseKind), ("filing_type", FilingType),
                           ("claim_kind", ClaimKind), ("payer_kind", PayerKind)):
            if not isinstance(getattr(self, name), kind):
                raise FeeRequestInvalid(f"{name} must be a {kind.__name__}", details={"field": name})
        if self.claim_amount is not None:
            if not isinstance(self.claim_amount, Money):
                raise FeeRequestInvalid("claim_amount must be Money", details={"field": "claim_amount"})
            if not self.claim_amount.is_positive():
                raise FeeRequestInvalid(
                    f"the claim amount must be positive, got {self.claim_amount.to_json()}",
                    code="invalid_claim_amount",
                    details={"field": "claim_amount"},
                )
        if self.exemption is not None and (not isinstance(self.exemption, str) or not self.exemption):
            raise FeeRequestInvalid("exemption must be an exemption code", details={"field": "exemption"})
        for name in ("documents", "pages"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or not 1 <= value <= MAX_COUNT):
                raise FeeRequestInvalid(f"{name} must be a whole number from 1 to {MAX_COUNT}",
                                        code="invalid_count", details={"field": name})

    @classmethod
    def parse(cls, fields: Mapping[str, Any]) -> FeeRequest:
        """Build a request from query parameters or JSON, naming the field that is wrong."""
        enums: dict[str, Any] = {}
        for name, kind in (("case_kind", CaseKind), ("filing_type", FilingType),
                           ("claim_kind", ClaimKind), ("payer_kind", PayerKind)):
            raw = fields.get(name)
            allowed = [member.value for member in kind]
            if raw is None or raw == "":
                raise FeeRequestInvalid(f"{name} is required (one of {allowed})", details={"field": name})
            try:
                enums[name] = kind(raw)
            except ValueError:
                raise FeeRequestInvalid(
                    f"{name} {str(raw)[:40]!r} is not one of {allowed}", details={"field": name}
                ) from None
        raw_amount = fields.get("claim_amount")
        amount: Money | None = None
        if raw_amount not in (None, ""):
            try:
                amount = Money.parse(raw_amount)
            except InvalidMoney as exc:
                raise FeeRequestInvalid(exc.message, code="invalid_claim_amount",
                                        details={"field": "claim_amount"}) from None
        exemption = fields.get("exemption") or None
        return cls(claim_amount=amount, exemption=exemption, documents=_count(fields, "documents"),
                   pages=_count(fields, "pages"), **enums)


@dataclass(frozen=True)
class FeeQuote:
    amount: Money
    rule: FeeRule
    verified: bool
    on: date
    mrp: MrpPeriod
    cap: Money | None
    cap_applied: bool
    exemption: Exemption | None
    basis: str
    formula: str
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.amount.tiyn < 0:
            raise ValueError("a fee is never negative")
        if self.cap_applied and self.cap is None:
            raise ValueError("a cap was applied but none is recorded")
        if self.exemption is not None and self.amount:
            raise ValueError("an exempt filing owes nothing")

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def article(self) -> str:
        return self.rule.article

    def to_json(self) -> dict[str, Any]:
        return {
            "amount": self.amount.to_json(),
            "amount_text": self.amount.format(),
            "verified": self.verified,
            "warning": None if self.verified else unverified_warning(),
            "rule": {"id": self.rule.id, "article": self.rule.article, "verified": self.rule.verified,
                     "note": self.rule.note or None},
            "date": self.on.isoformat(),
            "mrp": {"amount": self.mrp.amount.to_json(), "year": self.mrp.starts.year,
                    "in_force_from": self.mrp.starts.isoformat(), "payment_date": self.on.isoformat()},
            "cap": None if self.cap is None else self.cap.to_json(),
            "cap_applied": self.cap_applied,
            "exemption": None if self.exemption is None else {
                "code": self.exemption.code, "article": self.exemption.article,
                "verified": self.exemption.verified,
            },
            "formula": self.formula,
            "basis": self.basis,
            "notes": list(self.notes),
            "explanation": explain(self),
        }


def _find_rule(request: FeeRequest) -> FeeRule:
    for rule in FEE_RULES:
        if rule.matches(request):
            return rule
    raise FeeRequestInvalid(
        f"no state-duty rule covers a {request.filing_type.value} ({request.claim_kind.value}) "
        f"in {request.case_kind.value} proceedings by a {request.payer_kind.value.replace('_', ' ')}",
        code="fee_rule_not_found",
        details={
            "case_kind": request.case_kind.value, "filing_type": request.filing_type.value,
            "claim_kind": request.claim_kind.value, "payer_kind": request.payer_kind.value,
        },
    )


@dataclass(frozen=True)
class _Computed:
    amount: Money
    cap: Money | None
    cap_applied: bool
    formula: str
    verified: bool
    uses_amount: bool
    uses_counts: bool


def _first_instance(request: FeeRequest) -> FeeRule:
    for filing in (FilingType.STATEMENT_OF_CLAIM, FilingType.APPLICATION, FilingType.COMPLAINT):
        probe = FeeRequest(request.case_kind, filing, request.claim_kind, request.payer_kind)
        for rule in FEE_RULES:
            if rule.matches(probe) and not isinstance(rule.rate, ShareOfFirstInstance | NoDuty):
                return rule
    raise FeeRequestInvalid(
        f"no first-instance duty exists for a {request.claim_kind.value} claim to take a share of",
        code="fee_rule_not_found",
    )


def _share_base(rate: ShareOfRule, request: FeeRequest, rule: FeeRule) -> FeeRule:
    if request.claim_amount is not None and rate.with_amount:
        for rule_id in rate.with_amount:
            base = _RULES_BY_ID[rule_id]
            if request.payer_kind in base.payer_kinds:
                return base
    if rate.without_amount is not None and request.claim_amount is None:
        return _RULES_BY_ID[rate.without_amount]
    raise FeeRequestInvalid(f"{rule.title} is a percentage of the claim: the claim amount is required",
                            code="claim_amount_required", details={"field": "claim_amount", "rule": rule.id})


def _compute(rule: FeeRule, request: FeeRequest, mrp: MrpPeriod, on: date) -> _Computed:
    rate, mrp_text = rule.rate, mrp.amount.format()
    if isinstance(rate, NoDuty):
        return _Computed(Money.zero(), None, False, "0", rule.verified, False, False)
    if isinstance(rate, MrpMultiple):
        amount = mrp.amount.times(rate.mrp)
        return _Computed(amount, None, False, f"{rate.mrp} MRP × {mrp_text} = {amount.format()}", rule.verified,
                         False, False)
    if isinstance(rate, PerDocumentAndPage):
        if request.documents is None or request.pages is None:
            raise FeeRequestInvalid(f"{rule.title}: the number of documents and of pages are required",
                                    code="counts_required", details={"field": "documents", "rule": rule.id})
        per_document = mrp.amount.times(rate.per_document * request.documents)
        per_page = mrp.amount.times(rate.per_page * request.pages)
        amount = per_document + per_page
        formula = (f"{rate.per_document} MRP × {request.documents} + {rate.per_page} MRP × {request.pages} pages, "
                   f"MRP {mrp_text} = {amount.format()}")
        return _Computed(amount, None, False, formula, rule.verified, False, True)
    if isinstance(rate, PercentOfClaim):
        if request.claim_amount is None:
            raise FeeRequestInvalid(
                f"{rule.title} is a percentage of the claim: the claim amount is required",
                code="claim_amount_required",
                details={"field": "claim_amount", "rule": rule.id},
            )
        raw = request.claim_amount.percent(rate.percent)
        formula = f"{rate.percent} % × {request.claim_amount.format()} = {raw.format()}"
        if rate.cap_mrp is None or rate.cap_from is None or on < rate.cap_from:
            return _Computed(raw, None, False, formula, rule.verified, True, False)
        cap = mrp.amount.times(rate.cap_mrp)
        if raw > cap:
            formula += f"; cap {rate.cap_mrp} MRP × {mrp_text} = {cap.format()}"
            return _Computed(cap, cap, True, formula, rule.verified, True, False)
        return _Computed(raw, cap, False, formula, rule.verified, True, False)
    if isinstance(rate, ShareOfRule):
        base_rule = _share_base(rate, request, rule)
        base = _compute(base_rule, request, mrp, on)
        amount = base.amount.percent(rate.percent)
        verified = rule.verified and base.verified and (rate.cap_confirmed or not base.cap_applied)
        return _Computed(amount, base.cap, base.cap_applied, f"{rate.percent} % × [{base.formula}] = {amount.format()}",
                         verified, base.uses_amount, False)
    if isinstance(rate, SumOfRules):
        parts = [_compute(_RULES_BY_ID[rule_id], request, mrp, on) for rule_id in rate.rules]
        amount = sum((part.amount for part in parts), Money.zero())
        capped = [part for part in parts if part.cap is not None]
        formula = " + ".join(f"[{part.formula}]" for part in parts) + f" = {amount.format()}"
        return _Computed(amount, capped[0].cap if capped else None, any(p.cap_applied for p in parts), formula,
                         rule.verified and all(p.verified for p in parts), any(p.uses_amount for p in parts), False)
    base_rule = _first_instance(request)
    base = _compute(base_rule, request, mrp, on)
    amount = base.amount.percent(rate.percent)
    return _Computed(amount, base.cap, base.cap_applied, f"{rate.percent} % × [{base.formula}] = {amount.format()}",
                     rule.verified and base.verified, base.uses_amount, base.uses_counts)


def quote(request: FeeRequest, on: date) -> FeeQuote:
    """The state duty a filing owes if paid on ``on`` (the court's local date), with its legal basis.

    ``on`` is the payment date: the MRP in force that day is used (art. 664(2)), and a cap applies
    if it was in force that day.
    """
    rule = _find_rule(request)
    found = claimed_exemption(request)
    mrp = mrp_on(on)
    computed = _compute(rule, request, mrp, on)
    if request.claim_amount is not None and not computed.uses_amount:
        raise FeeRequestInvalid(
            f"{rule.title} is not computed from a claim amount; leave the amount out or choose a property claim",
            code="claim_amount_not_applicable",
            details={"field": "claim_amount", "rule": rule.id},
        )
    if (request.documents is not None or request.pages is not None) and not computed.uses_counts:
        raise FeeRequestInvalid(f"{rule.title} is not priced per document or page; leave the counts out",
                                code="counts_not_applicable", details={"field": "documents", "rule": rule.id})
    amount, formula = computed.amount, computed.formula
    basis = f"{formula} ({rule.article})"
    if isinstance(rule.rate, NoDuty):
        basis = f"no state duty: {rule.title} ({rule.article})"
    notes = tuple(note for note in (rule.note,) if note)
    if found is not None:
        basis = f"exempt: {found.title} ({found.article}); without it: {basis}"
        amount = Money.zero()
    verified = computed.verified and (found is None or found.verified)
    return FeeQuote(amount=amount, rule=rule, verified=verified, on=on, mrp=mrp, cap=computed.cap,
                    cap_applied=computed.cap_applied, exemption=found, basis=basis, formula=formula, notes=notes)
