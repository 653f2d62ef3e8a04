"""The filing wizard's plan: its sections, when each is done, and what each form becomes in the API.

Pure: it reads a draft as ``GET /api/v1/filings/{id}`` shows it (plus what the ledger holds) and
answers which sections are done, which cannot start yet, and where a person who comes back to a
draft carries on. The rules themselves — completeness, the duty, who may file — stay in the
filing and payments packages; a section is "done" here exactly when the submission would no
longer name it among what is missing. Each step's form is turned into the body the draft API
takes, so the pages and the API refuse the same things with the same codes.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cabinet.fees import FilingType, PayerKind
from cabinet.filing.forms import OPENING_TYPES
from cabinet.money import Money
from web.i18n import N_
from web.pages import claim_kinds

log = logging.getLogger(__name__)

NEW_CASE_TYPES = tuple(t.value for t in (FilingType.STATEMENT_OF_CLAIM, FilingType.APPLICATION, FilingType.COMPLAINT))
CASE_TYPES = tuple(t.value for t in (FilingType.RESPONSE, FilingType.MOTION, FilingType.APPEAL))
"""What the case page offers to file into an existing case (procedural types owe no duty)."""
PROCEDURAL_TYPES = (FilingType.RESPONSE.value, FilingType.MOTION.value)
assert {FilingType(t) for t in NEW_CASE_TYPES} <= OPENING_TYPES

CLAIM_KIND = claim_kinds.CLAIM_KIND
"""Every kind of claim the fee table knows, as the claim page offers them (:mod:`web.pages.claim_kinds`)."""

PAYER_KIND = {
    PayerKind.INDIVIDUAL.value: N_("A person"),
    PayerKind.LEGAL_ENTITY.value: N_("An organisation"),
}

SECTION_TITLES = {
    "court": N_("Court"),
    "kind": N_("Kind of case"),
    "type": N_("What you are filing"),
    "parties": N_("Parties"),
    "filer": N_("Who is filing"),
    "claim": N_("Claim and state duty"),
    "relief": N_("Exemption from the duty, or its deferral"),
    "documents": N_("Documents, signed"),
    "payment": N_("Payment of the state duty"),
    "check": N_("Check your answers and send"),
}
SECTIONS = tuple(SECTION_TITLES)

FIELD_MESSAGES = {
    "court": N_("Choose the court you are filing to."),
    "case_kind": N_("Choose the kind of case."),
    "category": N_("Choose a category of this kind of case."),
    "filing_type": N_("Choose what you are filing."),
    "title": N_("Enter what the filing is about in 500 characters or fewer."),
    "claim_kind": N_("Choose what the claim is about."),
    "payer_kind": N_("Choose who pays the state duty."),
    "claim_amount": N_("Enter the amount claimed in tenge, for example 1 500 000 or 1500000,50."),
    "claim_amount_required": N_("Enter the amount claimed: the duty on this claim is a share of it."),
    "claim_amount_not_applicable": N_("Leave the amount empty: the duty on this kind of claim does not depend on it."),
    "copy_documents": N_("Enter how many documents are to be copied, and how many pages they have, from 1 to 10000."),
    "counts_required": N_("Enter how many documents are to be copied, and how many pages they have."),
    "counts_not_applicable": N_("Leave the numbers of documents and pages empty: they count only for copies."),
    "exemption_not_applicable": N_("The exemption you claimed does not cover this claim or this payer. Change "
                                   "the claim, or answer the question on relief from the duty again."),
    "fee_rule_not_found": N_("The duty for this combination is not in the court's table. Check the kind of case "
                             "and of claim, or ask the court's office."),
    "role": N_("Choose the party's role."),
    "name": N_("Enter the party's full name or the organisation's name."),
    "identifier": N_("Enter the IIN or BIN as 12 digits."),
    "duplicate_party": N_("This person or organisation is already listed in this role."),
    "case_number": N_("You are not a party to this case, so you cannot file into it."),
    "unknown": N_("This could not be saved. Check your answers and try again."),
}

IDENTIFIER_MESSAGES = {
    "format": N_("Enter the IIN or BIN as 12 digits."),
    "century": N_("This is not an IIN: its seventh digit must be from 1 to 6."),
    "birth_date": N_("This is not an IIN: its first six digits must be a date of birth."),
    "checksum": N_("The last digit does not match the others: check the number for a typo."),
    "registration_month": N_("This is not a BIN: its third and fourth digits must be a month, 01 to 12."),
    "entity_type": N_("This is not a BIN: its fifth digit must be 4, 5 or 6."),
    "division": N_("This is not a BIN: its sixth digit must be from 0 to 3."),
}

UPLOAD_MESSAGES = {
    "document_missing": N_("Choose the document to upload."),
    "key_file_missing": N_("Choose your SIGN key file."),
    "password_missing": N_("Enter the password of your key file."),
    "key_password_wrong": N_("The password does not open this key file. Check the keyboard layout and "
                             "Caps Lock, and try again."),
    "key_file_invalid": N_("This file is not an EDS key file. Choose the .p12 file of your SIGN key."),
    "unsupported_algorithm": N_("The browser cannot sign with this kind of key (GOST). Sign with NCALayer or "
                                "the sotkab command-line tool."),
    "wrong_key_usage": N_("This is your AUTH key, which is for logging in. Sign documents with your SIGN key."),
    "document_signature_invalid": N_("The signature does not match this document. Sign it again."),
    "signer_not_allowed": N_("The key belongs to someone else. Sign with your own SIGN key."),
    "certificate_expired": N_("Your certificate has expired. Get a new one from the National "
                              "Certification Authority (pki.gov.kz)."),
    "certificate_revoked": N_("Your certificate has been revoked and cannot be used. Get a new one "
                              "from the National Certification Authority (pki.gov.kz)."),
    "certificate_untrusted": N_("Your certificate was not issued by a certification authority that "
                                "this court trusts."),
    "certificate_not_yet_valid": N_("Your certificate is not valid yet. Check the date on your computer "
                                    "or wait until the certificate starts."),
    "revocation_unknown": N_("We could not check whether your certificate has been revoked. Try "
                             "again in a few minutes."),
    "malformed_signature": N_("The signature could not be read. Sign the document again."),
    "document_too_large": N_("The document is larger than 20 MB. Split it or reduce its size."),
    "unsupported_document_type": N_("The document must be a PDF, Word, Excel, JPEG or PNG file."),
    "document_type_mismatch": N_("The file's name does not match what the file is. Save it with the right "
                                 "extension and try again."),
    "damaged_document": N_("The file is damaged and cannot be opened. Save it again and retry."),
    "document_empty": N_("The file is empty."),
    "too_many_documents": N_("A filing can carry at most 100 documents."),
    "filing_not_draft": N_("This filing has already been sent; it can no longer change."),
    "network_error": N_("The court's server did not answer. Check your connection and try again."),
    "unknown": N_("The document could not be uploaded. Try again; if it happens again, contact the "
                  "court's support."),
    "signing": N_("Signing with your key…"),
    "uploading": N_("Uploading the signed document…"),
    "uploaded": N_("The document is signed and uploaded."),
}
"""What the documents page says for each refusal of signing in the page or of the upload API."""

STEP_FIELDS = {
    "court": ("court",),
    "kind": ("case_kind", "category"),
    "type": ("filing_type", "title"),
    "claim": ("claim_kind", "payer_kind", "claim_amount", "copy_documents", "copy_pages"),
}
"""The draft fields each form step sets; anything else posted is ignored."""


class SectionState(enum.Enum):
    COMPLETED = "completed"
    OPTIONAL = "optional"
    TO_DO = "to_do"
    CANNOT_START = "cannot_start"


STATE_NAMES = {
    SectionState.COMPLETED: N_("Completed"),
    SectionState.OPTIONAL: N_("Optional"),
    SectionState.TO_DO: N_("Not yet done"),
    SectionState.CANNOT_START: N_("Cannot start yet"),
}


@dataclass(frozen=True)
class Task:
    key: str
    title: str
    url: str
    state: SectionState


@dataclass(frozen=True)
class Draft:
    """A filing as the API shows it to its owner, and what the ledger holds for its duty."""

    filing: Mapping[str, Any]
    paid_tiyn: int
    filer_iin: str = ""
    deferral: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.paid_tiyn < 0:
            raise ValueError("the ledger never holds a negative amount")

    @property
    def id(self) -> int:
        return int(self.filing["id"])

    @property
    def into_case(self) -> bool:
        return self.filing["case_number"] is not None

    @property
    def opening(self) -> bool:
        kind = self.filing["filing_type"]
        return kind is not None and FilingType(kind) in OPENING_TYPES

    @property
    def quote(self) -> Mapping[str, Any] | None:
        quote = self.filing["fee"]["quote"]
        return quote if isinstance(quote, Mapping) and "error" not in quote else None

    @property
    def quote_error(self) -> str | None:
        quote = self.filing["fee"]["quote"]
        return str(quote["error"]["code"]) if isinstance(quote, Mapping) and "error" in quote else None

    @property
    def fee_tiyn(self) -> int | None:
        return Money.parse(str(self.quote["amount"])).tiyn if self.quote else None

    @property
    def claim_tiyn(self) -> int | None:
        amount = self.filing["claim_amount"]
        return None if amount is None else Money.parse(str(amount)).tiyn

    @property
    def owed_tiyn(self) -> int | None:
        """What is left to pay on the quote as saved (the payment step re-quotes at the payment date)."""
        return None if self.fee_tiyn is None else max(self.fee_tiyn - self.paid_tiyn, 0)

    def documents_of(self, kind: str) -> list[Mapping[str, Any]]:
        return [d for d in self.filing["documents"] if d["kind"] == kind]

    @property
    def represented(self) -> Mapping[str, Any] | None:
        """The party the filer represents on this filing, if they file as a representative."""
        for party in self.filing["parties"]:
            if party["role"] == "representative" and party["iin"] == self.filer_iin:
                return next((p for p in self.filing["parties"] if p["role"] != "representative"
                             and (p["iin"] or p["bin"]) == party["represents"]), None)
        return None

    @property
    def files_in_person(self) -> bool:
        return any(p["iin"] == self.filer_iin and p["role"] in ("plaintiff", "applicant")
                   for p in self.filing["parties"])

    @property
    def exemption(self) -> str | None:
        return str(self.filing["exemption"]) if self.filing.get("exemption") else None

    @property
    def relieved(self) -> bool:
        """An exemption is claimed or a deferral asked: the duty is not paid before sending."""
        return self.exemption is not None or self.deferral is not None

    def missing_documents(self) -> list[str]:
        """What the submission would find missing among the documents (statement, power of attorney,
        proof of the exemption), as ``cabinet.filing.submission`` names it."""
        missing = [] if self.documents_of("statement") else ["documents.statement"]
        if self.represented is not None and not self.documents_of("power_of_attorney"):
            missing.append("documents.power_of_attorney")
        if self.exemption and not self.documents_of("exemption_proof"):
            missing.append("documents.exemption_proof")
        return missing


def url_of(draft_id: int, key: str) -> str:
    return f"/cabinet/filings/{draft_id}/{key}"


def missing_parties(draft: Draft) -> list[str]:
    """The parties a new case needs (as ``cabinet.filing.submission.missing_for_submission`` names them)."""
    if not draft.opening:
        return []
    roles = {p["role"] for p in draft.filing["parties"]}
    missing = []
    if not roles & {"plaintiff", "applicant"}:
        missing.append("parties.plaintiff_or_applicant")
    if draft.filing["filing_type"] == FilingType.STATEMENT_OF_CLAIM.value and "defendant" not in roles:
        missing.append("parties.defendant")
    return missing


def applies(key: str, draft: Draft) -> bool:
    """Filing into a case takes court, kind, parties and standing from the case: those are not asked;
    a filing that owes no duty by its type asks for no relief from it."""
    if key == "relief":
        return draft.filing["filing_type"] not in PROCEDURAL_TYPES
    return not (draft.into_case and key in ("court", "kind", "parties", "filer"))


def is_done(key: str, draft: Draft) -> bool:
    f = draft.filing
    if key == "court":
        return f["court"] is not None
    if key == "kind":
        return f["case_kind"] is not None and f["category"] is not None
    if key == "type":
        return f["filing_type"] is not None and bool(f["title"])
    if key == "parties":
        return f["filing_type"] is not None and not missing_parties(draft)
    if key == "filer":
        return draft.files_in_person or draft.represented is not None
    if key == "claim":
        return draft.quote is not None
    if key == "relief":
        return draft.quote is not None
    if key == "documents":
        return not draft.missing_documents()
    if key == "payment":
        return draft.owed_tiyn == 0 or draft.relieved
    return f["status"] != "draft"


_NEEDS = {"parties": ("type",), "filer": ("parties",), "claim": ("kind", "type"), "relief": ("claim",),
          "payment": ("claim",)}


def task_list(draft: Draft) -> list[Task]:
    """GOV.UK's task list: each section with its state; "check" opens only when all else is done."""
    keys = [key for key in SECTIONS if applies(key, draft)]
    tasks = []
    for key in keys:
        needs = [k for k in keys if k != "check"] if key == "check" else [k for k in _NEEDS.get(key, ()) if k in keys]
        if key == "relief" and is_done(key, draft) and not draft.relieved:
            state = SectionState.OPTIONAL
        elif is_done(key, draft):
            state = SectionState.COMPLETED
        elif all(is_done(k, draft) for k in needs):
            state = SectionState.TO_DO
        else:
            state = SectionState.CANNOT_START
        tasks.append(Task(key, SECTION_TITLES[key], url_of(draft.id, key), state))
    return tasks


