"""Files that go out with a notice: the .ics invitation of a summons, a judicial act as a PDF.

An :class:`Attachment` is checked before anything is stored — a name that is safe in a mail header
and on a disk, a type the court sends (and whose bytes really are that type), at most
:data:`MAX_ATTACHMENT_BYTES` — and :class:`AttachmentStore` keeps it with its SHA-256 in
``notice_attachments``, in the caller's transaction, so the court can later show byte for byte
what went out with a notice. E-mail carries attachments as MIME parts; an SMS cannot and gives
only the link to the notice, whose detail lists them for download.

An iCalendar file carries its iTIP method (``METHOD:REQUEST`` / ``CANCEL``); :attr:`Attachment.calendar_method`
reads it so the e-mail can announce it in the part's ``Content-Type``, which is what makes mail
clients offer "add to calendar" instead of showing a plain file.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from cabinet.notifications.errors import AttachmentInvalid, AttachmentNotFound
from cabinet.notifications.models import NoticeAttachment

log = logging.getLogger(__name__)

ALLOWED_TYPES: dict[str, str] = {"text/calendar": ".ics", "application/pdf": ".pdf"}
"""The media types a notice may carry, each with the file extension its name must end in."""
MAX_ATTACHMENT_BYTES = 1024 * 1024
MAX_ATTACHMENTS = 10
MAX_FILENAME = 120
ITIP_METHODS = frozenset({"PUBLISH", "REQUEST", "REPLY", "ADD", "CANCEL", "REFRESH", "COUNTER",
                          "DECLINECOUNTER"})
_NAME_PUNCTUATION = frozenset(" ._-()")


def _refuse(message: str, field: str, **details: object) -> AttachmentInvalid:
    return AttachmentInvalid(message, details={"field": field, **details})


def _check_filename(name: object) -> str:
    if not isinstance(name, str) or not name or len(name) > MAX_FILENAME:
        raise _refuse(f"an attachment's file name has 1 to {MAX_FILENAME} characters", "filename")
    if name != name.strip() or name.startswith(".") or ".." in name:
        raise _refuse(f"{name!r} is not a safe file name", "filename")
    bad = [ch for ch in name if not (ch.isalnum() or ch in _NAME_PUNCTUATION)
           or unicodedata.category(ch).startswith("C")]
    if bad:
        raise _refuse(f"{name!r} is not a safe file name (letters, digits, spaces and ._-() only)", "filename",
                      character=bad[0])
    return unicodedata.normalize("NFC", name)


def _calendar_text(content: bytes) -> str:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse("an iCalendar attachment is UTF-8 text", "content") from None
    if not text.startswith("BEGIN:VCALENDAR\r\n") or not text.rstrip("\r\n").endswith("END:VCALENDAR"):
        raise _refuse("a text/calendar attachment is one VCALENDAR (RFC 5545, CRLF line ends)", "content")
    return text


def calendar_method(text: str) -> str | None:
    """The ``METHOD`` of an iCalendar text (unfolded, RFC 5545 §3.1), or ``None`` if it has none."""
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    methods = [line.partition(":")[2].strip().upper() for line in unfolded.split("\r\n")
               if line.partition(":")[0].partition(";")[0].upper() == "METHOD"]
    if len(methods) > 1:
        raise _refuse("an iCalendar attachment has one METHOD at most", "content")
    if methods and methods[0] not in ITIP_METHODS:
        raise _refuse(f"METHOD:{methods[0]} is not an iTIP method", "content", method=methods[0])
    return methods[0] if methods else None


@dataclass(frozen=True)
class Attachment:
    """One file to go out with a notice; refuses anything a court should not send."""

    filename: str
    content_type: str
    content: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "filename", _check_filename(self.filename))
        kind = self.content_type.strip().lower() if isinstance(self.content_type, str) else ""
        extension = ALLOWED_TYPES.get(kind)
        if extension is None:
            raise _refuse(f"notices carry only {', '.join(ALLOWED_TYPES)}, not {self.content_type!r}",
                          "content_type")
        object.__setattr__(self, "content_type", kind)
        if not self.filename.lower().endswith(extension):
            raise _refuse(f"a {kind} file's name ends in {extension}", "filename")
        if not isinstance(self.content, bytes | bytearray | memoryview):
            raise _refuse("an attachment's content is bytes", "content")
        object.__setattr__(self, "content", bytes(self.content))
        if not self.content:
            raise _refuse("an attachment is not empty", "content")
        if len(self.content) > MAX_ATTACHMENT_BYTES:
            raise _refuse(f"an attachment is at most {MAX_ATTACHMENT_BYTES} bytes", "content",
                          size=len(self.content), limit=MAX_ATTACHMENT_BYTES)
        if kind == "text/calendar":
            calendar_method(_calendar_text(self.content))
        elif kind == "application/pdf" and not self.content.startswith(b"%PDF-"):
            raise _refuse("the content of an application/pdf attachment is not a PDF", "content")

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def calendar_method(self) -> str | None:
        """``REQUEST``, ``CANCEL``… for an iCalendar file that names one; ``None`` otherwise."""
        if self.content_type != "text/calendar":
            return None
        return calendar_method(self.content.decode("utf-8"))


def checked(attachments: Iterable[Attachment]) -> tuple[Attachment, ...]:
    """The attachments of one notice: :class:`Attachment` values, at most :data:`MAX_ATTACHMENTS`."""
    items = tuple(attachments)
    if len(items) > MAX_ATTACHMENTS:
        raise _refuse(f"a notice carries at most {MAX_ATTACHMENTS} attachments", "attachments",
                      count=len(items))
    for item in items:
        if not isinstance(item, Attachment):
            raise _refuse(f"{type(item).__name__} is not an Attachment", "attachments")
    return items


@dataclass(frozen=True)
class AttachmentInfo:
    """What the cabinet lists of an attachment, without its bytes."""

    notice_id: int
    position: int
    filename: str
    content_type: str
    size: int
    sha256: str


class AttachmentStore:
    """The queries on ``notice_attachments``; positions count from 1 in the order given."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, notice_id: int, attachments: Sequence[Attachment]) -> None:
        for position, item in enumerate(attachments, start=1):
            self.session.add(NoticeAttachment(
                notice_id=notice_id, position=position, filename=item.filename,
                content_type=item.content_type, size=item.size, sha256=item.sha256, content=item.content))
        if attachments:
            await self.session.flush()

    async def listed(self, notice_id: int) -> list[AttachmentInfo]:
        rows = await self.session.execute(
            select(NoticeAttachment.notice_id, NoticeAttachment.position, NoticeAttachment.filename,
                   NoticeAttachment.content_type, NoticeAttachment.size, NoticeAttachment.sha256)
            .where(NoticeAttachment.notice_id == notice_id).order_by(NoticeAttachment.position))
        return [AttachmentInfo(*row) for row in rows]

    async def get(self, notice_id: int, position: int) -> NoticeAttachment:
        """One attachment with its bytes; the caller has checked the notice is the principal's."""
        row = await self.session.scalar(
            select(NoticeAttachment).options(undefer(NoticeAttachment.content))
            .where(NoticeAttachment.notice_id == notice_id, NoticeAttachment.position == position))
        if row is None:
            raise AttachmentNotFound(f"notice {notice_id} has no attachment {position}",
                                     details={"position": position})
        return row

    async def of_notices(self, notice_ids: Iterable[int]) -> dict[int, tuple[Attachment, ...]]:
        """The attachments of several notices, for sending: ``{notice_id: (first, second, …)}``."""
        wanted = set(notice_ids)
        if not wanted:
            return {}
        rows = await self.session.scalars(
            select(NoticeAttachment).options(undefer(NoticeAttachment.content))
            .where(NoticeAttachment.notice_id.in_(wanted))
            .order_by(NoticeAttachment.notice_id, NoticeAttachment.position))
        found: dict[int, list[Attachment]] = {}
        for row in rows:
            found.setdefault(row.notice_id, []).append(Attachment(row.filename, row.content_type, row.content))
        return {notice_id: tuple(items) for notice_id, items in found.items()}
