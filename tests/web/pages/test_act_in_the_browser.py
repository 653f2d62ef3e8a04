"""The judge issues a judicial act from the desk in real Chromium, signed in the page with the SIGN
key from the test CA — and what a hostile page visit or a man in the middle meets there.

A judge of the court opens the act page of their own case, picks the act's PDF and their SIGN key,
types its password and issues a procedural ruling: the act is in the case file, signed by them,
and the parties get a notice. The same page refuses, in the judge's language, a clerk's SIGN key
(signer_not_allowed) and a file changed on the way after it was signed (document_signature_invalid);
another judge's case has no act page for them at all. Nothing is stored by any refusal.
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from cabinet.eds.ca import IssuedPerson
from cabinet.eds.keys import load_key_file
from core.clock import COURT_TIME
from tests.cabinet.filing.conftest import pdf
from tests.conftest import REPO
from tests.web.pages.browser import assert_accessible, assert_translated, inline_scripts, screenshot
from tests.web.pages.seed_public import CLERK_IIN, OPEN_CASE
from tests.web.pages.server import AppServer, start_server
from web.i18n import translations
from web.pages.error_messages import ERROR_MESSAGES

pytestmark = pytest.mark.chromium

PASSWORD = "demo-password"
JUDGE_IIN = "700707300783"
OTHER_JUDGE_IIN = "710101300116"
OTHER_CASE = "7594-26-00-2/000003"


async def seed_other_judge(url: str) -> None:
    """A second judge of the court, with a case of their own (run in a process of its own)."""
    from cabinet.identity.roles import Role
    from cabinet.identity.users import PersonName, UserService
    from core.clock import SystemClock
    from core.db import connect
    from tests.sessions.public.conftest import add_case

    async with connect(url) as db:
        async with db.transaction() as session:
            await UserService(session, SystemClock()).grant(PersonName(OTHER_JUDGE_IIN, "ЕКІНШІ ЕРЛАН"), Role.JUDGE,
                                                            "7594", granter=None, actor="test")
        await add_case(db, OTHER_CASE, status="accepted", judge_iin=OTHER_JUDGE_IIN)


class Chambers:
    def __init__(self, server: AppServer, people: dict[str, IssuedPerson]) -> None:
        self.server = server
        self.people = people


def _run(module_code: str, *args: str) -> None:
    subprocess.run([sys.executable, "-c", module_code, *args], cwd=REPO, check=True, timeout=120)


@pytest.fixture(scope="module")
def chambers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chambers]:
    base = tmp_path_factory.mktemp("act-pages")
    server = start_server(base, notify_poll_s="0.3")
    try:
        password = PASSWORD.encode()
        people = {
            "judge": server.ca.issue_person(iin=JUDGE_IIN, surname="СУДЬЯЕВ", given_name="САПАР", patronymic=None,
                                            password=password),
            "clerk": server.ca.issue_person(iin=CLERK_IIN, surname="ХАТШЫ", given_name="ХАДИША", patronymic=None,
                                            password=password),
            "other": server.ca.issue_person(iin=OTHER_JUDGE_IIN, surname="ЕКІНШІ", given_name="ЕРЛАН",
                                            patronymic=None, password=password),
        }
        today = datetime.now(COURT_TIME).date().isoformat()
        _run("import sys, runpy; sys.argv = sys.argv[1:]; "
             "runpy.run_module('tests.web.pages.seed_public', run_name='__main__')", "x", server.database_url, today)
        _run("import asyncio, sys; from tests.web.pages.test_act_in_the_browser import seed_other_judge; "
             "asyncio.run(seed_other_judge(sys.argv[1]))", server.database_url)
        yield Chambers(server, people)
    finally:
        server.stop()


def log_in(chambers: Chambers, browser_for: Any, who: str, language: str) -> Any:
    page = browser_for(language).new_page()
    page.goto(chambers.server.url + "/login")
    page.set_input_files("#key-file", files=[{"name": "AUTH_RSA256_key.p12", "mimeType": "application/x-pkcs12",
                                              "buffer": chambers.people[who].auth.p12}])
    page.fill("#key-password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(chambers.server.url + "/cabinet")
    return page


def fill_act(page: Any, sign_key: bytes, text: str) -> None:
    page.fill("#act-title", "Ruling on the exchange of evidence")
    page.set_input_files("#act-file", files=[{"name": "ruling.pdf", "mimeType": "application/pdf",
                                              "buffer": pdf(text)}])
    page.set_input_files("#key-file", files=[{"name": "RSA256_sign.p12", "mimeType": "application/x-pkcs12",
                                              "buffer": sign_key}])
    page.fill("#key-password", PASSWORD)
    page.click("#act-button")


def token_for(server: AppServer, person: IssuedPerson) -> str:
    """A bearer token from an API login with the person's AUTH key, signed here in Python."""
    _status, challenge = server.post_json("/api/v1/auth/challenge", {})
    signature = load_key_file(person.auth.p12, PASSWORD.encode()).sign(base64.b64decode(challenge["nonce"]),
                                                                      detached=True)
    status, body = server.post_json("/api/v1/auth/login", {"nonce": challenge["nonce"],
                                                           "signature": base64.b64encode(signature).decode()})
    assert status == 200, body
    return str(body["token"])


