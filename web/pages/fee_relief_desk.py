"""Relief from the state duty, decided at the staff desks: the clerk confirms or refuses a claimed
exemption (art. 668) at registration, the judge of the case grants or refuses a deferral (art. 135).

Each decision is one call of the cabinet's decision function (``decide_exemption``,
``decide_deferral``) in one transaction; the page shows only what the person deciding may see,
through the same checks (``claim_to_decide``, ``deferral_to_decide``), so another judge, a party or
another court's clerk meets the refusal the decision would give, as the site's error page. A reason
or a date the service refuses comes back at its field, the form again with status 400; a refusal
needs its reason on a page of its own, as the GOV.UK pattern has it.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from cabinet.filing.deferral_queue import PendingDeferral, deferral_to_decide
from cabinet.filing.deferrals import CITATION, MAX_REASON, DeferralDecision, decide_deferral
from cabinet.filing.errors import FilingInvalid
from cabinet.filing.fee_decisions import ExemptionDecision, claim_to_decide, decide_exemption
from cabinet.filing.models import Filing
from core.resources import CLOCK, DB
from web.i18n import N_
from web.pages.access import logged_in, row_id
from web.pages.csrf import check_csrf
from web.pages.language import request_language
from web.pages.rendering import render
from web.pages.wizard_relief import claimed_ground

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

EXEMPTION_REASON_MISSING = N_("Enter the reason for refusing the exemption: the filer reads it in the notice.")
DECISION_MISSING = N_("Choose whether to grant the deferral or refuse it.")
DUE_MISSING = N_("Enter the due date of the duty to grant the deferral.")
DUE_INVALID = N_("Enter the due date as a real date, for example 2026-03-20.")
DUE_OUT_OF_RANGE = N_("The due date must be after today and at most a year ahead.")
DEFERRAL_REASON_MISSING = N_("Enter the reason for refusing the deferral: the filer reads it in the notice.")
REASON_TOO_LONG = N_("The reason must be 2000 characters or fewer.")
DECISIONS = {"grant": N_("Grant the deferral"), "refuse": N_("Refuse the deferral: the duty is due now")}

FIELD_OF_REFUSAL = {"invalid_due_date": ("due_date", DUE_OUT_OF_RANGE),
                    "reason_required": ("reason", DEFERRAL_REASON_MISSING),
                    "invalid_field": ("reason", REASON_TOO_LONG)}
"""The decision's own 400 refusals, said at the page's fields (the page checks first; this is the rest)."""


def _reason_error(reason: str, missing: str) -> str | None:
    return missing if not reason else REASON_TOO_LONG if len(reason) > MAX_REASON else None


def _claim(filing: Filing, language: str) -> dict[str, Any]:
    assert filing.exemption is not None
    return {"id": filing.id, "incoming_number": filing.incoming_number or str(filing.id),
            "ground": claimed_ground(filing.exemption, language)}


# -- the clerk: a claimed exemption -------------------------------------------------------------------

@routes.post(r"/staff/registry/{id:\d{1,18}}/exemption/confirm")
async def confirm_exemption(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    check_csrf(request, (await request.post()).get("csrf_token"))
    async with request.app[DB].transaction() as session:
        filing = await decide_exemption(session, request.app[CLOCK], row_id(request), principal,
                                        ExemptionDecision.CONFIRM, None)
    number = filing.incoming_number or str(filing.id)
    raise web.HTTPSeeOther("/staff/registry?" + urlencode({"done": "exemption_confirmed", "number": number}))


@routes.get(r"/staff/registry/{id:\d{1,18}}/exemption/refuse")
async def refuse_exemption_form(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    language = await request_language(request)  # before the transaction: on SQLite it holds the only writer
    async with request.app[DB].transaction() as session:
        filing, _ = await claim_to_decide(session, request.app[CLOCK], row_id(request), principal)
        claim = _claim(filing, language)
    return await render(request, "staff/exemption_refuse.html", {"claim": claim, "reason": "", "error": None})


@routes.post(r"/staff/registry/{id:\d{1,18}}/exemption/refuse")
async def refuse_exemption(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await request.post()
    check_csrf(request, form.get("csrf_token"))
    reason = str(form.get("reason") or "").strip()
    language = await request_language(request)
    async with request.app[DB].transaction() as session:
        filing, _ = await claim_to_decide(session, request.app[CLOCK], row_id(request), principal)
        error = _reason_error(reason, EXEMPTION_REASON_MISSING)
        if error is None:
            filing = await decide_exemption(session, request.app[CLOCK], filing.id, principal,
                                            ExemptionDecision.REFUSE, reason)
        claim = _claim(filing, language)
    if error is not None:
        return await render(request, "staff/exemption_refuse.html",
                            {"claim": claim, "reason": reason[:4000], "error": error}, status=400)
    raise web.HTTPSeeOther("/staff/registry?" + urlencode({"done": "exemption_refused",
                                                            "number": claim["incoming_number"]}))


# -- the judge: a deferral or instalments ------------------------------------------------------------

def _due(text: str) -> tuple[date | None, str | None]:
    text = text.strip()
    if not text:
        return None, DUE_MISSING
    try:
        return (date.fromisoformat(text), None) if len(text) == 10 else (None, DUE_INVALID)
    except ValueError:
        return None, DUE_INVALID


async def _deferral_page(request: web.Request, pending: PendingDeferral, values: dict[str, str],
                         errors: dict[str, str], status: int = 200) -> web.Response:
    language = await request_language(request)
    context = {"pending": pending, "values": values, "errors": errors, "article": CITATION[language],
               "decisions": DECISIONS}
    return await render(request, "staff/deferral.html", context, status=status)


@routes.get(r"/staff/deferrals/{id:\d{1,18}}")
async def deferral_form(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    async with request.app[DB].transaction() as session:
        pending = await deferral_to_decide(session, request.app[CLOCK], row_id(request), principal)
    due = pending.suggested_due
    return await _deferral_page(request, pending, {"decision": "", "due_date": due.isoformat() if due else "",
                                                   "reason": ""}, {})


def _decision_errors(values: dict[str, str]) -> tuple[DeferralDecision | None, date | None, dict[str, str]]:
    errors: dict[str, str] = {}
    decision = {"grant": DeferralDecision.GRANT, "refuse": DeferralDecision.REFUSE}.get(values["decision"])
    due = None
    if decision is None:
        errors["decision"] = DECISION_MISSING
    elif decision is DeferralDecision.GRANT:
        due, problem = _due(values["due_date"])
        if problem:
            errors["due_date"] = problem
    reason = values["reason"]
    problem = _reason_error(reason, DEFERRAL_REASON_MISSING) if decision is DeferralDecision.REFUSE else (
        REASON_TOO_LONG if len(reason) > MAX_REASON else None)
    if problem:
        errors["reason"] = problem
    return decision, due, errors


@routes.post(r"/staff/deferrals/{id:\d{1,18}}")
async def decide(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await request.post()
    check_csrf(request, form.get("csrf_token"))
    values = {"decision": str(form.get("decision") or "")[:10], "due_date": str(form.get("due_date") or "")[:20],
              "reason": str(form.get("reason") or "").strip()}
    decision, due, errors = _decision_errors(values)
    try:
        async with request.app[DB].transaction() as session:
            pending = await deferral_to_decide(session, request.app[CLOCK], row_id(request), principal)
            if decision is not None and not errors:
                await decide_deferral(session, request.app[CLOCK], pending.filing_id, principal, decision,
                                      due, values["reason"] or None)
    except FilingInvalid as refusal:
        if refusal.code not in FIELD_OF_REFUSAL:
            raise
        field, message = FIELD_OF_REFUSAL[refusal.code]
        errors = {field: message}
    if errors:
        values["reason"] = values["reason"][:4000]
        return await _deferral_page(request, pending, values, errors, status=400)
    done = "deferral_granted" if decision is DeferralDecision.GRANT else "deferral_refused"
    raise web.HTTPSeeOther("/staff/cases?" + urlencode({"done": done, "number": pending.incoming_number or ""}))
