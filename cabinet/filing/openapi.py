"""OpenAPI description of e-filing and case tracking (merged by :mod:`core.openapi`).

Case numbers contain a ``/``: in paths it may be sent as is or encoded as ``%2F``.
"""

from __future__ import annotations

from cabinet.case_numbers import CaseKind
from cabinet.case_status import CaseStatus
from cabinet.fees import ClaimKind, FilingType, PayerKind
from cabinet.filing.acts import TERMINATION_GROUNDS, ActType, Outcome
from cabinet.filing.documents import DocumentKind
from cabinet.filing.forms import PartyRole
from core.openapi import (
    AUTH,
    DATE,
    OPTIONAL_AUTH,
    TENGE,
    TIMESTAMP,
    array,
    json_body,
    multipart_body,
    nullable,
    obj,
    ok,
    operation,
    path_param,
    query_param,
    raw,
    ref,
    string,
    values_of,
)

TAGS = ["filing"]
STAFF = ["staff"]
NUMBER_PATTERN = r"^[0-9A-Z]{2,10}-[0-9]{2}-[0-9]{2}-[0-9]/[0-9]{6}$"
NUMBER = path_param("number", string("case number `<court>-<yy>-<category>-<kind>/<seq6>`",
                                     pattern=NUMBER_PATTERN, examples=["7594-26-01-2/000001"]))
