"""The judge's desk: the cases assigned to the judge, accepted into proceedings or left without
motion (with what to remedy and by when) — each a form calling the filing package's staff service.

The service checks the person is the case's judge and that the step is allowed from the case's
status; the desk only lists, asks and shows the outcome. It also lists the filings of the judge's
cases whose request to defer the duty awaits the judge (decided in :mod:`web.pages.fee_relief_desk`).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from urllib.parse import urlencode

from aiohttp import web

from cabinet.case_status import CaseStatus
from cabinet.filing.access import caller_of
from cabinet.filing.deferral_queue import pending_deferrals
from cabinet.filing.staff import StaffService
from cabinet.filing.tracking import MAX_PAGE, StaffQuery, TrackingService
from core.clock import COURT_TIME
from core.resources import CLOCK, DB
from web.i18n import N_
from web.pages import vocabulary
from web.pages.access import logged_in
from web.pages.csrf import check_csrf
from web.pages.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

ACT_STATUSES = frozenset(s.value for s in (CaseStatus.ACCEPTED, CaseStatus.LEFT_WITHOUT_MOTION, CaseStatus.SCHEDULED,
                                          CaseStatus.HEARD))
"""Where the desk offers to issue a judicial act (the acts API decides what each act may do)."""

DONE = {"accepted": N_("Case %(number)s was accepted for proceedings."),
        "left_without_motion": N_("Case %(number)s was left without motion; the parties are told what to remedy."),
        "act_issued": N_("The judicial act in case %(number)s is issued and the parties are notified."),
        "deferral_granted": N_("The deferral of the duty for filing %(number)s was granted; the filer is told the "
                               "due date."),
        "deferral_refused": N_("The deferral of the duty for filing %(number)s was refused; the filer is told to "
                               "pay now.")}
REASON_MISSING = N_("Enter what the filer must remedy.")
REASON_TOO_LONG = N_("The reason must be 2000 characters or fewer.")
DEADLINE_INVALID = N_("Enter the last day to remedy as a real date, for example 2026-03-20.")
DEADLINE_PAST = N_("The last day to remedy must be after today.")



@routes.get("/staff/cases")
async def my_docket(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    async with request.app[DB].sessions() as session:
        cases, _total = await TrackingService(session).staff_cases(
            caller_of(principal), StaffQuery(judge_iin=principal.iin, limit=MAX_PAGE))
        deferrals = await pending_deferrals(session, request.app[CLOCK], principal)
    done = request.query.get("done", "")
    banner = {"text": DONE[done], "number": request.query.get("number", "")[:60]} if done in DONE else None
    rows = [{"number": c.number, "title": c.title, "status": c.status, "registered_at": c.registered_at,
             "motion_deadline": c.motion_deadline, "to_decide": c.status == CaseStatus.REGISTERED.value,
             "may_issue_act": c.status in ACT_STATUSES}
            for c in cases]
    return await render(request, "staff/docket.html", {"cases": rows, "banner": banner, "vocabulary": vocabulary,
                                                        "deferrals": deferrals})


@routes.post("/staff/cases/{number:.+}/accept")
async def accept(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    check_csrf(request, (await request.post()).get("csrf_token"))
    async with request.app[DB].transaction() as session:
        case = await StaffService(session, request.app[CLOCK]).accept(request.match_info["number"][:60], principal)
    raise web.HTTPSeeOther("/staff/cases?" + urlencode({"done": "accepted", "number": case.number}))


@routes.get("/staff/cases/{number:.+}/leave-without-motion")
async def motion_form(request: web.Request) -> web.Response:
    await logged_in(request)
    return await render(request, "staff/motion.html", {"number": request.match_info["number"][:60], "reason": "",
                                                       "deadline": "", "errors": {}})


def _deadline(text: str, today: date) -> tuple[datetime | None, str | None]:
    """The end of the last day to remedy, in court time; or the message saying what is wrong."""
    try:
        day = date.fromisoformat(text.strip()) if len(text.strip()) == 10 else None
    except ValueError:
        day = None
    if day is None:
        return None, DEADLINE_INVALID
    if day <= today:
        return None, DEADLINE_PAST
    return datetime.combine(day, time(23, 59), COURT_TIME), None


@routes.post("/staff/cases/{number:.+}/leave-without-motion")
async def leave_without_motion(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await request.post()
    check_csrf(request, form.get("csrf_token"))
    number = request.match_info["number"][:60]
    reason = str(form.get("reason") or "").strip()
    deadline_text = str(form.get("deadline") or "")[:20]
    errors: dict[str, str] = {}
    if not reason or len(reason) > 2000:
        errors["reason"] = REASON_MISSING if not reason else REASON_TOO_LONG
    today = request.app[CLOCK].now().astimezone(COURT_TIME).date()
    deadline, problem = _deadline(deadline_text, today)
    if problem:
        errors["deadline"] = problem
    if errors or deadline is None:
        return await render(request, "staff/motion.html", {"number": number, "reason": reason[:4000],
                                                           "deadline": deadline_text, "errors": errors}, status=400)
    async with request.app[DB].transaction() as session:
        case = await StaffService(session, request.app[CLOCK]).leave_without_motion(number, principal, reason, deadline)
    raise web.HTTPSeeOther("/staff/cases?" + urlencode({"done": "left_without_motion", "number": case.number}))