def resume_url(draft: Draft) -> str:
    """Where a person coming back to a draft carries on: the first section not yet done."""
    if draft.filing["status"] != "draft":
        return url_of(draft.id, "receipt")
    for task in task_list(draft):
        if task.state not in (SectionState.COMPLETED, SectionState.OPTIONAL):
            return task.url
    return url_of(draft.id, "check")


def step_body(step: str, form: Mapping[str, str], *, into_case: bool = False) -> tuple[dict[str, Any], dict[str, str]]:
    """The draft API's body from a step's form, and the fields left empty that the step asks for.

    Values are passed as typed (the API checks them); only emptiness is the page's question, so a
    person who skips a field hears "choose…" rather than the API's "not one of […]".
    """
    body: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in STEP_FIELDS[step]:
        value = str(form.get(name, "")).strip()
        if name == "claim_amount":
            body[name] = value or None
        elif name in ("copy_documents", "copy_pages"):
            counted = str(form.get("claim_kind", "")) in claim_kinds.COUNTED
            if value and (not value.isascii() or not value.isdigit() or len(value) > 6):
                errors["copy_documents"] = FIELD_MESSAGES["copy_documents"]
            body[name] = int(value) if value and counted and "copy_documents" not in errors else None
        elif name == "title":
            body[name] = value
            if not value:
                errors[name] = FIELD_MESSAGES[name]
        elif name == "category":
            kind, _, code = value.partition("/")
            chosen = str(form.get("case_kind", "")).strip()
            if chosen and (kind != chosen or not code):
                errors[name] = FIELD_MESSAGES[name]
            body[name] = code
        elif name == "filing_type" and value and value not in (CASE_TYPES if into_case else NEW_CASE_TYPES):
            errors[name] = FIELD_MESSAGES[name]
        elif not value:
            errors[name] = FIELD_MESSAGES[name]
        else:
            body[name] = value
    return body, errors


