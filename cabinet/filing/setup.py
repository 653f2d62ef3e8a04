"""Assembly of e-filing: the storage backend (chosen here), the courts' system keys and the routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from cabinet.eds.routes import CA_KEY
from cabinet.filing.deferrals import remind_due
from cabinet.filing.resources import COURT_KEYS, STORAGE
from cabinet.filing.routes import routes
from cabinet.filing.sections import CASE_SECTIONS
from cabinet.filing.storage import FilesystemStorage
from cabinet.filing.systemkey import CourtKeys
from core.resources import CLOCK, CONFIG, DB

log = logging.getLogger(__name__)

REMIND_EVERY_S = 3600.0


def setup(app: web.Application) -> None:
    config = app[CONFIG]
    app[STORAGE] = FilesystemStorage(config.storage_dir)
    app[COURT_KEYS] = CourtKeys(config, app.get(CA_KEY))
    app[CASE_SECTIONS] = {}
    app.router.add_routes(routes)
    app.cleanup_ctx.append(_deferral_reminders)


async def _deferral_reminders(app: web.Application) -> AsyncIterator[None]:
    """Deferred duties falling due are announced to filers, and overdue ones to judges, hourly."""
    task = asyncio.create_task(_remind_forever(app), name="deferral-reminders")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _remind_forever(app: web.Application) -> None:
    while True:
        try:
            await remind_due(app[DB], app[CLOCK])
        except Exception:
            log.exception("deferral reminders failed; trying again in an hour")
        await asyncio.sleep(REMIND_EVERY_S)
