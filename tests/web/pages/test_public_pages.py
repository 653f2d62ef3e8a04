"""Public pages without login, on both databases: what anyone may read, and nothing more.

A curious visitor (or a journalist, or a crawler) checks a case by number and reads the day's
hearings; the test makes sure the parties' IINs, the claim's title and closed cases never show,
that a closed case looks exactly like an unknown number, and that the words are in the language.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cabinet.courts import CourtSpec, CourtStore
from cabinet.identity.roles import Role
from cabinet.identity.users import PersonName, UserService
from core.clock import FixedClock, SystemClock
from core.db import Database
from tests.sessions.public.conftest import ALICE, BOB, add_case, add_hearing
from web.app import create_app

NUMBER = "7594-26-00-2/000001"
CLOSED = "7594-26-00-2/000002"
COURT = CourtSpec("7594", "Алматы", "Алматы қаласының Алмалы аудандық соты",
                  "Алмалинский районный суд города Алматы", "Almaly District Court of Almaty")
HTML = {"Accept": "text/html"}


async def seed(db: Database) -> None:
    async with db.transaction() as session:
        courts = CourtStore(session)
        await courts.add(COURT)
        await courts.add_courtroom("7594", "Зал 1")
        await courts.add_courtroom("7594", "Зал 2")
        users = UserService(session, SystemClock())
        await users.grant(PersonName("700707300783", "СУДЬЯЕВ САПАР"), Role.JUDGE, "7594", granter=None,
                          actor="test")
    case = await add_case(db, NUMBER, status="scheduled")
    await add_hearing(db, case.id, datetime(2026, 3, 10, 4, 0, tzinfo=UTC), room="Зал 1")
    closed = await add_case(db, CLOSED, category="03", closed=True)
    await add_hearing(db, closed.id, datetime(2026, 3, 10, 6, 0, tzinfo=UTC), room="Зал 2", is_open=False)


@pytest.fixture
async def client(make_config: Any, db: Database) -> AsyncIterator[TestClient[Any, Any]]:
    await seed(db)
    app = create_app(make_config(), clock=FixedClock(datetime(2026, 3, 9, 12, 0, tzinfo=UTC)))
    async with TestClient(TestServer(app)) as c:
        yield c


async def get(client: TestClient[Any, Any], path: str, language: str = "en") -> tuple[int, str]:
    response = await client.get(path, headers={**HTML, "Accept-Language": language})
    return response.status, await response.text()


def assert_nothing_private(html: str) -> None:
    for secret in (ALICE[0], BOB[0], "Recovery of a loan", CLOSED, "Family matters"):
        assert secret not in html, secret


@pytest.mark.parametrize(("language", "status_words", "court"), [
    ("kk", "Отырыс тағайындалды", "Алматы қаласының Алмалы аудандық соты"),
    ("ru", "Назначено заседание", "Алмалинский районный суд города Алматы"),
    ("en", "Hearing scheduled", "Almaly District Court of Almaty")])
async def test_a_case_by_its_number_in_each_language(
        client: TestClient[Any, Any], language: str, status_words: str, court: str) -> None:
    status, html = await get(client, f"/cases?number={NUMBER}", language)
    assert status == 200
    assert status_words in html and court in html and "СУДЬЯЕВ САПАР" in html
    assert f'<link rel="canonical" href="/cases/{NUMBER}">' in html
    assert '<meta name="robots" content="index, follow">' in html
    assert "<script" not in html
    assert_nothing_private(html)
    status, same = await get(client, f"/cases/{NUMBER}", language)
    assert status == 200 and status_words in same


async def test_the_next_hearing_is_in_court_time(client: TestClient[Any, Any]) -> None:
    _status, html = await get(client, f"/cases/{NUMBER}", "ru")
    assert "10 марта 2026\u202fг., 09:00" in html and "Зал 1" in html


async def test_a_closed_case_looks_exactly_like_an_unknown_number(client: TestClient[Any, Any]) -> None:
    closed_status, closed = await get(client, f"/cases?number={CLOSED}")
    unknown_status, unknown = await get(client, "/cases?number=7594-26-00-2/000003")
    assert closed_status == unknown_status == 404
    assert closed.replace(CLOSED, "N") == unknown.replace("7594-26-00-2/000003", "N")
    assert "No case with this number can be shown" in closed
    assert '<meta name="robots" content="noindex">' in closed


@pytest.mark.parametrize("typed", ["hello", "7594-26-00-2", "<script>alert(1)</script>", "x" * 500])
async def test_a_malformed_number_is_explained_at_the_field(client: TestClient[Any, Any], typed: str) -> None:
    status, html = await get(client, f"/cases?number={typed}", "kk")
    assert status == 400
    assert 'aria-invalid="true"' in html and 'href="#number"' in html
    assert "Іс нөмірін 7594-26-00-2/000123 түрінде енгізіңіз" in html
    assert "<script>alert" not in html


async def test_an_empty_search_asks_for_the_number(client: TestClient[Any, Any]) -> None:
    status, html = await get(client, "/cases?number=", "ru")
    assert status == 400 and "Введите номер дела." in html
    status, html = await get(client, "/cases", "ru")
    assert status == 200 and 'aria-invalid' not in html


async def test_the_days_hearings_of_a_court(client: TestClient[Any, Any]) -> None:
    status, html = await get(client, "/hearings?court=7594&date=2026-03-10", "en")
    assert status == 200
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    assert len(rows) == 2
    assert "09:00–10:00" in rows[0] and NUMBER in rows[0] and "ӘЛИЕВА А." in rows[0] and "БЕКОВ Б." in rows[0]
    assert "11:00–12:00" in rows[1] and "Closed hearing" in rows[1] and "Зал 2" in rows[1]
    assert_nothing_private(html)
    assert '<link rel="canonical" href="/hearings?court=7594&amp;date=2026-03-10">' in html


async def test_the_hearings_page_defaults_to_today_and_lists_the_courts(client: TestClient[Any, Any]) -> None:
    status, html = await get(client, "/hearings", "kk")
    assert status == 200 and 'value="2026-03-09"' in html
    assert "Алматы қаласының Алмалы аудандық соты" in html and "<table" not in html
    status, html = await get(client, "/hearings?court=7594", "kk")
    assert status == 200 and "Бұл күнге отырыстар тағайындалмаған." in html


@pytest.mark.parametrize(("query", "code", "field"), [
    ("court=7594&date=2026-02-30", 400, "date"), ("court=7594&date=tomorrow", 400, "date"),
    ("court=9999", 404, "court"), ("court=../../etc", 400, "court")])
async def test_bad_hearing_queries_are_explained(client: TestClient[Any, Any], query: str, code: int,
                                                 field: str) -> None:
    status, html = await get(client, f"/hearings?{query}", "en")
    assert status == code
    assert f'href="#{field}"' in html and f'id="{field}-error"' in html
