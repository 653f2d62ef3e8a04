"""Attachments of notices: checked before anything is stored, kept with the notice (or not at all),
sent by e-mail as MIME parts a mail client understands, ignored by SMS, downloadable by the owner only."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from cabinet.notifications.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, Attachment
from cabinet.notifications.errors import AttachmentInvalid
from cabinet.notifications.models import Delivery, Notice, NoticeAttachment, SandboxSms
from core.clock import FixedClock
from core.db import Database
from sessions.icalendar import parse_calendar
from tests.cabinet.conftest import CabinetApp, Cast, bearer
from tests.cabinet.notifications.conftest import SmtpServers, free_port
from tests.cabinet.notifications.test_outbox import add_user, summon
from tests.cabinet.notifications.test_routes import issue, user_id
from tests.cabinet.notifications.test_sender import make_sender

SUMMARY = "Судебное заседание по делу 7594-26-00-2/000017 — Әлиева Әлия, талапкер (истец)"


def ics(method: str = "REQUEST", sequence: int = 0, summary: str = SUMMARY) -> bytes:
    """A small RFC 5545 invitation; the long Cyrillic SUMMARY is folded as the RFC requires."""
    line = f"SUMMARY:{summary}"
    folded: list[str] = []
    piece, size = "", 0
    for ch in line:
        width = len(ch.encode())
        if size + width > (75 if not folded else 74):
            folded.append(piece)
            piece, size = "", 0
        piece += ch
        size += width
    folded.append(piece)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Sot Kabinet//Hearings 1.0//EN", f"METHOD:{method}",
             "BEGIN:VEVENT", "UID:hearing-17@sot.example.kz", f"SEQUENCE:{sequence}",
             "DTSTAMP:20260202T090000Z", "DTSTART:20260210T050000Z", "DTEND:20260210T060000Z",
             "\r\n ".join(folded), "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


async def stored(db: Database) -> tuple[int, int, int]:
    async with db.transaction() as session:
        counts = [await session.scalar(select(func.count()).select_from(table))
                  for table in (Notice, Delivery, NoticeAttachment)]
    return tuple(int(c or 0) for c in counts)  # type: ignore[return-value]


# -- the value -----------------------------------------------------------------------------------


def test_an_invitation_and_a_pdf_are_accepted_and_the_calendar_method_is_read_from_the_file() -> None:
    invitation = Attachment("hearing-17.ics", "Text/Calendar", ics("CANCEL", 2))
    assert invitation.content_type == "text/calendar" and invitation.calendar_method == "CANCEL"
    content = ics("CANCEL", 2)
    assert invitation.sha256 == hashlib.sha256(content).hexdigest() and invitation.size == len(content)
    act = Attachment("Решение суда (копия).pdf", "application/pdf", pdf())
    assert act.calendar_method is None and act.filename == "Решение суда (копия).pdf"
    assert Attachment("x.ics", "text/calendar", ics().replace(b"METHOD:REQUEST\r\n", b"")).calendar_method is None


BAD: list[tuple[str, str, bytes, str]] = [
    ("../hearing.ics", "text/calendar", ics(), "filename"),
    ("a/b.ics", "text/calendar", ics(), "filename"),
    ("a\\b.ics", "text/calendar", ics(), "filename"),
    (".ics", "text/calendar", ics(), "filename"),
    ("hearing\r\nBcc: x@y.kz.ics", "text/calendar", ics(), "filename"),
    ("hearing\x00.ics", "text/calendar", ics(), "filename"),
    (" hearing.ics", "text/calendar", ics(), "filename"),
    ("", "text/calendar", ics(), "filename"),
    ("x" * 200 + ".ics", "text/calendar", ics(), "filename"),
    ("hearing.exe", "text/calendar", ics(), "filename"),
    ("act.pdf", "text/calendar", ics(), "filename"),
    ("setup.exe", "application/x-msdownload", b"MZ\x90\x00", "content_type"),
    ("page.html", "text/html", b"<script>", "content_type"),
    ("hearing.ics", "text/calendar; method=REQUEST", ics(), "content_type"),
    ("empty.pdf", "application/pdf", b"", "content"),
    ("big.pdf", "application/pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES, "content"),
    ("fake.pdf", "application/pdf", b"MZ\x90\x00 not a pdf", "content"),
    ("hearing.ics", "text/calendar", ics().decode().encode("utf-16"), "content"),
    ("hearing.ics", "text/calendar", b"hello", "content"),
    ("hearing.ics", "text/calendar", ics().replace(b"\r\n", b"\n"), "content"),
    ("hearing.ics", "text/calendar", ics("DESTROY"), "content"),
    ("hearing.ics", "text/calendar", ics().replace(b"METHOD:REQUEST", b"METHOD:REQUEST\r\nMETHOD:CANCEL"), "content"),
]


@pytest.mark.parametrize(("filename", "content_type", "content", "field"), BAD,
                         ids=[f"{n}-{row[3]}" for n, row in enumerate(BAD)])
def test_a_file_a_court_should_not_send_is_refused_naming_what_is_wrong(
        filename: str, content_type: str, content: bytes, field: str) -> None:
    with pytest.raises(AttachmentInvalid) as refused:
        Attachment(filename, content_type, content)
    assert refused.value.status == 400 and refused.value.code == "attachment_invalid"
    assert refused.value.details["field"] == field


def test_content_that_is_not_bytes_is_refused() -> None:
    with pytest.raises(AttachmentInvalid) as refused:
        Attachment("hearing.ics", "text/calendar", ics().decode())  # type: ignore[arg-type]
    assert refused.value.details["field"] == "content"


# -- with the notice, in the caller's transaction --------------------------------------------------


async def test_attachments_are_stored_in_order_with_their_digest_alongside_the_notice(db: Database) -> None:
    user = await add_user(db, email="aliya@example.kz")
    files = [Attachment("hearing-17.ics", "text/calendar", ics()), Attachment("act.pdf", "application/pdf", pdf())]
    async with db.transaction() as session:
        notice = await summon(session, user, attachments=files)
    async with db.transaction() as session:
        rows = list(await session.execute(
            select(NoticeAttachment.notice_id, NoticeAttachment.position, NoticeAttachment.filename,
                   NoticeAttachment.content_type, NoticeAttachment.size, NoticeAttachment.sha256,
                   NoticeAttachment.content).order_by(NoticeAttachment.position)))
    assert [tuple(r) for r in rows] == [
        (notice, 1, "hearing-17.ics", "text/calendar", len(ics()), hashlib.sha256(ics()).hexdigest(), ics()),
        (notice, 2, "act.pdf", "application/pdf", len(pdf()), hashlib.sha256(pdf()).hexdigest(), pdf())]


async def test_a_notice_with_attachments_in_a_transaction_that_rolls_back_leaves_nothing(db: Database) -> None:
    user = await add_user(db, email="aliya@example.kz", phone="+77012345678")
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await summon(session, user, attachments=[Attachment("hearing-17.ics", "text/calendar", ics())])
            raise RuntimeError("the hearing could not be scheduled after all")
    assert await stored(db) == (0, 0, 0)


@pytest.mark.parametrize("attachments", [
    [Attachment("hearing-17.ics", "text/calendar", ics())] * (MAX_ATTACHMENTS + 1),
    [("hearing-17.ics", "text/calendar", ics())],
    [b"BEGIN:VCALENDAR"],
], ids=["too-many", "a-tuple", "bytes"])
async def test_a_bad_set_of_attachments_refuses_the_notice_and_stores_nothing(
        db: Database, attachments: list[Any]) -> None:
    user = await add_user(db, email="aliya@example.kz")
    with pytest.raises(AttachmentInvalid) as refused:
        async with db.transaction() as session:
            await summon(session, user, attachments=attachments)
    assert refused.value.code == "attachment_invalid" and refused.value.details["field"] == "attachments"
    assert await stored(db) == (0, 0, 0)


# -- delivery ------------------------------------------------------------------------------------


def now() -> FixedClock:
    return FixedClock(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))


async def test_the_email_is_multipart_and_its_calendar_part_parses_back_with_method_uid_sequence_and_cyrillic(
        db: Database, smtp: SmtpServers) -> None:
    clock, port = now(), free_port()
    mailbox = smtp.start(port)
    user = await add_user(db, email="aliya@example.kz")
    async with db.transaction() as session:
        await summon(session, user, kind="hearing_moved", attachments=[
            Attachment("hearing-17.ics", "text/calendar", ics("REQUEST", 3)),
            Attachment("Определение.pdf", "application/pdf", pdf())])

    assert await make_sender(db, clock, port).run_once() == 1

    [message] = mailbox.messages()
    assert message.get_content_type() == "multipart/mixed"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "жауапкер ретінде шақырыласыз" in body.get_content()
    calendar, act = list(message.iter_attachments())
    assert calendar.get_content_type() == "text/calendar" and calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8" and calendar.get_filename() == "hearing-17.ics"
    assert calendar.get_content_disposition() == "attachment"
    assert calendar.get_payload(decode=True) == ics("REQUEST", 3), "the octets arrive unchanged, CRLF and all"
    event = parse_calendar(calendar.get_content()).find("VEVENT")[0]
    assert event.get("UID").value == "hearing-17@sot.example.kz" and event.get("SEQUENCE").value == "3"
    assert event.get("SUMMARY").text == SUMMARY
    assert act.get_content_type() == "application/pdf" and act.get_filename() == "Определение.pdf"
    assert act.get_param("method") is None and act.get_payload(decode=True) == pdf()


async def test_a_cancellation_says_method_cancel_in_the_part_so_the_calendar_drops_the_event(
        db: Database, smtp: SmtpServers) -> None:
    clock, port = now(), free_port()
    mailbox = smtp.start(port)
    user = await add_user(db, email="aliya@example.kz")
    async with db.transaction() as session:
        await summon(session, user, kind="hearing_cancelled", attachments=[
            Attachment("hearing-17.ics", "text/calendar", ics("CANCEL", 4))])
    await make_sender(db, clock, port).run_once()
    [part] = list(mailbox.messages()[0].iter_attachments())
    assert part.get_param("method") == "CANCEL"
    assert parse_calendar(part.get_content()).get("METHOD").value == "CANCEL"


async def test_an_sms_carries_no_file_only_the_link_to_the_notice(db: Database, smtp: SmtpServers) -> None:
    clock, port = now(), free_port()
    smtp.start(port)
    user = await add_user(db, phone="+77012345678")
    async with db.transaction() as session:
        notice = await summon(session, user, attachments=[Attachment("hearing-17.ics", "text/calendar", ics())])
    assert await make_sender(db, clock, port).run_once() == 1
    async with db.transaction() as session:
        [sms] = list(await session.scalars(select(SandboxSms)))
        [delivery] = list(await session.scalars(select(Delivery)))
    assert delivery.state == "sent" and "BEGIN:VCALENDAR" not in sms.text
    assert sms.text.endswith(f"/api/v1/notifications/{notice}")


# -- the cabinet -----------------------------------------------------------------------------------


@pytest.fixture
async def with_files(cabinet_app: CabinetApp, cast: Cast, db: Database) -> tuple[dict[str, str], int]:
    headers = await bearer(cabinet_app, cast.alice)
    me = await user_id(db, "900101400123")
    notice = await issue(cabinet_app, db, me, "Судебное заседание назначено", attachments=[
        Attachment("hearing-17.ics", "text/calendar", ics()), Attachment("Повестка.pdf", "application/pdf", pdf())])
    return headers, notice


async def test_the_notice_lists_its_attachments_and_the_owner_downloads_each_byte_for_byte(
        cabinet_app: CabinetApp, with_files: tuple[dict[str, str], int]) -> None:
    headers, notice = with_files
    response = await cabinet_app.client.get(f"/api/v1/notifications/{notice}", headers=headers)
    assert response.status == 200
    listed = (await response.json())["attachments"]
    assert listed == [
        {"position": 1, "filename": "hearing-17.ics", "content_type": "text/calendar", "size": len(ics()),
         "sha256": hashlib.sha256(ics()).hexdigest(),
         "download_url": f"/api/v1/notifications/{notice}/attachments/1"},
        {"position": 2, "filename": "Повестка.pdf", "content_type": "application/pdf", "size": len(pdf()),
         "sha256": hashlib.sha256(pdf()).hexdigest(),
         "download_url": f"/api/v1/notifications/{notice}/attachments/2"}]

    calendar = await cabinet_app.client.get(listed[0]["download_url"], headers=headers)
    assert calendar.status == 200 and await calendar.read() == ics()
    assert calendar.content_type == "text/calendar" and calendar.charset == "utf-8"
    assert calendar.headers["Content-Disposition"].startswith('attachment; filename="hearing-17.ics"')
    assert calendar.headers["X-Content-Type-Options"] == "nosniff"
    act = await cabinet_app.client.get(listed[1]["download_url"], headers=headers)
    assert act.status == 200 and await act.read() == pdf() and act.content_type == "application/pdf"
    assert "filename*=UTF-8''%D0%9F%D0%BE%D0%B2%D0%B5%D1%81%D1%82%D0%BA%D0%B0.pdf" in act.headers[
        "Content-Disposition"]


async def test_a_notice_without_files_lists_none(
        cabinet_app: CabinetApp, db: Database, cast: Cast) -> None:
    headers = await bearer(cabinet_app, cast.alice)
    notice = await issue(cabinet_app, db, await user_id(db, "900101400123"), "Без вложений")
    response = await cabinet_app.client.get(f"/api/v1/notifications/{notice}", headers=headers)
    assert (await response.json())["attachments"] == []


async def test_somebody_elses_attachment_is_not_found_exactly_like_their_notice(
        cabinet_app: CabinetApp, cast: Cast, with_files: tuple[dict[str, str], int]) -> None:
    _, notice = with_files
    bob = await bearer(cabinet_app, cast.bob)
    response = await cabinet_app.client.get(f"/api/v1/notifications/{notice}/attachments/1", headers=bob)
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "notice_not_found"
    anonymous = await cabinet_app.client.get(f"/api/v1/notifications/{notice}/attachments/1")
    assert anonymous.status == 401


@pytest.mark.parametrize(("position", "status", "code"), [
    ("3", 404, "attachment_not_found"), ("0", 400, "invalid_attachment_position"),
    ("11", 400, "invalid_attachment_position"), ("x", 400, "invalid_attachment_position"),
    ("-1", 400, "invalid_attachment_position"), ("١", 400, "invalid_attachment_position")])
async def test_a_missing_or_malformed_position_is_a_clear_error(
        cabinet_app: CabinetApp, with_files: tuple[dict[str, str], int], position: str, status: int,
        code: str) -> None:
    headers, notice = with_files
    response = await cabinet_app.client.get(f"/api/v1/notifications/{notice}/attachments/{position}",
                                            headers=headers)
    assert response.status == status
    assert (await response.json())["error"]["code"] == code
