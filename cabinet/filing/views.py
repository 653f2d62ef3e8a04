"""JSON shapes of filings, cases, documents and events, exactly as API.md documents them."""

from __future__ import annotations

from typing import Any

from cabinet.courts import Court
from cabinet.filing.models import Case, CaseEvent, Document, Filing, JudicialAct
from cabinet.filing.tracking import CaseFile
from cabinet.identity.models import User
from cabinet.money import Money


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def party_json(p: Any) -> dict[str, Any]:
    return {"role": p.role, "name": p.name, "iin": p.iin, "bin": p.bin, "represents": p.represents}


def document_json(d: Document, case_number: str | None = None) -> dict[str, Any]:
    body = {
        "id": d.id, "kind": d.kind, "title": d.title, "name": d.original_name, "type": d.document_type,
        "mime_type": d.mime_type, "size": d.size, "sha256": d.sha256, "direction": d.direction,
        "signer": {"iin": d.signer_iin, "name": d.signer_name}, "uploaded_at": _iso(d.uploaded_at),
        "filing_id": d.filing_id, "signature_valid": bool(d.verification.get("valid")),
    }
    if case_number is not None:
        base = f"/api/v1/cases/{case_number}/documents/{d.id}"
        body["download_url"], body["signature_url"] = base, base + "/signature"
    return body


def filing_json(f: Filing, court: Court | None, documents: list[Document], case_number: str | None) -> dict[str, Any]:
    return {
        "id": f.id, "status": f.status, "court": court.code if court else None,
        "case_kind": f.case_kind, "category": f.category, "filing_type": f.filing_type,
        "claim_kind": f.claim_kind, "payer_kind": f.payer_kind,
        "claim_amount": None if f.claim_amount_tiyn is None else Money(f.claim_amount_tiyn).to_json(),
        "copy_documents": f.copy_documents, "copy_pages": f.copy_pages,
        "exemption": f.exemption,
        "exemption_decision": None if f.exemption_status is None else {
            "status": f.exemption_status, "reason": f.exemption_reason, "decided_at": _iso(f.exemption_decided_at)},
        "title": f.title, "case_number": case_number,
        "parties": [party_json(p) for p in f.parties],
        "documents": [document_json(d) for d in documents],
        "fee": {"quote": f.fee_quote, "reference": f"filing:{f.id}"},
        "incoming_number": f.incoming_number, "submitted_at": _iso(f.submitted_at),
        "decided_at": _iso(f.decided_at), "return_reason": f.return_reason,
        "created_at": _iso(f.created_at), "updated_at": _iso(f.updated_at),
        "receipt_url": f"/api/v1/filings/{f.id}/receipt" if f.receipt is not None else None,
    }


def case_summary(c: Case, roles: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"number": c.number, "case_kind": c.case_kind, "category": c.category, "title": c.title,
            "status": c.status, "registered_at": _iso(c.registered_at), "closed_category": c.closed_category,
            "motion_deadline": _iso(c.motion_deadline),
            "parties": [party_json(p) for p in c.parties]}
    if roles is not None:
        body["my_roles"] = roles
    return body


def event_json(e: CaseEvent) -> dict[str, Any]:
    return {"at": _iso(e.at), "action": e.action, "from": e.from_status, "to": e.to_status,
            "actor_role": e.actor_role, "reason": e.reason, "deadline": _iso(e.deadline), "details": e.details}


def act_json(a: JudicialAct, case_number: str) -> dict[str, Any]:
    return {"id": a.id, "act_type": a.act_type, "outcome": a.outcome, "title": a.title, "issued_at": _iso(a.issued_at),
            "document_id": a.document_id, "download_url": f"/api/v1/cases/{case_number}/documents/{a.document_id}"}


def case_file_json(f: CaseFile, sections: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    judge: User | None = f.judge
    return {
        **case_summary(f.case),
        "court": {"code": f.court.code, "name_kk": f.court.name_kk, "name_ru": f.court.name_ru,
                  "name_en": f.court.name_en},
        "judge": None if judge is None else {"name": judge.common_name},
        "timeline": [event_json(e) for e in f.events],
        "documents": [document_json(d, f.case.number) for d in f.documents],
        "acts": [act_json(a, f.case.number) for a in f.acts],
        "fees": f.fees,
        **sections,
    }