def acts_of(chambers: Chambers, number: str) -> list[dict[str, Any]]:
    """The case's acts as the API lists them to its judge."""
    token = token_for(chambers.server, chambers.people["judge"])
    request = urllib.request.Request(f"{chambers.server.url}/api/v1/cases/{number}",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return list(json.loads(response.read())["acts"])


def words(code: str, language: str) -> str:
    return translations(language).gettext(ERROR_MESSAGES[code])


def refusal(page: Any) -> str:
    page.wait_for_selector("#error-summary:not([hidden])")
    return str(page.inner_text("#error-summary ul")).strip()


def test_a_clerks_sign_key_is_refused_in_the_judges_language(chambers: Chambers, browser_for: Any) -> None:
    page = log_in(chambers, browser_for, "judge", "ru")
    page.goto(f"{chambers.server.url}/staff/cases/{OPEN_CASE}/act")
    assert_accessible(page)
    before = acts_of(chambers, OPEN_CASE)
    fill_act(page, chambers.people["clerk"].sign.p12, "signed by the clerk")
    assert refusal(page) == words("signer_not_allowed", "ru")
    assert page.inner_text("#key-file-error").strip() == words("signer_not_allowed", "ru")
    assert acts_of(chambers, OPEN_CASE) == before


def test_a_file_changed_after_signing_is_refused(chambers: Chambers, browser_for: Any) -> None:
    page = log_in(chambers, browser_for, "judge", "kk")
    page.goto(f"{chambers.server.url}/staff/cases/{OPEN_CASE}/act")
    before = acts_of(chambers, OPEN_CASE)

    def tamper(route: Any) -> None:  # a man in the middle changes one letter of the signed PDF
        body = route.request.post_data_buffer
        route.continue_(post_data=body.replace(b"the ruling as signed", b"the ruling as forged"))

    page.route("**/acts", tamper)
    fill_act(page, chambers.people["judge"].sign.p12, "the ruling as signed")
    assert refusal(page) == words("document_signature_invalid", "kk")
    assert acts_of(chambers, OPEN_CASE) == before


def test_another_judges_case_has_no_act_page(chambers: Chambers, browser_for: Any) -> None:
    page = log_in(chambers, browser_for, "judge", "en")
    response = page.goto(f"{chambers.server.url}/staff/cases/{OTHER_CASE}/act")
    assert response is not None and response.status in (403, 404)
    assert page.query_selector("#act-form") is None


def test_the_judge_signs_and_issues_a_ruling_in_the_page(chambers: Chambers, browser_for: Any) -> None:
    page = log_in(chambers, browser_for, "judge", "en")
    page.goto(chambers.server.url + "/staff/cases")
    page.click(f"a[href='/staff/cases/{OPEN_CASE}/act']")
    page.wait_for_selector("#act-form")
    sent: list[bytes] = []
    page.on("request", lambda request: sent.append(request.post_data_buffer or b""))
    fill_act(page, chambers.people["judge"].sign.p12, "Ruling of the court")
    page.wait_for_url("**/staff/cases?done=act_issued*")
    assert "The judicial act in case" in page.inner_text(".notification-banner")
    assert_accessible(page)
    screenshot(page, "act-issued-en")
    assert PASSWORD.encode() not in b"".join(sent) and chambers.people["judge"].sign.p12 not in b"".join(sent)
    [act] = [a for a in acts_of(chambers, OPEN_CASE) if a["title"] == "Ruling on the exchange of evidence"]
    assert act["act_type"] == "ruling" and act["outcome"] == "none"


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_act_page_is_accessible_and_translated_in_each_language(chambers: Chambers, browser_for: Any,
                                                                    language: str) -> None:
    page = log_in(chambers, browser_for, "judge", language)
    page.goto(f"{chambers.server.url}/staff/cases/{OPEN_CASE}/act")
    page.wait_for_selector("#act-form")
    assert inline_scripts(page) == []
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"act-{language}")
    page.click("#act-button")  # nothing chosen: each missing field is named, in the judge's language
    page.wait_for_selector("#error-summary:not([hidden])")
    assert page.locator("#error-summary a").count() >= 3
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"act-error-{language}")


if __name__ == "__main__":
    asyncio.run(seed_other_judge(sys.argv[1]))
