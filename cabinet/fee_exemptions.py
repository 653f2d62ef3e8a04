"""The exemptions of art. 668 of the Tax Code No. 214-VIII as data: who qualifies, for which filings.

Each row cites its sub-paragraph; ``verified`` is true where our reference read the sub-paragraph
from the Code's text. The institutions art. 668 lists together ((10), (12), (18), (19), (21)–(30),
(32), (34)) are kept, but the reference does not say which number is which, so they are
unverified. Sub-paragraph (15) (free applications and complaints) is not an exemption a party
claims: those filings have no-duty rows in :mod:`cabinet.fees`. Consumer-rights and pension claims
are not in art. 668 and are not here. Exempt persons stay exempt when they appeal (art. 668, final
paragraph), so no row is limited by filing type. The texts in kk/ru/en are in :mod:`cabinet.fee_texts`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from cabinet.case_numbers import CaseKind
from cabinet.errors import FeeRequestInvalid
from cabinet.fee_kinds import (
    ANY_CASE,
    ANY_PAYER,
    CIVIL,
    INDIVIDUAL,
    LEGAL_ENTITY,
    NON_CRIMINAL,
    ClaimKind,
    PayerKind,
    citation,
    cite,
    kinds,
)


class FeeRequest(Protocol):
    """What an exemption's scope reads of :class:`cabinet.fees.FeeRequest` (a protocol: ``fees``
    imports this module)."""

    @property
    def case_kind(self) -> CaseKind: ...
    @property
    def claim_kind(self) -> ClaimKind: ...
    @property
    def payer_kind(self) -> PayerKind: ...
    @property
    def exemption(self) -> str | None: ...

logger = logging.getLogger(__name__)



_ALL_KINDS, _CIVIL, _NON_CRIMINAL = ANY_CASE, CIVIL, NON_CRIMINAL
_ANY_PAYER, _IND, _LE = ANY_PAYER, INDIVIDUAL, LEGAL_ENTITY


@dataclass(frozen=True)
class Exemption:
    """Who art. 668 frees from the duty, and for which filings; the texts in kk/ru/en are in
    :mod:`cabinet.fee_texts`. Claiming one needs a supporting document the clerk checks."""

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

    def covers(self, request: FeeRequest) -> bool:
        return (request.case_kind in self.case_kinds and request.claim_kind in self.claim_kinds
                and request.payer_kind in self.payer_kinds)


_MONEY_CLAIMS = kinds(ClaimKind.PROPERTY, ClaimKind.NON_PROPERTY, ClaimKind.MIXED)
_WITH_ORDER = _MONEY_CLAIMS | kinds(ClaimKind.COURT_ORDER)
_ANY_CLAIM = frozenset(ClaimKind)
_STATUS_CLAIMS = kinds(ClaimKind.NON_PROPERTY, ClaimKind.SPECIAL_PROCEEDING, ClaimKind.STATE_BODY_COMPLAINT)
_OTHERS = "(10), (12), (18), (19), (21)-(30), (32), (34)"


def _group(code: str, title: str, payers: frozenset[PayerKind] = _LE) -> Exemption:
    """One of the institutions art. 668 lists together; the reference does not pin its sub-paragraph."""
    return Exemption(code, title, cite(f"668, one of {_OTHERS}"), False, _NON_CRIMINAL, _ANY_CLAIM, payers)


EXEMPTIONS: tuple[Exemption, ...] = (
    Exemption("labour", "Claimants in claims for pay and other claims arising from labour relations",
              cite("668(1)"), True, _CIVIL, _WITH_ORDER, _IND),
    Exemption("copyright", "Authors, performers and collective-management organisations, in claims under "
              "copyright and related rights", cite("668(2)"), True, _CIVIL, _MONEY_CLAIMS, _ANY_PAYER),
    Exemption("industrial_property", "Authors of inventions, utility models and industrial designs, in claims "
              "under those rights", cite("668(3)"), True, _CIVIL, _MONEY_CLAIMS, _IND),
    Exemption("alimony", "Claimants in claims for alimony", cite("668(4)"), True, _CIVIL, _WITH_ORDER, _IND),
    Exemption("harm_to_health", "Claimants for harm from injury or other damage to health, or the death of a "
              "breadwinner", cite("668(5)"), True, _CIVIL, _MONEY_CLAIMS, _IND),
    Exemption("crime_damage", "Claimants for material damage caused by a criminal offence", cite("668(6)"), True,
              _CIVIL, _MONEY_CLAIMS, _ANY_PAYER),
    Exemption("criminal_alimony_documents", "Issue of documents in criminal and alimony cases", cite("668(7)"), True,
              _ALL_KINDS, kinds(ClaimKind.COPY_REISSUE), _ANY_PAYER),
    Exemption("environmental_damage", "Claimants for environmental damage caused to the state", cite("668(8)"),
              True, _NON_CRIMINAL, _MONEY_CLAIMS, _ANY_PAYER),
    Exemption("electoral_rights", "Applicants for the protection of electoral rights", cite("668(9)"), True,
              _NON_CRIMINAL, _STATUS_CLAIMS, _ANY_PAYER),
    Exemption("public_interest", "Anyone applying to court for the rights of others or of the state",
              cite("668(11)"), True, _NON_CRIMINAL, _ANY_CLAIM, _ANY_PAYER),
    Exemption("veterans", "Veterans of the Great Patriotic War and persons equated to them, veterans of combat "
              "abroad, home-front workers — in all cases", cite("668(13)"), True, _NON_CRIMINAL, _ANY_CLAIM, _IND),
    Exemption("disability", "Persons with disabilities, and one parent of a person disabled since childhood or "
              "of a child with a disability — in all cases", cite("668(13)"), True, _NON_CRIMINAL, _ANY_CLAIM, _IND),
    Exemption("kandas", "Kandas, in applications on citizenship", cite("668(14)"), True, _NON_CRIMINAL,
              _STATUS_CLAIMS, _IND),
    Exemption("prosecutor", "Prosecution bodies, in all claims", cite("668(16)"), True, _NON_CRIMINAL, _ANY_CLAIM,
              _LE),
    Exemption("state_institution", "State institutions and state secondary schools (not for third parties)",
              cite("668(17)"), True, _NON_CRIMINAL, _ANY_CLAIM, _LE),
    Exemption("rehabilitation", "Both parties in claims for harm from unlawful conviction, custody or "
              "administrative arrest", cite("668(20)"), True, _CIVIL, _MONEY_CLAIMS, _ANY_PAYER),
    Exemption("environmental_protection", "Claimants in environmental-protection claims", cite("668(31)"), True,
              _NON_CRIMINAL, _ANY_CLAIM, _ANY_PAYER),
    Exemption("unfair_supplier", "Claimants for listing unfair participants of public procurement",
              cite("668(33)"), True, _NON_CRIMINAL, _ANY_CLAIM, _LE),
    _group("vocational_school", "Technical and vocational education organisations"),
    _group("budget_loan_agent", "Agents for budget loans"),
    _group("disabled_persons_association", "Public associations of persons with disabilities"),
    _group("compulsory_insurance", "Claimants under compulsory insurance", _ANY_PAYER),
    _group("national_bank", "The National Bank of Kazakhstan"),
    _group("ombudsman", "The Human Rights Commissioner", _ANY_PAYER),
    _group("liquidator", "Liquidation commissions and liquidators"),
    _group("bankruptcy_manager", "Bankruptcy and rehabilitation managers", _ANY_PAYER),
    _group("state_bank", "State-owned development banks"),
    _group("bondholder_representative", "Representatives of bondholders"),
    _group("pension_fund", "The unified accumulative pension fund"),
    _group("police", "Internal affairs (police) bodies"),
    _group("bad_loan_company", "The organisation for improving the loan portfolio of second-tier banks"),
    _group("deposit_fund", "The Kazakhstan Deposit Insurance Fund"),
)

_EXEMPTIONS_BY_CODE: dict[str, Exemption] = {exemption.code: exemption for exemption in EXEMPTIONS}


def exemption(code: str) -> Exemption:
    try:
        return _EXEMPTIONS_BY_CODE[code]
    except KeyError:
        raise FeeRequestInvalid(
            f"{code[:40]!r} is not an exemption of art. 668 (one of {sorted(_EXEMPTIONS_BY_CODE)})",
            code="unknown_exemption", details={"field": "exemption"}) from None


def claimed_exemption(request: FeeRequest) -> Exemption | None:
    """The exemption a fee request claims, provided its scope covers the request; otherwise refused
    with ``exemption_not_applicable``, its article cited in kk/ru/en (``details.citation``)."""
    if request.exemption is None:
        return None
    found = exemption(request.exemption)
    if not found.covers(request):
        raise FeeRequestInvalid(
            f"the exemption {found.code!r} ({found.article}) does not cover a "
            f"{request.claim_kind.value} filing in {request.case_kind.value} proceedings "
            f"by a {request.payer_kind.value.replace('_', ' ')}",
            code="exemption_not_applicable",
            details={"field": "exemption", "exemption": found.code, "article": found.article,
                     "citation": citation(found.article)},
        )
    return found


def exemptions_for(request: FeeRequest) -> tuple[Exemption, ...]:
    """The exemptions whose scope covers the request's case, claim and payer: what its filer may claim."""
    return tuple(item for item in EXEMPTIONS if item.covers(request))
