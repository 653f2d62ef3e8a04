"""Assembly of public access: one :class:`PublicService` per app (made when the database opens, with the
database's shared asyncpg pool for the case lookup on PostgreSQL), and the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from core.openapi import register_fragment
from core.resources import CLOCK, DB
from sessions.public import openapi
from sessions.public.routes import PUBLIC, routes
from sessions.public.service import PublicService
from sessions.public.store import open_lookup_pool


async def _service(app: web.Application) -> AsyncIterator[None]:
    app[PUBLIC] = PublicService(app[DB], app[CLOCK], await open_lookup_pool(app[DB]))
    yield


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_service)
    app.router.add_routes(routes)
    register_fragment(app, "sessions.public", openapi.PATHS, openapi.SCHEMAS)
