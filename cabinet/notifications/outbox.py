"""The outbox: a notice and its deliveries are written in the same transaction as the event.

A service that registers a filing, assigns a judge or schedules a hearing calls :func:`notify`
inside its own unit of work. If that work rolls back, no notice exists; if it commits, the
notice is in the person's cabinet and one pending delivery per channel waits for the background
sender (:mod:`cabinet.notifications.sender`). Nothing is sent from inside the transaction, so a
slow or down mail server never holds up, or is needed by, the event itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.identity.language import LanguagePreferences
from cabinet.identity.models import User
from cabinet.notifications.attachments import Attachment, AttachmentStore, checked
from cabinet.notifications.errors import NoticeInvalid
from cabinet.notifications.models import Channel, Delivery, DeliveryState, Notice
from cabinet.notifications.notices import Names, NoticeContent, NoticeKind
from cabinet.notifications.wording import checked_facts, word
from core.clock import Clock
from core.db import Database

log = logging.getLogger(__name__)

NUDGE_INFO_KEY = "sotkab.notifications.nudge"
_PENDING_INFO_KEY = "sotkab.notifications.nudge_armed"
_LISTENING_INFO_KEY = "sotkab.notifications.nudge_listening"


async def notify(
    session: AsyncSession,
    clock: Clock,
    *,
    user_id: int,
    kind: str,
    facts: Mapping[str, object],
    case_id: int | None = None,
    court: str | Names | None = None,
    case_number: str | None = None,
    capacity: str | None = None,
    when: datetime | None = None,
    place: str | Names | None = None,
    attachments: Sequence[Attachment] = (),
) -> int:
    """Issue a notice to ``user_id`` in the caller's transaction; returns the notice id.

    ``kind`` is one of :class:`~cabinet.notifications.notices.NoticeKind`'s values and ``facts``
    what :mod:`cabinet.notifications.wording` needs to write it (``wording.required(kind)``): the
    title and body are written from them in the language the person chose
    (:class:`~cabinet.identity.language.LanguagePreferences`), and the facts are kept so the
    cabinet can show the notice in another language. ``court``, ``case_number``, ``when`` and
    ``place`` are the particulars art. 128(2) CPC requires (a name per language as
    :class:`Names`); a ``hearing_scheduled`` or ``hearing_moved`` notice must give ``when``
    (timezone-aware) and ``place``. ``capacity`` is the person's role in the case (``plaintiff``,
    ``defendant``, ``witness``… are translated and declined; anything else is shown as written).
    The addressee's name and e-mail/phone are copied now: a notice goes where the person's contacts
    pointed when it was issued. ``attachments`` (at most ten) are stored with the notice, listed in
    the cabinet and sent with the e-mail; SMS carries only the link.
    Raises :class:`~cabinet.notifications.errors.NoticeInvalid` (400) for a malformed notice and
    :class:`~cabinet.notifications.errors.AttachmentInvalid` (400) for a bad set of attachments.
    """
    files = checked(attachments)
    user = await session.get(User, user_id)
    if user is None:
        raise NoticeInvalid(f"no user with id {user_id} to notify", details={"field": "user_id"})
    try:
        parsed = NoticeKind(kind)
    except ValueError:
        raise NoticeInvalid(f"unknown notice kind {kind!r}", details={"field": "kind"}) from None
    language = (await LanguagePreferences(session).of(user.id)).value
    said = checked_facts(parsed, facts)
    words = word(parsed, language, said, capacity)
    content = NoticeContent(kind=parsed, title=words.title, body=words.body, addressee=user.common_name,
                            court=_in(court, language), case_number=case_number, capacity=capacity, when=when,
                            place=_in(place, language), language=language)
    now = clock.now()
    notice = Notice(user_id=user.id, kind=content.kind.value, title=content.title, body=content.body,
                    addressee=content.addressee, case_id=case_id, court=content.court,
                    case_number=content.case_number, capacity=content.capacity, event_at=content.when,
                    place=content.place, created_at=now, language=language, facts=said)
    session.add(notice)
    await session.flush()
    await AttachmentStore(session).add(notice.id, files)
    channels = [(Channel.EMAIL, user.email), (Channel.SMS, user.phone)]
    for channel, address in channels:
        if address:
            session.add(Delivery(notice_id=notice.id, channel=channel.value, address=address,
                                 state=DeliveryState.PENDING.value, attempts=0, deferrals=0,
                                 next_attempt_at=now, created_at=now))
    await session.flush()
    _arm_nudge(session)
    log.info("notice %s (%s, %s) for user %s, channels: %s, %d attachment(s)", notice.id, content.kind.value,
             language, user.id, ",".join(c.value for c, a in channels if a) or "cabinet only", len(files))
    return notice.id


def _in(value: str | Names | None, language: str) -> str | None:
    return value.in_(language) if isinstance(value, Names) else value


def install_nudge(db: Database, nudge: Callable[[], None]) -> None:
    """Have every session of ``db`` carry ``nudge``, called after a transaction with notices commits.

    This is how the in-process sender learns of new work at once instead of at its next poll.
    """
    info: dict[str, Any] = dict(db.sessions.kw.get("info") or {})
    info[NUDGE_INFO_KEY] = nudge
    db.sessions.configure(info=info)


def _arm_nudge(session: AsyncSession) -> None:
    """Nudge the sender once this session commits; forget it if the session rolls back instead."""
    nudge = session.info.get(NUDGE_INFO_KEY)
    if nudge is None:
        return
    session.info[_PENDING_INFO_KEY] = True
    if session.info.get(_LISTENING_INFO_KEY):
        return
    session.info[_LISTENING_INFO_KEY] = True

    def after_commit(_sync_session: Any) -> None:
        if session.info.pop(_PENDING_INFO_KEY, False):
            nudge()

    def after_rollback(_sync_session: Any, _previous: Any) -> None:
        session.info.pop(_PENDING_INFO_KEY, None)

    event.listen(session.sync_session, "after_commit", after_commit)
    event.listen(session.sync_session, "after_soft_rollback", after_rollback)
