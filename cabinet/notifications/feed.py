"""The queries behind live notices: what is new for a batch of users, and their unread counts.

The signaling server's ``/cabinet`` namespace pushes notices to the users connected to a process;
it polls with these (one statement each for a whole batch of users) and keeps no SQL of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.notifications.models import Notice

logger = logging.getLogger(__name__)


class NoticeFeed:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest_id(self, user_id: int) -> int:
        """The id of the user's newest notice (0 for none): where their live feed starts."""
        return int(await self.session.scalar(select(func.max(Notice.id)).where(Notice.user_id == user_id)) or 0)

    async def after(self, user_ids: Iterable[int], floor: int) -> list[Notice]:
        """The notices of ``user_ids`` with an id above ``floor``, oldest first."""
        return list(await self.session.scalars(
            select(Notice).where(Notice.user_id.in_(list(user_ids)), Notice.id > floor).order_by(Notice.id)))

    async def unread(self, user_ids: Iterable[int]) -> dict[int, int]:
        """Unread counts of those of ``user_ids`` who have unread notices."""
        rows = await self.session.execute(
            select(Notice.user_id, func.count()).where(Notice.user_id.in_(list(user_ids)),
                                                       Notice.read_at.is_(None)).group_by(Notice.user_id))
        return {int(user_id): int(count) for user_id, count in rows}
