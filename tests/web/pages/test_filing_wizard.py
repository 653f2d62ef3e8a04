"""The filing wizard over HTTP, on both databases: page by page through the draft API's services,
resumable at the first unfinished section, every field's refusal said in kk/ru/en at the field,
and the attacks — another person's draft, a case one is not party to, a form without its CSRF
token, a payment of another amount than the quote — each refused with nothing stored."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from cabinet.payments.models import Payment
from cabinet.payments.provider import CallbackStatus
from cabinet.payments.sandbox import SIGNATURE_HEADER
from cabinet.payments.sandbox_pages import SANDBOX_PROVIDER
from tests.cabinet.filing.conftest import Court, pdf
from tests.web.pages.test_pages_http import token_of
from tests.web.pages.test_registry_desk import browser_of, submitted
from web.i18n import translations
from web.pages import wizard
from web.pages.filing_finish import PAYMENT_MESSAGES

HTML = {"Accept": "text/html", "Accept-Language": "en"}
BOB_IIN = "850505300456"


def words(message: str, language: str) -> str:
    """A message in the words of a language (compared with a page's text, unescaped)."""
    return translations(language).gettext(message)


async def step(browser: aiohttp.ClientSession, url: str, data: dict[str, str], *,
               language: str = "en") -> aiohttp.ClientResponse:
    """Open a wizard page and post its form as a browser would (with the page's CSRF token)."""
    headers = {**HTML, "Accept-Language": language}
    page = await browser.get(url, headers=headers, allow_redirects=False)
    assert page.status == 200, (url, page.status)
    return await browser.post(url, data={"csrf_token": token_of(await page.text()), **data}, headers=headers,
                              allow_redirects=False)


async def draft_of(court: Court, filing_id: int) -> dict[str, Any]:
    return dict(await (await court.get("alice", f"/api/v1/filings/{filing_id}")).json())


async def start_claim(court: Court, browser: aiohttp.ClientSession) -> int:
    response = await step(browser, "/cabinet/filings/new", {"court": "7594"})
    assert response.status == 303
    found = re.fullmatch(r"/cabinet/filings/(\d+)", response.headers["Location"])
    assert found
    return int(found[1])


async def payments(court: Court) -> int:
    async with court.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Payment)) or 0)


