"""The wizard's pages on standing and the duty: who files, and relief from the duty.

``/filer`` asks whether the person files in person or as a lawyer for a listed plaintiff or
applicant (the power of attorney is then one of the documents, and sending is refused without it).
``/relief`` asks, one question on the page, whether the duty is paid, claimed as exempt or asked
to be deferred; ``/exemption`` lists the exemptions of art. 668 whose scope covers this claim and
payer (with the evidence uploaded among the documents), and ``/deferral`` takes the reason and
either one date or a number of monthly instalments (art. 135). Each form is saved through the
cabinet's services, which refuse what the API refuses; a refusal shows at its field in the
person's language, citing the article in that language.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from cabinet.fee_exemptions import exemptions_for
from cabinet.filing.deferrals import CITATION
from core.errors import SotkabError
from web.i18n import gettext
from web.pages import wizard, wizard_relief
from web.pages.access import logged_in
from web.pages.filing_wizard import DRAFT, editable_draft, posted_form, wizard_page
from web.pages.language import request_language
from web.pages.wizard_service import FilingWizard

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

FIELD_REFUSALS = frozenset({"deferral_with_exemption", "nothing_to_defer", "fee_not_quotable", "not_a_lawyer"})
"""Refusals above 400 that the page still shows at a field (others become error pages)."""


async def _said(request: web.Request, errors: dict[str, str], values: dict[str, str] | None = None) -> dict[str, str]:
    """Messages in the person's language, with the article and exemption they name filled in."""
    language = await request_language(request)
    return {field: gettext(language, message) % (values or {}) if "%(" in message else message
            for field, message in errors.items()}


async def _refused(request: web.Request, refusal: SotkabError) -> dict[str, str]:
    if refusal.status != 400 and refusal.code not in FIELD_REFUSALS:
        raise refusal
    language = await request_language(request)
    field, message, values = wizard_relief.refusal_message(refusal.code, refusal.details, language)
    return await _said(request, {field: message}, values)


async def _relief_answer(request: web.Request, step: str, draft: wizard.Draft, form: dict[str, str],
                         errors: dict[str, str], save: Callable[[], Awaitable[object]],
                         **context: Any) -> web.Response:
    """An exemption or deferral, answered: saved through the cabinet's service and on to the
    documents, or the step again with the refusal at its field (a refused answer stores nothing)."""
    if not errors:
        try:
            await save()
        except SotkabError as refusal:
            errors = await _refused(request, refusal)
        else:
            raise web.HTTPSeeOther(wizard.url_of(draft.id, "documents"))
    return await wizard_page(request, step, draft, status=400, errors=errors, values=form, relief=wizard_relief,
                             **context)


async def _exemption_context(request: web.Request, draft: wizard.Draft) -> dict[str, Any]:
    fee = wizard_relief.fee_request_of(draft)
    language = await request_language(request)
    return {"exemptions": wizard_relief.exemption_choices(exemptions_for(fee) if fee else (), language)}


# -- who files ---------------------------------------------------------------------------------------

@routes.get(DRAFT + "/filer")
async def filer(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    draft = await editable_draft(request, principal)
    represented = draft.represented or {}
    chosen = "representative" if represented else ("self" if draft.files_in_person else "")
    return await wizard_page(request, "filer", draft, relief=wizard_relief, values={
        "filer": chosen, "represents": represented.get("iin") or represented.get("bin") or ""})


@routes.post(DRAFT + "/filer")
async def save_filer(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await posted_form(request)
    draft = await editable_draft(request, principal)
    parties, errors = wizard_relief.filer_parties(draft, form, principal.name)
    if not errors:
        try:
            await FilingWizard(request.app).save(principal, draft.id, {"parties": parties})
        except SotkabError as refusal:
            errors = await _refused(request, refusal)
        else:
            raise web.HTTPSeeOther(wizard.resume_url(await FilingWizard(request.app).draft(principal, draft.id)))
    return await wizard_page(request, "filer", draft, status=400, errors=errors, values=form, relief=wizard_relief)


# -- relief from the duty ----------------------------------------------------------------------------

@routes.get(DRAFT + "/relief")
async def relief(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    draft = await editable_draft(request, principal)
    if draft.quote is None:
        raise web.HTTPSeeOther(wizard.url_of(draft.id, "claim"))
    chosen = "exemption" if draft.exemption else ("deferral" if draft.deferral else "")
    return await wizard_page(request, "relief", draft, relief=wizard_relief, values={"relief": chosen})


@routes.post(DRAFT + "/relief")
async def save_relief(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await posted_form(request)
    draft = await editable_draft(request, principal)
    choice = form.get("relief", "")
    if choice not in wizard_relief.RELIEF:
        errors = {"relief": wizard_relief.MESSAGES["relief"]}
        return await wizard_page(request, "relief", draft, status=400, errors=errors, values=form,
                                 relief=wizard_relief)
    service = FilingWizard(request.app)
    if choice == "pay":
        await service.pay_in_full(principal, draft.id)
        raise web.HTTPSeeOther(wizard.resume_url(await service.draft(principal, draft.id)))
    if choice == "exemption":
        await service.withdraw_deferral(principal, draft.id)
    elif draft.exemption:
        await service.claim_exemption(principal, draft.id, None)
    raise web.HTTPSeeOther(wizard.url_of(draft.id, choice))


@routes.get(DRAFT + "/exemption")
async def exemption(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    draft = await editable_draft(request, principal)
    return await wizard_page(request, "exemption", draft, relief=wizard_relief, values={"exemption": draft.exemption},
                             **await _exemption_context(request, draft))


@routes.post(DRAFT + "/exemption")
async def claim(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await posted_form(request)
    draft = await editable_draft(request, principal)
    code = form.get("exemption", "").strip()[:40]
    errors = {} if code else {"exemption": wizard_relief.MESSAGES["exemption"]}
    return await _relief_answer(request, "exemption", draft, form, errors,
                                lambda: FilingWizard(request.app).claim_exemption(principal, draft.id, code),
                                **await _exemption_context(request, draft))


@routes.get(DRAFT + "/deferral")
async def deferral(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    draft = await editable_draft(request, principal)
    asked = dict(draft.deferral or {})
    values = {"deferral_kind": ("instalments" if asked.get("instalments") else "one_date") if asked else "",
              "reason": asked.get("reason") or "", "until": asked.get("requested_until") or "",
              "instalments": str(asked.get("instalments") or ""), "not_large_business": ""}
    return await wizard_page(request, "deferral", draft, relief=wizard_relief, values=values)


@routes.post(DRAFT + "/deferral")
async def ask(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await posted_form(request)
    draft = await editable_draft(request, principal)
    body, errors = wizard_relief.deferral_body(form, legal_entity=draft.filing["payer_kind"] == "legal_entity")
    errors = await _said(request, errors, {"article": CITATION[await request_language(request)]})
    return await _relief_answer(request, "deferral", draft, form, errors,
                                lambda: FilingWizard(request.app).ask_deferral(principal, draft.id, body))

