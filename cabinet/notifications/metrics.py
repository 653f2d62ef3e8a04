"""The outbox as metrics: how many deliveries wait, were sent or failed, per channel.

A growing ``pending`` count is how operators learn that the SMTP server or the SMS provider is
down (the sender never gives up on an unreachable server, so nothing else would show it).
"""

from __future__ import annotations

from collections.abc import Iterable

from aiohttp import web
from sqlalchemy import func, select

from cabinet.notifications.models import Channel, Delivery, DeliveryState
from core.metrics import Family, Sample
from core.resources import DB


async def outbox_families(app: web.Application) -> Iterable[Family]:
    async with app[DB].sessions() as session:
        rows = await session.execute(
            select(Delivery.channel, Delivery.state, func.count()).group_by(Delivery.channel, Delivery.state))
        counts = {(channel, state): int(n) for channel, state, n in rows}
    samples = tuple(
        Sample(float(counts.get((channel.value, state.value), 0)), (("channel", channel.value), ("state", state.value)))
        for channel in Channel for state in DeliveryState)
    return [Family("sotkab_notice_deliveries", "notice deliveries in the outbox by channel and state", "gauge",
                   samples)]
