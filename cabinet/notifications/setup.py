"""Assembly of notifications: the routes, and the background sender in ``cleanup_ctx``.

E-mail needs ``smtp_host``. Without it, e-mail deliveries are neither sent nor failed: they
stay pending (the notice is in the cabinet regardless) and go out once the app is restarted with
a mail server configured; start-up logs that they wait. SMS goes to the provider under
:data:`SMS_PROVIDER` if a deployment put one there, otherwise to the SMS *sandbox*, which only
records messages — and says so in the log.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from cabinet.notifications import openapi
from cabinet.notifications.channels import Transport
from cabinet.notifications.email import SmtpMailer
from cabinet.notifications.metrics import outbox_families
from cabinet.notifications.models import Channel
from cabinet.notifications.outbox import install_nudge
from cabinet.notifications.routes import routes
from cabinet.notifications.sender import Sender
from cabinet.notifications.sms import SandboxSmsProvider, SmsProvider, SmsTransport
from core.metrics import register_collector
from core.openapi import register_fragment
from core.resources import CLOCK, CONFIG, DB
from core.tasks import stop

log = logging.getLogger(__name__)

SMS_PROVIDER = web.AppKey("sms_provider", SmsProvider)
SENDER = web.AppKey("notification_sender", Sender)


def setup(app: web.Application) -> None:
    app.router.add_routes(routes)
    register_fragment(app, "cabinet.notifications", openapi.PATHS, openapi.SCHEMAS)
    app.cleanup_ctx.append(_sender)
    register_collector(app, outbox_families)


async def _sender(app: web.Application) -> AsyncIterator[None]:
    config, db, clock = app[CONFIG], app[DB], app[CLOCK]
    provider = app.get(SMS_PROVIDER)
    if provider is None:
        provider = SandboxSmsProvider(db, clock)
        log.warning("SMS notices go to the SANDBOX provider: recorded in sandbox_sms_messages, "
                    "sent to no phone")
    transports: dict[Channel, Transport] = {Channel.SMS: SmsTransport(provider)}
    if config.smtp_host:
        transports[Channel.EMAIL] = SmtpMailer(config.smtp_host, config.smtp_port, config.mail_from, clock)
    else:
        log.warning("smtp_host is not set: e-mail notices stay pending (and are kept) until it is")
    sender = Sender(db, clock, transports, public_url=config.public_url)
    app[SENDER] = sender
    wake = asyncio.Event()
    install_nudge(db, wake.set)
    task = asyncio.create_task(sender.run(config.notify_poll_s, wake), name="notification-sender")
    yield
    await stop(task)
