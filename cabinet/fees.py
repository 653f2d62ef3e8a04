"""The state duty (court fee) on a filing: a rate table, an exemption table and the MRP by date.

The law is data here, not code. Each :class:`FeeRule` row names the Tax Code provision it
implements and says whether we ``verified`` its figure against the text of the Code. At the time of
writing only the rows for property claims (art. 610(1)(1), 1 % / 3 %) and individuals' complaints
against state bodies (art. 610(1)(2), 0.3 MRP) were checked against a quotation of the Code; the
2026 caps (10,000 / 20,000 MRP) and the 2025–2026 MRP come from our reference notes on the 2026
Tax Code. Every other figure and every sub-paragraph number below it is our best knowledge of the
Code and is marked ``verified=False``: the quote carries that flag so the cabinet can show "check
this amount" instead of presenting it as certain. The numbering follows the Tax Code of 25 Dec 2017
No. 120-VI; the 2026 Code keeps the rates, and its own numbering is not yet reflected here.

How an amount is found: exactly one row matches the request's case kind, filing type, claim kind
and payer kind (a test walks every combination to keep rows from overlapping). Percent rows need
the claim amount and round half-up to a tiyn (see :mod:`cabinet.money`); appeal and cassation rows
are a share of the first-instance duty the same claim attracts (after its cap); MRP rows use the
MRP in force on the filing date. A claimed exemption is checked against its own row and zeroes the
duty, keeping the reference. Anything the tables do not cover is refused with a typed error:
guessing a fee means either an unlawful charge or a claim returned for non-payment.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from cabinet.case_numbers import CaseKind
from cabinet.errors import FeeRequestInvalid, InvalidMoney
from cabinet.money import Money

logger = logging.getLogger(__name__)


class FilingType(enum.Enum):
    STATEMENT_OF_CLAIM = "statement_of_claim"
    COUNTERCLAIM = "counterclaim"
    APPLICATION = "application"
    COMPLAINT = "complaint"
    MOTION = "motion"
    RESPONSE = "response"
    APPEAL = "appeal"
    CASSATION = "cassation"
    RECORD_REMARKS = "record_remarks"


class ClaimKind(enum.Enum):
    """What the filing asks for; for appeals and cassation, what the case below was about."""

    PROPERTY = "property"
    NON_PROPERTY = "non_property"
    DIVORCE = "divorce"
    STATE_BODY_COMPLAINT = "state_body_complaint"
    SPECIAL_PROCEEDING = "special_proceeding"
    COURT_ORDER = "court_order"
    AWARD_ENFORCEMENT = "award_enforcement"
    DUPLICATE_WRIT = "duplicate_writ"
    COPY_REISSUE = "copy_reissue"
    PROCEDURAL = "procedural"
    ADMINISTRATIVE_OFFENCE = "administrative_offence"


class PayerKind(enum.Enum):
    INDIVIDUAL = "individual"
    LEGAL_ENTITY = "legal_entity"


@dataclass(frozen=True)
class PercentOfClaim:
    """``percent`` of the claim amount, capped at ``cap_mrp`` MRP for filings on or after ``cap_from``."""

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
class ShareOfFirstInstance:
    """``percent`` of the duty the first-instance filing of the same claim would owe today."""

    percent: Decimal

    def __post_init__(self) -> None:
        if not Decimal(0) < self.percent <= Decimal(100):
            raise ValueError(f"percent must be in (0, 100], got {self.percent}")


@dataclass(frozen=True)
class NoDuty:
    """The filing carries no state duty at all (not merely an exemption a party must claim)."""


Rate = PercentOfClaim | MrpMultiple | ShareOfFirstInstance | NoDuty


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

    @property
    def needs_claim_amount(self) -> bool:
        return isinstance(self.rate, PercentOfClaim)


@dataclass(frozen=True)
class Exemption:
    code: str
    title: str
    article: str
    verified: bool
    case_kinds: frozenset[CaseKind]
    claim_kinds: frozenset[ClaimKind]
    payer_kinds: frozenset[PayerKind]

    def __post_init__(self) -> None:
        if not self.code or not self.title or not self.article:
            raise ValueError("an exemption needs a code, a title and an article reference")


@dataclass(frozen=True)
class MrpPeriod:
    """The monthly calculation index in force from ``starts`` to ``ends`` inclusive (set by the budget law)."""

    starts: date
    ends: date
    amount: Money
    verified: bool

    def __post_init__(self) -> None:
        if self.ends < self.starts or not self.amount.is_positive():
            raise ValueError(f"bad MRP period {self.starts}..{self.ends}")


def _d(text: str) -> Decimal:
    return Decimal(text)


def _fs(*items: Any) -> frozenset[Any]:
    return frozenset(items)


_ALL_KINDS = frozenset(CaseKind)
_NON_CRIMINAL = _fs(CaseKind.CIVIL, CaseKind.ADMINISTRATIVE)
_ANY_PAYER = frozenset(PayerKind)
_IND = _fs(PayerKind.INDIVIDUAL)
_LE = _fs(PayerKind.LEGAL_ENTITY)
_CLAIMS = _fs(FilingType.STATEMENT_OF_CLAIM, FilingType.COUNTERCLAIM)
_CAP_FROM = date(2026, 1, 1)
_ART = "Tax Code of the RK, art. 610(1)"
_SUB = "sub-paragraph number unverified"

FEE_RULES: tuple[FeeRule, ...] = (
    FeeRule("property_claim_individual", "Property claim of an individual: 1 % of the claim",
            f"{_ART}(1)", True, _fs(CaseKind.CIVIL), _CLAIMS, _fs(ClaimKind.PROPERTY), _IND,
            PercentOfClaim(_d("1"), cap_mrp=_d("10000"), cap_from=_CAP_FROM)),
    FeeRule("property_claim_legal_entity", "Property claim of a legal entity: 3 % of the claim",
            f"{_ART}(1)", True, _fs(CaseKind.CIVIL), _CLAIMS, _fs(ClaimKind.PROPERTY), _LE,
            PercentOfClaim(_d("3"), cap_mrp=_d("20000"), cap_from=_CAP_FROM)),
    FeeRule("state_body_complaint_individual",
            "Complaint of an individual against unlawful acts of state bodies and officials",
            f"{_ART}(2)", True, _NON_CRIMINAL, _fs(FilingType.COMPLAINT, FilingType.STATEMENT_OF_CLAIM),
            _fs(ClaimKind.STATE_BODY_COMPLAINT), _IND, MrpMultiple(_d("0.3"))),
    FeeRule("state_body_complaint_legal_entity",
            "Complaint of a legal entity against unlawful acts of state bodies and officials",
            f"{_ART}(3)", False, _NON_CRIMINAL, _fs(FilingType.COMPLAINT, FilingType.STATEMENT_OF_CLAIM),
            _fs(ClaimKind.STATE_BODY_COMPLAINT), _LE, MrpMultiple(_d("5"))),
    FeeRule("non_property_claim_individual", "Non-property claim of an individual",
            f"{_ART}(4) ({_SUB})", False, _fs(CaseKind.CIVIL), _CLAIMS, _fs(ClaimKind.NON_PROPERTY), _IND,
            MrpMultiple(_d("0.5"))),
    FeeRule("non_property_claim_legal_entity", "Non-property claim of a legal entity",
            f"{_ART}(4) ({_SUB})", False, _fs(CaseKind.CIVIL), _CLAIMS, _fs(ClaimKind.NON_PROPERTY), _LE,
            MrpMultiple(_d("5"))),
    FeeRule("divorce_claim", "Claim for dissolution of marriage",
            f"{_ART}(5) ({_SUB})", False, _fs(CaseKind.CIVIL), _CLAIMS, _fs(ClaimKind.DIVORCE), _IND,
            MrpMultiple(_d("0.3"))),
    FeeRule("special_proceeding_application", "Application in special proceedings",
            f"{_ART}(6) ({_SUB})", False, _fs(CaseKind.CIVIL), _fs(FilingType.APPLICATION),
            _fs(ClaimKind.SPECIAL_PROCEEDING), _ANY_PAYER, MrpMultiple(_d("0.5"))),
    FeeRule("court_order_individual", "Application for a court order: 50 % of the property-claim rate",
            f"{_ART}(9) ({_SUB})", False, _fs(CaseKind.CIVIL), _fs(FilingType.APPLICATION),
            _fs(ClaimKind.COURT_ORDER), _IND, PercentOfClaim(_d("0.5"))),
    FeeRule("court_order_legal_entity", "Application for a court order: 50 % of the property-claim rate",
            f"{_ART}(9) ({_SUB})", False, _fs(CaseKind.CIVIL), _fs(FilingType.APPLICATION),
            _fs(ClaimKind.COURT_ORDER), _LE, PercentOfClaim(_d("1.5"))),
    FeeRule("appeal", "Appeal: 50 % of the first-instance duty on the amount or claim appealed",
            f"{_ART}(7) ({_SUB})", False, _NON_CRIMINAL, _fs(FilingType.APPEAL),
            _fs(ClaimKind.PROPERTY, ClaimKind.NON_PROPERTY, ClaimKind.DIVORCE,
                ClaimKind.STATE_BODY_COMPLAINT, ClaimKind.SPECIAL_PROCEEDING),
            _ANY_PAYER, ShareOfFirstInstance(_d("50"))),
    FeeRule("cassation", "Cassation petition: 50 % of the first-instance duty on the amount or claim",
            f"{_ART}(8) ({_SUB})", False, _NON_CRIMINAL, _fs(FilingType.CASSATION),
            _fs(ClaimKind.PROPERTY, ClaimKind.NON_PROPERTY, ClaimKind.DIVORCE,
                ClaimKind.STATE_BODY_COMPLAINT, ClaimKind.SPECIAL_PROCEEDING),
            _ANY_PAYER, ShareOfFirstInstance(_d("50"))),
    FeeRule("duplicate_writ", "Application for a duplicate writ of execution",
            f"{_ART}(10) ({_SUB})", False, _NON_CRIMINAL, _fs(FilingType.APPLICATION),
            _fs(ClaimKind.DUPLICATE_WRIT), _ANY_PAYER, MrpMultiple(_d("1"))),
    FeeRule("award_enforcement_individual",
            "Application of an individual for a writ enforcing an arbitral or foreign court decision",
            f"{_ART}(11) ({_SUB})", False, _fs(CaseKind.CIVIL), _fs(FilingType.APPLICATION),
            _fs(ClaimKind.AWARD_ENFORCEMENT), _IND, MrpMultiple(_d("1"))),
    FeeRule("award_enforcement_legal_entity",
            "Application of a legal entity for a writ enforcing an arbitral or foreign court decision",
            f"{_ART}(11) ({_SUB})", False, _fs(CaseKind.CIVIL), _fs(FilingType.APPLICATION),
            _fs(ClaimKind.AWARD_ENFORCEMENT), _LE, MrpMultiple(_d("5"))),
    FeeRule("copy_reissue", "Repeated issue of a copy of a judicial act or a case document, per request",
            f"{_ART}(12) ({_SUB})", False, _ALL_KINDS, _fs(FilingType.APPLICATION),
            _fs(ClaimKind.COPY_REISSUE), _ANY_PAYER, MrpMultiple(_d("0.3"))),
    FeeRule("procedural_filing", "Motion, response to a claim or remarks on a hearing record",
            f"{_ART} (not among the dutiable filings)", False, _ALL_KINDS,
            _fs(FilingType.MOTION, FilingType.RESPONSE, FilingType.RECORD_REMARKS),
            frozenset(ClaimKind), _ANY_PAYER, NoDuty()),
    FeeRule("private_complaint", "Private complaint against a court ruling",
            f"{_ART} (not among the dutiable filings)", False, _NON_CRIMINAL, _fs(FilingType.COMPLAINT),
            _fs(ClaimKind.PROCEDURAL), _ANY_PAYER, NoDuty()),
    FeeRule("criminal_proceedings", "Filings in criminal proceedings, including a civil claim in them",
            f"{_ART} (criminal filings are not dutiable)", False, _fs(CaseKind.CRIMINAL),
            frozenset(FilingType) - _fs(FilingType.MOTION, FilingType.RESPONSE, FilingType.RECORD_REMARKS),
            _fs(ClaimKind.PROCEDURAL, ClaimKind.PROPERTY, ClaimKind.NON_PROPERTY), _ANY_PAYER, NoDuty()),
    FeeRule("administrative_offence", "Complaints and petitions in administrative-offence cases",
            "Code of Administrative Offences of the RK (no state duty); Tax Code art. 610 lists none", False,
            _fs(CaseKind.ADMINISTRATIVE),
            frozenset(FilingType) - _fs(FilingType.MOTION, FilingType.RESPONSE, FilingType.RECORD_REMARKS),
            _fs(ClaimKind.ADMINISTRATIVE_OFFENCE), _ANY_PAYER, NoDuty()),
)

_RULES_BY_ID: dict[str, FeeRule] = {rule.id: rule for rule in FEE_RULES}


def fee_rule(rule_id: str) -> FeeRule:
    """The row a stored quote names, so a receipt can show the rule it was computed under."""
    try:
        return _RULES_BY_ID[rule_id]
    except KeyError:
        raise FeeRequestInvalid(f"no fee rule {rule_id[:40]!r}", code="fee_rule_not_found") from None

_ART616 = "Tax Code of the RK, art. 616(1)"
_MONEY_CLAIMS = _fs(ClaimKind.PROPERTY, ClaimKind.NON_PROPERTY)
_WITH_ORDER = _fs(ClaimKind.PROPERTY, ClaimKind.NON_PROPERTY, ClaimKind.COURT_ORDER)
_ANY_CLAIM = frozenset(ClaimKind)

EXEMPTIONS: tuple[Exemption, ...] = (
    Exemption("labour", "Claimants in claims for pay and other claims arising from labour relations",
              f"{_ART616}(1)", False, _fs(CaseKind.CIVIL), _WITH_ORDER, _IND),
    Exemption("copyright", "Authors, performers and their collective-management organisations, "
              "in claims under copyright and related rights", f"{_ART616}(2)", False,
              _fs(CaseKind.CIVIL), _MONEY_CLAIMS, _ANY_PAYER),
    Exemption("industrial_property", "Authors of inventions, utility models and industrial designs, "
              "in claims under those rights", f"{_ART616}(3)", False, _fs(CaseKind.CIVIL), _MONEY_CLAIMS, _IND),
    Exemption("alimony", "Claimants in claims for alimony", f"{_ART616}(4)", False,
              _fs(CaseKind.CIVIL), _WITH_ORDER, _IND),
    Exemption("harm_to_health", "Claimants for harm caused by injury or other damage to health, "
              "or by the death of a breadwinner", f"{_ART616}(5)", False, _fs(CaseKind.CIVIL), _MONEY_CLAIMS, _IND),
    Exemption("crime_damage", "Claimants for material damage caused by a criminal offence",
              f"{_ART616}(6)", False, _fs(CaseKind.CIVIL), _MONEY_CLAIMS, _ANY_PAYER),
    Exemption("rehabilitation", "Claimants for harm caused by unlawful acts of criminal-prosecution "
              "bodies or courts (rehabilitation)", f"{_ART616} (sub-paragraph unknown)", False,
              _fs(CaseKind.CIVIL), _MONEY_CLAIMS, _IND),
    Exemption("consumer_rights", "Claimants in claims arising from violation of consumer rights",
              f"{_ART616} (sub-paragraph unknown)", False, _fs(CaseKind.CIVIL), _MONEY_CLAIMS, _IND),
    Exemption("pensions_benefits", "Claimants for pensions and state social benefits",
              f"{_ART616} (sub-paragraph unknown)", False, _NON_CRIMINAL,
              _fs(ClaimKind.PROPERTY, ClaimKind.NON_PROPERTY, ClaimKind.STATE_BODY_COMPLAINT), _IND),
    Exemption("disability_group_1_2", "Persons with disabilities of groups I and II",
              f"{_ART616} (sub-paragraph unknown)", False, _NON_CRIMINAL, _ANY_CLAIM, _IND),
    Exemption("war_veterans", "Participants of the Great Patriotic War and persons equated to them",
              f"{_ART616} (sub-paragraph unknown)", False, _NON_CRIMINAL, _ANY_CLAIM, _IND),
    Exemption("prosecutor", "The prosecutor, in claims brought in the interests of others or the state",
              f"{_ART616} (sub-paragraph unknown)", False, _NON_CRIMINAL, _ANY_CLAIM, _LE),
    Exemption("state_body_public_interest", "State bodies applying to court in the interests of "
              "individuals or the state within their competence", f"{_ART616} (sub-paragraph unknown)",
              False, _NON_CRIMINAL, _ANY_CLAIM, _LE),
)

_EXEMPTIONS_BY_CODE: dict[str, Exemption] = {exemption.code: exemption for exemption in EXEMPTIONS}


def _year(year: int, tenge: int, verified: bool) -> MrpPeriod:
    return MrpPeriod(date(year, 1, 1), date(year, 12, 31), Money.tenge(tenge), verified)


MRP_TABLE: tuple[MrpPeriod, ...] = (
    _year(2018, 2_405, False),
    _year(2019, 2_525, False),
    MrpPeriod(date(2020, 1, 1), date(2020, 3, 31), Money.tenge(2_651), False),
    MrpPeriod(date(2020, 4, 1), date(2020, 12, 31), Money.tenge(2_778), False),
    _year(2021, 2_917, False),
    MrpPeriod(date(2022, 1, 1), date(2022, 3, 31), Money.tenge(3_063), False),
    MrpPeriod(date(2022, 4, 1), date(2022, 12, 31), Money.tenge(3_180), False),
    _year(2023, 3_450, True),
    _year(2024, 3_692, False),
    _year(2025, 3_932, True),
    _year(2026, 4_325, True),
)


def mrp_on(on: date) -> MrpPeriod:
    """The MRP in force on a date; outside the table it is unknown, never extrapolated."""
    for period in MRP_TABLE:
        if period.starts <= on <= period.ends:
            return period
    raise FeeRequestInvalid(
        f"the MRP for {on.isoformat()} is not in the rate table "
        f"(known {MRP_TABLE[0].starts.isoformat()} to {MRP_TABLE[-1].ends.isoformat()})",
        code="mrp_unknown",
        details={"date": on.isoformat()},
    )


@dataclass(frozen=True)
class FeeRequest:
    case_kind: CaseKind
    filing_type: FilingType
    claim_kind: ClaimKind
    payer_kind: PayerKind
    claim_amount: Money | None = None
    exemption: str | None = None

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
        return cls(claim_amount=amount, exemption=exemption, **enums)


@dataclass(frozen=True)
class FeeQuote:
    amount: Money
    rule_id: str
    article: str
    rule_verified: bool
    on: date
    mrp: Money
    mrp_year: int
    cap: Money | None
    cap_applied: bool
    exemption: Exemption | None
    basis: str

    def __post_init__(self) -> None:
        if self.amount.tiyn < 0:
            raise ValueError("a fee is never negative")
        if self.cap_applied and self.cap is None:
            raise ValueError("a cap was applied but none is recorded")
        if self.exemption is not None and self.amount:
            raise ValueError("an exempt filing owes nothing")

    def to_json(self) -> dict[str, Any]:
        return {
            "amount": self.amount.to_json(),
            "amount_text": self.amount.format(),
            "rule": {"id": self.rule_id, "article": self.article, "verified": self.rule_verified},
            "date": self.on.isoformat(),
            "mrp": {"amount": self.mrp.to_json(), "year": self.mrp_year},
            "cap": None if self.cap is None else self.cap.to_json(),
            "cap_applied": self.cap_applied,
            "exemption": None if self.exemption is None else {
                "code": self.exemption.code, "article": self.exemption.article,
                "verified": self.exemption.verified,
            },
            "basis": self.basis,
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
    basis: str


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


def _compute(rule: FeeRule, request: FeeRequest, mrp: MrpPeriod, on: date) -> _Computed:
    rate = rule.rate
    if isinstance(rate, NoDuty):
        return _Computed(Money.zero(), None, False, f"no state duty: {rule.title} ({rule.article})")
    if isinstance(rate, MrpMultiple):
        amount = mrp.amount.times(rate.mrp)
        basis = f"{rate.mrp} MRP × {mrp.amount.format()} = {amount.format()} ({rule.article})"
        return _Computed(amount, None, False, basis)
    if isinstance(rate, PercentOfClaim):
        if request.claim_amount is None:
            raise FeeRequestInvalid(
                f"{rule.title} is a percentage of the claim: the claim amount is required",
                code="claim_amount_required",
                details={"field": "claim_amount", "rule": rule.id},
            )
        raw = request.claim_amount.percent(rate.percent)
        basis = f"{rate.percent} % of {request.claim_amount.format()} = {raw.format()} ({rule.article})"
        if rate.cap_mrp is None or rate.cap_from is None or on < rate.cap_from:
            return _Computed(raw, None, False, basis)
        cap = mrp.amount.times(rate.cap_mrp)
        if raw > cap:
            capped = f"; capped at {rate.cap_mrp} MRP × {mrp.amount.format()} = {cap.format()}"
            return _Computed(cap, cap, True, basis + capped)
        return _Computed(raw, cap, False, basis)
    base_rule = _first_instance(request)
    base = _compute(base_rule, request, mrp, on)
    amount = base.amount.percent(rate.percent)
    basis = f"{rate.percent} % of the first-instance duty [{base.basis}] = {amount.format()} ({rule.article})"
    return _Computed(amount, base.cap, base.cap_applied, basis)


def _exemption_for(request: FeeRequest) -> Exemption | None:
    if request.exemption is None:
        return None
    exemption = _EXEMPTIONS_BY_CODE.get(request.exemption)
    if exemption is None:
        raise FeeRequestInvalid(
            f"{request.exemption[:40]!r} is not a known exemption (one of {sorted(_EXEMPTIONS_BY_CODE)})",
            code="unknown_exemption",
            details={"field": "exemption"},
        )
    if (
        request.case_kind not in exemption.case_kinds
        or request.claim_kind not in exemption.claim_kinds
        or request.payer_kind not in exemption.payer_kinds
    ):
        raise FeeRequestInvalid(
            f"the exemption {exemption.code!r} ({exemption.article}) does not cover a "
            f"{request.claim_kind.value} filing in {request.case_kind.value} proceedings "
            f"by a {request.payer_kind.value.replace('_', ' ')}",
            code="exemption_not_applicable",
            details={"field": "exemption", "exemption": exemption.code},
        )
    return exemption


def quote(request: FeeRequest, on: date) -> FeeQuote:
    """The state duty a filing owes if filed on ``on`` (the court's local date), with its legal basis."""
    rule = _find_rule(request)
    exemption = _exemption_for(request)
    if request.claim_amount is not None and not (
        rule.needs_claim_amount
        or (isinstance(rule.rate, ShareOfFirstInstance) and _first_instance(request).needs_claim_amount)
    ):
        raise FeeRequestInvalid(
            f"{rule.title} is not computed from a claim amount; leave the amount out or choose a property claim",
            code="claim_amount_not_applicable",
            details={"field": "claim_amount", "rule": rule.id},
        )
    mrp = mrp_on(on)
    computed = _compute(rule, request, mrp, on)
    amount, basis = computed.amount, computed.basis
    if exemption is not None:
        basis = f"exempt: {exemption.title} ({exemption.article}); without it: {basis}"
        amount = Money.zero()
    return FeeQuote(
        amount=amount,
        rule_id=rule.id,
        article=rule.article,
        rule_verified=rule.verified,
        on=on,
        mrp=mrp.amount,
        mrp_year=mrp.starts.year,
        cap=computed.cap,
        cap_applied=computed.cap_applied,
        exemption=exemption,
        basis=basis,
    )
