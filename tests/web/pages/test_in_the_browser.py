"""The pages in real Chromium: EDS login (the key file opened in the page, NCALayer, every refusal
in words) and the public pages, in three languages, checked by axe-core and photographed.

The server is a real ``sotkab serve`` process. It trusts its built-in test CA and, pinned as an
anchor the way an operator pins the NCA root, the real NCA test AUTH certificates from
../shared (their root is not distributed): so the refusal of those real keys is the one that
matters, "expired".
"""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from cabinet.eds.ca import IssuedPerson
from cabinet.eds.keys import load_key_file
from core.clock import COURT_TIME
from tests.conftest import REPO, SHARED, require
from tests.web.pages.browser import assert_accessible, assert_translated, inline_scripts, screenshot
from tests.web.pages.ncalayer_standin import NCALayerStandIn
from tests.web.pages.seed_public import CLERK_IIN, OPEN_CASE
from tests.web.pages.server import AppServer, start_server
from web.i18n import translations
from web.pages.refusals import LOGIN_MESSAGES

pytestmark = pytest.mark.chromium

PASSWORD = "demo-password"
NCA = SHARED / "fixtures" / "nca-test" / "personal"
NCA_PASSWORD = "Qwerty12"


def words(code: str, language: str) -> str:
    return translations(language).gettext(LOGIN_MESSAGES[code])


class World:
    def __init__(self, server: AppServer, ncalayer: NCALayerStandIn, people: dict[str, IssuedPerson]) -> None:
        self.server = server
        self.ncalayer = ncalayer
        self.people = people


def _nca_auth_files() -> list[Path]:
    require(NCA.is_dir(), f"NCA test fixtures not found at {NCA} (the shared folder is absent)")
    return sorted(NCA.glob("*/AUTH_RSA256_*.p12"))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("login-pages")
    pins = []
    for index, p12 in enumerate(_nca_auth_files()):
        _key, cert, _chain = pkcs12.load_key_and_certificates(p12.read_bytes(), NCA_PASSWORD.encode())
        assert cert is not None
        pin = base / f"nca-auth-{index}.pem"
        pin.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        pins.append(str(pin))
    ncalayer = NCALayerStandIn(base, key=None).start()  # type: ignore[arg-type]
    server = start_server(base, trust_roots=",".join(pins), ncalayer_url=ncalayer.url, notify_poll_s="0.3")
    try:
        password = PASSWORD.encode()
        people = {
            "aliya": server.ca.issue_person(iin="900101400123", surname="ӘЛИЕВА", given_name="АЛИЯ",
                                            patronymic="СЕРІКҚЫЗЫ", password=password),
            "revoked": server.ca.issue_person(iin="850505300456", surname="БЕКОВ", given_name="БОЛАТ",
                                              patronymic=None, password=password),
            "clerk": server.ca.issue_person(iin=CLERK_IIN, surname="ХАТШЫ", given_name="ХАДИША", patronymic=None,
                                            password=password),
            "judge": server.ca.issue_person(iin="700707300783", surname="СУДЬЯЕВ", given_name="САПАР",
                                            patronymic=None, password=password),
            "ncalayer": server.ca.issue_person(iin="920202400567", surname="НҰРЛАНОВА", given_name="НАЗЕРКЕ",
                                               patronymic=None, password=password),
        }
        server.ca.revoke(people["revoked"].auth.serial, "keyCompromise")
        today = datetime.now(COURT_TIME).date().isoformat()
        subprocess.run([sys.executable, "-c", "import sys, runpy; sys.argv = sys.argv[1:]; "
                        "runpy.run_module('tests.web.pages.seed_public', run_name='__main__')",
                        "seed", server.database_url, today], cwd=REPO, check=True, timeout=120)
        ncalayer.key = load_key_file(people["ncalayer"].auth.p12, password)
        yield World(server, ncalayer, people)
    finally:
        server.stop()
        ncalayer.stop()


def open_login(world: World, browser_for: Any, language: str = "en") -> Any:
    page = browser_for(language).new_page()
    page.goto(world.server.url + "/login")
    return page


