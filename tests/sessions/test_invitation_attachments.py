"""Every summons carries the participant's own .ics invitation: booked over HTTP, it is in each
person's cabinet and in the e-mail that reaches a real SMTP server, as REQUEST with the current
SEQUENCE, and it follows the hearing when it is moved (SEQUENCE + 1) and cancelled (CANCEL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import undefer

from cabinet.identity.models import User
from cabinet.notifications.email import SmtpMailer
from cabinet.notifications.models import Channel, Notice, NoticeAttachment
from cabinet.notifications.sender import Sender
from sessions.icalendar import Component, parse_calendar, parse_utc
from tests.cabinet.conftest import cabinet_app, cast  # noqa: F401
from tests.cabinet.filing.conftest import Court, court  # noqa: F401
from tests.cabinet.notifications.conftest import SmtpServers, free_port, smtp  # noqa: F401
from tests.sessions.hearing_world import IIN, accepted_case, book, booking, when

COURT_RU = "Алмалинский районный суд города Алматы"


async def invitations(court: Court, kind: str) -> dict[str, tuple[Notice, NoticeAttachment]]:  # noqa: F811
    """Each cast member's notice of ``kind`` with its one attachment, by cast name."""
    names = {iin: name for name, iin in IIN.items()}
    async with court.db.sessions() as session:
        rows = (await session.execute(
            select(User.iin, Notice, NoticeAttachment).options(undefer(NoticeAttachment.content))
            .join(Notice, Notice.user_id == User.id)
            .join(NoticeAttachment, NoticeAttachment.notice_id == Notice.id)
            .where(Notice.kind == kind).order_by(Notice.id))).all()
        counts = {notice.id: 0 for _, notice, _ in rows}
        for _, notice, _ in rows:
            counts[notice.id] += 1
    assert set(counts.values()) == {1}, "one invitation per notice"
    return {names[iin]: (notice, attachment) for iin, notice, attachment in rows}


def event_of(calendar: Component) -> Component:
    [event] = calendar.find("VEVENT")
    return event


async def test_each_summons_carries_the_participants_own_invitation_as_served_by_invitation_ics(
        court: Court) -> None:  # noqa: F811
    number, _ = await accepted_case(court)
    start = when(court)
    hearing = await book(court, booking(number, start))

    sent = await invitations(court, "hearing_scheduled")
    assert set(sent) == {"alice", "bob", "lawyer", "clerk", "judge"}
    for name, (notice, attachment) in sent.items():
        assert (attachment.position, attachment.filename, attachment.content_type) == (
            1, f"hearing-{hearing['id']}.ics", "text/calendar")
        served = await court.get(name, f"/api/v1/hearings/{hearing['id']}/invitation.ics")
        assert await served.read() == attachment.content, f"{name}'s attachment is {name}'s own invitation"
        assert f"/api/v1/hearings/{hearing['id']}/invitation.ics" in notice.body, "the link stays in the body"
        assert notice.place is not None and notice.place.endswith(": Зал 1"), "the courtroom's name as stored"
    calendar = parse_calendar(sent["alice"][1].content.decode("utf-8"))
    event = event_of(calendar)
    assert calendar.get("METHOD").value == "REQUEST" and event.get("SEQUENCE").value == "0"
    assert event.get("UID").value == f"hearing-{hearing['id']}@127.0.0.1"
    assert parse_utc(event.get("DTSTART").value) == start
    description = event.get("DESCRIPTION").text
    assert "ӘЛИЕВА АЛИЯ" in description and "истец" in description and number in description
    assert "ответчик" in event_of(parse_calendar(sent["bob"][1].content.decode())).get("DESCRIPTION").text


async def test_the_owner_downloads_the_invitation_from_the_notice_and_nobody_else_can(
        court: Court) -> None:  # noqa: F811
    number, _ = await accepted_case(court)
    hearing = await book(court, booking(number, when(court)))
    notice, attachment = (await invitations(court, "hearing_scheduled"))["alice"]

    opened = await (await court.get("alice", f"/api/v1/notifications/{notice.id}")).json()
    [listed] = opened["attachments"]
    assert (listed["filename"], listed["content_type"], listed["sha256"]) == (
        f"hearing-{hearing['id']}.ics", "text/calendar", attachment.sha256)
    download = await court.get("alice", listed["download_url"])
    assert download.status == 200 and await download.read() == attachment.content
    assert download.content_type == "text/calendar"
    for other in ("bob", "clerk"):
        refused = await court.get(other, listed["download_url"])
        assert refused.status == 404, other
        assert (await refused.json())["error"]["code"] == "notice_not_found"


