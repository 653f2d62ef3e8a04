"""The filing wizard in real Chromium, and the whole journey from a key file to a scheduled hearing.

In each language a party walks the wizard: court, kind, type, parties (a mistyped IIN is caught
as typed), the claim with its duty quoted as the amount is typed, a PDF signed in the page with the
SIGN key (the AUTH key is refused with its message) and uploaded with progress, the sandbox bank
and back, check your answers, send, and the court-signed receipt. Every wizard page is checked by
axe-core, has no inline script or style, and is photographed under var/screenshots/. The journey
then goes on as the court: the clerk registers, the judge accepts, the clerk schedules, and the
party sees the hearing and the live notice of it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from cabinet.eds.ca import IssuedPerson
from core.clock import COURT_TIME
from tests.cabinet.filing.conftest import pdf
from tests.conftest import REPO
from tests.web.pages.browser import assert_accessible, assert_translated, inline_scripts, screenshot
from tests.web.pages.seed_public import CLERK_IIN
from tests.web.pages.server import AppServer, start_server
from web.i18n import translations
from web.pages import wizard
from web.pages.refusals import LOGIN_MESSAGES

pytestmark = pytest.mark.chromium

PASSWORD = "journey-password"
DEFENDANT_IIN = "850505300458"


@dataclass
class Court:
    server: AppServer
    people: dict[str, IssuedPerson]


@pytest.fixture(scope="module")
def court(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Court]:
    base = tmp_path_factory.mktemp("filing-journey")
    server = start_server(base, notify_poll_s="0.3")
    try:
        password = PASSWORD.encode()
        people = {
            "aliya": server.ca.issue_person(iin="900101400123", surname="ӘЛИЕВА", given_name="АЛИЯ",
                                            patronymic=None, password=password),
            "revoked": server.ca.issue_person(iin="950606400345", surname="ҮШІНШІ", given_name="ҮМІТ",
                                              patronymic=None, password=password),
            "clerk": server.ca.issue_person(iin=CLERK_IIN, surname="ХАТШЫ", given_name="ХАДИША", patronymic=None,
                                            password=password),
            "judge": server.ca.issue_person(iin="700707300783", surname="СУДЬЯЕВ", given_name="САПАР",
                                            patronymic=None, password=password),
        }
        server.ca.revoke(people["revoked"].auth.serial, "keyCompromise")
        today = datetime.now(COURT_TIME).date().isoformat()
        subprocess.run([sys.executable, "-c", "import sys, runpy; sys.argv = sys.argv[1:]; "
                        "runpy.run_module('tests.web.pages.seed_public', run_name='__main__')",
                        "seed", server.database_url, today], cwd=REPO, check=True, timeout=120)
        yield Court(server, people)
    finally:
        server.stop()


def said(message: str, language: str) -> str:
    return translations(language).gettext(message)


def log_in(court: Court, page: Any, person: str, password: str = PASSWORD) -> None:
    page.goto(court.server.url + "/login")
    page.set_input_files("#key-file", files=[{"name": "AUTH_RSA256_key.p12", "mimeType": "application/x-pkcs12",
                                              "buffer": court.people[person].auth.p12}])
    page.fill("#key-password", password)
    page.click("#login-button")


def check_page(page: Any, name: str, language: str, *, loaded: bool = True) -> None:
    """axe-core and a screenshot; on a freshly loaded page also no inline script or style (axe itself
    leaves empty ``style`` attributes behind, so a page checked again in place skips that)."""
    page.wait_for_selector("h1")
    if loaded:
        assert inline_scripts(page) == [], name
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"wizard-{name}-{language}")


def walk_the_wizard(court: Court, page: Any, language: str) -> str:
    """File a claim through every wizard page; returns the incoming number on the receipt."""
    url = court.server.url
    page.goto(url + "/cabinet/filings/new")
    check_page(page, "court", language)
    page.click("main form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.inner_text("#error-summary a").strip() == said(wizard.FIELD_MESSAGES["court"], language)
    check_page(page, "court-error", language)
    page.select_option("#court", "7594")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/cabinet/filings/\d+/kind$"))
    check_page(page, "kind", language)
    page.check("#case_kind")
    page.select_option("#category", "civil/01")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/type$"))
    check_page(page, "type", language)
    page.check("#filing_type")
    page.fill("#title", "Recovery of a loan")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/parties$"))
    check_page(page, "parties", language)
    page.fill("#identifier", "900101400124")  # one digit off: said before anything is sent
    page.locator("#identifier").blur()
    page.wait_for_selector("#identifier-error:not([hidden])")
    assert page.inner_text("#identifier-error").strip() == said(wizard.IDENTIFIER_MESSAGES["checksum"], language)
    check_page(page, "parties-typed-error", language, loaded=False)
    for role, identifier, name in (("#role", "900101400123", "ӘЛИЕВА АЛИЯ"), ("#role-3", DEFENDANT_IIN, "БЕКОВ БОЛАТ")):
        page.check(role)
        page.fill("#identifier", identifier)
        page.locator("#identifier").blur()
        assert page.locator("#identifier-error").is_hidden()
        page.fill("#name", name)
        page.click("#party-form button[type=submit]")
        page.wait_for_selector(f"td:text('{identifier}')")
    page.click("#continue")
    page.wait_for_url(re.compile(r".*/claim$"))
    page.check("#claim_kind")
    page.check("#payer_kind")
    page.fill("#claim_amount", "1 000 000")  # the duty follows as the amount is typed
    from playwright.sync_api import expect

    expect(page.locator("#fee")).to_contain_text(re.compile(r"10[\s\u00a0\u202f]000"))  # no eval: the CSP
    check_page(page, "claim", language)
    page.click("#claim-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/relief$"))  # pay, or ask for an exemption or a deferral
    check_page(page, "relief-pay", language)
    page.check("#relief")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/documents$"))
    check_page(page, "documents", language)

    aliya = court.people["aliya"]
    page.set_input_files("#document-file", files=[{"name": "claim.pdf", "mimeType": "application/pdf",
                                                   "buffer": pdf()}])
    page.set_input_files("#sign-key", files=[{"name": "AUTH_RSA256_key.p12", "mimeType": "application/x-pkcs12",
                                              "buffer": aliya.auth.p12}])
    page.fill("#sign-password", PASSWORD)
    page.click("#upload-button")  # the AUTH key signs, the server refuses it: said at the key field
    page.wait_for_selector("#error-summary:not([hidden])")
    assert page.inner_text("#sign-key-error").strip() == said(wizard.UPLOAD_MESSAGES["wrong_key_usage"], language)
    assert page.locator("#documents").count() == 0
    check_page(page, "documents-error", language, loaded=False)
    sent: list[bytes] = []
    page.on("request", lambda request: sent.append(request.post_data_buffer or b"")
            if request.method == "POST" and request.url.endswith("/documents") else None)
    page.set_input_files("#sign-key", files=[{"name": "RSA256_key.p12", "mimeType": "application/x-pkcs12",
                                              "buffer": aliya.sign.p12}])
    page.fill("#sign-password", PASSWORD)
    page.click("#upload-button")
    page.wait_for_selector("#documents")
    assert len(sent) == 1  # one upload; Playwright does not expose a streamed multipart body to check
    assert "claim.pdf" in page.inner_text("#documents") and "ӘЛИЕВА АЛИЯ" in page.inner_text("#documents")
    assert page.locator("#documents .tag--red").count() == 0  # the signature verified
    page.click("#continue")
    page.wait_for_url(re.compile(r".*/payment$"))
    check_page(page, "payment", language)
    page.click("#pay")
    page.wait_for_url(re.compile(r".*/sandbox/pay/.*"))
    assert inline_scripts(page) == []  # the bank's page too: its style is a file now
    page.click("button[value=pay]")
    page.wait_for_url(re.compile(r".*/payment\?payment_id=.*"))
    assert said("Payment received. The state duty is paid.", language) in page.inner_text(".notification-banner")
    check_page(page, "payment-paid", language)
    page.click("#continue")
    page.wait_for_url(re.compile(r".*/check$"))
    check_page(page, "check", language)
    assert "БЕКОВ БОЛАТ" in page.inner_text("main")
    page.goto(page.url.removesuffix("/check") + "/tasks")
    check_page(page, "tasks", language)
    page.click("#continue")
    page.wait_for_url(re.compile(r".*/check$"))
    page.click("#send")
    page.wait_for_url(re.compile(r".*/receipt$"))
    check_page(page, "receipt", language)
    number = page.inner_text("#incoming-number").strip()
    assert re.fullmatch(r"7594-\d\d-IN/\d{6}", number)
    with page.expect_download() as download:
        page.click("#receipt-signature")
    assert download.value.suggested_filename.endswith(".json.cms")
    return number


@pytest.mark.parametrize("language", ["kk", "en"])
def test_the_wizard_in_each_language(court: Court, browser_for: Any, language: str) -> None:
    page = browser_for(language, accept_downloads=True).new_page()
    log_in(court, page, "aliya")
    page.wait_for_url(court.server.url + "/cabinet")
    walk_the_wizard(court, page, language)


def test_the_whole_journey_from_a_key_file_to_a_scheduled_hearing(court: Court, browser_for: Any) -> None:
    """In Russian (the other languages walk the wizard above): login refusals, the claim, the court."""
    url = court.server.url
    party = browser_for("ru", accept_downloads=True).new_page()
    log_in(court, party, "aliya", "not-the-password")
    party.wait_for_selector("#error-summary:not([hidden])")
    assert party.inner_text("#error-summary ul").strip() == said(LOGIN_MESSAGES["key_password_wrong"], "ru")
    log_in(court, party, "revoked")
    party.wait_for_selector("#error-summary:not([hidden])")
    assert party.inner_text("#error-summary ul").strip() == said(LOGIN_MESSAGES["certificate_revoked"], "ru")
    log_in(court, party, "aliya")
    party.wait_for_url(url + "/cabinet")
    incoming = walk_the_wizard(court, party, "ru")

    clerk = browser_for("ru").new_page()
    log_in(court, clerk, "clerk")
    clerk.wait_for_url(url + "/cabinet")
    clerk.goto(url + "/staff/registry")
    clerk.locator("form[action$='/register'] button", has_text=incoming).click()
    clerk.wait_for_selector(".notification-banner")
    number = re.search(r"7594-\d\d-\d\d-\d/\d{6}", clerk.inner_text(".notification-banner"))
    assert number
    case = number[0]

    judge = browser_for("ru").new_page()
    log_in(court, judge, "judge")
    judge.wait_for_url(url + "/cabinet")
    judge.goto(url + "/staff/cases")
    judge.locator(f"form[action='/staff/cases/{case}/accept'] button").click()
    judge.wait_for_selector(".notification-banner")

    party.goto(f"{url}/cabinet/cases/{case}")
    party.wait_for_selector("body[data-unread]", state="attached")  # the live socket is connected
    before = int(party.evaluate("document.body.dataset.unread"))

    clerk.goto(f"{url}/staff/cases/{case}/schedule")
    tomorrow = (datetime.now(COURT_TIME) + timedelta(days=1)).date().isoformat()
    clerk.select_option("#courtroom", "Зал 2")
    clerk.fill("#day", tomorrow)
    clerk.fill("#time", "11:00")
    clerk.click("main form button[type=submit]")
    clerk.wait_for_url(re.compile(r".*/cabinet/cases/.*done=scheduled.*"))

    party.wait_for_selector(f"body[data-unread='{before + 1}']", state="attached")
    party.wait_for_selector("#live-notices:not(:empty)", state="attached")
    assert party.inner_text("#live-notices").startswith("Новое уведомление")
    party.reload()
    hearings = party.inner_text("#hearings + table")
    assert "Зал 2" in hearings and "11:00" in hearings
    assert_accessible(party)
    screenshot(party, "journey-case-with-hearing-ru")
