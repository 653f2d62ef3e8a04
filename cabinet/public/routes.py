"""HTTP API of public access (no login): one case by its number, and a court's cause list of a day.

The case number contains a ``/`` (``7594-26-00-2/000001``): it may be sent as it is
(``/api/v1/public/cases/7594-26-00-2/000001``) or with the slash encoded as ``%2F``. The path
takes any text, so a malformed number gets ``400 invalid_case_number`` rather than a bare 404.
"""

from __future__ import annotations

from aiohttp import web

from cabinet.public.service import PublicService
from web.resources import DB

routes = web.RouteTableDef()

CACHE_CONTROL = "public, max-age=30"
"""Public answers may be cached briefly by browsers and proxies; a status change shows within 30 s."""


@routes.get("/api/v1/public/cases/{number:.+}")
async def public_case(request: web.Request) -> web.Response:
    case = await PublicService(request.app[DB]).case(request.match_info["number"])
    return web.json_response(case.to_json(), headers={"Cache-Control": CACHE_CONTROL})
