"""The wizard's last steps: paying the duty on the provider's page, checking the answers, sending,
and the court-signed receipt.

The payment page shows what is due at today's MRP less what the ledger already holds; its form
posts that amount back, and the payment starts only if it is still what is due (see
:mod:`web.pages.wizard_service`). The provider sends the payer back here; the page believes the
ledger (the provider's signed callback), never the ``status`` in the return URL. Sending is the
submission service's: a refusal (not paid, incomplete, not a party) comes back on the check page.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from cabinet.fee_kinds import citation
from cabinet.money import Money
from core.clock import COURT_TIME
from core.errors import SotkabError
from core.resources import CLOCK
from web.i18n import N_
from web.pages import wizard, wizard_relief
from web.pages.access import logged_in
from web.pages.csrf import check_csrf
from web.pages.filing_wizard import DRAFT, court_choices, draft_id_of, editable_draft, wizard_page
from web.pages.language import request_language
from web.pages.wizard_service import FilingWizard

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

PAYMENT_MESSAGES = {
    "fee_changed": N_("The state duty has changed since you opened this page. Check the new amount and pay again."),
    "nothing_to_pay": N_("The state duty of this filing is already paid."),
    "filing_incomplete": N_("Finish the claim section first: the duty depends on it."),
    "payment_provider_unavailable": N_("The payment service did not answer. Nothing was charged; try again later."),
}
SUBMIT_MESSAGES = {
    "fee_not_paid": N_("The state duty is not paid in full. Pay it before sending the filing."),
    "filing_incomplete": N_("Some sections are not finished. Complete every section of the task list."),
    "filer_not_party": N_("You must be listed as the plaintiff or applicant to send this filing."),
    "not_a_lawyer": N_("Only a lawyer may file on behalf of someone else."),
    "not_a_party": N_("You are not a party to this case, so you cannot file into it."),
    "power_of_attorney_required": N_("Attach the power of attorney: you are filing on behalf of someone else."),
    "case_closed": N_("The case is closed: nothing more can be filed in it."),
    "exemption_document_required": N_("Attach the document that shows the exemption from the state duty."),
}
OTHER_REFUSAL = N_("The filing could not be sent. Check your answers and try again.")
PAID_BANNER = N_("Payment received. The state duty is paid.")
DECLINED_BANNER = N_("The payment did not go through. Nothing was charged; you can try again.")


@routes.get(DRAFT + "/payment")
async def payment(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    draft = await editable_draft(request, principal)
    if draft.quote is None:
        raise web.HTTPSeeOther(wizard.url_of(draft.id, "claim"))
    duty = await FilingWizard(request.app).duty(principal, draft.id)
    banner = None
    if request.query.get("payment_id"):
        banner = PAID_BANNER if not duty.due.is_positive() else DECLINED_BANNER
    return await wizard_page(request, "payment", draft, duty=duty, banner=banner)


@routes.post(DRAFT + "/payment")
async def pay(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await request.post()
    check_csrf(request, form.get("csrf_token"))
    wizard_service = FilingWizard(request.app)
    draft_id = draft_id_of(request)
    try:
        url = await wizard_service.start_payment(principal, draft_id, str(form.get("amount", ""))[:40],
                                                 wizard.url_of(draft_id, "payment"))
    except SotkabError as refusal:
        if refusal.code not in PAYMENT_MESSAGES:
            raise
        draft = await editable_draft(request, principal)
        duty = await wizard_service.duty(principal, draft.id)
        return await wizard_page(request, "payment", draft, status=refusal.status, duty=duty, banner=None,
                           errors={"pay": PAYMENT_MESSAGES[refusal.code]})
    raise web.HTTPSeeOther(url)


@routes.get(DRAFT + "/check")
async def check(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    draft = await editable_draft(request, principal)
    return await wizard_page(request, "check", draft, **await _check_context(request, draft))


async def _check_context(request: web.Request, draft: wizard.Draft) -> dict[str, Any]:
    """The court's name, the exemption claimed with its article, and the instalments asked for, in the
    person's language."""
    language = await request_language(request)
    names = {court["code"]: court[f"name_{language}"] for court in await court_choices(request)}
    exemption_text = ""
    if draft.exemption:
        exemption_text = wizard_relief.exemption_title(draft.exemption, language)
        if draft.quote and draft.quote.get("exemption"):
            exemption_text += " — " + citation(str(draft.quote["exemption"]["article"]))[language]
    plan = wizard_relief.instalments_of(draft, request.app[CLOCK].now().astimezone(COURT_TIME).date())
    return {"court_name": names.get(str(draft.filing["court"]), ""), "exemption_text": exemption_text,
            "plan": plan}


@routes.post(DRAFT + "/check")
async def send(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await request.post()
    check_csrf(request, form.get("csrf_token"))
    try:
        receipt = await FilingWizard(request.app).submit(principal, draft_id_of(request))
    except SotkabError as refusal:
        if refusal.status >= 500 or refusal.code in ("filing_not_found", "filing_not_draft"):
            raise
        draft = await editable_draft(request, principal)
        return await wizard_page(request, "check", draft, status=refusal.status, **await _check_context(request, draft),
                                 errors={"send": SUBMIT_MESSAGES.get(refusal.code, OTHER_REFUSAL)})
    raise web.HTTPSeeOther(receipt)


@routes.get(DRAFT + "/receipt")
async def receipt(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    draft = await FilingWizard(request.app).draft(principal, draft_id_of(request))
    if draft.filing["status"] == "draft":
        raise web.HTTPSeeOther(wizard.url_of(draft.id, "tasks"))
    paid = Money.parse(draft.filing["fee"]["quote"]["paid"]).tiyn if draft.filing["fee"]["quote"] else 0
    return await wizard_page(request, "receipt", draft, paid_tiyn=paid)
