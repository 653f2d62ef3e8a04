"""The application factory: the one place where the platform is assembled.

Every layer package contributes its routes, namespaces and OpenAPI fragments through its own
``setup(app)``, from the floor up; the OpenAPI document is built last, from what they registered.
Resources (the database, the CA, background senders) open and close in ``cleanup_ctx`` in the order
they are registered, so a test can build as many independent apps as it likes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from core import health, logs, metrics, openapi, ratelimit
from core.clock import Clock, SystemClock
from core.config import Config
from core.db import Database
from core.middleware import error_middleware
from core.proxies import forwarded_middleware
from core.resources import CLOCK, CONFIG, DB
from web import pages

log = logging.getLogger(__name__)


def create_app(config: Config, *, clock: Clock | None = None) -> web.Application:
    import cabinet
    import signaling
    from recordings.setup import setup as setup_recordings
    from sessions.setup import setup as setup_sessions

    app = web.Application(
        middlewares=[logs.request_id_middleware, metrics.http_metrics_middleware, error_middleware,
                     forwarded_middleware, ratelimit.rate_limit_middleware],
        client_max_size=config.max_upload_bytes + 1024 * 1024,
    )
    app[CONFIG] = config
    app[CLOCK] = clock or SystemClock()
    app.cleanup_ctx.append(_database)
    ratelimit.setup(app)
    health.setup(app)
    metrics.setup(app)
    cabinet.setup(app)
    setup_sessions(app)
    setup_recordings(app)
    signaling.setup(app)
    openapi.setup(app)
    pages.setup(app)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    db = Database(app[CONFIG].database_url)
    app[DB] = db
    log.info("database: %s", db.dialect)
    yield
    await db.close()
