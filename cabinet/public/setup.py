"""Assembly of public access: one :class:`PublicService` per app (made when the database opens, with the
database's shared asyncpg pool for the case lookup on PostgreSQL), and the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from cabinet.public.routes import PUBLIC, routes
from cabinet.public.service import PublicService
from cabinet.public.store import open_lookup_pool
from core.resources import CLOCK, DB


async def _service(app: web.Application) -> AsyncIterator[None]:
    app[PUBLIC] = PublicService(app[DB], app[CLOCK], await open_lookup_pool(app[DB]))
    yield


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_service)
    app.router.add_routes(routes)
