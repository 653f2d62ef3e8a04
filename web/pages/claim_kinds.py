"""What a claim can be about, as the filing wizard offers it: every kind the fee table knows, grouped.

Each :class:`cabinet.fees.ClaimKind` has a label people read (marked here, translated in the
catalogs) and sits in one group. The claim page offers the kinds that some row of the fee table
prices for the draft's kind of case and type of filing (``offered``), so nobody picks a kind the
court would refuse to quote; the duty of the one picked is the fee quote API's answer.
"""

from __future__ import annotations

import logging

from cabinet.case_numbers import CaseKind
from cabinet.fees import FEE_RULES, ClaimKind, FilingType
from web.i18n import N_

log = logging.getLogger(__name__)

K = ClaimKind
CLAIM_KIND: dict[str, str] = {
    K.PROPERTY.value: N_("Money or property (the duty is a share of the amount)"),
    K.NON_PROPERTY.value: N_("Something other than money or property"),
    K.MIXED.value: N_("Both money or property and something else"),
    K.DEFAMATION.value: N_("Protection of honour and reputation"),
    K.DIVORCE.value: N_("Divorce"),
    K.PROPERTY_DIVISION.value: N_("Division of property"),
    K.COURT_ORDER.value: N_("A court order (undisputed debt)"),
    K.STATE_BODY_COMPLAINT.value: N_("A complaint against a state body or official"),
    K.TAX_AUDIT_NOTICE.value: N_("Challenging the notice of a tax or customs audit"),
    K.BAILIFF_COMPLAINT.value: N_("A complaint against a bailiff"),
    K.ADMINISTRATIVE_OFFENCE.value: N_("A complaint in an administrative-offence case"),
    K.CONSTITUTIONAL_APPEAL.value: N_("An appeal to the Constitutional Court"),
    K.SPECIAL_PROCEEDING.value: N_("Special proceedings (establishing a fact)"),
    K.ARBITRAL_SET_ASIDE.value: N_("Setting aside an arbitral award"),
    K.AWARD_ENFORCEMENT.value: N_("Enforcing an arbitral award or a foreign court's decision"),
    K.BANKRUPTCY.value: N_("Bankruptcy or rehabilitation of an organisation"),
    K.PERSONAL_INSOLVENCY.value: N_("Restoring a person's solvency, or their bankruptcy"),
    K.DUPLICATE_WRIT.value: N_("A duplicate of a writ of execution"),
    K.COPY_REISSUE.value: N_("Copies of judicial acts or case papers issued again"),
    K.PROCEDURAL.value: N_("A complaint against a ruling of the court, or another procedural filing"),
}
"""Every kind the API takes, with the label the wizard shows."""

GROUPS: tuple[tuple[str, tuple[ClaimKind, ...]], ...] = (
    (N_("Money, property and family"),
     (K.PROPERTY, K.NON_PROPERTY, K.MIXED, K.DEFAMATION, K.DIVORCE, K.PROPERTY_DIVISION, K.COURT_ORDER)),
    (N_("Against the state, its bodies and officials"),
     (K.STATE_BODY_COMPLAINT, K.TAX_AUDIT_NOTICE, K.BAILIFF_COMPLAINT, K.ADMINISTRATIVE_OFFENCE,
      K.CONSTITUTIONAL_APPEAL)),
    (N_("Special proceedings, arbitration and insolvency"),
     (K.SPECIAL_PROCEEDING, K.ARBITRAL_SET_ASIDE, K.AWARD_ENFORCEMENT, K.BANKRUPTCY, K.PERSONAL_INSOLVENCY)),
    (N_("Writs, copies and rulings of the court"), (K.DUPLICATE_WRIT, K.COPY_REISSUE, K.PROCEDURAL)),
)
assert sorted(k.value for _, group in GROUPS for k in group) == sorted(k.value for k in ClaimKind)
assert set(CLAIM_KIND) == {k.value for k in ClaimKind}

COUNTED = frozenset({K.COPY_REISSUE.value})
"""Kinds whose duty is per document and page: the claim page asks for both counts."""


def priced(case_kind: str | None, filing_type: str | None) -> frozenset[str]:
    """The kinds some fee row prices for this kind of case and type of filing (any payer)."""
    if case_kind is None or filing_type is None:
        return frozenset(CLAIM_KIND)
    case, filing = CaseKind(case_kind), FilingType(filing_type)
    return frozenset(kind.value for rule in FEE_RULES if case in rule.case_kinds and filing in rule.filing_types
                     for kind in rule.claim_kinds)


def offered(case_kind: str | None, filing_type: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The claim page's groups, each with the kinds it offers for this draft (empty groups left out)."""
    found = priced(case_kind, filing_type)
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for title, kinds in GROUPS:
        listed = [(str(k.value), CLAIM_KIND[k.value]) for k in kinds if k.value in found]
        if listed:
            groups.append((title, listed))
    return groups
