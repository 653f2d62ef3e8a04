"""Assembly of payments: the SANDBOX provider (with its HTTP client), the service and the routes.

The sandbox is the only provider today and the default; a real bank's provider will be chosen
here by configuration and registered under its own name next to it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from cabinet.payments import openapi, sandbox_pages
from cabinet.payments import routes as payment_routes
from cabinet.payments.routes import PAYMENTS
from cabinet.payments.sandbox import SANDBOX, SandboxPaymentProvider, load_or_create_secret
from cabinet.payments.sandbox_pages import SANDBOX_PROVIDER
from cabinet.payments.service import PaymentService
from core.openapi import register_fragment
from core.resources import CLOCK, CONFIG, DB

log = logging.getLogger(__name__)

CALLBACK_TIMEOUT_S = 15.0


def setup(app: web.Application) -> None:
    config = app[CONFIG]
    app[SANDBOX_PROVIDER] = SandboxPaymentProvider(
        load_or_create_secret(config.data_dir), base_url=config.public_url, clock=app[CLOCK])
    app.router.add_routes(payment_routes.routes)
    app.router.add_routes(sandbox_pages.routes)
    register_fragment(app, "cabinet.payments", openapi.PATHS, openapi.SCHEMAS)
    app.cleanup_ctx.append(_payments)


async def _payments(app: web.Application) -> AsyncIterator[None]:
    sandbox = app[SANDBOX_PROVIDER]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=CALLBACK_TIMEOUT_S)) as http:
        sandbox.http = http
        app[PAYMENTS] = PaymentService(app[DB], app[CLOCK], {SANDBOX: sandbox},
                                       base_url=app[CONFIG].public_url, default_provider=SANDBOX)
        log.warning("payments use the SANDBOX provider: no money moves")
        yield
        sandbox.http = None
