"""Assembly of recordings: the service (after the database), start-up recovery, and the HTTP API.

Signaling builds the :class:`~recordings.live.RecorderHub` over its relay from the service
registered here (signaling is the layer above), and calls it on every hearing state change.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from cabinet.filing.resources import COURT_KEYS, STORAGE
from core.openapi import register_fragment
from core.resources import CLOCK, CONFIG, DB
from core.tasks import stop as stop_tasks
from recordings import openapi
from recordings.composition import Compositor
from recordings.live import RecorderHub, TapSource
from recordings.resources import RECORDINGS
from recordings.routes import routes
from recordings.service import LEASE, RecordingService

logger = logging.getLogger(__name__)

__all__ = ["RECORDINGS", "hub_for", "setup"]


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(_service)
    app.router.add_routes(routes)
    register_fragment(app, "recordings", openapi.PATHS, openapi.SCHEMAS)


def hub_for(app: web.Application, relay: TapSource) -> RecorderHub:
    """The recorders of the hearings ``relay`` holds (signaling calls this at its start-up)."""
    return RecorderHub(app[RECORDINGS], relay)


async def _service(app: web.Application) -> AsyncIterator[None]:
    service = RecordingService(app[DB], app[CLOCK], app[CONFIG], app[COURT_KEYS], app[STORAGE])
    app[RECORDINGS] = service
    try:
        recovered = await service.recover()
    except Exception:
        logger.exception("recovering unfinished recordings failed at start-up; the periodic check will retry")
        recovered = []
    if recovered:
        logger.warning("sealed %d recording(s) left unfinished by a process that died: %s", len(recovered), recovered)
    task = asyncio.create_task(_recover_periodically(service), name="recording-recovery")
    stopping = asyncio.Event()
    composer = None
    if app[CONFIG].recording_compose_in_process:
        compositor = Compositor(app[DB], app[CLOCK], app[COURT_KEYS])
        composer = asyncio.create_task(compositor.run(stopping), name="recording-composition")
    yield
    stopping.set()
    await stop_tasks(task, composer)


async def _recover_periodically(service: RecordingService) -> None:
    """Recordings of processes on other hosts are recovered once their lease runs out."""
    while True:
        await asyncio.sleep(LEASE.total_seconds())
        try:
            await service.recover()
        except Exception:
            logger.exception("recovering unfinished recordings failed; retrying")