FILING_ID = path_param("id", {"type": "integer", "minimum": 1})
DOC_ID = path_param("doc", {"type": "integer", "minimum": 1})
PAGE = [query_param("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}),
        query_param("offset", {"type": "integer", "minimum": 0, "default": 0})]
FILING_STATUS = string("draft, submitted, registered or returned")
_DRAFT_ERRORS = {400: ["invalid_request", "invalid_json", "unknown_field", "invalid_field", "invalid_category",
                       "invalid_claim_amount", "invalid_party", "duplicate_party", "invalid_iin", "invalid_bin",
                       "invalid_case_number"],
                 403: ["cross_site_request"]}
_UPLOAD_ERRORS = {400: ["upload_invalid", "signature_required", "document_empty", "invalid_document_kind",
                        "too_many_documents"],
                  413: ["document_too_large"], 415: ["unsupported_document_type", "document_type_mismatch"],
                  422: ["document_signature_invalid", "signer_not_allowed"]}
_CASE_STEP_ERRORS = {403: ["not_judge_of_case", "not_court_clerk", "not_court_staff", "action_not_permitted",
                           "cross_site_request"],
                     404: ["case_not_found"], 409: ["illegal_transition"]}

SCHEMAS = {
    "Party": obj({"role": values_of(PartyRole), "name": string(maxLength=300),
                  "iin": nullable(string(pattern="^[0-9]{12}$")), "bin": nullable(string(pattern="^[0-9]{12}$")),
                  "represents": nullable(string("IIN or BIN of the party represented"))}, required=["role", "name"]),
    "DraftChanges": obj({
        "court": nullable(string(pattern="^[0-9A-Z]{2,10}$")), "case_kind": nullable(values_of(CaseKind)),
        "category": nullable(string(pattern="^[0-9]{2}$")), "filing_type": nullable(values_of(FilingType)),
        "claim_kind": nullable(values_of(ClaimKind)), "payer_kind": nullable(values_of(PayerKind)),
        "claim_amount": nullable(TENGE), "exemption": nullable(string(maxLength=40)),
        "copy_documents": nullable({"type": "integer", "minimum": 1, "maximum": 10000}),
        "copy_pages": nullable({"type": "integer", "minimum": 1, "maximum": 10000}),
        "title": nullable(string(maxLength=500)), "case_number": nullable(string(maxLength=40)),
        "parties": nullable(array(ref("Party"), "at most 50")),
    }, required=[], closed=True, description="The fields to set; `null` clears one."),
    "Document": obj({
        "id": {"type": "integer"}, "kind": values_of(DocumentKind), "title": string(), "name": string(),
        "type": string("pdf, doc, docx, xls, xlsx, jpeg or png — recognised by the bytes"), "mime_type": string(),
        "size": {"type": "integer"}, "sha256": string(), "direction": values_of(["incoming", "outgoing"]),
        "signer": obj({"iin": nullable(string()), "name": string()}), "uploaded_at": TIMESTAMP,
        "filing_id": nullable({"type": "integer"}), "signature_valid": {"type": "boolean"},
        "download_url": string(), "signature_url": string(),
    }, required=["id", "kind", "type", "sha256", "size", "signer"]),
    "Filing": obj({
        "id": {"type": "integer"}, "status": FILING_STATUS, "court": nullable(string()),
        "case_kind": nullable(string()), "category": nullable(string()), "filing_type": nullable(string()),
        "claim_kind": nullable(string()), "payer_kind": nullable(string()), "claim_amount": nullable(TENGE),
        "copy_documents": nullable({"type": "integer"}), "copy_pages": nullable({"type": "integer"}),
        "exemption": nullable(string()), "title": string(), "case_number": nullable(string()),
        "parties": array(ref("Party")), "documents": array(ref("Document")),
        "fee": obj({"quote": nullable({"type": "object"}), "reference": string("`filing:<id>` for payments")}),
        "incoming_number": nullable(string()), "submitted_at": nullable(TIMESTAMP),
        "decided_at": nullable(TIMESTAMP), "return_reason": nullable(string()), "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP, "receipt_url": nullable(string()),
        "exemption_decision": nullable(obj({"status": values_of(["claimed", "confirmed", "refused"]),
                                            "reason": nullable(string()), "decided_at": nullable(TIMESTAMP)})),
        "fee_deferral": nullable(ref("FeeDeferral")),
    }),
    "FeeDeferral": obj({
        "status": values_of(["requested", "granted", "refused"]), "reason": string(), "article": string(),
        "citation": obj({"kk": string(), "ru": string(), "en": string()}),
        "requested_until": nullable(DATE),
        "instalments": nullable({"type": "integer", "minimum": 2, "maximum": 12}),
        "requested_at": TIMESTAMP, "decided_at": nullable(TIMESTAMP),
        "decision_reason": nullable(string()), "due_date": nullable(DATE),
    }, required=["status", "reason", "article"]),
    "CaseSummary": obj({
        "number": string(), "case_kind": values_of(CaseKind), "category": string(), "title": string(),
        "status": values_of(CaseStatus), "registered_at": TIMESTAMP, "closed_category": {"type": "boolean"},
        "motion_deadline": nullable(TIMESTAMP), "parties": array(ref("Party")),
        "my_roles": array(string(), "the caller's roles in the case (in `GET /api/v1/cases` only)"),
    }, required=["number", "case_kind", "category", "status", "registered_at", "parties"]),
    "JudicialAct": obj({
        "id": {"type": "integer"}, "act_type": values_of(ActType), "outcome": values_of(Outcome), "title": string(),
        "issued_at": TIMESTAMP, "document_id": {"type": "integer"}, "download_url": string(),
    }),
    "CaseFile": {"allOf": [ref("CaseSummary"), obj({
        "court": obj({"code": string(), "name_kk": string(), "name_ru": string(), "name_en": string()}),
        "judge": nullable(obj({"name": string()})),
        "timeline": array(obj({"at": TIMESTAMP, "action": string(), "from": nullable(string()),
                               "to": nullable(string()), "actor_role": string(), "reason": nullable(string()),
                               "deadline": nullable(TIMESTAMP), "details": {"type": "object"}})),
        "documents": array(ref("Document")), "acts": array(ref("JudicialAct")),
        "hearings": array(obj({
            "id": {"type": "integer"}, "start": TIMESTAMP, "end": TIMESTAMP, "duration_minutes": {"type": "integer"},
            "courtroom": string(), "format": string("online, in_courtroom or mixed"), "open": {"type": "boolean"},
            "state": string(), "invitation_url": string("the caller's .ics invitation"),
            "join_url": nullable(string("the hearing room, for online and mixed hearings")),
        })), "fees": array({"type": "object"}),
    })]},
}

_UPLOAD_PARTS = {"file": string("the document's bytes", format="binary"),
                 "signature": string("base64 detached CMS over exactly the file's bytes, made with the SIGN key"),
                 "kind": values_of([k.value for k in DocumentKind if k is not DocumentKind.JUDICIAL_ACT]),
                 "title": string(maxLength=300)}
_ACT_PARTS = {"file": string("the act's bytes", format="binary"),
              "signature": string("base64 detached CMS by the judge's SIGN key"),
              "act_type": values_of(ActType), "outcome": values_of(Outcome), "title": string(maxLength=300),
              "reason": string(maxLength=2000),
              "termination_ground": values_of(sorted(g.value for g in TERMINATION_GROUNDS))}

PATHS = {
    "/api/v1/filings": {
        "post": operation("Start a draft filing", tags=TAGS, security=AUTH, body=json_body(ref("DraftChanges")),
                          responses=ok(ref("Filing"), "Created", status=201), errors=_DRAFT_ERRORS),
        "get": operation("The caller's filings", tags=TAGS, security=AUTH, responses=ok(obj({"filings": array(obj({
            "id": {"type": "integer"}, "status": FILING_STATUS, "filing_type": nullable(string()), "title": string(),
            "incoming_number": nullable(string()), "updated_at": TIMESTAMP}))}))),
    },
    "/api/v1/filings/{id}": {
        "get": operation("A filing (its owner, or the court's staff once submitted)", tags=TAGS,
                         security=OPTIONAL_AUTH, parameters=[FILING_ID], responses=ok(ref("Filing")),
                         errors={400: ["invalid_request"], 404: ["filing_not_found"]}),
        "patch": operation("Change a draft", tags=TAGS, security=AUTH, parameters=[FILING_ID],
                           body=json_body(ref("DraftChanges")), responses=ok(ref("Filing")),
                           errors={**_DRAFT_ERRORS, 404: ["filing_not_found"], 409: ["filing_not_draft"]}),
    },
    "/api/v1/filings/{id}/documents": {
        "post": operation("Upload a signed document to a draft (streamed)", tags=TAGS, security=AUTH,
                          parameters=[FILING_ID],
                          body=multipart_body(_UPLOAD_PARTS, ["file", "signature"]),
                          responses=ok(ref("Document"), "Stored", status=201),
                          errors={**_UPLOAD_ERRORS, 403: ["cross_site_request"], 404: ["filing_not_found"],
                                  409: ["filing_not_draft"]}),
    },
    "/api/v1/filings/{id}/submit": {
        "post": operation("Submit a draft: the court's registry numbers it and signs a receipt", tags=TAGS,
                          security=AUTH, parameters=[FILING_ID], responses=ok(ref("Filing")),
                          errors={400: ["invalid_request"], 402: ["fee_not_paid"],
                                  403: ["cross_site_request", "not_a_party", "not_a_lawyer"],
                                  404: ["filing_not_found", "case_not_found"],
                                  409: ["filing_incomplete", "filing_not_draft", "power_of_attorney_required",
                                        "case_closed", "exemption_document_required", "deferral_with_exemption"],
                                  503: ["system_key_unavailable"]}),
    },
    "/api/v1/filings/{id}/receipt": {
        "get": operation(
            "The court-signed receipt of a submitted filing", tags=TAGS, security=OPTIONAL_AUTH,
            parameters=[FILING_ID, query_param("part", values_of(["json", "content", "signature"]))],
            responses={**ok(obj({"incoming_number": string(), "receipt": {"type": "object"},
                                 "content": string("base64 of the signed JSON"),
                                 "signature": string("base64 CMS over `content`")})),
                       },
            description="`part=content` returns the signed JSON bytes, `part=signature` the CMS "
                        "(`application/pkcs7-signature`).",
            errors={400: ["no_receipt", "invalid_query", "invalid_request"], 403: ["forbidden"],
                    404: ["filing_not_found"]}),
    },
    "/api/v1/cases": {
        "get": operation("The caller's cases", tags=TAGS, security=AUTH, parameters=PAGE,
                         responses=ok(obj({"cases": array(ref("CaseSummary")), "limit": {"type": "integer"},
                                           "offset": {"type": "integer"}})),
                         errors={400: ["invalid_query"]}),
    },
    "/api/v1/cases/{number}": {
        "get": operation("A case file (parties, their lawyers, the court's staff)", tags=TAGS,
                         security=OPTIONAL_AUTH, parameters=[NUMBER], responses=ok(ref("CaseFile")),
                         errors={400: ["invalid_case_number"], 404: ["case_not_found"]}),
    },
    "/api/v1/cases/{number}/documents/{doc}": {
        "get": operation("Download a document of a case", tags=TAGS, security=OPTIONAL_AUTH,
                         parameters=[NUMBER, DOC_ID],
                         responses=raw({"application/octet-stream": {"schema": string(format="binary")}},
                                       "The document's bytes with their own Content-Type"),
                         errors={400: ["invalid_case_number", "document_missing", "invalid_request"],
                                 403: ["forbidden"], 404: ["case_not_found", "document_not_found"]}),
    },
    "/api/v1/cases/{number}/documents/{doc}/signature": {
        "get": operation("Download a document's detached CMS", tags=TAGS, security=OPTIONAL_AUTH,
                         parameters=[NUMBER, DOC_ID],
                         responses=raw({"application/pkcs7-signature": {"schema": string(format="binary")}},
                                       "The CMS"),
                         errors={400: ["invalid_case_number", "invalid_request"], 403: ["forbidden"],
                                 404: ["case_not_found", "document_not_found"]}),
    },
    "/api/v1/staff/filings": {
        "get": operation("The court's filings by status (clerks, judges)", tags=STAFF, security=AUTH,
                         parameters=[query_param("status", string("default `submitted`")), *PAGE],
                         responses=ok(obj({"filings": array({"type": "object"})})),
                         errors={400: ["invalid_query"], 403: ["not_court_staff"]}),
    },
    "/api/v1/staff/filings/{id}/register": {
        "post": operation("Register a submitted filing: opens or joins a case, assigns a judge", tags=STAFF,
                          security=AUTH, parameters=[FILING_ID], responses=ok(ref("Filing")),
                          errors={400: ["invalid_request"], 403: ["not_court_clerk", "cross_site_request"],
                                  404: ["filing_not_found"],
                                  402: ["fee_not_paid"],
                                  409: ["illegal_transition", "filing_not_draft", "no_judge_available",
                                        "case_numbers_exhausted", "exemption_undecided"]}),
    },
    "/api/v1/staff/filings/{id}/exemption": {
        "post": operation("Confirm or refuse the exemption a filer claims (a clerk of the court, at registration)",
                          tags=STAFF, security=AUTH, parameters=[FILING_ID],
                          body=json_body(obj({"decision": values_of(["confirm", "refuse"]),
                                              "reason": string("required to refuse", maxLength=2000)},
                                             required=["decision"])),
                          responses=ok(ref("Filing")),
                          errors={400: ["invalid_request", "invalid_json", "invalid_field", "reason_required"],
                                  403: ["not_court_clerk", "own_filing", "cross_site_request"],
                                  404: ["filing_not_found"], 409: ["filing_not_submitted", "no_exemption_claim"]}),
    },
    "/api/v1/filings/{id}/deferral": {
        "post": operation("Ask to defer the state duty of a draft (Tax Code art. 135)", tags=TAGS, security=AUTH,
                          parameters=[FILING_ID],
                          body=json_body(obj({"reason": string(maxLength=2000),
                                              "until": DATE | {"description": "the date asked for, within a year"},
                                              "not_large_business": {"type": "boolean"},
                                              "instalments": {"type": "integer", "minimum": 2, "maximum": 12,
                                                              "description": "monthly parts instead of one date"}},
                                             required=["reason"])),
                          responses=ok(ref("FeeDeferral"), "Asked", status=201),
                          errors={400: ["invalid_request", "invalid_json", "unknown_field", "invalid_field",
                                        "reason_required", "invalid_due_date", "not_eligible_for_deferral",
                                        "invalid_instalments"],
                                  403: ["cross_site_request"], 404: ["filing_not_found"],
                                  409: ["filing_not_draft", "deferral_with_exemption", "fee_not_quotable",
                                        "nothing_to_defer"]}),
    },
    "/api/v1/staff/filings/{id}/deferral": {
        "post": operation("Grant (with a due date within a year) or refuse (with a reason) a deferral: the judge of "
                          "the case", tags=STAFF, security=AUTH, parameters=[FILING_ID],
                          body=json_body(obj({"decision": values_of(["grant", "refuse"]), "due_date": DATE,
                                              "reason": string(maxLength=2000)}, required=["decision"])),
                          responses=ok(ref("FeeDeferral")),
                          errors={400: ["invalid_request", "invalid_json", "invalid_field", "invalid_due_date",
                                        "reason_required"],
                                  403: ["not_judge_of_case", "own_filing", "cross_site_request"],
                                  404: ["filing_not_found", "case_not_found", "deferral_not_found"],
                                  409: ["deferral_decided"]}),
    },
    "/api/v1/staff/filings/{id}/return": {
        "post": operation("Return a submitted filing with a reason", tags=STAFF, security=AUTH,
                          parameters=[FILING_ID],
                          body=json_body(obj({"reason": string(maxLength=2000)})), responses=ok(ref("Filing")),
                          errors={400: ["invalid_request", "invalid_json", "reason_required"],
                                  403: ["not_court_clerk", "cross_site_request"], 404: ["filing_not_found"],
                                  409: ["illegal_transition"]}),
    },
    "/api/v1/staff/cases": {
        "get": operation(
            "Search the court's cases", tags=STAFF, security=AUTH,
            parameters=[query_param("number", string(maxLength=40)), query_param("party", string(maxLength=300)),
                        query_param("judge", string("the judge's IIN", maxLength=12)),
                        query_param("status", values_of(CaseStatus)), query_param("from", DATE),
                        query_param("to", DATE), query_param("court", string(maxLength=10)), *PAGE],
            responses=ok(obj({"cases": array(ref("CaseSummary")), "total": {"type": "integer"},
                              "limit": {"type": "integer"}, "offset": {"type": "integer"}})),
            errors={400: ["invalid_query"], 403: ["not_court_staff"]}),
    },
    "/api/v1/staff/cases/{number}/accept": {
        "post": operation("Accept a registered case into proceedings (its judge)", tags=STAFF, security=AUTH,
                          parameters=[NUMBER], responses=ok(ref("CaseSummary")),
                          errors={400: ["invalid_case_number"], **_CASE_STEP_ERRORS}),
    },
    "/api/v1/staff/cases/{number}/leave-without-motion": {
        "post": operation("Leave a claim without motion, with a reason and a deadline (its judge)", tags=STAFF,
                          security=AUTH, parameters=[NUMBER],
                          body=json_body(obj({"reason": string(maxLength=2000),
                                              "deadline": string("ISO 8601 with a time zone", maxLength=40)})),
                          responses=ok(ref("CaseSummary")),
                          errors={400: ["invalid_case_number", "invalid_request", "invalid_json", "invalid_deadline",
                                        "reason_required", "deadline_required"], **_CASE_STEP_ERRORS}),
    },
    "/api/v1/staff/cases/{number}/acts": {
        "post": operation("Issue a judicial act signed by the judge (its judge)", tags=STAFF, security=AUTH,
                          parameters=[NUMBER], body=multipart_body(_ACT_PARTS, ["file", "signature", "act_type"]),
                          responses=ok(obj({"id": {"type": "integer"}, "act_type": values_of(ActType),
                                            "outcome": values_of(Outcome), "document": ref("Document")},
                                           required=["id", "act_type", "document"]), "Issued", status=201),
                          errors={**_UPLOAD_ERRORS, 400: [*_UPLOAD_ERRORS[400], "invalid_case_number",
                                                          "invalid_act_type", "invalid_outcome",
                                                          "invalid_termination_ground"],
                                  **{k: v for k, v in _CASE_STEP_ERRORS.items() if k != 400}}),
    },
}
