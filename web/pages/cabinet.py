"""The person's cabinet: hearings to come, drafts to resume, latest notices, and their cases.

Cases come from the filing package's tracking service (the same rows and access rule as
``GET /api/v1/cases``: a person sees the cases they are a party to), found and filtered on the
server (a plain GET form). Hearings come from ``sessions.upcoming``: each join button is rendered
live or not as of now, and ``cabinet.js`` asks ``GET /api/v1/me/hearings`` again so it lights up
when the waiting room opens, without a reload; it links to the hearing room page. A draft links
to the filing wizard's page for it, ``/cabinet/filings/{id}``. The unread count follows the
``/cabinet`` namespace (``live.js``). Anyone not logged in is sent to the login page and back.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from cabinet.filing.access import caller_of
from cabinet.filing.drafts import DRAFT
from cabinet.filing.tracking import TrackingService
from cabinet.notifications.inbox import Inbox
from core.resources import CLOCK, DB
from sessions.labels import Language, courtroom_place
from sessions.upcoming import upcoming_for
from web.pages import vocabulary
from web.pages.access import logged_in
from web.pages.language import request_language
from web.pages.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

LISTED = 200
"""The most recent cases a cabinet lists; a person with more searches by number."""
DRAFTS_LISTED = 20
NOTICES_LISTED = 5


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
    now = request.app[CLOCK].now()
    async with request.app[DB].sessions() as session:
        tracking = TrackingService(session)
        rows = await tracking.my_cases(caller_of(principal), LISTED, 0)
        hearings = await upcoming_for(session, principal.user_id, now)
        drafts = [f for f in await tracking.my_filings(principal.user_id) if f.status == DRAFT][:DRAFTS_LISTED]
        latest = await Inbox(session, request.app[CLOCK]).page(principal.user_id, limit=NOTICES_LISTED)
    language = await request_language(request)
    cases = [{"number": case.number, "title": case.title, "status": case.status, "case_kind": case.case_kind,
              "registered_at": case.registered_at, "roles": roles,
              "public": not case.closed_category} for case, roles in rows]
    shown = [case for case in cases if matches(case, query, status)]
    return await render(request, "cabinet/cases.html", {
        "cases": shown, "total": len(cases), "q": query, "status": status, "vocabulary": vocabulary,
        "statuses": sorted({case["status"] for case in cases}, key=list(vocabulary.CASE_STATUS).index),
        "hearings": [{"id": h.hearing_id, "case_number": h.case_number, "start": h.start, "role": h.role,
                      "place": courtroom_place(getattr(h, f"court_{language}"), h.courtroom, Language(language)),
                      "remote": h.remote,
                      "joinable": h.joinable, "join_url": h.join_url, "lobby_opens_at": h.lobby_opens_at}
                     for h in hearings],
        "drafts": [{"id": f.id, "title": f.title, "filing_type": f.filing_type, "updated_at": f.updated_at,
                    "url": draft_path(f.id)} for f in drafts],
        "latest": [{"id": n.id, "title": n.worded(language).title, "created_at": n.created_at,
                    "read": n.read_at is not None} for n in latest.notices],
    })


def draft_path(draft_id: int) -> str:
    """Where the filing wizard resumes a draft (the wizard's page; agreed URL)."""
    return f"/cabinet/filings/{draft_id}"
