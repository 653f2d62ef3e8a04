"""The wizard's questions about standing and the duty: who files (in person, or as a lawyer for a
party), and whether the duty is paid, claimed as exempt, or asked to be deferred or paid in
instalments — each form read into what the draft and deferral services take.

Pure, like :mod:`web.pages.wizard`: the rules (who may represent, which exemption covers what,
what art. 135 allows) are the cabinet's; this only turns a posted form into their arguments and
says which field a person left empty. The article each refusal cites comes from the refusal's own
``details.citation`` in the reader's language.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from cabinet.case_numbers import CaseKind
from cabinet.fee_exemptions import Exemption, exemption
from cabinet.fee_instalments import MAX_INSTALMENTS, MIN_INSTALMENTS, instalment_plan
from cabinet.fee_kinds import LANGUAGES, citation
from cabinet.fee_texts import EXEMPTION_TEXTS
from cabinet.fees import ClaimKind, FeeRequest, FilingType, PayerKind
from cabinet.money import Money
from web.i18n import N_
from web.pages.wizard import Draft

log = logging.getLogger(__name__)

RELIEF = {
    "pay": N_("No, I will pay the duty now"),
    "exemption": N_("I am exempt from the duty by law"),
    "deferral": N_("I ask the court to defer the duty, or to let me pay it in instalments"),
}
DEFERRAL_KIND = {
    "one_date": N_("Defer it to one date"),
    "instalments": N_("Pay it in monthly instalments"),
}
INSTALMENT_COUNTS = tuple(range(MIN_INSTALMENTS, MAX_INSTALMENTS + 1))
FILER = {
    "self": N_("I am the plaintiff or applicant myself"),
    "representative": N_("I represent the plaintiff or applicant, as their lawyer"),
}

MESSAGES = {
    "filer": N_("Choose whether you file in person or for someone else."),
    "represents": N_("Choose the party you represent."),
    "relief": N_("Choose whether you pay the duty, are exempt from it, or ask to defer it."),
    "exemption": N_("Choose the exemption you claim."),
    "unknown_exemption": N_("Choose the exemption you claim."),
    "exemption_not_applicable": N_("The exemption “%(who)s” (%(article)s) does not cover this claim or this "
                                   "payer. Choose another one, or pay the duty."),
    "deferral_kind": N_("Choose whether to defer the duty to one date or to pay it in instalments."),
    "reason": N_("Say why you cannot pay the duty now."),
    "reason_required": N_("Say why you cannot pay the duty now."),
    "until": N_("Enter a date after today and at most a year ahead (%(article)s)."),
    "invalid_due_date": N_("Enter a date after today and at most a year ahead (%(article)s)."),
    "instalments": N_("Choose from 2 to 12 monthly instalments: all of them must fall within a year."),
    "invalid_instalments": N_("Choose from 2 to 12 monthly instalments: all of them must fall within a year."),
    "not_eligible_for_deferral": N_("A large business cannot have the duty deferred (%(article)s). An "
                                    "organisation confirms it is not a large business."),
    "deferral_with_exemption": N_("A filing cannot claim an exemption and ask for a deferral at once."),
    "nothing_to_defer": N_("This filing owes no state duty: there is nothing to defer."),
    "fee_not_quotable": N_("Finish the claim section first: the duty depends on it."),
    "not_a_lawyer": N_("Only a lawyer may file on behalf of someone else."),
}
"""What each relief and standing page says at a field, by the field or the refusal's code."""

REFUSAL_FIELDS = {
    "unknown_exemption": "exemption", "exemption_not_applicable": "exemption", "reason_required": "reason",
    "invalid_due_date": "until", "invalid_instalments": "instalments",
    "not_eligible_for_deferral": "not_large_business",
    "invalid_field": "until", "deferral_with_exemption": "relief", "nothing_to_defer": "relief",
    "fee_not_quotable": "relief", "not_a_lawyer": "filer",
}


def fee_request_of(draft: Draft) -> FeeRequest | None:
    """The fee question the draft asks, without any exemption (to list the ones that would cover it)."""
    f = draft.filing
    if not (f["case_kind"] and f["filing_type"] and f["claim_kind"] and f["payer_kind"]):
        return None
    counted = f["claim_kind"] == ClaimKind.COPY_REISSUE.value
    return FeeRequest(CaseKind(f["case_kind"]), FilingType(f["filing_type"]), ClaimKind(f["claim_kind"]),
                      PayerKind(f["payer_kind"]), None if draft.claim_tiyn is None else Money(draft.claim_tiyn), None,
                      f.get("copy_documents") if counted else None, f.get("copy_pages") if counted else None)


