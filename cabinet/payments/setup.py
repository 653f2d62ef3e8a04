"""Assembly of payments: the provider chosen by ``payment_provider``, the service and the routes.

The sandbox provider moves no money and anyone can make its bank "pay", so it runs only where the
configuration allows it (:class:`core.config.Config` refuses it in production: with the built-in
test CA, or with ``payment_sandbox=true`` on a staging server). With ``payment_provider=none``
the payment API answers 503 ``payments_unavailable`` and the sandbox's pages and callback do not
exist; a real bank's provider will be registered here under its own name.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
from aiohttp import web

from cabinet.payments import openapi, sandbox_pages
from cabinet.payments import routes as payment_routes
from cabinet.payments.refunds import RefundService
from cabinet.payments.routes import PAYMENTS, REFUNDS
from cabinet.payments.sandbox import SANDBOX, SandboxPaymentProvider, load_or_create_secret
from cabinet.payments.sandbox_pages import SANDBOX_PROVIDER
from cabinet.payments.service import PaymentService
from core.errors import ServiceUnavailable
from core.leases import PeriodicJob, running
from core.openapi import register_fragment
from core.resources import CLOCK, CONFIG, DB

log = logging.getLogger(__name__)

CALLBACK_TIMEOUT_S = 15.0
REFUND_POLL = timedelta(seconds=5)


_unavailable_routes = web.RouteTableDef()


@_unavailable_routes.route("*", "/api/v1/payments")
@_unavailable_routes.route("*", "/api/v1/payments/{tail:.*}")
async def _unavailable(request: web.Request) -> web.Response:
    raise ServiceUnavailable("online payment is not configured on this court's server; pay the state duty "
                             "at a bank and file the receipt", code="payments_unavailable")


def setup(app: web.Application) -> None:
    config = app[CONFIG]
    if config.payment_provider == "none":
        log.warning("payment_provider=none: the payment API answers 503 until a provider is configured")
        app.router.add_routes(_unavailable_routes)
        return
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
        app[REFUNDS] = RefundService(app[DB], app[CLOCK], {SANDBOX: sandbox})
        log.warning("payments use the SANDBOX provider: no money moves")
        # Refunds booked by case events go back through the provider within a few seconds, sent by one
        # process of the cluster: two senders would each ask the provider for the same refund.
        try:
            async with running(PeriodicJob(app[DB], "refund_sender", app[REFUNDS].process, every=REFUND_POLL)):
                yield
        finally:
            sandbox.http = None
