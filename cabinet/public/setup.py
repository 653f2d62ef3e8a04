"""Assembly of public access: one :class:`PublicService` per app (made when the database opens, with the
case lookup's own asyncpg pool on PostgreSQL, closed with the app), and the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from cabinet.public.routes import PUBLIC, routes
from cabinet.public.service import PublicService
from cabinet.public.store import open_lookup_pool
from web.resources import CLOCK, DB


async def _service(app: web.Application) -> AsyncIterator[None]:
    pool = await open_lookup_pool(app[DB])
    app[PUBLIC] = PublicService(app[DB], app[CLOCK], pool)
    try:
        yield
    finally:
        if pool is not None:
            await pool.close()


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_service)
    app.router.add_routes(routes)