def identifier_kind(text: str) -> str:
    """``iin`` or ``bin`` for a typed 12-digit number: a BIN's fifth digit is 4-6, never an IIN's
    (its day of birth); as ``cabinet.identifiers.parse_party_identifier`` decides."""
    compact = "".join(text.split())
    return "bin" if len(compact) == 12 and compact.isdigit() and compact[4] in "456" else "iin"


def party_from_form(form: Mapping[str, str]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """A party from the add-a-party form, as the API's Party object; the API re-checks every digit."""
    role = str(form.get("role", "")).strip()
    name = " ".join(str(form.get("name", "")).split())
    identifier = "".join(str(form.get("identifier", "")).split())
    errors: dict[str, str] = {}
    if role not in ("plaintiff", "applicant", "defendant", "third_party"):
        errors["role"] = FIELD_MESSAGES["role"]
    if not name or len(name) > 300:
        errors["name"] = FIELD_MESSAGES["name"]
    if len(identifier) != 12 or not identifier.isdigit():
        errors["identifier"] = IDENTIFIER_MESSAGES["format"]
    if errors:
        return None, errors
    kind = identifier_kind(identifier)
    return {"role": role, "name": name, "iin": identifier if kind == "iin" else None,
            "bin": identifier if kind == "bin" else None}, {}


def refusal_field(code: str, details: Mapping[str, Any] | None) -> tuple[str, str]:
    """The form field a refusal of the draft API concerns, and the message a person reads there."""
    details = details or {}
    field = str(details.get("field", ""))
    if code in ("invalid_iin", "invalid_bin"):
        return "identifier", IDENTIFIER_MESSAGES.get(str(details.get("reason")), IDENTIFIER_MESSAGES["format"])
    if code == "duplicate_party":
        return "identifier", FIELD_MESSAGES["duplicate_party"]
    if code == "court_not_found":
        return "court", FIELD_MESSAGES["court"]
    if code == "invalid_category":
        return "category", FIELD_MESSAGES["category"]
    if code == "invalid_claim_amount":
        return "claim_amount", FIELD_MESSAGES["claim_amount"]
    if code in ("claim_amount_required", "claim_amount_not_applicable", "fee_rule_not_found"):
        return "claim_amount", FIELD_MESSAGES[code]
    if code == "exemption_not_applicable":
        return "claim_kind", FIELD_MESSAGES[code]
    if code in ("counts_required", "counts_not_applicable"):
        return "copy_documents", FIELD_MESSAGES[code]
    if code in ("not_a_party", "case_not_found", "case_not_allowed", "invalid_case_number"):
        return "filing_type", FIELD_MESSAGES["case_number"]
    if code == "invalid_party":
        return ("name", FIELD_MESSAGES["name"]) if field == "name" else ("role", FIELD_MESSAGES["role"])
    if field in FIELD_MESSAGES:
        return field, FIELD_MESSAGES[field]
    return "", FIELD_MESSAGES["unknown"]
