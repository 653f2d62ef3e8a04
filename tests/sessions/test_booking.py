"""Booking hearings over HTTP: the court's staff book, move and cancel; clashes are named; the case,
its timeline and every participant's cabinet follow; invitations parse back as iCalendar."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cabinet.courts import CourtSpec, CourtStore
from cabinet.filing.models import Case, CaseEvent
from cabinet.identity.roles import Role
from cabinet.identity.users import PersonName, UserService
from cabinet.notifications.models import Notice
from core.clock import SystemClock
from core.db import Database
from sessions.icalendar import parse_calendar, parse_utc
from tests.cabinet.conftest import cabinet_app, cast  # noqa: F401
from tests.cabinet.filing.conftest import Court, court  # noqa: F401
from tests.sessions.hearing_world import IIN, accepted_case, book, booking, count, when


async def test_a_clerk_books_a_hearing_and_the_case_its_timeline_and_every_participant_follow(
    court: Court, db: Database  # noqa: F811
) -> None:
    number, _ = await accepted_case(court)
    start = when(court)
    hearing = await book(court, booking(number, start))

    assert hearing["case_number"] == number and hearing["courtroom"] == "Зал 1"
    assert hearing["state"] == "scheduled" and hearing["sequence"] == 0
    roles = {p["role"] for p in hearing["participants"]}
    assert roles == {"judge", "clerk", "plaintiff", "defendant", "representative"}, "the case's judge is added"
    async with db.sessions() as session:
        case = await session.scalar(select(Case).where(Case.number == number))
        assert case is not None and case.status == "scheduled"
        events = list(await session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)))
        assert [e.action for e in events][-1] == "schedule"
        assert events[-1].details["hearing_id"] == hearing["id"]
        notices = list(await session.scalars(select(Notice).where(Notice.kind == "hearing_scheduled")))
    assert len(notices) == 5, "each participant is summoned"
    assert all(f"/api/v1/hearings/{hearing['id']}/invitation.ics" in n.body for n in notices)
    assert all(n.case_number == number and n.event_at == start for n in notices)

    case_file = await (await court.get("bob", f"/api/v1/cases/{number}")).json()
    assert [(h["id"], h["courtroom"], h["state"], h["start"]) for h in case_file["hearings"]] == [
        (hearing["id"], "Зал 1", "scheduled", start.isoformat())], "the hearing shows in the party's case file"


async def test_the_invitation_parses_back_and_its_sequence_follows_every_change(court: Court) -> None:  # noqa: F811
    number, _ = await accepted_case(court)
    start = when(court)
    hearing = await book(court, booking(number, start))
    url = f"/api/v1/hearings/{hearing['id']}/invitation.ics"

    response = await court.get("alice", url)
    assert response.status == 200 and response.content_type == "text/calendar"
    event = parse_calendar(await response.text()).find("VEVENT")[0]
    assert parse_utc(event.get("DTSTART").value) == start
    assert parse_utc(event.get("DTEND").value) == start + timedelta(hours=60 / 60)
    assert event.get("SEQUENCE").value == "0"
    assert number in event.get("DESCRIPTION").text and "истец" in event.get("DESCRIPTION").text
    uid = event.get("UID").value

    response = await court.client.patch(f"/api/v1/hearings/{hearing['id']}", json={
        "start": (start + timedelta(hours=3)).isoformat(), "courtroom": "Зал 2", "reason": "the judge is ill"},
        headers=await court.as_("clerk"))
    assert response.status == 200, await response.text()
    assert (await response.json())["courtroom"] == "Зал 2"
    moved = parse_calendar(await (await court.get("alice", url)).text()).find("VEVENT")[0]
    assert moved.get("UID").value == uid and moved.get("SEQUENCE").value == "1"
    assert parse_utc(moved.get("DTSTART").value) == start + timedelta(hours=3)

    response = await court.post("judge", f"/api/v1/hearings/{hearing['id']}/cancel",
                                {"reason": "settled"})
    assert response.status == 200, await response.text()
    cancelled = parse_calendar(await (await court.get("bob", url)).text())
    assert cancelled.get("METHOD").value == "CANCEL"
    assert cancelled.find("VEVENT")[0].get("SEQUENCE").value == "2"
    assert (await court.get("carol", url)).status == 404, "no invitation for somebody not summoned"
    async with court.db.sessions() as session:
        called_off = list(await session.scalars(select(Notice).where(Notice.kind == "hearing_cancelled")))
    assert len(called_off) == 5 and all("settled" in n.body for n in called_off), "everyone summoned is told"


async def _second_case(court: Court) -> str:  # noqa: F811
    number, _ = await accepted_case(court)
    return number


@pytest.mark.parametrize("clash", ["courtroom", "judge", "representative", "clerk"])
async def test_a_slot_that_clashes_is_refused_naming_the_clash(court: Court, db: Database, clash: str) -> None:  # noqa: F811
    first, _ = await accepted_case(court)
    second = await _second_case(court)
    start = when(court)
    taken = await book(court, booking(first, start, participants=[
        {"iin": IIN["alice"], "role": "plaintiff"}, {"iin": IIN["judge"], "role": "judge"},
        {"iin": IIN["lawyer"], "role": "representative", "represents_iin": IIN["alice"]},
        {"iin": IIN["clerk"], "role": "clerk"}]))
    people: list[dict[str, Any]] = [{"iin": IIN["bob"], "role": "defendant"},
                                    {"iin": IIN["judge2"], "role": "judge"}]
    room = "Зал 2"
    if clash == "courtroom":
        room = "Зал 1"
    elif clash == "judge":
        people[1] = {"iin": IIN["judge"], "role": "judge"}
    elif clash == "representative":
        people.append({"iin": IIN["lawyer"], "role": "representative", "represents_iin": IIN["bob"]})
    else:
        people.append({"iin": IIN["clerk"], "role": "clerk"})
    before = await count(db, "hearings")
    response = await court.client.post("/api/v1/hearings", json=booking(
        second, start + timedelta(minutes=30), courtroom=room, participants=people),
        headers=await court.as_("clerk"))
    assert response.status == 409, await response.text()
    error = (await response.json())["error"]
    assert error["code"] == "schedule_conflict"
    assert [(c["kind"], c["hearing_id"]) for c in error["details"]["conflicts"]] == [(clash, str(taken["id"]))]
    assert await count(db, "hearings") == before, "nothing stored"

    back_to_back = booking(second, start + timedelta(hours=1), courtroom=room, participants=people)
    assert (await court.client.post("/api/v1/hearings", json=back_to_back,
                                    headers=await court.as_("clerk"))).status == 201


async def test_only_the_staff_of_the_cases_court_book_its_hearings(court: Court, db: Database) -> None:  # noqa: F811
    number, _ = await accepted_case(court)
    async with db.transaction() as session:
        await CourtStore(session).add(CourtSpec("1111", "Астана", "Басқа сот", "Другой суд", "Another court"))
        await UserService(session, SystemClock()).grant(PersonName(IIN["carol"], "ҮШІНШІ ҮМІТ"), Role.JUDGE, "1111",
                                                        granter=None, actor="test")
    court.heads.pop("carol", None)
    body = booking(number, when(court))
    for who in ("alice", "lawyer", "carol", "admin"):
        response = await court.client.post("/api/v1/hearings", json=body, headers=await court.as_(who))
        assert response.status == 403, (who, await response.text())
        assert (await response.json())["error"]["code"] == "not_court_staff"
    assert (await court.client.post("/api/v1/hearings", json=body)).status == 401
    assert await count(db, "hearings") == 0
    hearing = await book(court, body, who="judge")
    for who in ("alice", "carol"):
        response = await court.client.patch(f"/api/v1/hearings/{hearing['id']}", json={"duration_minutes": 90},
                                            headers=await court.as_(who))
        assert response.status == 403
        response = await court.post(who, f"/api/v1/hearings/{hearing['id']}/cancel", {"reason": "x"})
        assert response.status == 403


@pytest.mark.parametrize(("change", "status", "code"), [
    ({"start": "tomorrow"}, 400, "invalid_hearing"),
    ({"start": "2026-03-02T10:00:00"}, 400, "invalid_hearing"),
    ({"start": "2001-03-02T10:00:00+05:00"}, 400, "invalid_hearing"),
    ({"duration_minutes": 2}, 400, "invalid_hearing"),
    ({"duration_minutes": "60"}, 400, "invalid_hearing"),
    ({"format": "telepathy"}, 400, "invalid_hearing"),
    ({"is_open": "yes"}, 400, "invalid_hearing"),
    ({"courtroom": "Зал 9"}, 404, "courtroom_not_found"),
    ({"case": "7594-26-01-2/999999"}, 404, None),
    ({"case": "no such number"}, 400, "invalid_case_number"),
    ({"participants": []}, 400, "invalid_hearing"),
    ({"participants": [{"iin": "990101300999", "role": "witness"}]}, 400, "unknown_participant"),
    ({"participants": [{"iin": "12345", "role": "plaintiff"}]}, 400, None),
    ({"participants": [{"iin": "900101400123", "role": "emperor"}]}, 400, "invalid_hearing"),
    ({"participants": [{"iin": "900101400123", "role": "judge"}]}, 400, "not_court_staff"),
    ({"participants": [{"iin": "880404300234", "role": "representative", "represents_iin": "850505300456"}]},
     400, "invalid_hearing"),
])
async def test_a_malformed_booking_is_refused_and_stores_nothing(
    court: Court, db: Database, change: dict[str, Any], status: int, code: str | None  # noqa: F811
) -> None:
    number, _ = await accepted_case(court)
    before = {t: await count(db, t) for t in ("hearings", "case_events", "notices", "audit_log")}
    response = await court.client.post("/api/v1/hearings", json={**booking(number, when(court)), **change},
                                       headers=await court.as_("clerk"))
    assert response.status == status, await response.text()
    error = (await response.json())["error"]
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    assert {t: await count(db, t) for t in before} == before


async def test_the_hearing_is_shown_in_full_to_its_people_and_in_public_part_to_the_public(
    court: Court, db: Database  # noqa: F811
) -> None:
    number, _ = await accepted_case(court)
    closed = await book(court, booking(number, when(court)))
    opened = await book(court, booking(number, when(court, days=3), is_open=True))
    for who in ("alice", "lawyer", "clerk", "judge2", "admin"):
        body = await (await court.get(who, f"/api/v1/hearings/{closed['id']}")).json()
        assert body["access"] == "full" and len(body["participants"]) == 5, who
    response = await court.get("carol", f"/api/v1/hearings/{closed['id']}")
    assert response.status == 404 and (await response.json())["error"]["code"] == "hearing_not_found"
    public = await (await court.get("carol", f"/api/v1/hearings/{opened['id']}")).json()
    assert public["access"] == "public" and "participants" not in public and public["judge"]
    assert (await court.get("carol", "/api/v1/hearings/999999")).status == 404
    assert (await court.get("alice", f"/api/v1/hearings/{closed['id']}/minutes")).status == 403
    minutes = await court.get("clerk", f"/api/v1/hearings/{closed['id']}/minutes")
    assert minutes.status == 200 and "Протокол судебного заседания" in await minutes.text()
    assert (await court.get("clerk", f"/api/v1/hearings/{closed['id']}/minutes?lang=xx")).status == 400
    assert (await court.get("carol", f"/api/v1/hearings/{opened['id']}/invitation.ics")).status == 404