def submit_key(page: Any, p12: bytes, password: str, filename: str = "AUTH_RSA256_key.p12") -> None:
    page.set_input_files("#key-file", files=[{"name": filename, "mimeType": "application/x-pkcs12", "buffer": p12}])
    page.fill("#key-password", password)
    page.click("#login-button")


def refusal(page: Any) -> str:
    page.wait_for_selector("#error-summary:not([hidden])")
    return str(page.inner_text("#error-summary ul")).strip()


def test_a_key_file_logs_in_and_neither_key_nor_password_leaves_the_page(world: World, browser_for: Any) -> None:
    aliya = world.people["aliya"].auth
    page = open_login(world, browser_for)
    sent: list[bytes] = []
    page.on("request", lambda request: sent.append(request.post_data_buffer or b""))
    submit_key(page, aliya.p12, PASSWORD)
    page.wait_for_url(world.server.url + "/cabinet")
    assert "ӘЛИЕВА АЛИЯ" in page.inner_text("header")
    posted = b"".join(sent)
    assert b"/api/v1/auth/login" not in posted  # (bodies only)
    for secret in (aliya.p12, base64.b64encode(aliya.p12), PASSWORD.encode(),
                   aliya.private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption())):
        assert secret not in posted
    assert any(b'"signature"' in body for body in sent)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sotkab_session"]["httpOnly"] is True


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_wrong_password_is_said_in_each_language_and_sends_nothing(
        world: World, browser_for: Any, language: str) -> None:
    page = open_login(world, browser_for, language)
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    submit_key(page, world.people["aliya"].auth.p12, "not-the-password")
    assert refusal(page) == words("key_password_wrong", language)
    assert page.inner_text("#key-password-error").strip() == words("key_password_wrong", language)
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.input_value("#key-password") == ""
    assert posts == []  # the key file is opened in the page: nothing went to the server
    assert_accessible(page)
    screenshot(page, f"login-wrong-password-{language}")


def test_missing_fields_are_each_named_in_the_error_summary(world: World, browser_for: Any) -> None:
    page = open_login(world, browser_for, "ru")
    page.click("#login-button")
    links = page.locator("#error-summary a")
    assert links.count() == 2
    assert [links.nth(i).inner_text().strip() for i in range(2)] == [
        words("key_file_missing", "ru"), words("password_missing", "ru")]
    assert links.nth(1).get_attribute("href") == "#key-password"


def test_a_revoked_key_is_refused_with_its_message(world: World, browser_for: Any) -> None:
    page = open_login(world, browser_for, "kk")
    submit_key(page, world.people["revoked"].auth.p12, PASSWORD)
    assert refusal(page) == words("certificate_revoked", "kk")
    assert page.url == world.server.url + "/login"


def test_a_sign_key_cannot_log_in(world: World, browser_for: Any) -> None:
    page = open_login(world, browser_for, "en")
    submit_key(page, world.people["aliya"].sign.p12, PASSWORD, "RSA256_key.p12")
    assert refusal(page) == words("wrong_key_usage", "en")


def test_a_file_that_is_not_a_key_file(world: World, browser_for: Any) -> None:
    page = open_login(world, browser_for, "en")
    submit_key(page, b"%PDF-1.7 definitely not a key", "whatever", "claim.pdf")
    assert refusal(page) == words("key_file_invalid", "en")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_real_nca_test_keys_open_in_the_page_and_are_refused_as_expired(
        world: World, browser_for: Any, language: str) -> None:
    """forge opens the NCA's own 3DES/RC2-40 files, pkijs signs, the server names the expiry."""
    for p12 in _nca_auth_files():
        page = open_login(world, browser_for, language)
        submit_key(page, p12.read_bytes(), NCA_PASSWORD, p12.name)
        assert refusal(page) == words("certificate_expired", language), p12
        page.close()


def test_the_real_nca_key_with_a_wrong_password(world: World, browser_for: Any) -> None:
    p12 = _nca_auth_files()[0]
    page = open_login(world, browser_for, "ru")
    submit_key(page, p12.read_bytes(), "Qwerty13", p12.name)
    assert refusal(page) == words("key_password_wrong", "ru")


