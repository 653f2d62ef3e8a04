"""The case page in the cabinet: status, timeline, parties, documents, payments and hearings.

It shows what ``GET /api/v1/cases/{number}`` returns to the same person (the filing package's
tracking service decides who may see a case: its parties and representatives, its judge, the
court's clerks), in the reader's language. Documents download through the API with the session
cookie; each carries the verifier's verdict on its signature and its detached CMS.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from aiohttp import web

from cabinet.filing.access import caller_of
from cabinet.filing.sections import case_sections
from cabinet.filing.tracking import TrackingService
from cabinet.filing.views import case_file_json
from cabinet.identity.roles import Role
from core.resources import CLOCK, DB
from recordings.retrieval import Retrieval
from web.i18n import N_
from web.pages import vocabulary
from web.pages.access import logged_in
from web.pages.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

SCHEDULABLE = frozenset({"accepted", "scheduled", "heard"})
"""The statuses from which the booking service schedules a hearing (others it refuses)."""
SCHEDULED = N_("The hearing is scheduled; everyone summoned gets a notice with a calendar file.")


def tiyn(amount: str | None) -> int | None:
    """The API's money (``"1297.50"``) as integer tiyn."""
    return None if amount is None else int(Decimal(amount) * 100)


@routes.get("/cabinet/cases/{number:.+}")
async def case_page(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    number = request.match_info["number"][:60]
    async with request.app[DB].sessions() as session:
        case_file = await TrackingService(session).case_file(number, caller_of(principal))
        sections = await case_sections(request.app, session, case_file.case)
    case = case_file_json(case_file, sections)
    recordings = await Retrieval(request.app[DB], request.app[CLOCK]).of_case(principal, case_file.case.id)
    for fee in case["fees"]:
        fee["owed_tiyn"], fee["paid_tiyn"] = tiyn(fee["owed"]), tiyn(fee["paid"])
    for event in case["timeline"]:
        event["at"] = datetime.fromisoformat(event["at"])
    schedulable = case["status"] in SCHEDULABLE and (principal.has_role(Role.CLERK) or principal.has_role(Role.JUDGE))
    return await render(request, "cabinet/case.html", {
        "case": case, "vocabulary": vocabulary, "schedulable": schedulable, "recordings": recordings,
        "banner": SCHEDULED if request.query.get("done") == "scheduled" else None})
