"""What a filing is, for the state duty: its type, what it claims, who pays. Shared by the fee tables."""

from __future__ import annotations

import enum


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