def test_ncalayer_is_offered_when_it_answers_and_logs_in(world: World, browser_for: Any) -> None:
    page = open_login(world, browser_for, "ru")
    page.wait_for_selector("#ncalayer:not([hidden])")
    before = len(world.ncalayer.requests)
    page.click("#ncalayer-sign")
    page.wait_for_url(world.server.url + "/cabinet")
    assert "НҰРЛАНОВА НАЗЕРКЕ" in page.inner_text("header")
    call = world.ncalayer.requests[before]
    assert call["args"]["locale"] == "ru" and call["args"]["signingParams"]["decode"] is True


def test_ncalayer_cancelled_is_said_and_nothing_happens(world: World, browser_for: Any) -> None:
    page = open_login(world, browser_for, "kk")
    page.wait_for_selector("#ncalayer:not([hidden])")
    world.ncalayer.cancel_next = True
    page.click("#ncalayer-sign")
    assert refusal(page) == words("ncalayer_cancelled", "kk")
    assert "sotkab_session" not in {c["name"] for c in page.context.cookies()}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_home_and_login_pages_are_accessible_translated_and_free_of_inline_script(
        world: World, browser_for: Any, language: str) -> None:
    page = browser_for(language).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "13579" not in m.text else None)
    for path, name in (("/", "home"), ("/login", "login"), ("/no-such-page", "not-found")):
        page.goto(world.server.url + path)
        assert page.evaluate("document.documentElement.lang") == language
        assert inline_scripts(page) == []
        assert_translated(page, language)
        assert_accessible(page)
        screenshot(page, f"{name}-{language}")
    assert not [e for e in errors if "Content Security Policy" in e], errors


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_public_pages_are_accessible_translated_and_free_of_script(
        world: World, browser_for: Any, language: str) -> None:
    page = browser_for(language).new_page()
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    for path, name in (("/cases", "case-search"), (f"/cases/{OPEN_CASE}", "case"),
                       ("/cases?number=1234", "case-search-error"), ("/hearings", "hearings-choose"),
                       ("/hearings?court=7594", "hearings")):
        loaded.clear()
        page.goto(world.server.url + path)
        assert page.evaluate("document.documentElement.lang") == language
        assert not [url for url in loaded if url.endswith(".js")], "public pages need no script"
        assert inline_scripts(page) == []
        assert_translated(page, language)
        assert_accessible(page)
        screenshot(page, f"{name}-{language}")
    page.goto(world.server.url + "/hearings")
    page.select_option("#court", "7594")
    page.click("text=" + translations(language).gettext("Show hearings"))
    page.wait_for_selector("table")
    assert page.locator("tbody tr").count() == 2
    page.click(f"a[href='/cases/{OPEN_CASE}']")
    assert page.locator("h1").inner_text() == OPEN_CASE


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_cabinet_lists_my_cases_searchable_in_each_language(
        world: World, browser_for: Any, language: str) -> None:
    page = open_login(world, browser_for, language)
    submit_key(page, world.people["aliya"].auth.p12, PASSWORD)
    page.wait_for_url(world.server.url + "/cabinet")
    assert page.locator("tbody tr").count() == 2  # Aliya sues in both seeded cases
    assert inline_scripts(page) == []
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"cabinet-{language}")
    page.fill("#q", "000001")
    page.click("form[role=search] button")
    page.wait_for_url("**/cabinet?q=000001*")
    assert page.locator("tbody tr").count() == 1
    assert OPEN_CASE in page.inner_text("tbody")
    page.click(f"a[href='/cabinet/cases/{OPEN_CASE}']")
    page.wait_for_selector("#timeline")
    assert inline_scripts(page) == []
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"case-file-{language}")


