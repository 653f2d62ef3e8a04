"""What a filing is, for the state duty: its type, what it claims, who pays — and the few sets and the
citation form that the rate table (:mod:`cabinet.fees`) and the exemptions (:mod:`cabinet.fee_exemptions`)
share, so both cite the Code the same way."""

from __future__ import annotations

import enum
import re
from typing import Any

from cabinet.case_numbers import CaseKind

CODE = "Tax Code of the RK No. 214-VIII"


LANGUAGES = ("kk", "ru", "en")
CODE_NAMES = ("ҚР № 214-VIII Салық кодексі", "Налоговый кодекс РК № 214-VIII", CODE)
CITATION_WORDS: dict[str, tuple[str, str, str]] = {
    "art.": ("бап", "ст.", "art."),
    ", one of ": (", бірі ", ", одна из ", ", one of "),
    "CPC": ("АІЖК", "ГПК", "CPC"),
}


def cite(ref: str) -> str:
    """``665(1)(1)`` → the full citation of that article, paragraph and sub-paragraph."""
    return f"{CODE}, art. {ref}"


def citation(article: str) -> dict[str, str]:
    """A citation as :func:`cite` writes it, as each language writes it: what a refusal or a decision
    shows a person as its legal basis (``{"kk": …, "ru": …, "en": …}``)."""
    texts = {}
    for index, language in enumerate(LANGUAGES):
        text = article.replace(CODE, CODE_NAMES[index])
        if language == "kk":  # "art. 135" is "135-бап" in Kazakh
            text = re.sub(r"art\. ([0-9]+)", r"\1-бап", text)
        for word, words in CITATION_WORDS.items():
            text = text.replace(word, words[index])
        texts[language] = text
    return texts


def kinds(*items: Any) -> frozenset[Any]:
    return frozenset(items)


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
    MIXED = "mixed"
    DIVORCE = "divorce"
    PROPERTY_DIVISION = "property_division"
    STATE_BODY_COMPLAINT = "state_body_complaint"
    TAX_AUDIT_NOTICE = "tax_audit_notice"
    SPECIAL_PROCEEDING = "special_proceeding"
    ARBITRAL_SET_ASIDE = "arbitral_set_aside"
    COURT_ORDER = "court_order"
    AWARD_ENFORCEMENT = "award_enforcement"
    DUPLICATE_WRIT = "duplicate_writ"
    COPY_REISSUE = "copy_reissue"
    BANKRUPTCY = "bankruptcy"
    PERSONAL_INSOLVENCY = "personal_insolvency"
    DEFAMATION = "defamation"
    CONSTITUTIONAL_APPEAL = "constitutional_appeal"
    BAILIFF_COMPLAINT = "bailiff_complaint"
    PROCEDURAL = "procedural"
    ADMINISTRATIVE_OFFENCE = "administrative_offence"


class PayerKind(enum.Enum):
    INDIVIDUAL = "individual"
    LEGAL_ENTITY = "legal_entity"


ANY_CASE = frozenset(CaseKind)
CIVIL = kinds(CaseKind.CIVIL)
NON_CRIMINAL = kinds(CaseKind.CIVIL, CaseKind.ADMINISTRATIVE)
ANY_PAYER = frozenset(PayerKind)
INDIVIDUAL = kinds(PayerKind.INDIVIDUAL)
LEGAL_ENTITY = kinds(PayerKind.LEGAL_ENTITY)