def instalments_of(draft: Draft, today: date) -> list[tuple[date, int]]:
    """The monthly parts the draft's deferral request proposes, as (due date, tiyn), drawn from today."""
    count = (draft.deferral or {}).get("instalments")
    if not count or not draft.fee_tiyn:
        return []
    return [(part.due, part.amount.tiyn) for part in instalment_plan(Money(draft.fee_tiyn), int(count), today)]


def exemption_choices(exemptions: tuple[Exemption, ...], language: str) -> list[tuple[str, str]]:
    """Each exemption a draft may claim as (code, "who it frees — its article"), in ``language``."""
    index = LANGUAGES.index(language)
    return [(item.code, f"{EXEMPTION_TEXTS[item.code][index]} — {citation(item.article)[language]}")
            for item in exemptions]


def claimed_ground(code: str, language: str) -> str:
    """A claimed exemption as the filer chose it, for the staff who decide it: who it frees — its article."""
    [(_, ground)] = exemption_choices((exemption(code),), language)
    return ground


def exemption_title(code: str, language: str) -> str:
    return EXEMPTION_TEXTS[code][LANGUAGES.index(language)] if code in EXEMPTION_TEXTS else code


def representable(draft: Draft) -> list[tuple[str, str]]:
    """The parties a lawyer may represent on this filing: its plaintiffs and applicants, by identifier."""
    return [(str(p["iin"] or p["bin"]), f"{p['name']} ({p['iin'] or p['bin']})") for p in draft.filing["parties"]
            if p["role"] in ("plaintiff", "applicant") and p["iin"] != draft.filer_iin]


def filer_parties(draft: Draft, form: Mapping[str, str],
                  filer_name: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The filing's parties with the filer placed as the form says: in person (as the plaintiff or
    applicant, added if missing) or as the representative of one listed party."""
    choice = str(form.get("filer", ""))
    if choice not in FILER:
        return [], {"filer": MESSAGES["filer"]}
    others = [dict(p) for p in draft.filing["parties"] if not (p["iin"] == draft.filer_iin and p["role"] ==
                                                                 "representative")]
    if choice == "self":
        if not any(p["iin"] == draft.filer_iin and p["role"] in ("plaintiff", "applicant") for p in others):
            role = "plaintiff" if draft.filing["filing_type"] == "statement_of_claim" else "applicant"
            others.insert(0, {"role": role, "name": filer_name, "iin": draft.filer_iin, "bin": None})
        return others, {}
    represents = str(form.get("represents", "")).strip()
    if represents not in {value for value, _label in representable(draft)}:
        return [], {"represents": MESSAGES["represents"]}
    others = [p for p in others if not (p["iin"] == draft.filer_iin and p["role"] in ("plaintiff", "applicant"))]
    return [*others, {"role": "representative", "name": filer_name, "iin": draft.filer_iin, "bin": None,
                      "represents": represents}], {}


def deferral_body(form: Mapping[str, str], *, legal_entity: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """The deferral API's body from the deferral page, and the fields left empty that it asks for."""
    errors: dict[str, str] = {}
    kind = str(form.get("deferral_kind", ""))
    reason = str(form.get("reason", "")).strip()
    if kind not in DEFERRAL_KIND:
        errors["deferral_kind"] = MESSAGES["deferral_kind"]
    if not reason:
        errors["reason"] = MESSAGES["reason"]
    body: dict[str, Any] = {"reason": reason, "not_large_business": form.get("not_large_business") == "yes"}
    if kind == "instalments":
        count = str(form.get("instalments", ""))
        if not count.isascii() or not count.isdigit() or int(count) not in INSTALMENT_COUNTS:
            errors["instalments"] = MESSAGES["instalments"]
        else:
            body["instalments"] = int(count)
    elif kind == "one_date" and str(form.get("until", "")).strip():
        body["until"] = str(form.get("until", "")).strip()[:10]
    if legal_entity and not body["not_large_business"]:
        errors.setdefault("not_large_business", MESSAGES["not_eligible_for_deferral"])
    return body, errors


def refusal_message(code: str, details: Mapping[str, Any] | None, language: str) -> tuple[str, str, dict[str, str]]:
    """The field a refusal concerns, its message, and the values the message names (the article cited
    in ``language``, the exemption's title) — from the refusal's own details."""
    details = details or {}
    cited = details.get("citation")
    article = str(cited.get(language, "")) if isinstance(cited, Mapping) else ""
    values = {"article": article, "who": exemption_title(str(details.get("exemption", "")), language)}
    field = REFUSAL_FIELDS.get(code, "error-summary")
    return field, MESSAGES.get(code, N_("This could not be saved. Check your answers and try again.")), values
