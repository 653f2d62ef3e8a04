"""SMS delivery: a provider interface, and a sandbox provider that only records what it would send.

No SMS operator is reachable from here, so the platform ships :class:`SandboxSmsProvider`
behind the same :class:`SmsProvider` interface a real operator's client implements. The sandbox
writes each message to ``sandbox_sms_messages`` and sends nothing; the app logs loudly at
start-up whenever it is the provider in use.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from cabinet.notifications.attachments import Attachment
from cabinet.notifications.models import SandboxSms
from cabinet.notifications.notices import NoticeContent, render_sms
from core.clock import Clock
from core.db import Database

log = logging.getLogger(__name__)


class SmsProvider(Protocol):
    """An SMS operator. Raises :class:`~cabinet.notifications.channels.ChannelUnavailable` when it
    cannot be reached and :class:`~cabinet.notifications.channels.DeliveryRefused` when it refuses."""

    name: str

    async def send(self, phone: str, text: str, *, reference: str) -> str:
        """Send ``text`` to ``phone`` (E.164); returns the operator's message id."""
        ...


class SandboxSmsProvider:
    """The sandbox: records messages in its own table, delivers nothing to any phone."""

    name = "sandbox"

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def send(self, phone: str, text: str, *, reference: str) -> str:
        async with self.db.transaction() as session:
            row = SandboxSms(phone=phone, text=text, reference=reference, sent_at=self.clock.now())
            session.add(row)
            await session.flush()
            message_id = f"sandbox-sms-{row.id}"
        log.info("SANDBOX SMS to %s recorded as %s (not sent to any phone)", phone, message_id)
        return message_id


class SmsTransport:
    """Renders a notice as an SMS and hands it to the configured provider; files cannot go by SMS."""

    def __init__(self, provider: SmsProvider) -> None:
        self.provider = provider

    async def deliver(self, address: str, content: NoticeContent, *, link: str, reference: str,
                      attachments: Sequence[Attachment] = ()) -> str:
        return await self.provider.send(address, render_sms(content, link), reference=reference)
