"""A person's notices in the cabinet: the list, opening one (which serves it), marking read.

"A document counts as served when opened" (as in Estonia's e-File): the first time the addressee
opens a notice, ``served_at`` is set and the service is written to the audit log, in one
transaction. The first open is decided by a conditional ``UPDATE … WHERE served_at IS NULL``,
so two tabs opening the same notice at once still serve it, and audit it, exactly once.
Someone else's notice is indistinguishable from one that does not exist, and so are its
attachments. Downloading an attachment does not serve the notice: the notice itself is what is
opened, and its detail is where the attachments are listed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.identity.principal import Principal
from cabinet.notifications.attachments import AttachmentInfo, AttachmentStore
from cabinet.notifications.errors import NoticeNotFound
from cabinet.notifications.models import Delivery, Notice, NoticeAttachment
from core.clock import Clock

log = logging.getLogger(__name__)

MAX_PAGE = 100


@dataclass(frozen=True)
class InboxPage:
    notices: list[Notice]
    total: int
    unread: int
    next_before: int | None


@dataclass(frozen=True)
class Opened:
    notice: Notice
    deliveries: list[Delivery]
    first_open: bool
    attachments: list[AttachmentInfo]


class Inbox:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    async def page(self, user_id: int, *, limit: int, before: int | None = None) -> InboxPage:
        """Newest first; ``before`` is the last id of the previous page (stable while notices arrive)."""
        query = select(Notice).where(Notice.user_id == user_id)
        if before is not None:
            query = query.where(Notice.id < before)
        rows = list(await self.session.scalars(query.order_by(Notice.id.desc()).limit(limit + 1)))
        total = await self.session.scalar(select(func.count()).select_from(Notice).where(Notice.user_id == user_id))
        unread = await self.session.scalar(select(func.count()).select_from(Notice).where(
            Notice.user_id == user_id, Notice.read_at.is_(None)))
        more = len(rows) > limit
        rows = rows[:limit]
        return InboxPage(rows, int(total or 0), int(unread or 0), rows[-1].id if more else None)

    async def open(self, principal: Principal, notice_id: int) -> Opened:
        """The notice with its delivery states; serves it if this is the addressee's first open."""
        await self._own(principal, notice_id)
        now = self.clock.now()
        result = await self.session.execute(
            update(Notice).where(Notice.id == notice_id, Notice.user_id == principal.user_id,
                                 Notice.served_at.is_(None))
            .values(served_at=now, read_at=func.coalesce(Notice.read_at, now)))
        first_open = getattr(result, "rowcount", 0) == 1
        notice = await self._own(principal, notice_id, refresh=True)
        if first_open:
            await AuditLog(self.session, self.clock).append(
                "notice.served", actor=principal.audit_actor, subject=f"notice:{notice.id}",
                details={"kind": notice.kind, "case_id": notice.case_id, "case_number": notice.case_number,
                         "served_at": now.isoformat()})
            log.info("notice %s served on user %s", notice.id, principal.user_id)
        deliveries = list(await self.session.scalars(
            select(Delivery).where(Delivery.notice_id == notice.id).order_by(Delivery.id)))
        attachments = await AttachmentStore(self.session).listed(notice.id)
        return Opened(notice, deliveries, first_open, attachments)

    async def attachment(self, principal: Principal, notice_id: int, position: int) -> NoticeAttachment:
        """One attachment of the caller's own notice, with its bytes."""
        await self._own(principal, notice_id)
        return await AttachmentStore(self.session).get(notice_id, position)

    async def mark_read(self, principal: Principal, notice_id: int) -> Notice:
        """Read without opening (e.g. from the list): does not count as service."""
        await self.session.execute(
            update(Notice).where(Notice.id == notice_id, Notice.user_id == principal.user_id,
                                 Notice.read_at.is_(None))
            .values(read_at=self.clock.now()))
        return await self._own(principal, notice_id, refresh=True)

    async def _own(self, principal: Principal, notice_id: int, *, refresh: bool = False) -> Notice:
        query = select(Notice).where(Notice.id == notice_id, Notice.user_id == principal.user_id)
        if refresh:
            query = query.execution_options(populate_existing=True)
        notice = await self.session.scalar(query)
        if notice is None:
            raise NoticeNotFound(f"no notice {notice_id} in your cabinet")
        return notice
