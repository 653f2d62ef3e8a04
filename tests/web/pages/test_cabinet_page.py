"""The cabinet over HTTP, on both databases: hearings to come with a join button that is live once
the waiting room opens, drafts to resume, the latest notices with the unread count — and the
language a person chooses on the pages, which is the language the court then writes to them in."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from cabinet.courts import Courtroom, CourtStore
from cabinet.filing.models import Case, Filing
from cabinet.identity.models import User
from cabinet.identity.roles import Role
from cabinet.identity.users import PersonName, UserService
from cabinet.notifications.models import Notice
from cabinet.notifications.outbox import notify
from core.resources import CLOCK, DB
from sessions.models import HearingParticipantRow, HearingRow
from tests.sessions.public.conftest import ALICE, add_case
from tests.web.pages.conftest import People
from tests.web.pages.seed_public import COURT
from tests.web.pages.test_pages_http import log_in, page, token_of

ROOM_LINK = re.compile(r'<a class="button" href="/hearings/(\d+)/room" data-join="\d+"( hidden)?>')


async def seed(client: TestClient[Any, Any]) -> tuple[int, dict[str, int]]:
    """A court, Alice's case and her hearings: far off, lobby open, courtroom only, cancelled."""
    app: Any = client.app
    db, now = app[DB], app[CLOCK].now()
    async with db.transaction() as session:
        await CourtStore(session).add(COURT)
        await CourtStore(session).add_courtroom("7594", "Зал 1")
        await UserService(session, app[CLOCK]).grant(PersonName("700707300783", "СУДЬЯЕВ САПАР"), Role.JUDGE,
                                                     "7594", granter=None, actor="test")
    case = await add_case(db, "7594-26-00-2/000001", status="scheduled")
    hearings: dict[str, int] = {}
    async with db.transaction() as session:
        alice = await session.scalar(select(User.id).where(User.iin == ALICE[0]))
        row_of_case = await session.get(Case, case.id)
        room = await session.scalar(select(Courtroom.id).where(Courtroom.name == "Зал 1"))
        assert alice is not None and row_of_case is not None and room is not None
        for name, start, form, state in (("later", now + timedelta(days=2), "mixed", "scheduled"),
                                         ("soon", now + timedelta(minutes=5), "online", "scheduled"),
                                         ("courtroom", now + timedelta(days=3), "in_courtroom", "scheduled"),
                                         ("cancelled", now + timedelta(days=4), "mixed", "cancelled")):
            row = HearingRow(case_id=case.id, court_id=row_of_case.court_id, courtroom_id=room, start=start,
                             end_at=start + timedelta(hours=1), duration_minutes=60, format=form, is_open=True,
                             lobby_lead_minutes=15, state=state, created_by=alice, created_at=now,
                             updated_at=now)
            row.participants = [HearingParticipantRow(user_id=alice, role="plaintiff", display_name=ALICE[1])]
            session.add(row)
            await session.flush()
            hearings[name] = row.id
        draft = Filing(owner_id=alice, status="draft", created_at=now, updated_at=now, title="Иск о взыскании долга")
        session.add(draft)
        await session.flush()
    return draft.id, hearings


async def test_the_cabinet_lists_hearings_with_a_join_button_live_once_the_lobby_opens(
        people: People, client: TestClient[Any, Any]) -> None:
    await log_in(client, people.aliya)
    draft_id, hearings = await seed(client)
    status, html, _response = await page(client, "/cabinet", **{"Accept-Language": "en"})
    assert status == 200
    buttons = {int(found[0]): not found[1] for found in ROOM_LINK.findall(html)}
    assert buttons == {hearings["later"]: False, hearings["soon"]: True}, "courtroom-only and cancelled: no button"
    assert "This hearing is held in the courtroom only." in html
    assert f'href="/cabinet/filings/{draft_id}"' in html and "Иск о взыскании долга" in html
    assert "cabinet." in html and 'type="module"' in html  # the script that asks again

    listed = await (await client.get("/api/v1/me/hearings")).json()
    by_id = {h["hearing_id"]: h for h in listed["hearings"]}
    assert set(by_id) == {hearings["later"], hearings["soon"], hearings["courtroom"]}
    assert by_id[hearings["soon"]]["joinable"] is True and by_id[hearings["soon"]]["state"] == "lobby_open"
    assert by_id[hearings["later"]]["joinable"] is False
    assert by_id[hearings["later"]]["join_url"] == f"/hearings/{hearings['later']}/room"
    assert by_id[hearings["courtroom"]]["join_url"] is None