def test_a_new_notice_shows_live_in_the_header(world: World, browser_for: Any) -> None:
    page = open_login(world, browser_for, "ru")
    submit_key(page, world.people["aliya"].auth.p12, PASSWORD)
    page.wait_for_url(world.server.url + "/cabinet")
    page.wait_for_selector("body[data-unread]", state="attached")  # the socket is connected (no eval: CSP)
    before = int(page.evaluate("document.body.dataset.unread"))
    subprocess.run([sys.executable, "-c", "import sys, runpy; sys.argv = sys.argv[1:]; "
                    "runpy.run_module('tests.web.pages.seed_public', run_name='__main__')",
                    "x", "summon", world.server.database_url, "900101400123"], cwd=REPO, check=True, timeout=120)
    page.wait_for_selector(f"body[data-unread='{before + 1}']", state="attached")
    assert page.inner_text("#unread-count") == str(before + 1)
    page.wait_for_selector("#live-notices:not(:empty)", state="attached")
    assert page.inner_text("#live-notices") == "Новое уведомление: Судебная повестка"
    page.click("#notices-link")
    assert_accessible(page)
    screenshot(page, "notices-ru")
    page.click(".notice-list__item--unread a")
    page.wait_for_selector("h1")
    assert_accessible(page)
    screenshot(page, "notice-ru")
    if before:
        assert page.inner_text("#unread-count") == str(before)
    else:
        assert page.locator("#unread-count").is_hidden()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_notices_and_a_notice_are_accessible_and_translated_in_each_language(
        world: World, browser_for: Any, language: str) -> None:
    subprocess.run([sys.executable, "-c", "import sys, runpy; sys.argv = sys.argv[1:]; "
                    "runpy.run_module('tests.web.pages.seed_public', run_name='__main__')",
                    "x", "summon", world.server.database_url, "900101400123"], cwd=REPO, check=True, timeout=120)
    page = open_login(world, browser_for, language)
    submit_key(page, world.people["aliya"].auth.p12, PASSWORD)
    page.wait_for_url(world.server.url + "/cabinet")
    page.click("#notices-link")
    page.wait_for_selector(".notice-list__item")
    assert inline_scripts(page) == []
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"notices-{language}")
    page.click(".notice-list__item a")
    page.wait_for_selector("h1")
    assert inline_scripts(page) == []
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"notice-{language}")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_registry_desk_is_accessible_in_each_language(world: World, browser_for: Any, language: str) -> None:
    page = open_login(world, browser_for, language)
    submit_key(page, world.people["clerk"].auth.p12, PASSWORD)
    page.wait_for_url(world.server.url + "/cabinet")
    page.click("a[href='/staff/registry']")
    page.wait_for_selector("h1")
    assert inline_scripts(page) == []
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"registry-{language}")
    page.goto(world.server.url + "/staff/registry/1/return")
    page.click("main button[type=submit]")  # no reason given
    page.wait_for_selector(".error-summary")
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"registry-return-error-{language}")
    page.goto(world.server.url + "/staff/grants")  # the clerk is also the court's administrator here
    page.wait_for_selector("table")
    assert inline_scripts(page) == []
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"grants-{language}")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_judges_docket_is_accessible_in_each_language(world: World, browser_for: Any, language: str) -> None:
    page = open_login(world, browser_for, language)
    submit_key(page, world.people["judge"].auth.p12, PASSWORD)
    page.wait_for_url(world.server.url + "/cabinet")
    page.click("a[href='/staff/cases']")
    page.wait_for_selector("table")
    assert OPEN_CASE in page.inner_text("tbody")
    assert inline_scripts(page) == []
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"docket-{language}")
    page.goto(f"{world.server.url}/staff/cases/{OPEN_CASE}/leave-without-motion")
    page.click("main button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert page.locator(".error-summary li").count() == 2
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"leave-without-motion-error-{language}")
    page.goto(f"{world.server.url}/cabinet/cases/{OPEN_CASE}")
    page.click(f"a[href='/staff/cases/{OPEN_CASE}/schedule']")
    page.wait_for_selector("form input[name=summoned]")
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"schedule-{language}")
    for box in page.locator("input[name=summoned]").all():
        box.uncheck()
    page.click("main button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"schedule-error-{language}")
