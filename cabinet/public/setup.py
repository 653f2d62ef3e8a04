"""Assembly of public access: its routes (it needs nothing but the database)."""

from __future__ import annotations

from aiohttp import web

from cabinet.public.routes import routes


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