async def test_each_hearing_says_its_courtroom_as_stored_in_each_language(
        people: People, client: TestClient[Any, Any]) -> None:
    """«Зал 1» is the courtroom's own name: the line gives it after the label, never «Зал 1 залы»."""
    await log_in(client, people.aliya)
    await seed(client)
    for language, court, courtroom in (("kk", COURT.name_kk, "сот залы"), ("ru", COURT.name_ru, "зал суда"),
                                       ("en", COURT.name_en, "courtroom")):
        _status, html, _response = await page(client, "/cabinet", **{"Accept-Language": language})
        assert html.count(f"{court}, {courtroom}: Зал 1.") == 3, (language, html)
        assert "Зал 1 залы" not in html and "зал Зал 1" not in html.lower(), language


async def test_nobody_sees_another_persons_hearings_or_drafts(people: People, client: TestClient[Any, Any]) -> None:
    await log_in(client, people.aliya)
    draft_id, _hearings = await seed(client)
    client.session.cookie_jar.clear()
    await log_in(client, people.mallory)
    assert (await (await client.get("/api/v1/me/hearings")).json()) == {"hearings": []}
    _status, html, _response = await page(client, "/cabinet")
    assert "/hearings/" not in html and f"/cabinet/filings/{draft_id}" not in html
    client.session.cookie_jar.clear()
    assert (await client.get("/api/v1/me/hearings")).status == 401


async def test_the_cabinet_shows_the_latest_notices_and_the_unread_count(
        people: People, client: TestClient[Any, Any]) -> None:
    token = await log_in(client, people.aliya)
    app: Any = client.app
    principal_id = (await (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).json())
    async with app[DB].transaction() as session:
        user = await session.scalar(select(User.id).where(User.iin == principal_id["iin"]))
        for number in ("1", "2"):
            await notify(session, app[CLOCK], user_id=user, kind="case_accepted", facts={"case_number": number})
    _status, html, _response = await page(client, "/cabinet", **{"Accept-Language": "ru"})
    assert re.search(r"<strong data-unread-count>2</strong>", html)
    assert "Дело 2 принято к производству" in html and "Дело 1 принято к производству" in html


async def test_the_language_chosen_on_the_pages_is_the_language_notices_are_written_in(
        people: People, client: TestClient[Any, Any]) -> None:
    await log_in(client, people.aliya)
    _status, html, _response = await page(client, "/")
    response = await client.post("/language", data={"csrf_token": token_of(html), "language": "en", "next": "/"},
                                 headers={"Accept": "text/html"}, allow_redirects=False)
    assert response.status == 303
    assert (await (await client.get("/api/v1/me")).json())["language"] == "en"
    app: Any = client.app
    async with app[DB].transaction() as session:
        user = await session.scalar(select(User.id).where(User.iin == ALICE[0]))
        assert user is not None
        notice_id = await notify(session, app[CLOCK], user_id=user, kind="hearing_scheduled",
                                 facts={"case_number": "7594-26-00-2/000001"}, capacity="defendant",
                                 when=app[CLOCK].now() + timedelta(days=3), place="Room 1")
    async with app[DB].sessions() as session:
        notice = await session.get(Notice, notice_id)
    assert notice is not None and notice.language == "en"
    assert notice.title == "Summons to a court hearing in case 7594-26-00-2/000001"
    assert notice.body == "You are summoned to a court hearing in case 7594-26-00-2/000001 as the defendant."

    response = await client.put("/api/v1/me/language", json={"language": "ru"})
    assert response.status == 200 and (await response.json()) == {"language": "ru"}
    _status, html, _response = await page(client, f"/cabinet/notices/{notice_id}", **{"Accept-Language": "en"})
    assert "Судебная повестка по делу 7594-26-00-2/000001" in html  # the page in Russian, the notice too
    assert "в качестве ответчика" in html


async def test_a_language_the_court_does_not_write_is_refused_and_the_choice_kept(
        people: People, client: TestClient[Any, Any]) -> None:
    await log_in(client, people.aliya)
    assert (await client.put("/api/v1/me/language", json={"language": "kk"})).status == 200
    for body in ({"language": "de"}, {"language": ""}, {"language": 7}, {}, {"language": "kk" * 10}):
        response = await client.put("/api/v1/me/language", json=body)
        assert response.status == 400, body
        assert (await response.json())["error"]["code"] in ("language_unknown", "invalid_request"), body
    _status, html, _response = await page(client, "/")
    response = await client.post("/language", data={"csrf_token": token_of(html), "language": "fr"},
                                 headers={"Accept": "text/html"}, allow_redirects=False)
    assert response.status == 400
    response = await client.post("/language", data={"csrf_token": "0" * 64, "language": "ru"},
                                 headers={"Accept": "text/html"}, allow_redirects=False)
    assert response.status == 403
    assert (await (await client.get("/api/v1/me")).json())["language"] == "kk"
