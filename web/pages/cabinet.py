"""The person's cabinet: their cases, found and filtered on the server (a plain GET form).

Cases come from the filing package's tracking service (the same rows and access rule as
``GET /api/v1/cases``: a person sees the cases they are a party to). Anyone not logged in is sent
to the login page and back here afterwards.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from cabinet.filing.access import caller_of
from cabinet.filing.tracking import TrackingService
from core.resources import DB
from web.pages import vocabulary
from web.pages.access import logged_in
from web.pages.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

LISTED = 200
"""The most recent cases a cabinet lists; a person with more searches by number."""


def matches(case: dict[str, Any], query: str, status: str) -> bool:
    """Whether a case row answers the search: the number or the title contains the words typed
    (case-insensitive), and the status is the one chosen (or any)."""
    if status and case["status"] != status:
        return False
    if not query:
        return True
    haystack = f"{case['number']} {case['title']}".casefold()
    return all(word in haystack for word in query.casefold().split())


@routes.get("/cabinet")
async def my_cases(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    query = request.query.get("q", "").strip()[:100]
    status = request.query.get("status", "")
    if status not in vocabulary.CASE_STATUS:
        status = ""
    async with request.app[DB].sessions() as session:
        rows = await TrackingService(session).my_cases(caller_of(principal), LISTED, 0)
    cases = [{"number": case.number, "title": case.title, "status": case.status, "case_kind": case.case_kind,
              "registered_at": case.registered_at, "roles": roles,
              "public": not case.closed_category} for case, roles in rows]
    shown = [case for case in cases if matches(case, query, status)]
    return await render(request, "cabinet/cases.html", {
        "cases": shown, "total": len(cases), "q": query, "status": status, "vocabulary": vocabulary,
        "statuses": sorted({case["status"] for case in cases}, key=list(vocabulary.CASE_STATUS).index),
    })
