"""``GET /healthz``: whether this process can serve, for load balancers and operators."""

from __future__ import annotations

from aiohttp import web

from core.resources import DB


async def healthz(request: web.Request) -> web.Response:
    db = request.app[DB]
    reachable = await db.ping()
    body = {"status": "ok" if reachable else "degraded", "database": {"backend": db.dialect,
                                                                       "reachable": reachable}}
    return web.json_response(body, status=200 if reachable else 503)


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