async def test_a_claim_goes_through_the_wizard_and_resumes_where_it_was_left(court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await start_claim(court, alice)
        resume = await alice.get(f"/cabinet/filings/{filing_id}", headers=HTML, allow_redirects=False)
        assert resume.headers["Location"] == f"/cabinet/filings/{filing_id}/kind"
        response = await step(alice, f"/cabinet/filings/{filing_id}/kind",
                              {"case_kind": "civil", "category": "civil/01"})
        assert response.headers["Location"] == f"/cabinet/filings/{filing_id}/type"  # the first unfinished
        resume = await alice.get(f"/cabinet/filings/{filing_id}", headers=HTML, allow_redirects=False)
        assert resume.headers["Location"] == f"/cabinet/filings/{filing_id}/type"
        tasks = await (await alice.get(f"/cabinet/filings/{filing_id}/tasks", headers=HTML)).text()
        assert tasks.count("Completed") == 2 and "Cannot start yet" in tasks
        # The wizard's script loads only where a page needs it (page_weight measures the rest).
        draft_url = f"/cabinet/filings/{filing_id}"
        for path, needs in (("/cabinet", False), ("/cabinet/filings/new", False), (draft_url + "/tasks", False),
                            (draft_url + "/parties", True)):
            html = await (await alice.get(path, headers=HTML)).text()
            assert bool(re.search(r'src="/static/filing\.\w+\.js"', html)) is needs, path
        await step(alice, f"/cabinet/filings/{filing_id}/type",
                   {"filing_type": "statement_of_claim", "title": "Recovery of a loan"})
        for party in ({"role": "plaintiff", "identifier": "900101 400123", "name": "ӘЛИЕВА АЛИЯ"},
                      {"role": "defendant", "identifier": BOB_IIN, "name": "БЕКОВ БОЛАТ"}):
            assert (await step(alice, f"/cabinet/filings/{filing_id}/parties", party)).status == 303
        response = await step(alice, f"/cabinet/filings/{filing_id}/claim",
                              {"claim_kind": "property", "payer_kind": "individual", "claim_amount": "1 000 000"})
        assert response.status == 303
        draft = await draft_of(court, filing_id)
        assert draft["fee"]["quote"]["amount"] == "10000.00" and draft["claim_amount"] == "1000000.00"
        resume = await alice.get(f"/cabinet/filings/{filing_id}", headers=HTML, allow_redirects=False)
        assert resume.headers["Location"] == f"/cabinet/filings/{filing_id}/documents"
        assert (await court.upload("alice", filing_id, pdf())).status == 201

        payment = await step(alice, f"/cabinet/filings/{filing_id}/payment", {"amount": "10000.00"})
        assert payment.status == 303 and "/sandbox/pay/" in payment.headers["Location"]
        token = payment.headers["Location"].rsplit("/", 1)[1]
        provider = court.client.app[SANDBOX_PROVIDER]
        callback = provider.callback_for(token, provider.open_session(token), CallbackStatus.PAID)
        delivered = await court.client.post("/api/v1/payments/callback/sandbox", data=callback.canonical(),
                                            headers={"Content-Type": "application/json",
                                                     SIGNATURE_HEADER: provider.sign(callback)})
        assert delivered.status == 200
        back = await alice.get(f"/cabinet/filings/{filing_id}/payment?payment_id={callback.payment_id}"
                               "&status=paid", headers=HTML)
        assert "Payment received" in await back.text()

        resume = await alice.get(f"/cabinet/filings/{filing_id}", headers=HTML, allow_redirects=False)
        assert resume.headers["Location"] == f"/cabinet/filings/{filing_id}/check"
        check = await (await alice.get(f"/cabinet/filings/{filing_id}/check", headers=HTML)).text()
        assert "Almaly District Court of Almaty" in check and "БЕКОВ БОЛАТ" in check and "Recovery of a loan" in check
        sent = await alice.post(f"/cabinet/filings/{filing_id}/check", data={"csrf_token": token_of(check)},
                                headers=HTML, allow_redirects=False)
        assert sent.headers["Location"] == f"/cabinet/filings/{filing_id}/receipt"
        receipt = await (await alice.get(sent.headers["Location"], headers=HTML)).text()
        assert re.search(r'id="incoming-number">7594-\d\d-IN/\d{6}<', receipt)
        signature = await alice.get(f"/api/v1/filings/{filing_id}/receipt?part=signature")
        assert signature.status == 200 and signature.content_type == "application/pkcs7-signature"
        # A sent filing no longer opens its forms: they lead to the receipt.
        again = await alice.get(f"/cabinet/filings/{filing_id}/claim", headers=HTML, allow_redirects=False)
        assert again.headers["Location"] == f"/cabinet/filings/{filing_id}/receipt"


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
async def test_each_fields_refusal_is_said_at_the_field_in_each_language(court: Court, language: str) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        empty = await step(alice, "/cabinet/filings/new", {"court": ""}, language=language)
        html = unescape(await empty.text())
        assert empty.status == 400 and 'href="#court"' in html
        assert words(wizard.FIELD_MESSAGES["court"], language) in html
        filing_id = await start_claim(court, alice)
        cases: list[tuple[str, dict[str, str], str, str]] = [
            ("kind", {"case_kind": "", "category": ""}, "case_kind", wizard.FIELD_MESSAGES["case_kind"]),
            ("kind", {"case_kind": "civil", "category": "criminal/01"}, "category", wizard.FIELD_MESSAGES["category"]),
            ("type", {"filing_type": "appeal", "title": "x"}, "filing_type", wizard.FIELD_MESSAGES["filing_type"]),
            ("type", {"filing_type": "statement_of_claim", "title": ""}, "title", wizard.FIELD_MESSAGES["title"]),
            ("parties", {"role": "plaintiff", "identifier": "900101400124", "name": "A"}, "identifier",
             wizard.IDENTIFIER_MESSAGES["checksum"]),
            ("parties", {"role": "plaintiff", "identifier": "901301400123", "name": "A"}, "identifier",
             wizard.IDENTIFIER_MESSAGES["birth_date"]),
            ("parties", {"role": "defendant", "identifier": "051340000010", "name": "ТОО"}, "identifier",
             wizard.IDENTIFIER_MESSAGES["registration_month"]),
            ("parties", {"role": "", "identifier": "12", "name": ""}, "role", wizard.FIELD_MESSAGES["role"]),
        ]
        await step(alice, f"/cabinet/filings/{filing_id}/kind", {"case_kind": "civil", "category": "civil/01"})
        await step(alice, f"/cabinet/filings/{filing_id}/type", {"filing_type": "statement_of_claim", "title": "T"})
        cases += [
            ("claim", {"claim_kind": "property", "payer_kind": "individual", "claim_amount": "много"},
             "claim_amount", wizard.FIELD_MESSAGES["claim_amount"]),
            ("claim", {"claim_kind": "property", "payer_kind": "individual", "claim_amount": ""},
             "claim_amount", wizard.FIELD_MESSAGES["claim_amount_required"]),
            ("claim", {"claim_kind": "", "payer_kind": "", "claim_amount": ""}, "payer_kind",
             wizard.FIELD_MESSAGES["payer_kind"]),
        ]
        before = await draft_of(court, filing_id)
        for page, form, field, message in cases:
            response = await step(alice, f"/cabinet/filings/{filing_id}/{page}", form, language=language)
            html = unescape(await response.text())
            assert response.status == 400, (page, form)
            assert f'href="#{field}"' in html, (page, form)
            assert words(message, language) in html, (page, form, language)
            if field not in ("case_kind", "filing_type", "role", "claim_kind", "payer_kind"):  # not on radios
                assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', html), (page, form)
        after = await draft_of(court, filing_id)
        assert after["parties"] == before["parties"] == [] and after["category"] == "01"
        assert after["claim_amount"] is None or after["claim_kind"] == "property"


async def test_another_persons_draft_cannot_be_read_or_changed(court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await start_claim(court, alice)
    before = await draft_of(court, filing_id)
    async with await browser_of(court, court.cast.bob) as bob:
        own = await (await bob.get("/cabinet/filings/new", headers=HTML)).text()
        for path in ("", "/tasks", "/court", "/parties", "/documents", "/payment", "/check", "/receipt"):
            response = await bob.get(f"/cabinet/filings/{filing_id}{path}", headers=HTML, allow_redirects=False)
            assert response.status == 404, path
        for path, form in (("/court", {"court": "7594"}), ("/parties", {"role": "plaintiff", "name": "X",
                                                                         "identifier": BOB_IIN}),
                           ("/payment", {"amount": "10000.00"}), ("/check", {})):
            response = await bob.post(f"/cabinet/filings/{filing_id}{path}", data={"csrf_token": token_of(own), **form},
                                      headers=HTML, allow_redirects=False)
            assert response.status == 404, path
    assert await draft_of(court, filing_id) == before
    assert await payments(court) == 0


async def test_a_form_without_its_csrf_token_changes_nothing(court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await start_claim(court, alice)
        before = await draft_of(court, filing_id)
        for path, form in (("/cabinet/filings/new", {"court": "7594"}),
                           (f"/cabinet/filings/{filing_id}/court", {"court": "7594"}),
                           (f"/cabinet/filings/{filing_id}/parties", {"role": "plaintiff", "name": "X",
                                                                      "identifier": "900101400123"}),
                           (f"/cabinet/filings/{filing_id}/check", {}),
                           (f"/cabinet/filings/{filing_id}/payment", {"amount": "1.00"})):
            response = await alice.post(path, data=form, headers=HTML, allow_redirects=False)
            assert response.status == 403, path
            forged = await alice.post(path, data={**form, "csrf_token": "0" * 64}, headers=HTML,
                                      allow_redirects=False)
            assert forged.status == 403, path
    assert await draft_of(court, filing_id) == before
    listed = await (await court.get("alice", "/api/v1/filings")).json()
    assert [f["id"] for f in listed["filings"]] == [filing_id]


async def test_filing_into_a_case_is_for_its_parties_only(court: Court) -> None:
    filing = await submitted(court)
    registered = await court.post("clerk", f"/api/v1/staff/filings/{filing['id']}/register")
    assert registered.status == 200, await registered.text()
    number = (await draft_of(court, filing["id"]))["case_number"]
    async with await browser_of(court, court.cast.carol) as carol:
        page = await carol.get(f"/cabinet/filings/new?case={number}", headers=HTML)
        assert page.status == 404
        own = await (await carol.get("/cabinet/filings/new", headers=HTML)).text()
        forced = await carol.post("/cabinet/filings/new", headers=HTML, data={
            "csrf_token": token_of(own), "case_number": number, "filing_type": "motion", "title": "Let me in"})
        assert forced.status == 403
        assert words(wizard.FIELD_MESSAGES["case_number"], "en") in unescape(await forced.text())
    assert (await (await court.get("carol", "/api/v1/filings")).json())["filings"] == []
    async with await browser_of(court, court.cast.bob) as bob:  # the defendant may respond
        case_page = await (await bob.get(f"/cabinet/cases/{number}", headers=HTML)).text()
        assert f'href="/cabinet/filings/new?case={number}"' in case_page
        response = await step(bob, f"/cabinet/filings/new?case={number}",
                              {"case_number": number, "filing_type": "response", "title": "My response"})
        assert response.status == 303
        draft_id = int(response.headers["Location"].rsplit("/", 1)[1])
        resume = await bob.get(f"/cabinet/filings/{draft_id}", headers=HTML, allow_redirects=False)
        assert resume.headers["Location"] == f"/cabinet/filings/{draft_id}/documents"  # no duty, no parties to ask
        tasks = await (await bob.get(f"/cabinet/filings/{draft_id}/tasks", headers=HTML)).text()
        assert f"/cabinet/filings/{draft_id}/court" not in tasks and f"/cabinet/filings/{draft_id}/parties" not in tasks


async def test_a_payment_of_another_amount_than_the_quote_is_refused(court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await start_claim(court, alice)
        await court.patch("alice", f"/api/v1/filings/{filing_id}", {
            "case_kind": "civil", "filing_type": "statement_of_claim", "claim_kind": "property",
            "payer_kind": "individual", "claim_amount": "1000000", "title": "T"})
        for amount in ("1.00", "100000.00", "10000", "-10000.00", ""):
            response = await step(alice, f"/cabinet/filings/{filing_id}/payment", {"amount": amount})
            html = unescape(await response.text())
            assert response.status == 409, amount
            assert words(PAYMENT_MESSAGES["fee_changed"], "en") in html and 'href="#pay"' in html
        assert await payments(court) == 0
        # The shown amount is what is due: paying half by the API leaves the other half to pay here.
        await court.pay("alice", filing_id, "4000.00")
        stale = await step(alice, f"/cabinet/filings/{filing_id}/payment", {"amount": "10000.00"})
        assert stale.status == 409 and await payments(court) == 1
        right = await step(alice, f"/cabinet/filings/{filing_id}/payment", {"amount": "6000.00"})
        assert right.status == 303 and await payments(court) == 2


async def test_unsigned_and_wrongly_signed_documents_are_refused_and_not_kept(court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await start_claim(court, alice)
        page = await (await alice.get(f"/cabinet/filings/{filing_id}/documents", headers=HTML)).text()
        assert f'data-upload="/api/v1/filings/{filing_id}/documents"' in page
        unsigned = aiohttp.FormData()
        unsigned.add_field("kind", "statement")
        unsigned.add_field("file", pdf(), filename="claim.pdf")
        response = await alice.post(f"/api/v1/filings/{filing_id}/documents", data=unsigned,
                                    headers={"Origin": str(court.client.make_url("")).rstrip("/")})
        assert response.status == 400 and (await response.json())["error"]["code"] == "signature_required"
    other = await court.upload("alice", filing_id, pdf(), signed_data=pdf("another text"))
    assert other.status == 422 and (await other.json())["error"]["code"] == "document_signature_invalid"
    auth = await court.upload("alice", filing_id, pdf(), key=court.cast.alice.auth)
    assert auth.status == 422 and (await auth.json())["error"]["code"] == "wrong_key_usage"
    stranger = await court.upload("alice", filing_id, pdf(), key=court.cast.bob.sign)
    assert stranger.status == 403 and (await stranger.json())["error"]["code"] == "signer_not_allowed"
    assert (await draft_of(court, filing_id))["documents"] == []
    assert court.stored_files() == []
    for code in ("document_signature_invalid", "wrong_key_usage", "signer_not_allowed", "signature_required"):
        assert code in wizard.UPLOAD_MESSAGES or code == "signature_required"


async def test_the_sandbox_bank_page_has_no_inline_style(court: Court) -> None:
    response = await court.client.post("/api/v1/payments", json={"reference": "filing:1", "amount": "10.00"},
                                       headers=await court.as_("alice"))
    url = (await response.json())["redirect_url"]
    page = await court.client.get("/sandbox/pay/" + url.rsplit("/", 1)[1])
    html = await page.text()
    assert "<style" not in html and 'style="' not in html
    assert "style-src 'self'" in page.headers["Content-Security-Policy"]
    sheet = re.search(r'<link rel="stylesheet" href="([^"]+)">', html)
    assert sheet
    css = await court.client.get(sheet[1])
    assert css.status == 200 and css.content_type == "text/css" and ".banner" in await css.text()
