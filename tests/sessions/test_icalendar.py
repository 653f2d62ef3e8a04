"""Hearing invitations are RFC 5545 to the octet, carry the CPC art. 128(2) notice, and parse back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessions.errors import InvalidCalendar, InvalidHearing
from sessions.hearings import HearingFormat, HearingPlan, Participant
from sessions.icalendar import (
    CRLF,
    CalendarMethod,
    Component,
    Court,
    Invitation,
    escape_text,
    fold,
    hearing_uid,
    parse_calendar,
    parse_line,
    parse_utc,
    render_invitation,
    unescape_text,
    unfold,
)
from sessions.labels import Language

NOW = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
ALMATY = timezone(timedelta(hours=5))
COURT = Court(
    name="Специализированный межрайонный экономический суд г. Алматы",
    organizer_email="court@sud.example.kz",
    uid_domain="sot.example.kz",
    address="ул. Абая, 10; каб. 5",
    tz=ALMATY,
)
JOIN = "https://sot.example.kz/hearings/h-42/join"


def invitation(plan: HearingPlan, **overrides: object) -> Invitation:
    fields: dict[str, object] = {
        "hearing_id": "h-42",
        "plan": plan,
        "recipient": plan.participant("u-lawyer"),
        "court": COURT,
        "case_number": "2-1234/2026",
        "courtroom_name": "№ 7",
        "join_url": JOIN,
        "recipient_email": "asel@example.kz",
    }
    fields.update(overrides)
    return Invitation(**fields)  # type: ignore[arg-type]


def event_of(text: str) -> tuple[Component, Component]:
    calendar = parse_calendar(text)
    (event,) = calendar.find("VEVENT")
    return calendar, event


def test_the_invitation_parses_back_with_every_field(plan: HearingPlan) -> None:
    text = render_invitation(invitation(plan), NOW)
    calendar, event = event_of(text)
    assert calendar.get("VERSION").value == "2.0"
    assert calendar.get("METHOD").value == "REQUEST"
    assert calendar.get("PRODID").value.startswith("-//Sot Kabinet//")
    assert event.get("UID").value == "hearing-h-42@sot.example.kz" == hearing_uid("h-42", "sot.example.kz")
    assert event.get("SEQUENCE").value == "0"
    assert parse_utc(event.get("DTSTAMP").value) == NOW
    assert parse_utc(event.get("DTSTART").value) == plan.start
    assert parse_utc(event.get("DTEND").value) == plan.end
    assert event.get("DTSTART").value == "20260115T100000Z"
    assert event.get("SUMMARY").text == "Court hearing, case 2-1234/2026"
    assert event.get("LOCATION").text == f"{COURT.name}, courtroom: № 7, ул. Абая, 10; каб. 5; {JOIN}"
    assert event.get("URL").value == JOIN
    assert event.get("STATUS").value == "CONFIRMED"
    assert event.get("CLASS").value == "CONFIDENTIAL"
    organizer = event.get("ORGANIZER")
    assert organizer.value == "mailto:court@sud.example.kz" and organizer.params["CN"] == COURT.name
    attendee = event.get("ATTENDEE")
    assert attendee.value == "mailto:asel@example.kz" and attendee.params["CN"] == "Asel Nurlanova"


def test_the_description_is_the_court_notice(plan: HearingPlan) -> None:
    _, event = event_of(render_invitation(invitation(plan), NOW))
    assert event.get("DESCRIPTION").text.split("\n") == [
        f"Court: {COURT.name}",
        "Case: 2-1234/2026",
        "Time: 2026-01-15 15:00–16:00 (UTC+05:00)",
        f"Place: {COURT.name}, courtroom: № 7, ул. Абая, 10; каб. 5",
        "Format: online",
        f"Join online: {JOIN}",
        "Summoned: Asel Nurlanova, in the capacity of representative",
    ]


def test_russian_notice_for_a_witness(plan: HearingPlan) -> None:
    text = render_invitation(invitation(plan, recipient=plan.participant("u-witness"), language=Language.RU), NOW)
    _, event = event_of(text)
    assert event.get("SUMMARY").text == "Судебное заседание по делу 2-1234/2026"
    description = event.get("DESCRIPTION").text
    assert "Суд: Специализированный межрайонный экономический суд г. Алматы" in description
    assert "Вызывается: Olga Kim, в качестве свидетель" in description
    assert "Время: 2026-01-15 15:00–16:00 (UTC+05:00)" in description
    assert "Место: Специализированный межрайонный экономический суд г. Алматы, зал суда: № 7" in description


def test_every_physical_line_is_at_most_75_octets_crlf_terminated_and_whole_utf8(plan: HearingPlan) -> None:
    raw = render_invitation(invitation(plan, language=Language.RU), NOW).encode("utf-8")
    assert raw.endswith(b"\r\n")
    physical = raw.split(b"\r\n")[:-1]
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")
    assert max(len(line) for line in physical) <= 75
    assert any(len(line) >= 74 for line in physical), "the Cyrillic description must actually be folded"
    for line in physical:
        line.decode("utf-8")
    continuation = [line for line in physical if line.startswith(b" ")]
    assert len(continuation) > 5


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(plan: HearingPlan) -> None:
    first = event_of(render_invitation(invitation(plan), NOW))[1]
    moved_plan = plan.rescheduled(plan.start + timedelta(days=3))
    moved = event_of(render_invitation(invitation(moved_plan, recipient=moved_plan.participant("u-lawyer"),
                                                   sequence=1), NOW))[1]
    assert moved.get("UID").value == first.get("UID").value
    assert int(moved.get("SEQUENCE").value) > int(first.get("SEQUENCE").value)
    assert parse_utc(moved.get("DTSTART").value) == plan.start + timedelta(days=3)


def test_cancellation_withdraws_the_same_event(plan: HearingPlan) -> None:
    calendar, event = event_of(render_invitation(invitation(plan, method=CalendarMethod.CANCEL, sequence=2), NOW))
    assert calendar.get("METHOD").value == "CANCEL"
    assert event.get("STATUS").value == "CANCELLED"
    assert event.get("UID").value == "hearing-h-42@sot.example.kz"
    assert event.get("DESCRIPTION").text.startswith("This hearing has been cancelled.\n")


def test_an_open_courtroom_hearing_needs_no_link(make_plan: Callable[..., HearingPlan]) -> None:
    plan = make_plan(format=HearingFormat.IN_COURTROOM, is_open=True)
    _, event = event_of(render_invitation(invitation(plan, join_url=None, recipient_email=None), NOW))
    assert event.find("VALARM") == ()
    assert [p.name for p in event.properties if p.name in ("URL", "ATTENDEE")] == []
    assert event.get("CLASS").value == "PUBLIC"
    assert "https://" not in event.get("LOCATION").text


def test_invitations_refuse_what_a_notice_cannot_be(plan: HearingPlan) -> None:
    with pytest.raises(InvalidHearing):
        invitation(plan, join_url=None)
    with pytest.raises(InvalidHearing):
        invitation(plan, join_url="javascript:alert(1)")
    with pytest.raises(InvalidHearing):
        invitation(plan, recipient=Participant("u-nobody", "plaintiff", "Nobody"))  # type: ignore[arg-type]
    with pytest.raises(InvalidHearing):
        invitation(plan, sequence=-1)
    with pytest.raises(InvalidHearing):
        invitation(plan, recipient_email="not-an-address")
    with pytest.raises(InvalidHearing):
        Court(name="", organizer_email="a@b", uid_domain="d")


def test_special_characters_are_escaped_and_come_back(make_plan: Callable[..., HearingPlan]) -> None:
    plan = make_plan()
    tricky = 'ТОО «Рога, копыта; и К°» \\ "филиал"'
    people = tuple(
        Participant(p.user_id, p.role, tricky, p.represents) if p.user_id == "u-defendant" else p
        for p in plan.participants
    )
    plan = plan.with_participants(people)
    text = render_invitation(invitation(plan, recipient=plan.participant("u-defendant"), case_number="2-1,2;3"), NOW)
    _, event = event_of(text)
    assert "2-1\\,2\\;3" in unfold(text)[[line.split(":")[0] for line in unfold(text)].index("SUMMARY")]
    assert event.get("SUMMARY").text == "Court hearing, case 2-1,2;3"
    assert f"Summoned: {tricky}, in the capacity of defendant" in event.get("DESCRIPTION").text
    assert event.get("ATTENDEE").params["CN"] == tricky.replace('"', "'")


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [("a,b", "a\\,b"), ("a;b", "a\\;b"), ("a\\b", "a\\\\b"), ("a\nb", "a\\nb"), ("a\r\nb", "a\\nb")],
)
def test_text_escaping_follows_rfc_5545(raw: str, escaped: str) -> None:
    assert escape_text(raw) == escaped
    assert unescape_text(escaped) == raw.replace("\r\n", "\n")


def test_folding_a_cyrillic_line_never_splits_a_character() -> None:
    line = "DESCRIPTION:" + "Ж" * 40
    pieces = fold(line).encode("utf-8").split(b"\r\n")
    assert [len(p) for p in pieces] == [12 + 31 * 2, 1 + 9 * 2]
    long_line = "DESCRIPTION:" + "Судебное заседание " * 10
    folded = fold(long_line)
    pieces = folded.encode("utf-8").split(b"\r\n")
    assert all(74 <= len(p) <= 75 for p in pieces[:-1]) and len(pieces) == 6
    assert all(p.startswith(b" ") for p in pieces[1:])
    assert unfold(folded + CRLF) == [long_line]


def test_a_line_of_exactly_75_octets_is_not_folded() -> None:
    line = "X" * 75
    assert fold(line) == line
    assert fold(line + "Y") == line + "\r\n Y"


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=400))
def test_any_text_survives_escaping_folding_and_parsing(value: str) -> None:
    text = "BEGIN:VCALENDAR" + CRLF + fold("X-NOTE:" + escape_text(value)) + CRLF + "END:VCALENDAR" + CRLF
    for physical in text.encode("utf-8").split(b"\r\n"):
        assert len(physical) <= 75
        physical.decode("utf-8")
    (note,) = parse_calendar(text).properties
    assert note.text == value.replace("\r\n", "\n").replace("\r", "\n")


def test_quoted_parameters_may_hold_colons_and_semicolons() -> None:
    line = parse_line('ATTENDEE;CN="Nurlanova, A.: counsel";ROLE=REQ-PARTICIPANT:mailto:a@b.kz')
    assert line.name == "ATTENDEE"
    assert dict(line.params) == {"CN": "Nurlanova, A.: counsel", "ROLE": "REQ-PARTICIPANT"}
    assert line.value == "mailto:a@b.kz"


@pytest.mark.parametrize(
    "text",
    [
        "BEGIN:VCALENDAR\nEND:VCALENDAR\n",
        "BEGIN:VCALENDAR\r\nEND:VCALENDAR",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\n",
        "SUMMARY:orphan\r\n",
        "BEGIN:VCALENDAR\r\nnot a content line\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nX-A;CN=\"unterminated:value\r\nEND:VCALENDAR\r\n",
        " continuation\r\n",
        "BEGIN:VCALENDAR\r\nX-BAD:\\q\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    ],
)
def test_malformed_calendars_are_refused(text: str) -> None:
    with pytest.raises(InvalidCalendar) as caught:
        calendar = parse_calendar(text)
        for prop in calendar.properties:
            prop.text  # noqa: B018
    assert caught.value.code == "invalid_icalendar"


def test_parse_utc_insists_on_utc() -> None:
    assert parse_utc("20260115T100000Z") == datetime(2026, 1, 15, 10, tzinfo=UTC)
    with pytest.raises(InvalidCalendar):
        parse_utc("20260115T100000")
