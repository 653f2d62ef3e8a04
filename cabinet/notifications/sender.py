"""The background sender: works off the outbox with retries, so a down server loses nothing.

One round (:meth:`Sender.run_once`) has three short steps, none of which holds a transaction
open while talking to a mail server:

1. **claim** due deliveries in one transaction: ``SELECT … FOR UPDATE SKIP LOCKED`` on
   PostgreSQL (several processes each take different rows), a ``BEGIN IMMEDIATE`` transaction on
   SQLite (one writer at a time). Claiming moves ``next_attempt_at`` a lease into the future and
   stamps a claim token, so the rows are no longer due for anybody else;
2. **deliver** each through its channel's transport;
3. **record** the outcome, only if the claim token is still ours (a sender that outlived its
   lease must not overwrite the next one's result).

A process that dies between 1 and 3 leaves rows whose lease simply expires; they are then
claimed again. What happens on failure is decided by :class:`RetryPolicy` (see
:mod:`cabinet.notifications.channels` for the two kinds of failure).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from cabinet.notifications.attachments import Attachment, AttachmentStore
from cabinet.notifications.channels import ChannelUnavailable, DeliveryRefused, Transport
from cabinet.notifications.models import Channel, Delivery, DeliveryState, Notice
from cabinet.notifications.notices import NoticeContent
from core.clock import Clock
from core.db import Database
from core.tasks import wait_event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``base_delay`` doubled per failure, never more than ``max_delay``."""

    max_attempts: int = 8
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay <= timedelta(0) or self.max_delay < self.base_delay:
            raise ValueError("need 0 < base_delay <= max_delay")
        if self.lease <= timedelta(0):
            raise ValueError("lease must be positive")

    def delay(self, failures: int) -> timedelta:
        """How long to wait after the ``failures``-th failure in a row (1-based)."""
        exponent = min(max(failures, 1) - 1, 30)
        return min(self.base_delay * (2**exponent), self.max_delay)


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    notice_id: int
    channel: Channel
    address: str
    attempts: int
    deferrals: int
    content: NoticeContent
    attachments: tuple[Attachment, ...] = ()


class Sender:
    def __init__(self, db: Database, clock: Clock, transports: Mapping[Channel, Transport], *,
                 public_url: str, policy: RetryPolicy | None = None, batch: int = 20) -> None:
        self.db = db
        self.clock = clock
        self.transports = dict(transports)
        self.public_url = public_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.batch = batch

    def link(self, notice_id: int) -> str:
        return f"{self.public_url}/api/v1/notifications/{notice_id}"

    async def run_once(self) -> int:
        """Claim, deliver and record one batch of due deliveries; returns how many were handled."""
        if not self.transports:
            return 0
        token = secrets.token_hex(8)
        claimed = await self._claim(token)
        unavailable: dict[Channel, str] = {}
        for item in claimed:
            reason = unavailable.get(item.channel)
            if reason is not None:
                await self._deferred(item, token, reason)
                continue
            try:
                reference = await self.transports[item.channel].deliver(
                    item.address, item.content, link=self.link(item.notice_id),
                    reference=f"notice-{item.notice_id}-delivery-{item.delivery_id}",
                    attachments=item.attachments)
            except ChannelUnavailable as exc:
                unavailable[item.channel] = str(exc)
                await self._deferred(item, token, str(exc))
            except DeliveryRefused as exc:
                await self._refused(item, token, str(exc), permanent=exc.permanent)
            except Exception as exc:
                log.exception("delivery %s via %s failed unexpectedly", item.delivery_id, item.channel.value)
                await self._refused(item, token, f"{type(exc).__name__}: {exc}", permanent=False)
            else:
                await self._sent(item, token, reference)
        return len(claimed)

    async def run(self, poll_interval: float, wake: asyncio.Event) -> None:
        """Deliver until cancelled: at once when nudged, otherwise every ``poll_interval`` seconds."""
        while True:
            wake.clear()
            try:
                handled = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notification sender round failed; trying again in %.1fs", poll_interval)
                handled = 0
            if handled >= self.batch:
                continue
            await wait_event(wake, poll_interval)

    async def _claim(self, token: str) -> list[Claimed]:
        channels = [channel.value for channel in self.transports]
        async with self.db.transaction() as session:
            now = self.clock.now()
            query = (select(Delivery)
                     .where(Delivery.state == DeliveryState.PENDING.value, Delivery.next_attempt_at <= now,
                            Delivery.channel.in_(channels))
                     .order_by(Delivery.next_attempt_at, Delivery.id).limit(self.batch))
            if self.db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(await session.scalars(query))
            if not rows:
                return []
            for row in rows:
                row.claim = token
                row.next_attempt_at = now + self.policy.lease
            notices = {n.id: n for n in await session.scalars(
                select(Notice).where(Notice.id.in_({row.notice_id for row in rows})))}
            by_email = {row.notice_id for row in rows if row.channel == Channel.EMAIL.value}
            files = await AttachmentStore(session).of_notices(by_email)
        return [Claimed(row.id, row.notice_id, Channel(row.channel), row.address, row.attempts, row.deferrals,
                        notices[row.notice_id].content(),
                        files.get(row.notice_id, ()) if row.channel == Channel.EMAIL.value else ())
                for row in rows]

    async def _record(self, item: Claimed, token: str, **values: Any) -> None:
        async with self.db.transaction() as session:
            result = await session.execute(
                update(Delivery).where(Delivery.id == item.delivery_id, Delivery.claim == token)
                .values(claim=None, **values))
        if getattr(result, "rowcount", 1) == 0:
            log.warning("delivery %s: lease expired before its outcome was recorded", item.delivery_id)

    async def _sent(self, item: Claimed, token: str, reference: str) -> None:
        log.info("notice %s sent by %s to %s (%s)", item.notice_id, item.channel.value, item.address, reference)
        await self._record(item, token, state=DeliveryState.SENT.value, attempts=item.attempts + 1,
                           sent_at=self.clock.now(), provider_ref=reference[:200], last_error=None)

    async def _deferred(self, item: Claimed, token: str, reason: str) -> None:
        deferrals = item.deferrals + 1
        delay = self.policy.delay(deferrals)
        log.warning("delivery %s deferred %s (channel down: %s)", item.delivery_id, delay, reason)
        await self._record(item, token, deferrals=deferrals, next_attempt_at=self.clock.now() + delay,
                           last_error=reason)

    async def _refused(self, item: Claimed, token: str, reason: str, *, permanent: bool) -> None:
        attempts = item.attempts + 1
        if permanent or attempts >= self.policy.max_attempts:
            log.error("delivery %s of notice %s via %s failed for good after %d attempt(s): %s",
                      item.delivery_id, item.notice_id, item.channel.value, attempts, reason)
            await self._record(item, token, state=DeliveryState.FAILED.value, attempts=attempts,
                               last_error=reason)
            return
        delay = self.policy.delay(attempts)
        log.warning("delivery %s refused (attempt %d), retrying in %s: %s", item.delivery_id, attempts, delay,
                    reason)
        await self._record(item, token, attempts=attempts, next_attempt_at=self.clock.now() + delay,
                           last_error=reason)