async def test_the_invitation_follows_the_hearing_moved_then_cancelled(court: Court) -> None:  # noqa: F811
    number, _ = await accepted_case(court)
    start = when(court)
    hearing = await book(court, booking(number, start))
    uid = f"hearing-{hearing['id']}@127.0.0.1"

    response = await court.client.patch(f"/api/v1/hearings/{hearing['id']}", json={
        "start": (start + timedelta(hours=3)).isoformat(), "reason": "судья в совещательной комнате"},
        headers=await court.as_("clerk"))
    assert response.status == 200, await response.text()
    moved = await invitations(court, "hearing_moved")
    assert set(moved) == {"alice", "bob", "lawyer", "clerk", "judge"}
    for _, attachment in moved.values():
        calendar = parse_calendar(attachment.content.decode("utf-8"))
        event = event_of(calendar)
        assert calendar.get("METHOD").value == "REQUEST"
        assert (event.get("UID").value, event.get("SEQUENCE").value) == (uid, "1")
        assert parse_utc(event.get("DTSTART").value) == start + timedelta(hours=3)

    response = await court.post("judge", f"/api/v1/hearings/{hearing['id']}/cancel", {"reason": "мировое соглашение"})
    assert response.status == 200, await response.text()
    cancelled = await invitations(court, "hearing_cancelled")
    assert set(cancelled) == {"alice", "bob", "lawyer", "clerk", "judge"}
    for _, attachment in cancelled.values():
        calendar = parse_calendar(attachment.content.decode("utf-8"))
        event = event_of(calendar)
        assert calendar.get("METHOD").value == "CANCEL" and event.get("STATUS").value == "CANCELLED"
        assert (event.get("UID").value, event.get("SEQUENCE").value) == (uid, "2")


async def test_the_summons_email_reaching_a_real_smtp_server_adds_the_hearing_to_the_calendar(
        court: Court, smtp: SmtpServers) -> None:  # noqa: F811
    port = free_port()
    mailbox = smtp.start(port)
    response = await court.client.put("/api/v1/me/contacts", json={"email": "aliya@example.kz", "phone": None},
                                      headers=await court.as_("alice"))
    assert response.status == 200, await response.text()
    response = await court.client.put("/api/v1/me/language", json={"language": "ru"},
                                      headers=await court.as_("alice"))
    assert response.status == 200, await response.text()
    number, _ = await accepted_case(court)
    start = when(court)
    hearing = await book(court, booking(number, start))
    clock = court.app.clock
    sender = Sender(court.db, clock, {Channel.EMAIL: SmtpMailer("127.0.0.1", port, "court@sud.example.kz", clock,
                                                                timeout=5)},
                    public_url=court.app.config.public_url)

    assert await sender.run_once() >= 1

    mine = [m for m in mailbox.messages() if m["To"] == "aliya@example.kz"]
    summons = f"Судебная повестка по делу {number}"  # in the Russian alice chose
    assert {m["Subject"] for m in mine} >= {summons}, "the filing's notices went too"
    [message] = [m for m in mine if m["Subject"] == summons]
    assert "в качестве истца" in message.get_body(preferencelist=("plain",)).get_content()
    assert message.get_content_type() == "multipart/mixed"
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "text/calendar" and part.get_param("method") == "REQUEST"
    assert part.get_filename() == f"hearing-{hearing['id']}.ics"
    text: Any = part.get_content()
    calendar = parse_calendar(text)
    event = event_of(calendar)
    assert calendar.get("METHOD").value == "REQUEST" and event.get("SEQUENCE").value == "0"
    assert event.get("UID").value == f"hearing-{hearing['id']}@127.0.0.1"
    assert parse_utc(event.get("DTSTART").value) == start
    assert "mailto:aliya@example.kz" in event.get("ATTENDEE").value
    assert event.get("ATTENDEE").params["CN"] == "ӘЛИЕВА АЛИЯ"
    description = event.get("DESCRIPTION").text
    assert COURT_RU in description and "ӘЛИЕВА АЛИЯ" in description and "истец" in description
