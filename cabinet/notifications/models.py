"""Tables of notifications: notices in a person's cabinet, their outbox deliveries, the SMS sandbox.

A notice keeps a copy of everything the Civil Procedure Code (art. 128(2)) requires a summons to
say — court, case, time and place, who is summoned and in what capacity — as it stood when the
notice was issued, so a later rename or a moved hearing never rewrites what was served.
``case_id`` is a plain integer: cases live in another package and a notice outlives any join.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cabinet.notifications.notices import LANGUAGES, NoticeContent, NoticeKind
from cabinet.notifications.wording import Wording, word
from core.db import Base, UtcDateTime


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    addressee: Mapped[str] = mapped_column(String(300))
    case_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    court: Mapped[str | None] = mapped_column(String(300), default=None)
    case_number: Mapped[str | None] = mapped_column(String(64), default=None)
    capacity: Mapped[str | None] = mapped_column(String(100), default=None)
    event_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    place: Mapped[str | None] = mapped_column(String(300), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    served_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    """The language the title, body and particulars were written in (none on notices issued before)."""
    facts: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    """What the notice was written from (``cabinet.notifications.wording``): the cabinet shows the
    same notice in the language of the page."""

    def content(self) -> NoticeContent:
        """The notice's particulars as issued, for rendering."""
        return NoticeContent(kind=NoticeKind(self.kind), title=self.title, body=self.body,
                             addressee=self.addressee, court=self.court, case_number=self.case_number,
                             capacity=self.capacity, when=self.event_at, place=self.place,
                             language=self.language or "kk")

    def worded(self, language: str) -> Wording:
        """Title and body in ``language``, written again from the facts; as issued when there are none."""
        if self.facts is None or language not in LANGUAGES:
            return Wording(self.title, self.body)
        return word(NoticeKind(self.kind), language, self.facts, self.capacity)


class Delivery(Base):
    """One notice on one channel to one address: the outbox row the background sender works off.

    ``next_attempt_at`` is both the schedule and the lease: claiming a row moves it into the
    future, so no other sender sees it as due while it is being sent; ``claim`` names the
    claimant so a sender whose lease ran out cannot overwrite the outcome of the next one.
    """

    __tablename__ = "notice_deliveries"
    __table_args__ = (Index("ix_notice_deliveries_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    deferrals: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claim: Mapped[str | None] = mapped_column(String(32), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    provider_ref: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class NoticeAttachment(Base):
    """A file that went out with a notice, kept byte for byte with its SHA-256.

    ``content`` is deferred (and raises if touched unloaded): listing a notice's attachments never
    reads the files; :class:`~cabinet.notifications.attachments.AttachmentStore` undefers it to send
    or download one.
    """

    __tablename__ = "notice_attachments"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)


class SandboxSms(Base):
    """What the SMS sandbox "sent": a stand-in for an operator we cannot reach, never for production."""

    __tablename__ = "sandbox_sms_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(32), index=True)
    text: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Channel(enum.Enum):
    EMAIL = "email"
    SMS = "sms"


class DeliveryState(enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
