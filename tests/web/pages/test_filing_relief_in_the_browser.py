"""A lawyer files a claim for a client in real Chromium, in each language: as the client's
representative, claiming an exemption from the duty with its evidence, with the power of attorney.

The pages the wizard gained — who is filing, relief from the duty, the exemption, the deferral —
and the grouped claim kinds are each checked by axe-core, show no English on a Kazakh or Russian
page, and are photographed under var/screenshots/. The hostile steps happen in the page: an
exemption the page did not offer (its radio's value changed in the page, as a hostile filer would)
is refused at its field with the article cited in the page's language, and sending without the
power of attorney is refused with its message until the lawyer attaches it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from cabinet.eds.ca import IssuedPerson
from cabinet.fee_exemptions import exemption
from cabinet.fee_kinds import citation
from core.clock import COURT_TIME
from tests.cabinet.filing.conftest import pdf
from tests.conftest import REPO
from tests.web.pages.browser import assert_accessible, assert_translated, inline_scripts, screenshot
from tests.web.pages.server import AppServer, start_server
from web.i18n import translations
from web.pages import wizard_relief
from web.pages.filing_finish import SUBMIT_MESSAGES

pytestmark = pytest.mark.chromium

PASSWORD = "relief-password"
LAWYER_IIN = "880404300236"
CLIENT_IIN = "910303400122"
DEFENDANT_IIN = "850505300458"
RUN = "import sys, runpy; sys.argv = sys.argv[1:]; runpy.run_module('{module}', run_name='__main__')"


async def grant_lawyer(url: str) -> None:
    from cabinet.identity.roles import Role
    from cabinet.identity.users import PersonName, UserService
    from core.clock import SystemClock
    from core.db import connect

    async with connect(url) as db, db.transaction() as session:
        await UserService(session, SystemClock()).grant(PersonName(LAWYER_IIN, "АДВОКАТОВА АЙНҰР"), Role.LAWYER,
                                                        None, granter=None, actor="test")


if __name__ == "__main__":
    import asyncio

    asyncio.run(grant_lawyer(sys.argv[0]))


def _run(module: str, *args: str) -> None:
    done = subprocess.run([sys.executable, "-c", RUN.format(module=module), *args], cwd=REPO, timeout=120,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


class Office:
    def __init__(self, server: AppServer, lawyer: IssuedPerson) -> None:
        self.server = server
        self.lawyer = lawyer


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    base = tmp_path_factory.mktemp("relief-pages")
    server = start_server(base)
    try:
        lawyer = server.ca.issue_person(iin=LAWYER_IIN, surname="АДВОКАТОВА", given_name="АЙНҰР", patronymic=None,
                                        password=PASSWORD.encode())
        _run("tests.web.pages.seed_public", "seed", server.database_url, datetime.now(COURT_TIME).date().isoformat())
        _run(__name__, server.database_url)
        yield Office(server, lawyer)
    finally:
        server.stop()


def said(message: str, language: str) -> str:
    return translations(language).gettext(message)


def check_page(page: Any, name: str, language: str, *, loaded: bool = True) -> None:
    page.wait_for_selector("h1")
    if loaded:
        assert inline_scripts(page) == [], name
    assert_translated(page, language)
    assert_accessible(page)
    screenshot(page, f"wizard-{name}-{language}")


def submit(page: Any) -> None:
    page.click("main form button[type=submit]")


def upload(page: Any, kind: str, text: str, key: bytes) -> None:
    page.select_option("#document-kind", kind)
    page.set_input_files("#document-file", files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf",
                                                   "buffer": pdf(text)}])
    page.set_input_files("#sign-key", files=[{"name": "RSA256_key.p12", "mimeType": "application/x-pkcs12",
                                              "buffer": key}])
    page.fill("#sign-password", PASSWORD)
    count = page.locator("#documents tbody tr").count()
    page.click("#upload-button")
    from playwright.sync_api import expect  # (no wait_for_function: the page's CSP refuses eval)

    expect(page.locator("#documents tbody tr")).to_have_count(count + 1)


def the_lawyer_starts_a_claim(office: Office, page: Any, category: str, title: str) -> None:
    """The lawyer logs in with her AUTH key and takes a new claim at court 7594 up to its parties."""
    url = office.server.url
    page.goto(url + "/login")
    page.set_input_files("#key-file", files=[{"name": "AUTH_RSA256_key.p12", "mimeType": "application/x-pkcs12",
                                              "buffer": office.lawyer.auth.p12}])
    page.fill("#key-password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(url + "/cabinet")
    page.goto(url + "/cabinet/filings/new")
    page.select_option("#court", "7594")
    submit(page)
    page.wait_for_url(re.compile(r".*/kind$"))
    page.check("#case_kind")
    page.select_option("#category", category)
    submit(page)
    page.wait_for_url(re.compile(r".*/type$"))
    page.check("#filing_type")
    page.fill("#title", title)
    submit(page)
    page.wait_for_url(re.compile(r".*/parties$"))


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_lawyer_files_for_a_client_claiming_an_exemption(office: Office, browser_for: Any,
                                                         language: str) -> None:
    page = browser_for(language).new_page()
    the_lawyer_starts_a_claim(office, page, "civil/02", "Unpaid wages")
    for role, identifier, name in (("#role", CLIENT_IIN, "ЖҰМЫСШЫ ЖАНАР"), ("#role-3", DEFENDANT_IIN, "ТОО ЖҰМЫС")):
        page.check(role)
        page.fill("#identifier", identifier)
        page.fill("#name", name)
        page.click("#party-form button[type=submit]")
        page.wait_for_selector(f"td:text('{identifier}')")
    page.click("#continue")
    page.wait_for_url(re.compile(r".*/filer$"))  # the lawyer is not a party: asked who files
    check_page(page, "filer", language)
    page.check("#filer-2")  # as a representative…
    submit(page)
    page.wait_for_selector("#error-summary")  # …of whom?
    assert page.inner_text("#error-summary a").strip() == said(wizard_relief.MESSAGES["represents"], language)
    check_page(page, "filer-error", language)
    page.check("#filer-2")
    page.check("#represents")
    submit(page)
    page.wait_for_url(re.compile(r".*/claim$"))
    assert page.locator(".claim-group").count() == 3  # copies and writs are asked for by application
    check_page(page, "claim-kinds", language)
    page.check("#claim_kind")
    page.check("#payer_kind")
    page.fill("#claim_amount", "800 000")
    submit(page)
    page.wait_for_url(re.compile(r".*/relief$"))
    check_page(page, "relief", language)
    page.check("#relief-2")
    submit(page)
    page.wait_for_url(re.compile(r".*/exemption$"))
    check_page(page, "exemption", language)
    assert citation(exemption("labour").article)[language] in page.inner_text("main")
    # A hostile filer changes a radio's value in the page to an exemption that does not cover the claim.
    page.evaluate("document.querySelector('#exemption').value = 'prosecutor'")
    page.check("#exemption")
    submit(page)
    page.wait_for_selector("#error-summary")
    refused = said(wizard_relief.MESSAGES["exemption_not_applicable"], language) % {
        "who": wizard_relief.exemption_title("prosecutor", language),
        "article": citation(exemption("prosecutor").article)[language]}
    assert page.inner_text("#error-summary a").strip() == refused
    check_page(page, "exemption-refused", language)
    page.check("input[value=labour]")
    submit(page)
    page.wait_for_url(re.compile(r".*/documents$"))
    assert page.locator("#document-kind").input_value() == "statement"
    upload(page, "statement", "Statement of claim for unpaid wages", office.lawyer.sign.p12)
    assert page.locator("#document-kind").input_value() == "power_of_attorney"  # what is missing comes next
    upload(page, "exemption_proof", "Employment contract", office.lawyer.sign.p12)
    check_page(page, "documents-representative", language)
    page.goto(page.url.removesuffix("/documents") + "/check")
    check_page(page, "check-representative", language)
    page.click("#send")
    page.wait_for_selector("#error-summary")
    assert page.inner_text("#error-summary a").strip() == said(SUBMIT_MESSAGES["power_of_attorney_required"],
                                                               language)
    check_page(page, "check-no-power-of-attorney", language)
    page.goto(page.url.removesuffix("/check") + "/documents")
    upload(page, "power_of_attorney", "Power of attorney", office.lawyer.sign.p12)
    page.goto(page.url.removesuffix("/documents") + "/check")
    page.click("#send")
    page.wait_for_url(re.compile(r".*/receipt$"))
    assert re.fullmatch(r"7594-\d\d-IN/\d{6}", page.inner_text("#incoming-number").strip())
    check_page(page, "receipt-representative", language)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_deferral_page_says_what_is_missing_in_each_language(office: Office, browser_for: Any,
                                                                 language: str) -> None:
    page = browser_for(language).new_page()
    the_lawyer_starts_a_claim(office, page, "civil/01", "A loan")
    draft = page.url.removesuffix("/parties")
    page.goto(draft + "/claim")
    page.check("#claim_kind")
    page.check("#payer_kind-2")  # an organisation pays
    page.fill("#claim_amount", "5 000 000")
    submit(page)
    page.wait_for_url(re.compile(r".*/relief$"))
    page.check("#relief-3")
    submit(page)
    page.wait_for_url(re.compile(r".*/deferral$"))
    check_page(page, "deferral", language)
    submit(page)
    page.wait_for_selector("#error-summary")
    links = [link.strip() for link in page.locator("#error-summary a").all_inner_texts()]
    assert said(wizard_relief.MESSAGES["reason"], language) in links
    large = said(wizard_relief.MESSAGES["not_eligible_for_deferral"], language) % {
        "article": citation("Tax Code of the RK No. 214-VIII, art. 135")[language]}
    assert large in links  # an organisation declares it is not a large business (art. 135)
    check_page(page, "deferral-error", language)
    page.check("#deferral_kind-2")
    page.select_option("#instalments", "6")
    page.fill("#reason", "Seasonal business: the revenue comes in spring")
    page.check("#not_large_business")
    submit(page)
    page.wait_for_url(re.compile(r".*/documents$"))
    page.goto(draft + "/check")
    assert page.locator("#instalments tbody tr").count() == 6
    check_page(page, "check-instalments", language)
