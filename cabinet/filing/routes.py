"""HTTP API of e-filing and case tracking (see API.md): handlers parse, authorize, call one service, serialize.

Case numbers contain a ``/`` (``7594-26-00-2/000001``); in paths it is simply a path separator
(``/api/v1/cases/7594-26-00-2/000001``), and a ``%2F``-encoded slash works as well.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

from aiohttp import web
from sqlalchemy import select

from cabinet.case_status import CaseStatus
from cabinet.courts import Court
from cabinet.filing.access import Action, caller_of
from cabinet.filing.acts import authorize_act, issue_act
from cabinet.filing.deferrals import (
    DeferralAsk,
    DeferralDecision,
    ask_deferral,
    decide_deferral,
    deferral_json,
    deferral_of,
    parse_date,
)
from cabinet.filing.drafts import DraftService, file_document
from cabinet.filing.errors import DocumentNotFound, FilingInvalid
from cabinet.filing.fee_decisions import decide_exemption, parse_decision
from cabinet.filing.forms import DraftChanges
from cabinet.filing.models import Case, Filing
from cabinet.filing.resources import COURT_KEYS, STORAGE
from cabinet.filing.sections import case_sections
from cabinet.filing.staff import StaffService
from cabinet.filing.submission import SubmissionService
from cabinet.filing.tracking import StaffQuery, TrackingService
from cabinet.filing.uploads import receive_document
from cabinet.filing.views import act_json, case_file_json, case_summary, document_json, filing_json
from cabinet.identity.http import current_principal, require_principal
from cabinet.identity.models import User
from cabinet.identity.setup import VERIFIER
from core.errors import NotFound
from core.requests import json_object, string_field
from core.resources import CLOCK, CONFIG, DB

routes = web.RouteTableDef()

MAX_ID = 2**31 - 1
NUMBER = r"{number:[0-9A-Z]{2,10}-[0-9]{2}-[0-9]{2}-[0-9](?:/|%2F|%2f)[0-9]{6}}"
CASE = f"/api/v1/cases/{NUMBER}"
STAFF_CASE = f"/api/v1/staff/cases/{NUMBER}"


def _number(request: web.Request) -> str:
    return request.match_info["number"].replace("%2F", "/").replace("%2f", "/")


def _int(request: web.Request, name: str) -> int:
    text = request.match_info[name]
    if not text.isdigit():
        raise FilingInvalid(f"{name} must be a number", code="invalid_request")
    if len(text) > 10 or int(text) > MAX_ID:
        raise NotFound(f"no {name} {text[:20]}", code="not_found")
    return int(text)


def _page(request: web.Request, default: int = 50) -> tuple[int, int]:
    try:
        limit = int(request.query.get("limit", default))
        offset = int(request.query.get("offset", 0))
    except ValueError:
        raise FilingInvalid("limit and offset must be integers", code="invalid_query") from None
    if not 1 <= limit <= 100 or not 0 <= offset <= MAX_ID:
        raise FilingInvalid(f"limit must be 1-100 and offset 0-{MAX_ID}", code="invalid_query")
    return limit, offset


async def _filing_body(request: web.Request, filing: Filing) -> dict[str, Any]:
    async with request.app[DB].sessions() as session:
        tracking = TrackingService(session)
        documents = await tracking.documents_of_filing(filing.id)
        court = await session.get(Court, filing.court_id) if filing.court_id else None
        number = await session.scalar(select(Case.number).where(Case.id == filing.case_id)) if filing.case_id else None
        deferral = deferral_json(await deferral_of(session, filing.id))
    return {**filing_json(filing, court, documents, number), "fee_deferral": deferral}


@routes.post("/api/v1/filings")
async def create_filing(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    changes = DraftChanges.parse(await json_object(request))
    async with request.app[DB].transaction() as session:
        user = await session.get(User, principal.user_id)
        assert user is not None
        filing = await DraftService(session, request.app[CLOCK]).create(user, caller_of(principal), changes)
    return web.json_response(await _filing_body(request, filing), status=201)


@routes.get("/api/v1/filings")
async def list_filings(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    async with request.app[DB].sessions() as session:
        filings = await TrackingService(session).my_filings(principal.user_id)
    return web.json_response({"filings": [
        {"id": f.id, "status": f.status, "filing_type": f.filing_type, "title": f.title,
         "incoming_number": f.incoming_number, "updated_at": f.updated_at.isoformat()} for f in filings]})


@routes.get(r"/api/v1/filings/{id:\d+}")
async def get_filing(request: web.Request) -> web.Response:
    caller = caller_of(await current_principal(request))
    async with request.app[DB].sessions() as session:
        filing = await TrackingService(session).filing(_int(request, "id"), caller)
    return web.json_response(await _filing_body(request, filing))


@routes.patch(r"/api/v1/filings/{id:\d+}")
async def patch_filing(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    changes = DraftChanges.parse(await json_object(request))
    async with request.app[DB].transaction() as session:
        user = await session.get(User, principal.user_id)
        assert user is not None
        filing = await DraftService(session, request.app[CLOCK]).update(
            _int(request, "id"), user, caller_of(principal), changes)
    return web.json_response(await _filing_body(request, filing))


@routes.post(r"/api/v1/filings/{id:\d+}/documents")
async def upload_document(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    filing_id = _int(request, "id")
    async with request.app[DB].sessions() as session:
        user = await session.get(User, principal.user_id)
        assert user is not None
        await DraftService(session, request.app[CLOCK]).own_draft(filing_id, user, for_update=False)
    upload = await receive_document(request, request.app[STORAGE], request.app[CONFIG].max_upload_bytes)
    document = await file_document(request.app[DB], request.app[CLOCK], request.app[STORAGE], request.app[VERIFIER],
                                   filing_id=filing_id, user=user, upload=upload)
    return web.json_response(document_json(document), status=201)


@routes.post(r"/api/v1/filings/{id:\d+}/submit")
async def submit_filing(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    async with request.app[DB].transaction() as session:
        user = await session.get(User, principal.user_id)
        assert user is not None
        filing = await SubmissionService(session, request.app[CLOCK], request.app[COURT_KEYS]).submit(
            _int(request, "id"), user, principal)
    return web.json_response(await _filing_body(request, filing))


@routes.get(r"/api/v1/filings/{id:\d+}/receipt")
async def get_receipt(request: web.Request) -> web.Response:
    caller = caller_of(await current_principal(request))
    async with request.app[DB].sessions() as session:
        filing = await TrackingService(session).filing(_int(request, "id"), caller, Action.DOWNLOAD)
    if filing.receipt is None or filing.receipt_cms is None:
        raise FilingInvalid("the filing has not been submitted; there is no receipt yet", code="no_receipt")
    part = request.query.get("part", "json")
    name = f"receipt-{filing.id}"
    if part == "content":
        return web.Response(body=filing.receipt, content_type="application/json",
                            headers={"Content-Disposition": f'attachment; filename="{name}.json"'})
    if part == "signature":
        return web.Response(body=filing.receipt_cms, content_type="application/pkcs7-signature",
                            headers={"Content-Disposition": f'attachment; filename="{name}.json.cms"'})
    if part != "json":
        raise FilingInvalid("part must be json, content or signature", code="invalid_query")
    return web.json_response({
        "incoming_number": filing.incoming_number, "receipt": json.loads(filing.receipt),
        "content": base64.b64encode(filing.receipt).decode(),
        "signature": base64.b64encode(filing.receipt_cms).decode(),
    })


@routes.get("/api/v1/cases")
async def my_cases(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    limit, offset = _page(request)
    async with request.app[DB].sessions() as session:
        rows = await TrackingService(session).my_cases(caller_of(principal), limit, offset)
    return web.json_response({"cases": [case_summary(case, roles) for case, roles in rows],
                              "limit": limit, "offset": offset})


@routes.get(CASE)
async def get_case(request: web.Request) -> web.Response:
    caller = caller_of(await current_principal(request))
    async with request.app[DB].sessions() as session:
        case_file = await TrackingService(session).case_file(_number(request), caller)
        sections = await case_sections(request.app, session, case_file.case)
    return web.json_response(case_file_json(case_file, sections))


@routes.get(CASE + r"/documents/{doc:\d+}")
async def download_document(request: web.Request) -> web.StreamResponse:
    caller = caller_of(await current_principal(request))
    async with request.app[DB].sessions() as session:
        document = await TrackingService(session).case_document(_number(request), _int(request, "doc"), caller)
    path = request.app[STORAGE].path_of(document.sha256)
    if path is None:
        raise DocumentNotFound("the document's bytes are missing from storage; tell the court",
                               code="document_missing")
    safe = "".join(c for c in document.original_name if c.isalnum() or c in "._- ")[:120] or "document"
    return web.FileResponse(path, headers={
        "Content-Type": document.mime_type, "X-Content-SHA256": document.sha256,
        "Content-Disposition": f'attachment; filename="{safe}"'})


@routes.get(CASE + r"/documents/{doc:\d+}/signature")
async def download_signature(request: web.Request) -> web.Response:
    caller = caller_of(await current_principal(request))
    async with request.app[DB].sessions() as session:
        document = await TrackingService(session).case_document(_number(request), _int(request, "doc"), caller)
    return web.Response(body=document.cms, content_type="application/pkcs7-signature")


@routes.get("/api/v1/staff/filings")
async def staff_filings(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    limit, offset = _page(request)
    async with request.app[DB].sessions() as session:
        filings = await TrackingService(session).staff_filings(
            caller_of(principal), request.query.get("status", "submitted"), limit, offset)
    return web.json_response({"filings": [
        {"id": f.id, "status": f.status, "filing_type": f.filing_type, "case_kind": f.case_kind,
         "title": f.title, "incoming_number": f.incoming_number,
         "submitted_at": f.submitted_at.isoformat() if f.submitted_at else None} for f in filings]})


@routes.post(r"/api/v1/staff/filings/{id:\d+}/register")
async def register_filing(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    async with request.app[DB].transaction() as session:
        filing = await StaffService(session, request.app[CLOCK]).register(_int(request, "id"), principal)
    return web.json_response(await _filing_body(request, filing))


@routes.post(r"/api/v1/filings/{id:\d+}/deferral")
async def ask_filing_deferral(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    ask = DeferralAsk.parse(await json_object(request))
    async with request.app[DB].transaction() as session:
        user = await session.get(User, principal.user_id)
        assert user is not None
        deferral = await ask_deferral(session, request.app[CLOCK], _int(request, "id"), user, ask)
    return web.json_response(deferral_json(deferral), status=201)


@routes.post(r"/api/v1/staff/filings/{id:\d+}/deferral")
async def decide_filing_deferral(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    body = await json_object(request)
    raw = string_field(body, "decision", max_length=20)
    try:
        decision = DeferralDecision(raw)
    except ValueError:
        raise FilingInvalid("decision must be grant or refuse", code="invalid_field",
                            details={"field": "decision", "allowed": ["grant", "refuse"]}) from None
    due = parse_date(string_field(body, "due_date", required=False, max_length=40), "due_date")
    reason = string_field(body, "reason", required=False, max_length=4000).strip() or None
    async with request.app[DB].transaction() as session:
        deferral = await decide_deferral(session, request.app[CLOCK], _int(request, "id"), principal, decision, due,
                                         reason)
    return web.json_response(deferral_json(deferral))


@routes.post(r"/api/v1/staff/filings/{id:\d+}/exemption")
async def decide_filing_exemption(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    body = await json_object(request)
    decision, reason = parse_decision(string_field(body, "decision", max_length=20),
                                      string_field(body, "reason", required=False, max_length=4000))
    async with request.app[DB].transaction() as session:
        filing = await decide_exemption(session, request.app[CLOCK], _int(request, "id"), principal, decision, reason)
    return web.json_response(await _filing_body(request, filing))


@routes.post(r"/api/v1/staff/filings/{id:\d+}/return")
async def return_filing(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    reason = string_field(await json_object(request), "reason", max_length=2000)
    async with request.app[DB].transaction() as session:
        filing = await StaffService(session, request.app[CLOCK]).return_filing(_int(request, "id"), principal, reason)
    return web.json_response(await _filing_body(request, filing))


@routes.post(STAFF_CASE + "/accept")
async def accept_case(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    async with request.app[DB].transaction() as session:
        case = await StaffService(session, request.app[CLOCK]).accept(_number(request), principal)
    return web.json_response(case_summary(case))


def _deadline(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise FilingInvalid("deadline must be an ISO 8601 date-time with a time zone", code="invalid_deadline",
                            details={"field": "deadline"}) from None
    if value.tzinfo is None:
        raise FilingInvalid("deadline must carry a time zone (e.g. +05:00)", code="invalid_deadline",
                            details={"field": "deadline"})
    return value


@routes.post(STAFF_CASE + "/leave-without-motion")
async def leave_without_motion(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    body = await json_object(request)
    reason = string_field(body, "reason", max_length=2000)
    deadline = _deadline(string_field(body, "deadline", max_length=40))
    async with request.app[DB].transaction() as session:
        case = await StaffService(session, request.app[CLOCK]).leave_without_motion(
            _number(request), principal, reason, deadline)
    return web.json_response(case_summary(case))


@routes.post(STAFF_CASE + "/acts")
async def post_act(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    number = _number(request)
    await authorize_act(request.app[DB], request.app[CLOCK], number=number, principal=principal)
    upload = await receive_document(request, request.app[STORAGE], request.app[CONFIG].max_upload_bytes)
    act, document = await issue_act(request.app[DB], request.app[CLOCK], request.app[STORAGE],
                                    request.app[VERIFIER], number=number, principal=principal, upload=upload)
    return web.json_response({**act_json(act, number), "document": document_json(document, number)}, status=201)


def _date(request: web.Request, name: str) -> date | None:
    text = request.query.get(name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilingInvalid(f"{name} must be a date YYYY-MM-DD", code="invalid_query",
                            details={"field": name}) from None


@routes.get("/api/v1/staff/cases")
async def staff_cases(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    limit, offset = _page(request)
    status_text = request.query.get("status")
    try:
        status = CaseStatus(status_text) if status_text else None
    except ValueError:
        raise FilingInvalid(f"status must be one of {[s.value for s in CaseStatus]}", code="invalid_query",
                            details={"field": "status"}) from None
    query = StaffQuery(number=request.query.get("number") or None, party=request.query.get("party") or None,
                       judge_iin=request.query.get("judge") or None, status=status,
                       registered_from=_date(request, "from"), registered_to=_date(request, "to"),
                       court=request.query.get("court") or None, limit=limit, offset=offset)
    async with request.app[DB].sessions() as session:
        rows, total = await TrackingService(session).staff_cases(caller_of(principal), query)
    return web.json_response({"cases": [case_summary(case) for case in rows], "total": total,
                              "limit": limit, "offset": offset})
