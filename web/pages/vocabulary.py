"""The names of the platform's codes as people read them: statuses, kinds, categories, roles, formats.

The codes are the packages' enums (``cabinet.case_status``, ``cabinet.case_numbers``,
``cabinet.filing.categories``, ``sessions``); here each gets a message marked for the catalogs.
A test checks every enum value has its name, so a new status cannot reach a page untranslated.
"""

from __future__ import annotations

from web.i18n import N_

CASE_STATUS = {
    "submitted": N_("Submitted, awaiting registration"),
    "registered": N_("Registered"),
    "returned": N_("Returned to the filer"),
    "accepted": N_("Accepted for proceedings"),
    "left_without_motion": N_("Left without motion"),
    "scheduled": N_("Hearing scheduled"),
    "heard": N_("Heard"),
    "decided": N_("Decided"),
    "appealed": N_("Appealed"),
    "in_legal_force": N_("Decision in legal force"),
    "closed": N_("Closed"),
}

CASE_KIND = {
    "civil": N_("Civil"),
    "criminal": N_("Criminal"),
    "administrative": N_("Administrative"),
}

CATEGORY = {
    ("civil", "00"): N_("General civil matters"),
    ("civil", "01"): N_("Contract and property disputes"),
    ("civil", "02"): N_("Labour disputes"),
    ("civil", "03"): N_("Family matters (adoption, children, divorce with children)"),
    ("civil", "04"): N_("Housing disputes"),
    ("civil", "05"): N_("Special proceedings"),
    ("criminal", "00"): N_("General criminal matters"),
    ("criminal", "01"): N_("Offences by or against juveniles"),
    ("criminal", "02"): N_("Cases involving state secrets"),
    ("criminal", "03"): N_("Sexual offences"),
    ("administrative", "00"): N_("General administrative matters"),
    ("administrative", "01"): N_("Complaints against state bodies and officials"),
    ("administrative", "02"): N_("Administrative offences"),
    ("administrative", "03"): N_("Cases involving state secrets"),
}

HEARING_FORMAT = {
    "online": N_("Online"),
    "in_courtroom": N_("In the courtroom"),
    "mixed": N_("In the courtroom and online"),
}

HEARING_STATE = {
    "scheduled": N_("Scheduled"),
    "lobby_open": N_("Waiting room open"),
    "in_session": N_("In session"),
    "paused": N_("Recess"),
    "suspended": N_("Suspended"),
    "closed": N_("Finished"),
    "adjourned": N_("Adjourned"),
    "cancelled": N_("Cancelled"),
}

PARTY_ROLE = {
    "plaintiff": N_("Plaintiff"),
    "applicant": N_("Applicant"),
    "defendant": N_("Defendant"),
    "third_party": N_("Third party"),
    "representative": N_("Representative"),
}

TIMELINE = {
    # The case's state machine (cabinet.case_status.CaseAction) ...
    "register": N_("Registered by the court"),
    "return": N_("Returned to the filer"),
    "withdraw": N_("Withdrawn"),
    "accept": N_("Accepted for proceedings"),
    "leave_without_motion": N_("Left without motion"),
    "remedy": N_("Shortcomings remedied"),
    "motion_deadline_lapsed": N_("The time to remedy the shortcomings ran out"),
    "schedule": N_("Hearing scheduled"),
    "reschedule": N_("Hearing moved"),
    "hold_hearing": N_("Hearing held"),
    "adjourn": N_("Hearing adjourned"),
    "decide": N_("Decided"),
    "terminate": N_("Proceedings terminated"),
    "appeal": N_("Appealed"),
    "uphold_on_appeal": N_("Upheld on appeal"),
    "change_on_appeal": N_("Changed on appeal"),
    "remand": N_("Sent back for a new hearing"),
    "withdraw_appeal": N_("Appeal withdrawn"),
    "enter_into_force": N_("Decision in legal force"),
    "close": N_("Closed"),
    # ... and the facts other steps record beside it.
    "act_issued": N_("Judicial act issued"),
    "judge_assigned": N_("Judge assigned"),
    "filing_registered": N_("Document registered"),
    "hearing_scheduled": N_("Hearing scheduled"),
    "hearing_moved": N_("Hearing moved"),
    "hearing_cancelled": N_("Hearing cancelled"),
    "hearing_recording": N_("Sealed hearing recording attached"),
}

DOCUMENT_KIND = {
    "statement": N_("Statement"),
    "attachment": N_("Attachment"),
    "power_of_attorney": N_("Power of attorney"),
    "judicial_act": N_("Judicial act"),
    "exemption_proof": N_("Proof of exemption from the state duty"),
}

FILING_TYPE = {
    "statement_of_claim": N_("Statement of claim"),
    "counterclaim": N_("Counterclaim"),
    "application": N_("Application"),
    "complaint": N_("Complaint"),
    "motion": N_("Motion"),
    "response": N_("Response to the claim"),
    "appeal": N_("Appeal"),
    "cassation": N_("Cassation petition"),
    "record_remarks": N_("Remarks on the hearing record"),
}

HEARING_ROLE = {
    **PARTY_ROLE,
    "judge": N_("Judge"),
    "clerk": N_("Court clerk"),
    "prosecutor": N_("Prosecutor"),
    "witness": N_("Witness"),
    "expert": N_("Expert"),
    "interpreter": N_("Interpreter"),
    "observer": N_("Observer"),
}
