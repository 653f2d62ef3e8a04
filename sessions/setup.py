"""Assembly of hearings: the hearing service (built once the database is open) and the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

from cabinet.filing.sections import register_case_section
from core.openapi import register_fragment
from core.resources import CLOCK, CONFIG, DB
from sessions import openapi
from sessions.case_section import hearings_section
from sessions.public import setup as public_access
from sessions.resources import HEARINGS
from sessions.routes import routes
from sessions.service import HearingService

__all__ = ["HEARINGS", "setup"]


def setup(app: web.Application) -> None:
    """Routes now; the service in ``cleanup_ctx``, after the database it needs is opened."""
    app.cleanup_ctx.append(_service)
    app.router.add_routes(routes)
    register_fragment(app, "sessions", openapi.PATHS, openapi.SCHEMAS)
    register_case_section(app, "hearings", hearings_section(app[CONFIG]))
    public_access.setup(app)


async def _service(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    grace = timedelta(seconds=config.hearing_reconnect_grace_s)
    app[HEARINGS] = HearingService(app[DB], app[CLOCK], reconnect_grace=grace, config=config,
                                   fast=await app[DB].fast_path())
    yield
