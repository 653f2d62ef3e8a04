"""Assembly of public access: one :class:`PublicService` per app (made when the database opens, on the
database's fast path), its routes and its OpenAPI fragment."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from core.openapi import register_fragment
from core.resources import CLOCK, DB
from sessions.public import openapi
from sessions.public.routes import PUBLIC, routes
from sessions.public.service import PublicService


async def _service(app: web.Application) -> AsyncIterator[None]:
    app[PUBLIC] = PublicService(await app[DB].fast_path(), app[CLOCK])
    yield


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_service)
    app.router.add_routes(routes)
    register_fragment(app, "sessions.public", openapi.PATHS, openapi.SCHEMAS)
