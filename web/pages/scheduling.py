"""Scheduling a hearing from the case: courtroom, day and time (court time), length, format, who
is summoned — one form, checked by the hearings package's booking service exactly as the API is.

What the booking service refuses comes back at the field it concerns; a clash with another
booking (the courtroom, the judge, the clerk, a lawyer or a prosecutor already elsewhere) is
listed clash by clash with the other hearing's time, so the clerk can pick another slot.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from typing import Any

from aiohttp import web

from cabinet.courts import Court, CourtStore
from cabinet.filing.access import caller_of
from cabinet.filing.tracking import TrackingService
from cabinet.identity.principal import Principal
from core.clock import COURT_TIME
from core.errors import SotkabError
from core.resources import CLOCK, CONFIG, DB
from sessions.booking import BookingService
from sessions.hearings import HearingRole
from sessions.requests import booking_request
from web.i18n import N_
from web.pages import vocabulary
from web.pages.access import logged_in
from web.pages.csrf import check_csrf
from web.pages.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

SUMMONED_ROLES = frozenset({HearingRole.PLAINTIFF.value, HearingRole.DEFENDANT.value})
FIELD_MESSAGES = {
    "courtroom": N_("Choose a courtroom of this court."),
    "day": N_("Enter the day of the hearing as a real date, for example 2026-03-20."),
    "start": N_("Enter a day and time in the future."),
    "duration_minutes": N_("Enter the length in minutes, from 5 minutes to 12 hours."),
    "format": N_("Choose how the hearing is held."),
    "participants": N_("Choose at least one person to summon."),
    "is_open": N_("A case of a closed category cannot be heard in public."),
}
CLASHES = {
    "courtroom": N_("The courtroom is taken from %(start)s to %(end)s."),
    "judge": N_("The judge sits in another hearing from %(start)s to %(end)s."),
    "clerk": N_("The clerk is at another hearing from %(start)s to %(end)s."),
    "representative": N_("A representative is at another hearing from %(start)s to %(end)s."),
    "prosecutor": N_("The prosecutor is at another hearing from %(start)s to %(end)s."),
}



async def _context(request: web.Request, principal: Principal, number: str) -> dict[str, Any]:
    async with request.app[DB].sessions() as session:
        case_file = await TrackingService(session).case_file(number, caller_of(principal))
        court: Court | None = await CourtStore(session).find(case_file.court.code)
        rooms = sorted(room.name for room in court.courtrooms) if court is not None else []
    parties = [{"iin": p.iin, "role": p.role, "name": p.name} for p in case_file.case.parties
               if p.iin and p.role in SUMMONED_ROLES]
    return {"number": case_file.case.number, "title": case_file.case.title, "rooms": rooms, "parties": parties,
            "closed": case_file.case.closed_category, "vocabulary": vocabulary, "errors": {}, "clashes": [],
            "CLASHES": CLASHES,
            "values": {"courtroom": "", "day": "", "time": "10:00", "duration": "60", "format": "mixed",
                       "is_open": "no" if case_file.case.closed_category else "yes",
                       "summoned": [p["iin"] for p in parties]}}


@routes.get("/staff/cases/{number:.+}/schedule")
async def schedule_form(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    context = await _context(request, principal, request.match_info["number"][:60])
    return await render(request, "staff/schedule.html", context)


def _body(form: Any, context: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The booking API's body from the form, or the fields the form itself gets wrong."""
    values = context["values"]
    for name in ("courtroom", "day", "time", "duration", "format", "is_open"):
        values[name] = str(form.get(name) or "")[:40]
    values["summoned"] = [str(v) for v in form.getall("summoned", [])][:100]
    errors: dict[str, str] = {}
    try:
        day = date.fromisoformat(values["day"]) if len(values["day"]) == 10 else None
        at = time.fromisoformat(values["time"]) if len(values["time"]) == 5 else None
    except ValueError:
        day = at = None
    if day is None or at is None:
        errors["day"] = FIELD_MESSAGES["day"]
    if not values["duration"].isdigit():
        errors["duration_minutes"] = FIELD_MESSAGES["duration_minutes"]
    by_iin = {p["iin"]: p for p in context["parties"]}
    chosen = [by_iin[iin] for iin in values["summoned"] if iin in by_iin]
    if not chosen:
        errors["participants"] = FIELD_MESSAGES["participants"]
    if errors or day is None or at is None:
        return None, errors
    return {
        "case": context["number"], "courtroom": values["courtroom"],
        "start": datetime.combine(day, at, COURT_TIME).isoformat(), "duration_minutes": int(values["duration"]),
        "format": values["format"], "is_open": values["is_open"] == "yes",
        "participants": [{"iin": p["iin"], "role": p["role"]} for p in chosen],
    }, {}


def _clashes(refusal: SotkabError) -> list[dict[str, Any]]:
    return [{"kind": c["kind"], "start": datetime.fromisoformat(c["start"]), "end": datetime.fromisoformat(c["end"])}
            for c in (refusal.details or {}).get("conflicts", []) if c.get("kind") in CLASHES]


@routes.post("/staff/cases/{number:.+}/schedule")
async def schedule(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    form = await request.post()
    check_csrf(request, form.get("csrf_token"))
    context = await _context(request, principal, request.match_info["number"][:60])
    body, errors = _body(form, context)
    if body is not None:
        try:
            booking = booking_request(body)
            async with request.app[DB].transaction() as session:
                await BookingService(session, request.app[CLOCK], request.app[CONFIG]).schedule(principal, booking)
        except SotkabError as refusal:
            wrong_room = refusal.code == "courtroom_not_found"
            if refusal.status >= 500 or (refusal.status in (401, 403, 404) and not wrong_room):
                raise
            field = "courtroom" if wrong_room else str((refusal.details or {}).get("field", ""))
            if refusal.code == "schedule_conflict":
                context["clashes"] = _clashes(refusal)
            elif refusal.code == "closed_category":
                errors["is_open"] = FIELD_MESSAGES["is_open"]
            else:
                key = next((name for name in FIELD_MESSAGES
                            if field and (field.startswith(name) or name.startswith(field))), "start")
                errors[key] = FIELD_MESSAGES[key]
        else:
            raise web.HTTPSeeOther(f"/cabinet/cases/{context['number']}?done=scheduled#hearings")
    context["errors"] = errors
    return await render(request, "staff/schedule.html", context, status=409 if context["clashes"] else 400)
