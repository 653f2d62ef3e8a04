"""The cabinet's notices over HTTP: list, open (= served, audited once), read, contacts.

Someone else's notice is a 404, exactly like one that does not exist; every bad input is a 400
with its own code and changes nothing.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from cabinet.audit import AuditEntry, verify_chain
from cabinet.identity.models import User
from cabinet.notifications.models import Delivery, Notice
from cabinet.notifications.outbox import notify
from core.clock import SystemClock
from core.db import Database
from core.resources import DB
from tests.cabinet.conftest import CabinetApp, Cast, bearer
from tests.cabinet.notifications.conftest import SmtpServers, free_port
from tests.cabinet.notifications.test_outbox import HEARING
from web.app import create_app

COURT = "Алмалинский районный суд города Алматы"


async def user_id(db: Database, iin: str) -> int:
    async with db.transaction() as session:
        user = await session.scalar(select(User).where(User.iin == iin))
    assert user is not None
    return user.id


async def issue(app: CabinetApp, db: Database, user: int, title: str, **extra: Any) -> int:
    """A summons; ``title`` stands in the reason its hearing was moved, to tell notices apart."""
    async with db.transaction() as session:
        values: dict[str, Any] = dict(user_id=user, kind="hearing_moved",
                                      facts={"case_number": "7594-26-00-2/000005", "reason": title},
                                      case_id=5, court=COURT, case_number="7594-26-00-2/000005",
                                      capacity="plaintiff", when=HEARING, place="Зал 2")
        values.update(extra)
        return await notify(session, app.clock, **values)


@pytest.fixture
async def alice(cabinet_app: CabinetApp, cast: Cast, db: Database) -> tuple[dict[str, str], int]:
    headers = await bearer(cabinet_app, cast.alice)
    return headers, await user_id(db, "900101400123")


async def test_the_list_is_newest_first_paginated_and_counts_unread(
        cabinet_app: CabinetApp, db: Database, alice: tuple[dict[str, str], int]) -> None:
    headers, me = alice
    ids = []
    for n in range(5):
        ids.append(await issue(cabinet_app, db, me, f"Заседание {n}"))
        cabinet_app.clock.advance(timedelta(minutes=1))
    response = await cabinet_app.client.get("/api/v1/notifications?limit=2", headers=headers)
    assert response.status == 200
    page = await response.json()
    assert [n["id"] for n in page["notifications"]] == [ids[4], ids[3]]
    assert (page["total"], page["unread"], page["next_before"]) == (5, 5, ids[3])
    first = page["notifications"][0]
    assert first["title"] == "7594-26-00-2/000005 ісі бойынша сот отырысы ауыстырылды"  # in Kazakh: not chosen
    assert first["language"] == "kk" and first["case_number"] == "7594-26-00-2/000005"
    assert first["read"] is False and first["served_at"] is None and "body" not in first
    response = await cabinet_app.client.get(f"/api/v1/notifications?limit=2&before={ids[3]}", headers=headers)
    assert [n["id"] for n in (await response.json())["notifications"]] == [ids[2], ids[1]]
    response = await cabinet_app.client.get(f"/api/v1/notifications?limit=2&before={ids[1]}", headers=headers)
    last = await response.json()
    assert [n["id"] for n in last["notifications"]] == [ids[0]] and last["next_before"] is None


async def test_opening_a_notice_serves_it_once_and_writes_that_to_the_audit_log(
        cabinet_app: CabinetApp, db: Database, alice: tuple[dict[str, str], int]) -> None:
    headers, me = alice
    notice = await issue(cabinet_app, db, me, "Судебное заседание назначено")
    served_at = cabinet_app.clock.now()
    response = await cabinet_app.client.get(f"/api/v1/notifications/{notice}", headers=headers)
    assert response.status == 200
    body = await response.json()
    assert body["served_at"] == served_at.isoformat() and body["read"] is True
    assert body["body"].startswith("7594-26-00-2/000005 ісі бойынша сот отырысы ауыстырылды. Сіз бұрынғыдай "
                                   "талапкер ретінде шақырыласыз")
    assert body["place"] == "Зал 2" and body["capacity"] == "plaintiff"
    assert body["heading"]["ru"] == "Судебное заседание перенесено"
    assert {"label": "Процессуальное положение", "value": "истец"} in body["particulars"]["ru"]
    assert {"label": "Time", "value": "10.02.2026 10:00 (UTC+05:00)"} in body["particulars"]["en"]

    cabinet_app.clock.advance(timedelta(hours=3))
    again = await (await cabinet_app.client.get(f"/api/v1/notifications/{notice}", headers=headers)).json()
    assert again["served_at"] == served_at.isoformat()
    async with db.transaction() as session:
        served = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "notice.served")))
        assert (await verify_chain(session)).ok
    assert [(e.actor, e.subject, e.details["case_number"]) for e in served] == [
        ("iin:900101400123", f"notice:{notice}", "7594-26-00-2/000005")]


async def test_marking_read_does_not_count_as_service(
        cabinet_app: CabinetApp, db: Database, alice: tuple[dict[str, str], int]) -> None:
    headers, me = alice
    notice = await issue(cabinet_app, db, me, "Судебное заседание назначено")
    response = await cabinet_app.client.post(f"/api/v1/notifications/{notice}/read", headers=headers)
    assert response.status == 200
    body = await response.json()
    assert body["read"] is True and body["served_at"] is None
    page = await (await cabinet_app.client.get("/api/v1/notifications", headers=headers)).json()
    assert page["unread"] == 0


async def test_someone_elses_notice_is_not_found_and_stays_unserved(
        cabinet_app: CabinetApp, db: Database, cast: Cast, alice: tuple[dict[str, str], int]) -> None:
    headers, _ = alice
    await bearer(cabinet_app, cast.bob)
    bobs = await issue(cabinet_app, db, await user_id(db, "850505300456"), "Повестка Болату")
    for response in (await cabinet_app.client.get(f"/api/v1/notifications/{bobs}", headers=headers),
                     await cabinet_app.client.post(f"/api/v1/notifications/{bobs}/read", headers=headers),
                     await cabinet_app.client.get("/api/v1/notifications/987654", headers=headers)):
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "notice_not_found"
    page = await (await cabinet_app.client.get("/api/v1/notifications", headers=headers)).json()
    assert page["notifications"] == [] and page["total"] == 0
    async with db.transaction() as session:
        notice = await session.get(Notice, bobs)
    assert notice is not None and notice.served_at is None and notice.read_at is None


async def test_notices_need_a_login(cabinet_app: CabinetApp) -> None:
    for method, path in (("GET", "/api/v1/notifications"), ("GET", "/api/v1/notifications/1"),
                         ("POST", "/api/v1/notifications/1/read"), ("PUT", "/api/v1/me/contacts"),
                         ("GET", "/api/v1/me/contacts")):
        response = await cabinet_app.client.request(method, path)
        assert response.status == 401, path
        assert (await response.json())["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(("path", "code"), [
    ("/api/v1/notifications?limit=0", "invalid_query"),
    ("/api/v1/notifications?limit=101", "invalid_query"),
    ("/api/v1/notifications?limit=ten", "invalid_query"),
    ("/api/v1/notifications?before=-3", "invalid_query"),
    ("/api/v1/notifications?before=99999999999", "invalid_query"),
    ("/api/v1/notifications/abc", "invalid_notice_id"),
    ("/api/v1/notifications/0", "invalid_notice_id"),
    ("/api/v1/notifications/%D9%A3", "invalid_notice_id"),
])
async def test_bad_paging_and_ids_are_400s(cabinet_app: CabinetApp, alice: tuple[dict[str, str], int],
                                           path: str, code: str) -> None:
    response = await cabinet_app.client.get(path, headers=alice[0])
    assert response.status == 400
    assert (await response.json())["error"]["code"] == code


async def test_contacts_are_normalised_and_used_for_the_next_notice(
        cabinet_app: CabinetApp, db: Database, alice: tuple[dict[str, str], int]) -> None:
    headers, me = alice
    response = await cabinet_app.client.put("/api/v1/me/contacts", headers=headers,
                                            json={"email": " Aliya.Alieva@Example.KZ ", "phone": "8 (701) 234-56-78"})
    assert response.status == 200
    assert await response.json() == {"email": "Aliya.Alieva@example.kz", "phone": "+77012345678"}
    assert await (await cabinet_app.client.get("/api/v1/me/contacts", headers=headers)).json() == {
        "email": "Aliya.Alieva@example.kz", "phone": "+77012345678"}
    notice = await issue(cabinet_app, db, me, "Судебное заседание назначено")
    async with db.transaction() as session:
        rows = list(await session.scalars(select(Delivery).where(Delivery.notice_id == notice)))
        [entry] = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "user.contacts")))
    assert sorted((r.channel, r.address) for r in rows) == [("email", "Aliya.Alieva@example.kz"),
                                                            ("sms", "+77012345678")]
    assert entry.details == {"email_changed": True, "phone_changed": True, "email_set": True, "phone_set": True}

    response = await cabinet_app.client.put("/api/v1/me/contacts", headers=headers,
                                            json={"email": None, "phone": ""})
    assert await response.json() == {"email": None, "phone": None}


@pytest.mark.parametrize(("body", "code"), [
    ({"email": "aliya@", "phone": None}, "invalid_email"),
    ({"email": "aliya example.kz", "phone": None}, "invalid_email"),
    ({"email": "алия@пример.kz", "phone": None}, "invalid_email"),
    ({"email": "a..b@example.kz", "phone": None}, "invalid_email"),
    ({"email": "aliya@example", "phone": None}, "invalid_email"),
    ({"email": None, "phone": "12345"}, "invalid_phone"),
    ({"email": None, "phone": "+7 701 234 56"}, "invalid_phone"),
    ({"email": None, "phone": "+7701234567x"}, "invalid_phone"),
    ({"email": None, "phone": "+٧٧٠١٢٣٤٥٦٧٨"}, "invalid_phone"),
    ({"email": None}, "invalid_request"),
    ({"email": 42, "phone": None}, "invalid_request"),
    ({"email": None, "phone": None, "telegram": "@aliya"}, "invalid_request"),
    ([], "invalid_request"),
])
async def test_bad_contacts_are_refused_and_keep_what_was_stored(
        cabinet_app: CabinetApp, db: Database, alice: tuple[dict[str, str], int], body: Any, code: str) -> None:
    headers, me = alice
    ok = await cabinet_app.client.put("/api/v1/me/contacts", headers=headers,
                                      json={"email": "aliya@example.kz", "phone": "+77012345678"})
    assert ok.status == 200
    response = await cabinet_app.client.put("/api/v1/me/contacts", headers=headers, json=body)
    assert response.status == 400
    assert (await response.json())["error"]["code"] == code
    async with db.transaction() as session:
        user = await session.get(User, me)
    assert user is not None and (user.email, user.phone) == ("aliya@example.kz", "+77012345678")


async def test_contacts_that_are_not_json_are_refused(cabinet_app: CabinetApp,
                                                      alice: tuple[dict[str, str], int]) -> None:
    response = await cabinet_app.client.put("/api/v1/me/contacts", data=b"{not json",
                                            headers=alice[0] | {"Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_json"


async def test_the_running_app_sends_a_committed_notice_at_once_without_waiting_for_the_poll(
        make_config: Any, smtp: SmtpServers, db: Database) -> None:
    port = free_port()
    mailbox = smtp.start(port)
    config = make_config(builtin_ca=False, smtp_host="127.0.0.1", smtp_port=port, notify_poll_s=3600)
    async with db.transaction() as session:
        user = User(iin="900101400123", common_name="ӘЛИЕВА АЛИЯ", email="aliya@example.kz",
                    created_at=SystemClock().now())
        session.add(user)
    app = create_app(config)
    async with TestClient(TestServer(app)):
        await asyncio.sleep(0.2)  # let the sender's first (empty) round pass
        async with app[DB].transaction() as session:
            await notify(session, SystemClock(), user_id=user.id, kind="judge_assigned",
                         facts={"case_number": "7594-26-00-2/000005", "judge": "СУДЬЯЕВ САПАР"}, court=COURT,
                         case_number="7594-26-00-2/000005", capacity="plaintiff")
        for _ in range(100):
            if mailbox.received:
                break
            await asyncio.sleep(0.05)
    assert len(mailbox.received) == 1
    assert mailbox.messages()[0]["Subject"] == "7594-26-00-2/000005 ісі бойынша судья тағайындалды"
