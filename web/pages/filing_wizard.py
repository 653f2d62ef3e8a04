"""The filing wizard's pages: one question per page, plain forms, a task list, resumable drafts.

``/cabinet/filings/new`` starts a draft (or, with ``?case=NUMBER`` from a case page, a filing into
that case); ``/cabinet/filings/{id}`` resumes one at its first unfinished section. Every step is a
form posted with the CSRF token to its own URL and saved through the draft API's service, so a
draft is saved after every step and a refused step changes nothing; the page comes back with the
GOV.UK error summary linking to each field. (A claim saved without what its duty needs — a property
claim without its amount — is kept, as the draft API keeps it, and the page asks for what is missing.)
Signing documents happens in the page (the key never leaves it) and is the only step that needs
JavaScript; payment goes to the provider's page and back.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from cabinet.courts import CourtStore
from cabinet.filing.access import caller_of
from cabinet.filing.tracking import TrackingService
from cabinet.identity.principal import Principal
from core.errors import SotkabError
from core.resources import DB
from web.pages import claim_kinds, vocabulary, wizard
from web.pages.access import logged_in, row_id
from web.pages.csrf import check_csrf
from web.pages.rendering import render
from web.pages.wizard_service import FilingWizard

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

DRAFT = r"/cabinet/filings/{id:\d{1,9}}"
FORM_STEPS = ("court", "kind", "type", "claim")
FIELD_REFUSALS = frozenset({"not_a_party", "court_not_found", "case_not_found"})
"""Refusals above 400 that still concern a field of the form (others become error pages)."""


def draft_id_of(request: web.Request) -> int:
    return row_id(request)


async def posted_form(request: web.Request) -> dict[str, str]:
    posted = await request.post()
    check_csrf(request, posted.get("csrf_token"))
    return {key: str(value)[:2000] for key, value in posted.items() if isinstance(value, str)}


async def court_choices(request: web.Request) -> list[dict[str, str]]:
    async with request.app[DB].sessions() as session:
        courts = await CourtStore(session).list()
    return [{"code": c.code, "name_kk": c.name_kk, "name_ru": c.name_ru, "name_en": c.name_en} for c in courts]


def _field_errors(refusal: SotkabError) -> dict[str, str]:
    field, message = wizard.refusal_field(refusal.code, refusal.details)
    return {field or "error-summary": message}


async def wizard_page(request: web.Request, template: str, draft: wizard.Draft | None, *, status: int = 200,
                errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                **extra: Any) -> web.Response:
    filing = dict(draft.filing) if draft else {}
    context: dict[str, Any] = {
        "draft": draft, "f": filing, "errors": errors or {}, "vocabulary": vocabulary, "wizard": wizard,
        "values": values if values is not None else filing, "tasks": wizard.task_list(draft) if draft else [],
        "back": f"/cabinet/filings/{draft.id}/tasks" if draft else "/cabinet",
    }
    context.update(extra)
    return await render(request, f"filing/{template}.html", context, status=status)


async def _step_context(request: web.Request, step: str, draft: wizard.Draft | None) -> dict[str, Any]:
    if step == "court":
        return {"courts": await court_choices(request)}
    if step == "kind":
        return {"kinds": list(vocabulary.CASE_KIND.items()), "categories": list(vocabulary.CATEGORY)}
    if step == "type":
        into_case = bool(draft and draft.into_case) or bool(request.query.get("case"))
        types = wizard.CASE_TYPES if into_case else wizard.NEW_CASE_TYPES
        return {"types": [(t, vocabulary.FILING_TYPE[t]) for t in types]}
    if step == "claim":
        filing = draft.filing if draft else {}
        priced = claim_kinds.priced(filing.get("case_kind"), filing.get("filing_type"))
        return {"claim_groups": claim_kinds.offered(filing.get("case_kind"), filing.get("filing_type")),
                "payer_kinds": list(wizard.PAYER_KIND.items()), "counts_asked": bool(claim_kinds.COUNTED & priced)}
    return {}


async def editable_draft(request: web.Request, principal: Principal) -> wizard.Draft:
    draft = await FilingWizard(request.app).draft(principal, draft_id_of(request))
    if draft.filing["status"] != "draft":
        raise web.HTTPSeeOther(wizard.url_of(draft.id, "receipt"))
    return draft


@routes.get("/cabinet/filings/new")
async def new_filing(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    number = request.query.get("case", "")[:60]
    if number:
        async with request.app[DB].sessions() as session:  # a case the person cannot see is "not found"
            case_file = await TrackingService(session).case_file(number, caller_of(principal))
        return await wizard_page(request, "type", None, values={"filing_type": "", "title": ""},
                           case_number=case_file.case.number, **await _step_context(request, "type", None))
    return await wizard_page(request, "court", None, values={"court": ""},
                             **await _step_context(request, "court", None))


@routes.post("/cabinet/filings/new")
async def start_filing(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await posted_form(request)
    number = form.get("case_number", "").strip()[:60]
    step = "type" if number else "court"
    body, errors = wizard.step_body(step, form, into_case=bool(number))
    if number:
        body["case_number"] = number
    status = 400
    if not errors:
        try:
            draft_id = await FilingWizard(request.app).create(principal, body)
        except SotkabError as refusal:
            if refusal.status != 400 and refusal.code not in FIELD_REFUSALS:
                raise
            errors, status = _field_errors(refusal), refusal.status
        else:
            raise web.HTTPSeeOther(f"/cabinet/filings/{draft_id}")
    extra = await _step_context(request, step, None)
    if number:
        extra["case_number"] = number
    return await wizard_page(request, step, None, status=status, errors=errors, values=form, **extra)


@routes.get(DRAFT)
async def resume(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    draft = await FilingWizard(request.app).draft(principal, draft_id_of(request))
    raise web.HTTPSeeOther(wizard.resume_url(draft))


@routes.get(DRAFT + "/tasks")
async def tasks(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    return await wizard_page(request, "tasks", await editable_draft(request, principal))


@routes.get(DRAFT + r"/{step:court|kind|type|claim}")
async def step_form(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    draft = await editable_draft(request, principal)
    step = request.match_info["step"]
    if not wizard.applies(step, draft):
        raise web.HTTPSeeOther(wizard.url_of(draft.id, "tasks"))
    return await wizard_page(request, step, draft, **await _step_context(request, step, draft))


@routes.post(DRAFT + r"/{step:court|kind|type|claim}")
async def save_step(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await posted_form(request)
    draft = await editable_draft(request, principal)
    step = request.match_info["step"]
    body: dict[str, Any]
    errors: dict[str, str]
    if step == "claim" and draft.filing["filing_type"] in wizard.PROCEDURAL_TYPES:
        body, errors = {}, {}  # no duty and nothing to ask: the page only confirms it
    else:
        body, errors = wizard.step_body(step, form, into_case=draft.into_case)
    if not errors:
        try:
            await FilingWizard(request.app).save(principal, draft.id, body)
        except SotkabError as refusal:
            if refusal.status != 400 and refusal.code not in FIELD_REFUSALS:
                raise
            errors = _field_errors(refusal)
        else:
            saved = await FilingWizard(request.app).draft(principal, draft.id)
            if step == "claim" and saved.quote is None and saved.quote_error:
                errors = _field_errors(SotkabError("", code=saved.quote_error))
            elif step == "claim" and wizard.applies("relief", saved) and saved.fee_tiyn and not saved.relieved:
                raise web.HTTPSeeOther(wizard.url_of(saved.id, "relief"))  # the next question: pay, or relief
            else:
                raise web.HTTPSeeOther(wizard.resume_url(saved))
            draft = saved
    return await wizard_page(request, step, draft, status=400, errors=errors, values={**draft.filing, **form},
                       **await _step_context(request, step, draft))


@routes.get(DRAFT + "/parties")
async def parties(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    draft = await editable_draft(request, principal)
    return await wizard_page(request, "parties", draft, values={"role": "", "name": "", "identifier": ""})


@routes.post(DRAFT + "/parties")
async def add_party(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await posted_form(request)
    draft = await editable_draft(request, principal)
    party, errors = wizard.party_from_form(form)
    if party is not None:
        listed = [dict(p) for p in draft.filing["parties"]]
        try:
            await FilingWizard(request.app).save(principal, draft.id, {"parties": [*listed, party]})
        except SotkabError as refusal:
            if refusal.status != 400:
                raise
            errors = _field_errors(refusal)
        else:
            raise web.HTTPSeeOther(wizard.url_of(draft.id, "parties"))
    return await wizard_page(request, "parties", draft, status=400, errors=errors, values=form)


@routes.post(DRAFT + r"/parties/{index:\d{1,2}}/remove")
async def remove_party(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    await posted_form(request)
    draft = await editable_draft(request, principal)
    index = int(request.match_info["index"])
    listed = [dict(p) for i, p in enumerate(draft.filing["parties"]) if i != index]
    await FilingWizard(request.app).save(principal, draft.id, {"parties": listed})
    raise web.HTTPSeeOther(wizard.url_of(draft.id, "parties"))


@routes.get(DRAFT + "/documents")
async def documents(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    return await wizard_page(request, "documents", await editable_draft(request, principal),
                             upload_messages=wizard.UPLOAD_MESSAGES)
