"""The cabinet's join button goes live without a reload, in real Chromium, when the judge opens the
waiting room: the /cabinet socket says so, and the page neither reloads nor asks the API again.

Aliya opens her cabinet with a hearing two days ahead (its waiting room far from opening by the
clock): the button is not there. The judge opens the waiting room through the hearing service, in
a process of its own, as the judge's own controls do; the button appears in the page that is
already open. A hearing of a case she is not in is never announced to her.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from cabinet.eds.ca import IssuedPerson
from core.clock import COURT_TIME
from tests.conftest import REPO
from tests.web.pages.browser import assert_accessible, assert_translated, inline_scripts, screenshot
from tests.web.pages.seed_public import JUDGE_IIN, OPEN_CASE
from tests.web.pages.server import AppServer, start_server

pytestmark = pytest.mark.chromium

PASSWORD = "lobby-password"
ALIYA_IIN = "900101400123"
SEED = "import sys, runpy; sys.argv = sys.argv[1:]; runpy.run_module('{module}', run_name='__main__')"


async def book_for_aliya(url: str) -> list[int]:
    """Two hearings two days ahead: one of Aliya's case with her summoned, one of a case she is not in."""
    from datetime import UTC, timedelta

    from sqlalchemy import select

    from cabinet.filing.models import Case
    from cabinet.identity.models import User
    from core.db import connect
    from sessions.models import HearingParticipantRow
    from tests.sessions.public.conftest import add_case, add_hearing

    async with connect(url) as db:
        other = await add_case(db, "7594-26-00-2/000009", status="accepted")
        start = datetime.now(UTC) + timedelta(days=2)
        ids = []
        async with db.sessions() as session:
            case_id = await session.scalar(select(Case.id).where(Case.number == OPEN_CASE))
        for case in (case_id, other.id):
            ids.append(await add_hearing(db, case, start, format_="mixed"))
        async with db.transaction() as session:
            aliya = await session.scalar(select(User.id).where(User.iin == ALIYA_IIN))
            judge = await session.scalar(select(User.id).where(User.iin == JUDGE_IIN))
            assert aliya is not None and judge is not None
            for hearing_id in ids:
                session.add(HearingParticipantRow(hearing_id=hearing_id, user_id=judge, role="judge",
                                                  display_name="СУДЬЯЕВ САПАР"))
            session.add(HearingParticipantRow(hearing_id=ids[0], user_id=aliya, role="plaintiff",
                                              display_name="ӘЛИЕВА АЛИЯ"))
        return ids


async def open_lobby(url: str, hearing_id: int) -> None:
    """The judge opens the waiting room through the hearing service."""
    from cabinet.identity.principal import Principal
    from cabinet.identity.users import UserService
    from core.clock import SystemClock
    from core.db import connect
    from sessions.lifecycle import Action
    from sessions.service import HearingService

    async with connect(url) as db:
        async with db.transaction() as session:
            users = UserService(session, SystemClock())
            judge = await users.get_by_iin(JUDGE_IIN)
            grants = await users.grants_of(judge.id)
        principal = Principal(judge.id, judge.iin, judge.common_name, grants, 0)
        await HearingService(db, SystemClock()).control(principal, hearing_id, Action.OPEN_LOBBY)


if __name__ == "__main__":
    import asyncio

    if sys.argv[0] == "book":  # (the runner drops its own name from argv)
        print(" ".join(str(i) for i in asyncio.run(book_for_aliya(sys.argv[1]))))
    else:
        asyncio.run(open_lobby(sys.argv[1], int(sys.argv[2])))


def _run(module: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", SEED.format(module=module), *args], cwd=REPO,
                          timeout=120, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


class Cabinet:
    def __init__(self, server: AppServer, aliya: IssuedPerson, hearings: list[int]) -> None:
        self.server = server
        self.aliya = aliya
        self.hearings = hearings


@pytest.fixture(scope="module")
def cabinet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cabinet]:
    base = tmp_path_factory.mktemp("join-live")
    server = start_server(base, notify_poll_s="0.3")
    try:
        aliya = server.ca.issue_person(iin=ALIYA_IIN, surname="ӘЛИЕВА", given_name="АЛИЯ", patronymic=None,
                                       password=PASSWORD.encode())
        _run("tests.web.pages.seed_public", "seed", server.database_url, datetime.now(COURT_TIME).date().isoformat())
        hearings = [int(i) for i in _run(__name__, "book", server.database_url).split()]
        yield Cabinet(server, aliya, hearings)
    finally:
        server.stop()


def log_in(cabinet: Cabinet, browser_for: Any, language: str) -> Any:
    page = browser_for(language).new_page()
    page.goto(cabinet.server.url + "/login")
    page.set_input_files("#key-file", files=[{"name": "AUTH_RSA256_key.p12", "mimeType": "application/x-pkcs12",
                                              "buffer": cabinet.aliya.auth.p12}])
    page.fill("#key-password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(cabinet.server.url + "/cabinet")
    return page


def test_the_join_button_goes_live_when_the_judge_opens_the_waiting_room_without_a_reload(
        cabinet: Cabinet, browser_for: Any) -> None:
    mine, theirs = cabinet.hearings
    page = log_in(cabinet, browser_for, "ru")
    join = page.locator(f"[data-join='{mine}']")
    assert join.count() == 1 and join.is_hidden()
    assert page.locator(f"[data-join='{theirs}']").count() == 0
    page.wait_for_selector("body[data-hearings-live]", state="attached")  # the socket has spoken
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/api/v1/me/hearings" in request.url else None)
    page.evaluate("window.sotkabStillTheSamePage = true")

    _run(__name__, "lobby", cabinet.server.database_url, str(mine))

    join.wait_for(state="visible")
    assert page.locator(f"[data-wait='{mine}']").is_hidden()
    assert page.evaluate("window.sotkabStillTheSamePage") is True, "the page was reloaded"
    assert page.evaluate("document.body.dataset.joinable") == str(mine)
    assert asked == [], "the button followed the socket, not a new request"
    assert join.get_attribute("href") == f"/hearings/{mine}/room"
    assert_accessible(page)
    screenshot(page, "cabinet-join-live-ru")

    _run(__name__, "lobby", cabinet.server.database_url, str(theirs))  # not hers: nothing changes for her
    page.reload()
    page.wait_for_selector("body[data-hearings-live]", state="attached")
    assert page.evaluate("document.body.dataset.joinable") == str(mine)
    assert page.locator(f"[data-join='{theirs}']").count() == 0


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_cabinet_with_its_hearings_is_accessible_and_translated_in_each_language(
        cabinet: Cabinet, browser_for: Any, language: str) -> None:
    page = log_in(cabinet, browser_for, language)
    page.wait_for_selector("body[data-hearings-live]", state="attached")
    assert page.locator(f"[data-join='{cabinet.hearings[0]}']").count() == 1
    assert inline_scripts(page) == []
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"cabinet-hearings-{language}")
