"""The clerk's registry desk: the court's submitted filings, registered or returned with a reason.

Plain forms posted with the session cookie and a CSRF token; each action is one call of the
filing package's staff service, which checks that the person is a clerk of the filing's court and
that the filing can still move (a second clerk registering the same filing gets a clear refusal).
Returning asks for the reason on a page of its own, as the GOV.UK pattern has it. A filing claiming
an exemption from the duty shows the ground claimed; registration waits for the clerk to confirm or
refuse it (``StaffService.register`` refuses an undecided claim), so the desk offers that decision
first (:mod:`web.pages.fee_relief_desk`).
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.filing.access import caller_of
from cabinet.filing.models import Case
from cabinet.filing.staff import StaffService
from cabinet.filing.tracking import TrackingService
from core.resources import CLOCK, DB
from web.i18n import N_
from web.pages import vocabulary
from web.pages.access import logged_in, row_id
from web.pages.csrf import check_csrf
from web.pages.language import request_language
from web.pages.rendering import render
from web.pages.wizard_relief import claimed_ground

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

QUEUE = 100
REASON_MISSING = N_("Enter the reason for returning the filing: the filer reads it in the notice.")
REASON_TOO_LONG = N_("The reason must be 2000 characters or fewer.")
DONE = {"registered": N_("The filing was registered as case %(number)s."),
        "returned": N_("The filing %(number)s was returned to the filer."),
        "exemption_confirmed": N_("The exemption claimed in filing %(number)s was confirmed: the filing can be "
                                  "registered without payment."),
        "exemption_refused": N_("The exemption claimed in filing %(number)s was refused: the filer is told the "
                                "duty to pay, and the filing is registered once it is paid.")}



@routes.get("/staff/registry")
async def queue(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    async with request.app[DB].sessions() as session:
        filings = await TrackingService(session).staff_filings(caller_of(principal), "submitted", QUEUE, 0)
    done = request.query.get("done", "")
    banner = {"text": DONE[done], "number": request.query.get("number", "")[:60]} if done in DONE else None
    language = await request_language(request)
    rows = [{"id": f.id, "incoming_number": f.incoming_number, "filing_type": f.filing_type, "title": f.title,
             "case_kind": f.case_kind, "submitted_at": f.submitted_at,
             "parties": [(p.role, p.name) for p in f.parties],
             "exemption": claimed_ground(f.exemption, language) if f.exemption else None,
             "exemption_status": f.exemption_status} for f in filings]
    return await render(request, "staff/registry.html", {"filings": rows, "banner": banner,
                                                          "vocabulary": vocabulary})


@routes.post(r"/staff/registry/{id:\d{1,18}}/register")
async def register(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    check_csrf(request, (await request.post()).get("csrf_token"))
    async with request.app[DB].transaction() as session:
        filing = await StaffService(session, request.app[CLOCK]).register(row_id(request), principal)
        number = await _case_number(session, filing.case_id)
    raise web.HTTPSeeOther("/staff/registry?" + urlencode({"done": "registered", "number": number}))


async def _case_number(session: AsyncSession, case_id: int | None) -> str:
    case = await session.get(Case, case_id) if case_id is not None else None
    return case.number if case is not None else ""


@routes.get(r"/staff/registry/{id:\d{1,18}}/return")
async def return_form(request: web.Request) -> web.Response:
    await logged_in(request)
    return await render(request, "staff/return.html", {"id": request.match_info["id"], "reason": "", "error": None})


@routes.post(r"/staff/registry/{id:\d{1,18}}/return")
async def return_filing(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await request.post()
    check_csrf(request, form.get("csrf_token"))
    reason = str(form.get("reason") or "").strip()
    error = REASON_MISSING if not reason else REASON_TOO_LONG if len(reason) > 2000 else None
    if error:
        return await render(request, "staff/return.html", {"id": request.match_info["id"], "reason": reason[:4000],
                                                           "error": error}, status=400)
    async with request.app[DB].transaction() as session:
        filing = await StaffService(session, request.app[CLOCK]).return_filing(
            row_id(request), principal, reason)
    number = filing.incoming_number or str(filing.id)
    raise web.HTTPSeeOther("/staff/registry?" + urlencode({"done": "returned", "number": number}))
