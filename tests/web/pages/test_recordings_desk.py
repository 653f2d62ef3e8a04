"""The clerk's recordings desk in real Chromium: find, play with seeking, verify, share, in three languages.

The server is a real ``sotkab serve`` process; its hearing is recorded, sealed and composed by the
real recorder, service and worker (``seed_recording``). The clerk logs in with their key file as
anybody does, finds the record by case number, plays it in the page's ``<video>`` (the browser
fetches it with HTTP Range requests and seeks), verifies the seal field by field, makes a link and
revokes it. Then a byte of a segment is changed on the server's disk and verification names that
file. Somebody with no part in the case is refused. Every page passes axe-core, and is photographed
in kk, ru and en.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from cabinet.eds.ca import IssuedPerson
from core.clock import COURT_TIME
from tests.conftest import REPO
from tests.web.pages.browser import assert_accessible, inline_scripts, screenshot
from tests.web.pages.seed_public import CLERK_IIN, OPEN_CASE
from tests.web.pages.server import AppServer, start_server
from web.i18n import translations

pytestmark = pytest.mark.chromium

PASSWORD = "demo-password"


class Desk:
    def __init__(self, server: AppServer, people: dict[str, IssuedPerson], recording_id: int, directory: Path) -> None:
        self.server = server
        self.people = people
        self.recording_id = recording_id
        self.directory = directory


def _run(module: str, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([sys.executable, "-c", "import sys, runpy; sys.argv = sys.argv[1:]; "
                           f"runpy.run_module('{module}', run_name='__main__')", module, *args],
                          cwd=REPO, timeout=300, capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"{module} failed:\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    base = tmp_path_factory.mktemp("recordings-desk")
    server = start_server(base, notify_poll_s="0.3", recording_compose_in_process="false")
    try:
        password = PASSWORD.encode()
        people = {
            "clerk": server.ca.issue_person(iin=CLERK_IIN, surname="ХАТШЫ", given_name="ХАДИША", patronymic=None,
                                            password=password),
            "outsider": server.ca.issue_person(iin="880808300222", surname="БӨТЕН", given_name="БАУЫРЖАН",
                                               patronymic=None, password=password),
        }
        today = datetime.now(COURT_TIME).date().isoformat()
        _run("tests.web.pages.seed_public", server.database_url, today)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("SOTKAB_")},
               "SOTKAB_DATA_DIR": str(server.data_dir), "SOTKAB_DATABASE_URL": server.database_url,
               "SOTKAB_PUBLIC_URL": server.url}
        seeded = json.loads(_run("tests.web.pages.seed_recording", env=env).strip().splitlines()[-1])
        yield Desk(server, people, int(seeded["recording_id"]), Path(seeded["directory"]))
    finally:
        server.stop()


def logged_in(desk: Desk, browser_for: Any, who: str, language: str = "en") -> Any:
    page = browser_for(language).new_page()
    page.goto(desk.server.url + "/login")
    page.set_input_files("#key-file", files=[{"name": "AUTH_RSA256_key.p12", "mimeType": "application/x-pkcs12",
                                              "buffer": desk.people[who].auth.p12}])
    page.fill("#key-password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(desk.server.url + "/cabinet")
    return page


def said(language: str, message: str, **values: Any) -> str:
    text = translations(language).gettext(message)
    return text % values if values else text


def test_the_clerk_finds_plays_seeks_verifies_and_shares_the_record(desk: Desk, browser_for: Any) -> None:
    page = logged_in(desk, browser_for, "clerk")
    ranges: list[tuple[str, int]] = []
    page.on("response", lambda r: ranges.append((r.request.headers.get("range", ""), r.status))
            if "composed.webm" in r.url else None)
    page.goto(desk.server.url + "/staff/recordings")
    page.fill("#case", OPEN_CASE)
    page.click("#search-button")
    assert said("en", "%(count)s recordings found", count=1) in page.inner_text("#results")
    assert_accessible(page)
    page.click(f"a[href='/recordings/{desk.recording_id}']")
    page.wait_for_url(f"{desk.server.url}/recordings/{desk.recording_id}")
    assert page.get_attribute("[data-composition]", "data-state") == "done"
    assert inline_scripts(page) == []
    assert_accessible(page)

    page.wait_for_function("() => document.getElementById('record-player').readyState >= 1", timeout=20_000)
    page.evaluate("() => { const v = document.getElementById('record-player'); v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.getElementById('record-player').currentTime > 0.5", timeout=20_000)
    assert page.evaluate("document.getElementById('record-player').videoWidth") > 0
    duration = page.evaluate("document.getElementById('record-player').duration")
    assert duration >= 3.0, duration
    page.evaluate("""() => new Promise(done => { const v = document.getElementById('record-player');
        v.pause(); v.addEventListener('seeked', done, {once: true}); v.currentTime = 2.5; })""")
    assert abs(page.evaluate("document.getElementById('record-player').currentTime") - 2.5) < 0.6
    assert any(header.startswith("bytes=") and status == 206 for header, status in ranges), ranges

    page.click("#verify-button")
    assert page.get_attribute("#verdict", "data-ok") == "true"
    rows = page.locator("#verify-rows tbody tr")
    names = [rows.nth(i).get_attribute("data-name") for i in range(rows.count())]
    assert {"manifest.json.cms", "manifest.json", "minutes.txt", "composed.webm"} <= set(names), names
    assert all(rows.nth(i).get_attribute("data-ok") == "true" for i in range(rows.count()))
    assert_accessible(page)

    page.goto(f"{desk.server.url}/recordings/{desk.recording_id}")
    page.fill("#days", "45")
    page.click("#link-button")
    assert said("en", "A link lasts from 1 to 30 days.") in page.inner_text(".error-summary")
    page.fill("#days", "3")
    page.click("#link-button")
    link = page.input_value("#new-link")
    assert page.request.get(desk.server.url + link, headers={"Range": "bytes=0-15"}).status == 206
    page.goto(f"{desk.server.url}/recordings/{desk.recording_id}#links")
    page.click("#links ~ table button[type=submit]")
    assert said("en", "The link was revoked.") in page.inner_text(".notification-banner")
    assert page.request.get(desk.server.url + link).status == 410


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_desk_in_each_language_is_accessible_and_photographed(desk: Desk, browser_for: Any,
                                                                  language: str) -> None:
    page = logged_in(desk, browser_for, "clerk", language)
    page.goto(f"{desk.server.url}/staff/recordings?case={OPEN_CASE}")
    assert said(language, "Hearing recordings") in page.inner_text("h1")
    assert_accessible(page)
    screenshot(page, f"recordings-desk-{language}")
    page.goto(f"{desk.server.url}/recordings/{desk.recording_id}")
    page.wait_for_function("() => document.getElementById('record-player').readyState >= 1", timeout=20_000)
    assert said(language, "Recording of the hearing") in page.inner_text("h1")
    assert_accessible(page)
    screenshot(page, f"recording-{language}")
    page.goto(f"{desk.server.url}/recordings/{desk.recording_id}/verify")
    assert said(language, "Every file and the manifest are exactly as the court sealed them.") in \
        page.inner_text("#verdict")
    assert_accessible(page)
    screenshot(page, f"recording-verify-{language}")


def test_somebody_outside_the_case_is_refused_the_desk_the_record_and_its_files(
        desk: Desk, browser_for: Any) -> None:
    page = logged_in(desk, browser_for, "outsider")
    for path in ("/staff/recordings", f"/recordings/{desk.recording_id}",
                 f"/recordings/{desk.recording_id}/verify"):
        response = page.goto(desk.server.url + path)
        assert response is not None and response.status == 403, path
    files = page.request.get(f"{desk.server.url}/api/v1/recordings/{desk.recording_id}/files/composed.webm")
    assert files.status == 403 and files.json()["error"]["code"] == "recording_forbidden"


def test_a_changed_byte_is_named_by_the_verification(desk: Desk, browser_for: Any) -> None:
    """Runs last: it damages the server's copy of one segment."""
    segment = sorted(desk.directory.glob("*-video-*.webm"))[0]
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 0x01
    segment.write_bytes(bytes(data))
    page = logged_in(desk, browser_for, "clerk", "ru")
    page.goto(f"{desk.server.url}/recordings/{desk.recording_id}/verify")
    assert page.get_attribute("#verdict", "data-ok") == "false"
    failed = page.locator("#verify-rows tbody tr[data-ok=false]")
    assert failed.count() == 1 and failed.get_attribute("data-name") == segment.name
    assert "SHA-256" in failed.inner_text()
    assert_accessible(page)
    screenshot(page, "recording-verify-tampered-ru")
