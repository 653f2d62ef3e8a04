"""Assembly of e-filing: the storage backend (chosen here), the courts' system keys and the routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

from cabinet.eds.routes import CA_KEY
from cabinet.filing import openapi
from cabinet.filing.deferrals import remind_due
from cabinet.filing.resources import COURT_KEYS, STORAGE
from cabinet.filing.routes import routes
from cabinet.filing.sections import CASE_SECTIONS
from cabinet.filing.storage import FilesystemStorage
from cabinet.filing.systemkey import CourtKeys
from core.leases import PeriodicJob, running
from core.openapi import register_fragment
from core.resources import CLOCK, CONFIG, DB

log = logging.getLogger(__name__)

REMIND_EVERY = timedelta(hours=1)


def setup(app: web.Application) -> None:
    config = app[CONFIG]
    app[STORAGE] = FilesystemStorage(config.storage_dir)
    app[COURT_KEYS] = CourtKeys(config, app.get(CA_KEY))
    app[CASE_SECTIONS] = {}
    app.router.add_routes(routes)
    register_fragment(app, "cabinet.filing", openapi.PATHS, openapi.SCHEMAS)
    app.cleanup_ctx.append(_deferral_reminders)


async def _deferral_reminders(app: web.Application) -> AsyncIterator[None]:
    """Deferred duties falling due are announced to filers, and overdue ones to judges, hourly, by one
    process of the cluster."""
    async with running(PeriodicJob(app[DB], "deferral_reminders", lambda: remind_due(app[DB], app[CLOCK]),
                                   every=REMIND_EVERY)):
        yield
