"""HTTP API of public access (no login): one case by its number, and a court's cause list of a day.

The case number contains a ``/`` (``7594-26-00-2/000001``): it may be sent as it is
(``/api/v1/public/cases/7594-26-00-2/000001``) or with the slash encoded as ``%2F``. The path
takes any text, so a malformed number gets ``400 invalid_case_number`` rather than a bare 404.
"""

from __future__ import annotations

from aiohttp import web

from sessions.public.errors import PublicQueryInvalid
from sessions.public.service import PublicService

routes = web.RouteTableDef()
PUBLIC = web.AppKey("public_service", PublicService)

CACHE_CONTROL = "public, max-age=30"
"""Public answers may be cached briefly by browsers and proxies; a status change shows within 30 s."""
HEARINGS_PARAMETERS = frozenset({"court", "date"})


@routes.get("/api/v1/public/cases/{number:.+}")
async def public_case(request: web.Request) -> web.Response:
    case = await request.app[PUBLIC].case(request.match_info["number"])
    return web.json_response(case.to_json(), headers={"Cache-Control": CACHE_CONTROL})


@routes.get("/api/v1/public/hearings")
async def cause_list(request: web.Request) -> web.Response:
    query = request.query
    for name in sorted(set(query)):
        if name not in HEARINGS_PARAMETERS:
            raise PublicQueryInvalid(f"unknown parameter {name[:40]!r} (known: court, date)",
                                     code="unknown_parameter", details={"field": name[:40]})
        if len(query.getall(name)) > 1:
            raise PublicQueryInvalid(f"parameter {name!r} is given more than once", code="repeated_parameter",
                                     details={"field": name})
    body = await request.app[PUBLIC].cause_list(query.get("court"), query.get("date"))
    return web.json_response(body, headers={"Cache-Control": CACHE_CONTROL})
