"""The wizard's claim kinds, standing and relief from the duty over HTTP, on both databases.

Every kind of claim the fee table prices is offered on the claim page for a case it fits, and the
duty the draft then shows is the fee quote API's. A lawyer files for a party as their
representative and is refused without the power of attorney; a person who is not a lawyer cannot
represent anyone. An exemption whose scope does not cover the claim is refused at its field, in the
person's language, with the article cited in that language, and nothing is kept; a covering one is
claimed and then needs its evidence. A deferral is asked to one date or in monthly instalments,
which the check page lists, and the filing goes to the court unpaid.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import aiohttp
import pytest

from cabinet.case_numbers import CaseKind
from cabinet.fee_kinds import ClaimKind
from cabinet.fees import FEE_RULES, FilingType
from cabinet.filing.deferrals import CITATION
from tests.cabinet.filing.conftest import Court, pdf
from tests.web.pages.test_filing_wizard import HTML, draft_of, start_claim, step, words
from tests.web.pages.test_registry_desk import browser_of
from web.pages import wizard, wizard_relief
from web.pages.claim_kinds import CLAIM_KIND
from web.pages.filing_finish import SUBMIT_MESSAGES

ALICE_IIN = "900101400123"
BOB_IIN = "850505300456"
DEFENDANT_IIN = "850505300458"
LAWYER_IIN = "880404300234"
WIZARD_CASE_KINDS = (CaseKind.CIVIL, CaseKind.ADMINISTRATIVE, CaseKind.CRIMINAL)


def where_each_kind_is_priced() -> dict[ClaimKind, tuple[CaseKind, FilingType, str]]:
    """For each claim kind: a kind of case, a type of new filing and a payer some fee row prices it for."""
    found: dict[ClaimKind, tuple[CaseKind, FilingType, str]] = {}
    openings = [FilingType(t) for t in wizard.NEW_CASE_TYPES]
    for rule in FEE_RULES:
        for kind in rule.claim_kinds:
            for case in WIZARD_CASE_KINDS:
                for filing in openings:
                    if kind not in found and case in rule.case_kinds and filing in rule.filing_types:
                        found[kind] = (case, filing, sorted(p.value for p in rule.payer_kinds)[0])
    return found


def test_the_fee_table_prices_every_claim_kind_for_some_new_filing() -> None:
    assert set(where_each_kind_is_priced()) == set(ClaimKind)
    assert set(CLAIM_KIND) == {kind.value for kind in ClaimKind}


async def _draft_for(court: Court, browser: aiohttp.ClientSession, case: CaseKind, filing: FilingType) -> int:
    filing_id = await start_claim(court, browser)
    response = await step(browser, f"/cabinet/filings/{filing_id}/kind",
                          {"case_kind": case.value, "category": f"{case.value}/00"})
    assert response.status == 303, await response.text()
    response = await step(browser, f"/cabinet/filings/{filing_id}/type",
                          {"filing_type": filing.value, "title": "Every kind of claim"})
    assert response.status == 303, await response.text()
    return filing_id


async def test_every_claim_kind_is_offered_where_it_fits_and_quotes_what_the_fee_api_quotes(court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        for kind, (case, filing, payer) in where_each_kind_is_priced().items():
            filing_id = await _draft_for(court, alice, case, filing)
            url = f"/cabinet/filings/{filing_id}/claim"
            page = await (await alice.get(url, headers=HTML)).text()
            assert f'name="claim_kind" value="{kind.value}"' in page, kind
            assert unescape(page).count(words(CLAIM_KIND[kind.value], "en")) == 1, kind
            query = {"case_kind": case.value, "filing_type": filing.value, "claim_kind": kind.value,
                     "payer_kind": payer}
            answer = await alice.get("/api/v1/fees/quote", params=query)
            form = {"claim_kind": kind.value, "payer_kind": payer}
            if answer.status == 400 and (await answer.json())["error"]["code"] == "claim_amount_required":
                query["claim_amount"] = form["claim_amount"] = "2500000"
            elif answer.status == 400 and (await answer.json())["error"]["code"] == "counts_required":
                query.update(documents="2", pages="15")
                form.update(copy_documents="2", copy_pages="15")
            quoted = await (await alice.get("/api/v1/fees/quote", params=query)).json()
            assert "amount" in quoted, (kind, quoted)
            response = await step(alice, url, form)
            assert response.status == 303, (kind, unescape(await response.text())[:3000])
            saved = (await draft_of(court, filing_id))["fee"]["quote"]
            assert saved["amount"] == quoted["amount"] and saved["rule"] == quoted["rule"], kind


async def test_the_claim_page_offers_only_the_kinds_priced_for_the_draft(court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await _draft_for(court, alice, CaseKind.ADMINISTRATIVE, FilingType.COMPLAINT)
        page = await (await alice.get(f"/cabinet/filings/{filing_id}/claim", headers=HTML)).text()
        offered = set(re.findall(r'name="claim_kind" value="(\w+)"', page))
        assert {"tax_audit_notice", "state_body_complaint", "administrative_offence"} <= offered
        assert not {"divorce", "bankruptcy", "court_order"} & offered
        assert words("Against the state, its bodies and officials", "en") in unescape(page)


async def _claim_up_to_relief(court: Court, browser: aiohttp.ClientSession, *, payer: str = "individual",
                              parties: tuple[tuple[str, str, str], ...] | None = None) -> int:
    filing_id = await _draft_for(court, browser, CaseKind.CIVIL, FilingType.STATEMENT_OF_CLAIM)
    for role, iin, name in parties or (("plaintiff", ALICE_IIN, "ӘЛИЕВА АЛИЯ"), ("defendant", DEFENDANT_IIN,
                                                                                "БЕКОВ БОЛАТ")):
        response = await step(browser, f"/cabinet/filings/{filing_id}/parties",
                              {"role": role, "identifier": iin, "name": name})
        assert response.status == 303, unescape(await response.text())[:2000]
    response = await step(browser, f"/cabinet/filings/{filing_id}/claim",
                          {"claim_kind": "property", "payer_kind": payer, "claim_amount": "1000000"})
    assert response.headers["Location"] == f"/cabinet/filings/{filing_id}/relief"  # asked right after the claim
    return filing_id


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
async def test_an_exemption_that_does_not_cover_the_claim_is_refused_citing_its_article_in_the_language(
        court: Court, language: str) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await _claim_up_to_relief(court, alice, payer="legal_entity")
        response = await step(alice, f"/cabinet/filings/{filing_id}/relief", {"relief": "exemption"},
                              language=language)
        assert response.headers["Location"] == f"/cabinet/filings/{filing_id}/exemption"
        page = await (await alice.get(f"/cabinet/filings/{filing_id}/exemption",
                                      headers={**HTML, "Accept-Language": language})).text()
        assert 'value="labour"' not in page  # a worker's exemption: not offered to an organisation
        response = await step(alice, f"/cabinet/filings/{filing_id}/exemption", {"exemption": "labour"},
                              language=language)  # forged: posted anyway
        assert response.status == 400
        text = unescape(await response.text())
        cited = {"kk": "ҚР № 214-VIII Салық кодексі, 668-бап(1)", "ru": "Налоговый кодекс РК № 214-VIII, ст. 668(1)",
                 "en": "Tax Code of the RK No. 214-VIII, art. 668(1)"}[language]
        said = words(wizard_relief.MESSAGES["exemption_not_applicable"], language) % {
            "who": wizard_relief.exemption_title("labour", language), "article": cited}
        assert f'<a href="#exemption">{said}</a>' in text
        if language != "en":
            assert "Tax Code" not in text and "art. 668" not in text
        draft = await draft_of(court, filing_id)
        assert draft["exemption"] is None and draft["fee"]["quote"]["amount"] == "30000.00"  # nothing kept
        response = await step(alice, f"/cabinet/filings/{filing_id}/exemption", {"exemption": "no-such"},
                              language=language)
        assert response.status == 400 and (await draft_of(court, filing_id))["exemption"] is None


async def test_a_covering_exemption_is_claimed_and_sending_needs_its_evidence(court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await _claim_up_to_relief(court, alice)
        await step(alice, f"/cabinet/filings/{filing_id}/relief", {"relief": "exemption"})
        page = await (await alice.get(f"/cabinet/filings/{filing_id}/exemption", headers=HTML)).text()
        assert 'value="labour"' in page and "art. 668(1)" in unescape(page)
        response = await step(alice, f"/cabinet/filings/{filing_id}/exemption", {})
        assert response.status == 400 and words(wizard_relief.MESSAGES["exemption"], "en") in unescape(
            await response.text())
        response = await step(alice, f"/cabinet/filings/{filing_id}/exemption", {"exemption": "labour"})
        assert response.headers["Location"] == f"/cabinet/filings/{filing_id}/documents"
        draft = await draft_of(court, filing_id)
        assert draft["exemption"] == "labour" and draft["fee"]["quote"]["amount"] == "0.00"
        assert (await court.upload("alice", filing_id, pdf())).status == 201
        check = unescape(await (await alice.get(f"/cabinet/filings/{filing_id}/check",
                                                headers={**HTML, "Accept-Language": "ru"})).text())
        assert "Налоговый кодекс РК № 214-VIII, ст. 668(1)" in check and 'id="missing-exemption-proof"' in check
        response = await step(alice, f"/cabinet/filings/{filing_id}/check", {})
        assert response.status == 409
        assert words(SUBMIT_MESSAGES["exemption_document_required"], "en") in unescape(await response.text())
        assert (await court.upload("alice", filing_id, pdf("Certificate of employment"),
                                   kind="exemption_proof")).status == 201
        response = await step(alice, f"/cabinet/filings/{filing_id}/check", {})
        assert response.status == 303 and response.headers["Location"].endswith("/receipt")


async def test_a_lawyer_files_for_a_party_and_is_refused_without_the_power_of_attorney(court: Court) -> None:
    async with await browser_of(court, court.cast.lawyer) as lawyer:
        filing_id = await _claim_up_to_relief(court, lawyer)
        tasks = unescape(await (await lawyer.get(f"/cabinet/filings/{filing_id}/tasks", headers=HTML)).text())
        assert re.search(r"Who is filing</a></span>\s*<strong class=\"tag tag--grey\" id=\"task-filer\">Not yet done",
                         tasks)
        response = await step(lawyer, f"/cabinet/filings/{filing_id}/filer", {"filer": "representative"})
        assert response.status == 400  # whom?
        assert words(wizard_relief.MESSAGES["represents"], "en") in unescape(await response.text())
        response = await step(lawyer, f"/cabinet/filings/{filing_id}/filer",
                              {"filer": "representative", "represents": ALICE_IIN})
        assert response.status == 303
        parties = (await draft_of_lawyer(court, filing_id))["parties"]
        assert {"role": "representative", "name": "АДВОКАТОВ АРМАН", "iin": LAWYER_IIN, "bin": None,
                "represents": ALICE_IIN} in parties
        await step(lawyer, f"/cabinet/filings/{filing_id}/relief", {"relief": "pay"})
        assert (await court.upload("lawyer", filing_id, pdf(), key=court.cast.lawyer.sign)).status == 201
        await court.pay("lawyer", filing_id, "10000.00")
        check = unescape(await (await lawyer.get(f"/cabinet/filings/{filing_id}/check", headers=HTML)).text())
        assert "You, for ӘЛИЕВА АЛИЯ" in check and 'id="missing-power-of-attorney"' in check
        response = await step(lawyer, f"/cabinet/filings/{filing_id}/check", {})
        assert response.status == 409
        assert words(SUBMIT_MESSAGES["power_of_attorney_required"], "en") in unescape(await response.text())
        assert (await draft_of_lawyer(court, filing_id))["status"] == "draft"
        assert (await court.upload("lawyer", filing_id, pdf("Power of attorney"), key=court.cast.lawyer.sign,
                                   kind="power_of_attorney")).status == 201
        response = await step(lawyer, f"/cabinet/filings/{filing_id}/check", {})
        assert response.status == 303, unescape(await response.text())[:2000]


async def draft_of_lawyer(court: Court, filing_id: int) -> dict[str, Any]:
    return dict(await (await court.get("lawyer", f"/api/v1/filings/{filing_id}")).json())


async def test_someone_who_is_not_a_lawyer_cannot_send_a_filing_for_someone_else(court: Court) -> None:
    async with await browser_of(court, court.cast.bob) as bob:
        filing_id = await _claim_up_to_relief(court, bob)
        response = await step(bob, f"/cabinet/filings/{filing_id}/filer",
                              {"filer": "representative", "represents": ALICE_IIN})
        assert response.status == 303
        await step(bob, f"/cabinet/filings/{filing_id}/relief", {"relief": "pay"})
        assert (await court.upload("bob", filing_id, pdf())).status == 201
        assert (await court.upload("bob", filing_id, pdf("A power of attorney Bob wrote himself"),
                                   kind="power_of_attorney")).status == 201
        await court.pay("bob", filing_id, "10000.00")
        response = await step(bob, f"/cabinet/filings/{filing_id}/check", {})
        assert response.status == 403
        assert words(SUBMIT_MESSAGES["not_a_lawyer"], "en") in unescape(await response.text())


async def test_filing_in_person_adds_the_filer_as_the_plaintiff(court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await _claim_up_to_relief(court, alice, parties=(("defendant", DEFENDANT_IIN, "БЕКОВ БОЛАТ"),
                                                                     ("plaintiff", "880808300222", "БОБОВ БОБ")))
        response = await step(alice, f"/cabinet/filings/{filing_id}/filer", {"filer": "self"})
        assert response.status == 303
        parties = (await draft_of(court, filing_id))["parties"]
        assert parties[0]["role"] == "plaintiff" and parties[0]["iin"] == ALICE_IIN


async def test_a_deferral_in_instalments_is_listed_on_the_check_page_and_the_filing_goes_unpaid(
        court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await _claim_up_to_relief(court, alice)
        response = await step(alice, f"/cabinet/filings/{filing_id}/relief", {"relief": "deferral"})
        assert response.headers["Location"] == f"/cabinet/filings/{filing_id}/deferral"
        response = await step(alice, f"/cabinet/filings/{filing_id}/deferral", {"deferral_kind": "instalments"},
                              language="kk")
        text = unescape(await response.text())
        assert response.status == 400
        for field in ("reason", "instalments"):
            assert f'<a href="#{field}">{words(wizard_relief.MESSAGES[field], "kk")}</a>' in text
        response = await step(alice, f"/cabinet/filings/{filing_id}/deferral", {
            "deferral_kind": "one_date", "until": "2099-01-01", "reason": "Lost my job"}, language="kk")
        assert response.status == 400
        said = words(wizard_relief.MESSAGES["invalid_due_date"], "kk") % {"article": CITATION["kk"]}
        assert said in unescape(await response.text()) and "135-бап" in said
        response = await step(alice, f"/cabinet/filings/{filing_id}/deferral",
                              {"deferral_kind": "instalments", "instalments": "4", "reason": "Lost my job"})
        assert response.headers["Location"] == f"/cabinet/filings/{filing_id}/documents"
        assert (await court.upload("alice", filing_id, pdf())).status == 201
        check = await (await alice.get(f"/cabinet/filings/{filing_id}/check", headers=HTML)).text()
        rows = re.findall(r"<tr><td>[^<]+</td><td>₸2,500.00</td></tr>", check)
        assert len(rows) == 4, check[check.find("<table"):][:1500]
        payment = await (await alice.get(f"/cabinet/filings/{filing_id}/payment", headers=HTML)).text()
        assert 'id="relieved"' in payment and 'id="pay"' not in payment
        response = await step(alice, f"/cabinet/filings/{filing_id}/check", {})
        assert response.status == 303, unescape(await response.text())[:2000]
        sent = await draft_of(court, filing_id)
        assert sent["status"] == "submitted" and sent["fee"]["quote"]["paid"] == "0.00"


async def test_choosing_to_pay_withdraws_the_exemption_and_the_deferral(court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await _claim_up_to_relief(court, alice)
        await step(alice, f"/cabinet/filings/{filing_id}/relief", {"relief": "deferral"})
        await step(alice, f"/cabinet/filings/{filing_id}/deferral", {"deferral_kind": "one_date", "reason": "x"})
        await step(alice, f"/cabinet/filings/{filing_id}/relief", {"relief": "exemption"})
        await step(alice, f"/cabinet/filings/{filing_id}/exemption", {"exemption": "labour"})
        assert (await draft_of(court, filing_id))["fee_deferral"] is None
        response = await step(alice, f"/cabinet/filings/{filing_id}/relief", {"relief": "pay"})
        assert response.status == 303
        draft = await draft_of(court, filing_id)
        assert draft["exemption"] is None and draft["fee_deferral"] is None
        assert draft["fee"]["quote"]["amount"] == "10000.00"
        response = await step(alice, f"/cabinet/filings/{filing_id}/relief", {"relief": "everything"})
        assert response.status == 400


async def test_changing_the_claim_so_the_exemption_no_longer_covers_it_is_said_at_the_claim(court: Court) -> None:
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await _claim_up_to_relief(court, alice)
        await step(alice, f"/cabinet/filings/{filing_id}/relief", {"relief": "exemption"})
        await step(alice, f"/cabinet/filings/{filing_id}/exemption", {"exemption": "labour"})
        response = await step(alice, f"/cabinet/filings/{filing_id}/claim",
                              {"claim_kind": "property", "payer_kind": "legal_entity", "claim_amount": "1000000"},
                              language="ru")
        assert response.status == 400
        said = words(wizard.FIELD_MESSAGES["exemption_not_applicable"], "ru")
        assert f'<a href="#claim_kind">{said}</a>' in unescape(await response.text())


async def test_an_exemption_for_another_kind_of_claim_is_refused_and_names_what_it_is_for(court: Court) -> None:
    """Kandas are exempt in citizenship matters only: not in a claim for money (art. 668(14))."""
    async with await browser_of(court, court.cast.alice) as alice:
        filing_id = await _claim_up_to_relief(court, alice)
        page = await (await alice.get(f"/cabinet/filings/{filing_id}/exemption", headers=HTML)).text()
        assert 'value="kandas"' not in page
        response = await step(alice, f"/cabinet/filings/{filing_id}/exemption", {"exemption": "kandas"}, language="ru")
        assert response.status == 400
        said = words(wizard_relief.MESSAGES["exemption_not_applicable"], "ru") % {
            "who": wizard_relief.exemption_title("kandas", "ru"),
            "article": "Налоговый кодекс РК № 214-VIII, ст. 668(14)"}
        assert f'<a href="#exemption">{said}</a>' in unescape(await response.text())
        assert (await draft_of(court, filing_id))["exemption"] is None
