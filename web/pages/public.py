"""Public pages, no login: a case's status by its number, and a court's hearings of a day.

They call the public lookup service (the same rules and single queries as the public API), so a
page shows exactly what the API would, and nothing the API would not. Plain HTML forms with GET,
no script: fast, bookmarkable, and indexable (each answer has its own canonical URL).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlencode

from aiohttp import web

from cabinet.courts import CourtStore
from core.clock import COURT_TIME
from core.errors import SotkabError
from core.resources import CLOCK, DB
from sessions.public.routes import PUBLIC
from web.i18n import N_
from web.pages import vocabulary
from web.pages.language import request_language
from web.pages.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

_CASE_ERRORS = {
    "invalid_case_number": N_("Enter a case number like 7594-26-00-2/000123: the court's code, the year, "
                              "the instance, the kind and category, and the case's own number."),
    "case_not_found": N_("No case with this number can be shown. Check the number; cases of closed "
                         "categories (children, family, state secrets) are not shown to the public."),
    "number_missing": N_("Enter the case number."),
}
_HEARINGS_ERRORS = {
    "invalid_date": N_("Enter a real date, for example 2026-03-01."),
    "court_not_found": N_("Choose a court from the list."),
    "invalid_court_code": N_("Choose a court from the list."),
}


def _court_name(court: dict[str, Any], language: str) -> str:
    return str(court["name"].get(language) or court["name"]["ru"])


@routes.get("/cases")
async def case_lookup(request: web.Request) -> web.Response:
    """The search form; with ``?number=`` it answers on this page (and links its canonical URL)."""
    number = request.query.get("number", "").strip()
    if "number" not in request.query:
        return await render(request, "public/case_search.html", {"number": "", "error": None, "case": None})
    if not number:
        return await render(request, "public/case_search.html",
                            {"number": "", "error": _CASE_ERRORS["number_missing"], "case": None}, status=400)
    return await _case_page(request, number)


@routes.get("/cases/{number:.+}")
async def case_page(request: web.Request) -> web.Response:
    return await _case_page(request, request.match_info["number"])


async def _case_page(request: web.Request, number: str) -> web.Response:
    try:
        case = (await request.app[PUBLIC].case(number[:60])).to_json()
    except SotkabError as refusal:  # the number's parser and the lookup refuse with their own classes
        if refusal.status >= 500:
            raise
        message = _CASE_ERRORS.get(refusal.code, _CASE_ERRORS["invalid_case_number"])
        return await render(request, "public/case_search.html",
                            {"number": number[:60], "error": message, "case": None}, status=refusal.status)
    return await render(request, "public/case_search.html", {
        "number": case["number"], "error": None, "case": case,
        "canonical": f"/cases/{quote(case['number'], safe='/')}",
        "vocabulary": vocabulary,
    }, headers={"Cache-Control": "no-cache"})


@routes.get("/hearings")
async def cause_list(request: web.Request) -> web.Response:
    async with request.app[DB].sessions() as session:
        courts = [(c.code, {"kk": c.name_kk, "ru": c.name_ru, "en": c.name_en})
                  for c in await CourtStore(session).list()]
    court = request.query.get("court", "")
    day = request.query.get("date", "")
    today = request.app[CLOCK].now().astimezone(COURT_TIME).date().isoformat()
    context: dict[str, Any] = {"courts": courts, "court": court, "day": day or today, "listing": None,
                               "error": None, "error_field": None, "vocabulary": vocabulary}
    if not court:
        return await render(request, "public/hearings.html", context)
    try:
        listing = await request.app[PUBLIC].cause_list(court[:20], day[:20] or None)
    except SotkabError as refusal:
        if refusal.status >= 500:
            raise
        context["error"] = _HEARINGS_ERRORS.get(refusal.code, _HEARINGS_ERRORS["court_not_found"])
        context["error_field"] = "date" if refusal.code == "invalid_date" else "court"
        return await render(request, "public/hearings.html", context, status=refusal.status)
    context["listing"] = listing
    context["court_name"] = _court_name(listing["court"], await request_language(request))
    context["canonical"] = "/hearings?" + urlencode({"court": listing["court"]["code"], "date": listing["date"]})
    return await render(request, "public/hearings.html", context)

