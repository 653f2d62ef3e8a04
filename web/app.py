"""The application factory: the one place where the platform is assembled.

Every package contributes its routes and namespaces through ``setup(app)``; resources (the
database, the CA, background senders) open and close in ``cleanup_ctx`` in the order they are
registered, so a test can build as many independent apps as it likes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from core import health, metrics, openapi, ratelimit
from core.clock import Clock, SystemClock
from core.config import Config
from core.db import Database
from core.middleware import error_middleware
from core.proxies import forwarded_middleware
from core.resources import CLOCK, CONFIG, DB

log = logging.getLogger(__name__)


def create_app(config: Config, *, clock: Clock | None = None) -> web.Application:
    import cabinet
    import recordings.setup
    import sessions.setup
    import signaling

    app = web.Application(
        middlewares=[error_middleware, forwarded_middleware, ratelimit.rate_limit_middleware],
        client_max_size=config.max_upload_bytes + 1024 * 1024,
    )
    app[CONFIG] = config
    app[CLOCK] = clock or SystemClock()
    app.cleanup_ctx.append(_database)
    ratelimit.setup(app)
    health.setup(app)
    metrics.setup(app)
    cabinet.setup(app)
    sessions.setup.setup(app)
    recordings.setup.setup(app)
    signaling.setup(app)
    openapi.setup(app)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    db = Database(app[CONFIG].database_url)
    app[DB] = db
    log.info("database: %s", db.dialect)
    yield
    await db.close()
