"""Art. 668 exemptions as data: each one zeroes the duty it covers (at 2026 and 2025 MRP), names its
sub-paragraph, refuses what it does not cover; and the quote explains itself in kk/ru/en."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cabinet.case_numbers import CaseKind
from cabinet.errors import FeeRequestInvalid
from cabinet.fee_exemptions import EXEMPTIONS, Exemption, exemptions_for
from cabinet.fee_kinds import ClaimKind, FilingType, PayerKind
from cabinet.fee_texts import EXEMPTION_TEXTS, LANGUAGES, RULE_TITLES
from cabinet.fees import FEE_RULES, FeeRequest, quote
from cabinet.money import Money

IN_2026 = date(2026, 3, 2)
IN_2025 = date(2025, 6, 30)
TC = "Tax Code of the RK No. 214-VIII, art. "
CIV, ADM = CaseKind.CIVIL, CaseKind.ADMINISTRATIVE
IND, LE = PayerKind.INDIVIDUAL, PayerKind.LEGAL_ENTITY
K, F = ClaimKind, FilingType
GROUP = "668, one of (10), (12), (18), (19), (21)-(30), (32), (34)"


def req(code: str | None, kind: ClaimKind = K.PROPERTY, payer: PayerKind = IND, case: CaseKind = CIV,
        filing: FilingType = F.STATEMENT_OF_CLAIM) -> FeeRequest:
    amount = Money.tenge(1_000_000) if kind in {K.PROPERTY, K.MIXED, K.COURT_ORDER} else None
    counts = (2, 10) if kind is K.COPY_REISSUE else (None, None)
    return FeeRequest(case, filing, kind, payer, amount, code, *counts)


# code, article, verified, a filing it covers, a filing it does not cover
COVERS: list[tuple[str, str, bool, dict[str, Any], dict[str, Any]]] = [
    ("labour", "668(1)", True, {"kind": K.COURT_ORDER, "filing": F.APPLICATION}, {"payer": LE}),
    ("copyright", "668(2)", True, {"payer": LE}, {"kind": K.DIVORCE}),
    ("industrial_property", "668(3)", True, {"kind": K.NON_PROPERTY}, {"payer": LE}),
    ("alimony", "668(4)", True, {"kind": K.COURT_ORDER, "filing": F.APPLICATION}, {"payer": LE}),
    ("harm_to_health", "668(5)", True, {"kind": K.MIXED}, {"kind": K.COURT_ORDER, "filing": F.APPLICATION}),
    ("crime_damage", "668(6)", True, {"payer": LE}, {"kind": K.DIVORCE}),
    ("criminal_alimony_documents", "668(7)", True, {"kind": K.COPY_REISSUE, "filing": F.APPLICATION}, {}),
    ("environmental_damage", "668(8)", True, {"payer": LE}, {"kind": K.DIVORCE}),
    ("electoral_rights", "668(9)", True, {"kind": K.STATE_BODY_COMPLAINT, "case": ADM, "filing": F.COMPLAINT},
     {}),
    ("public_interest", "668(11)", True, {"kind": K.DIVORCE}, {"case": CaseKind.CRIMINAL, "filing": F.APPEAL,
                                                               "kind": K.PROCEDURAL}),
    ("veterans", "668(13)", True, {"kind": K.DIVORCE}, {"payer": LE}),
    ("disability", "668(13)", True, {"kind": K.STATE_BODY_COMPLAINT, "case": ADM, "filing": F.COMPLAINT},
     {"payer": LE}),
    ("kandas", "668(14)", True, {"kind": K.SPECIAL_PROCEEDING, "filing": F.APPLICATION}, {}),
    ("prosecutor", "668(16)", True, {"payer": LE}, {}),
    ("state_institution", "668(17)", True, {"payer": LE, "kind": K.NON_PROPERTY}, {}),
    ("rehabilitation", "668(20)", True, {"payer": LE}, {"kind": K.DIVORCE}),
    ("environmental_protection", "668(31)", True, {"kind": K.NON_PROPERTY}, {"kind": K.DIVORCE, "case": ADM}),
    ("unfair_supplier", "668(33)", True, {"payer": LE, "kind": K.NON_PROPERTY, "case": ADM}, {}),
    ("vocational_school", GROUP, False, {"payer": LE}, {}),
    ("budget_loan_agent", GROUP, False, {"payer": LE}, {}),
    ("disabled_persons_association", GROUP, False, {"payer": LE}, {}),
    ("compulsory_insurance", GROUP, False, {}, {"case": CaseKind.CRIMINAL, "filing": F.APPEAL,
                                                "kind": K.PROCEDURAL}),
    ("national_bank", GROUP, False, {"payer": LE}, {}),
    ("ombudsman", GROUP, False, {"kind": K.NON_PROPERTY}, {"case": CaseKind.CRIMINAL, "filing": F.APPEAL,
                                                            "kind": K.PROCEDURAL}),
    ("liquidator", GROUP, False, {"payer": LE}, {}),
    ("bankruptcy_manager", GROUP, False, {"kind": K.BANKRUPTCY, "filing": F.APPLICATION},
     {"case": CaseKind.CRIMINAL, "filing": F.APPEAL, "kind": K.PROCEDURAL}),
    ("state_bank", GROUP, False, {"payer": LE}, {}),
    ("bondholder_representative", GROUP, False, {"payer": LE}, {}),
    ("pension_fund", GROUP, False, {"payer": LE}, {}),
    ("police", GROUP, False, {"payer": LE}, {}),
    ("bad_loan_company", GROUP, False, {"payer": LE}, {}),
    ("deposit_fund", GROUP, False, {"payer": LE}, {}),
]


@pytest.mark.parametrize(("code", "article", "verified", "covered", "uncovered"), COVERS,
                         ids=[f"{row[0]}-art.{row[1].split(',')[0]}" for row in COVERS])
def test_each_exemption_of_article_668(code: str, article: str, verified: bool, covered: dict[str, Any],
                                       uncovered: dict[str, Any]) -> None:
    for on in (IN_2026, IN_2025):
        without = quote(req(None, **covered), on)
        fee = quote(req(code, **covered), on)
        assert fee.amount == Money.zero()
        assert without.amount.is_positive(), "the exemption must matter for the filing tested"
        assert fee.exemption is not None and fee.exemption.article == TC + article
        assert fee.exemption.verified is verified
        assert fee.verified is (verified and without.verified)
        assert without.amount.format() in fee.basis
        assert fee.to_json()["exemption"] == {"code": code, "article": TC + article, "verified": verified}
    with pytest.raises(FeeRequestInvalid) as info:
        quote(req(code, **{"payer": IND, **uncovered}), IN_2026)
    assert info.value.code in {"exemption_not_applicable", "fee_rule_not_found"}


def test_every_exemption_has_its_test_and_unique_code() -> None:
    assert [e.code for e in EXEMPTIONS] == [row[0] for row in COVERS]


@pytest.mark.parametrize("code", ["consumer_rights", "pensions_benefits", "disability_group_1_2", "war_veterans",
                                  "state_body_public_interest", "friendship"])
def test_exemptions_the_law_does_not_have_are_refused(code: str) -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        quote(req(code), IN_2026)
    assert info.value.code == "unknown_exemption"


def test_disability_is_any_disability_and_covers_the_parent() -> None:
    from cabinet.fee_exemptions import EXEMPTIONS as TABLE
    disability = next(e for e in TABLE if e.code == "disability")
    assert "one parent" in disability.title and "groups" not in disability.title


def test_exempt_persons_stay_exempt_on_cassation() -> None:
    fee = quote(req("veterans", filing=F.CASSATION), IN_2026)
    assert fee.amount == Money.zero() and fee.rule_id == "cassation"


def _scope(exemption: Any) -> tuple[Any, Any, Any]:
    def values(members: frozenset[Any], universe: Any) -> Any:
        found = {m.value for m in members}
        return "*" if found == {m.value for m in universe} else found
    return (values(exemption.case_kinds, CaseKind), values(exemption.claim_kinds, ClaimKind),
            values(exemption.payer_kinds, PayerKind))


_MONEY = {"mixed", "non_property", "property"}
_STATUS = {"non_property", "special_proceeding", "state_body_complaint"}
_NC = {"administrative", "civil"}
EXEMPTION_SCOPES: dict[str, tuple[Any, Any, Any]] = {
    "labour": ({"civil"}, _MONEY | {"court_order"}, {"individual"}),
    "copyright": ({"civil"}, _MONEY, "*"),
    "industrial_property": ({"civil"}, _MONEY, {"individual"}),
    "alimony": ({"civil"}, _MONEY | {"court_order"}, {"individual"}),
    "harm_to_health": ({"civil"}, _MONEY, {"individual"}),
    "crime_damage": ({"civil"}, _MONEY, "*"),
    "criminal_alimony_documents": ("*", {"copy_reissue"}, "*"),
    "environmental_damage": (_NC, _MONEY, "*"),
    "electoral_rights": (_NC, _STATUS, "*"),
    "public_interest": (_NC, "*", "*"),
    "veterans": (_NC, "*", {"individual"}),
    "disability": (_NC, "*", {"individual"}),
    "kandas": (_NC, _STATUS, {"individual"}),
    "prosecutor": (_NC, "*", {"legal_entity"}),
    "state_institution": (_NC, "*", {"legal_entity"}),
    "rehabilitation": ({"civil"}, _MONEY, "*"),
    "environmental_protection": (_NC, "*", "*"),
    "unfair_supplier": (_NC, "*", {"legal_entity"}),
    **{code: (_NC, "*", {"legal_entity"}) for code in (
        "vocational_school", "budget_loan_agent", "disabled_persons_association", "national_bank", "liquidator",
        "state_bank", "bondholder_representative", "pension_fund", "police", "bad_loan_company", "deposit_fund")},
    **{code: (_NC, "*", "*") for code in ("compulsory_insurance", "ombudsman", "bankruptcy_manager")},
}


@pytest.mark.parametrize("exemption", EXEMPTIONS, ids=[e.code for e in EXEMPTIONS])
def test_each_exemptions_scope_is_pinned(exemption: Any) -> None:
    assert _scope(exemption) == EXEMPTION_SCOPES[exemption.code]


def test_every_row_and_exemption_has_texts_in_three_languages() -> None:
    assert set(RULE_TITLES) == {rule.id for rule in FEE_RULES}
    assert set(EXEMPTION_TEXTS) == {e.code for e in EXEMPTIONS}
    for texts in (*RULE_TITLES.values(), *EXEMPTION_TEXTS.values()):
        assert len(texts) == len(LANGUAGES) and all(text.strip() for text in texts)
        assert len(set(texts)) == 3, texts


def test_the_explanation_names_rule_article_formula_and_mrp_in_three_languages() -> None:
    fee = quote(req(None), IN_2026)
    explanation = fee.to_json()["explanation"]
    assert explanation["en"] == (
        "Property claim of an individual: 1 % of the claim, at most 10,000 MRP. "
        "Legal basis: Tax Code of the RK No. 214-VIII, art. 665(1)(1). "
        "Formula: 1 % × 1\u00a0000\u00a0000,00\u00a0₸ = 10\u00a0000,00\u00a0₸. "
        "MRP 4\u00a0325,00\u00a0₸ in force on the payment date 02.03.2026 (since 01.01.2026). "
        "Amount: 10\u00a0000,00\u00a0₸.")
    assert explanation["ru"].startswith("Имущественный иск физического лица")
    assert "ст. 665(1)(1)" in explanation["ru"] and "Налоговый кодекс РК № 214-VIII" in explanation["ru"]
    assert "МРП 4\u00a0325,00\u00a0₸, действующий на дату оплаты 02.03.2026" in explanation["ru"]
    assert "665(1)(1)" in explanation["kk"] and "АЕК 4\u00a0325,00\u00a0₸" in explanation["kk"]
    assert "Салық кодексі" in explanation["kk"] and "02.03.2026" in explanation["kk"]
    for text in explanation.values():
        assert "10\u00a0000,00\u00a0₸" in text


def test_the_explanation_shows_the_cap_the_exemption_and_an_unverified_figure() -> None:
    capped = quote(FeeRequest(CIV, F.STATEMENT_OF_CLAIM, K.PROPERTY, IND, Money.tenge(10**10)), IN_2025).to_json()
    assert "the cap was applied" in capped["explanation"]["en"]
    assert "применён предельный размер" in capped["explanation"]["ru"]
    assert "3\u00a0932,00\u00a0₸" in capped["explanation"]["kk"]
    exempt = quote(req("labour"), IN_2026).to_json()["explanation"]
    assert "Exempt: Claimants in labour claims" in exempt["en"] and "668(1)" in exempt["en"]
    assert "Освобождение: Истцы по требованиям из трудовых отношений" in exempt["ru"]
    unverified = quote(req("police", payer=LE), IN_2026).to_json()
    assert unverified["verified"] is False
    assert unverified["warning"]["ru"].startswith("Эта сумма не подтверждена")
    assert unverified["explanation"]["kk"].endswith(unverified["warning"]["kk"])
    no_duty = quote(FeeRequest(CIV, F.APPEAL, K.PROPERTY, IND), IN_2026).to_json()["explanation"]
    assert "No state duty" in no_duty["en"] and "не взимается" in no_duty["ru"]
    assert "ГПК ст. 403(3)" in no_duty["ru"] and "(no appellate rate)" not in no_duty["ru"]
    assert "АІЖК бап 403(3)" in no_duty["kk"]
    police = quote(req("police", payer=LE), IN_2026).to_json()["explanation"]
    assert "ст. 668, одна из (10)" in police["ru"] and ", one of " not in police["ru"]


# Who art. 668 frees, in the words the quote prints after "exempt:".
EXEMPTION_TITLES: dict[str, str] = {
    "labour": "Claimants in claims for pay and other claims arising from labour relations",
    "copyright": "Authors, performers and collective-management organisations, in claims under copyright and "
        "related rights",
    "industrial_property": "Authors of inventions, utility models and industrial designs, in claims under those "
        "rights",
    "alimony": "Claimants in claims for alimony",
    "harm_to_health": "Claimants for harm from injury or other damage to health, or the death of a breadwinner",
    "crime_damage": "Claimants for material damage caused by a criminal offence",
    "criminal_alimony_documents": "Issue of documents in criminal and alimony cases",
    "environmental_damage": "Claimants for environmental damage caused to the state",
    "electoral_rights": "Applicants for the protection of electoral rights",
    "public_interest": "Anyone applying to court for the rights of others or of the state",
    "veterans": "Veterans of the Great Patriotic War and persons equated to them, veterans of combat abroad, "
        "home-front workers — in all cases",
    "disability": "Persons with disabilities, and one parent of a person disabled since childhood or of a child "
        "with a disability — in all cases",
    "kandas": "Kandas, in applications on citizenship",
    "prosecutor": "Prosecution bodies, in all claims",
    "state_institution": "State institutions and state secondary schools (not for third parties)",
    "rehabilitation": "Both parties in claims for harm from unlawful conviction, custody or administrative arrest",
    "environmental_protection": "Claimants in environmental-protection claims",
    "unfair_supplier": "Claimants for listing unfair participants of public procurement",
    "vocational_school": "Technical and vocational education organisations",
    "budget_loan_agent": "Agents for budget loans",
    "disabled_persons_association": "Public associations of persons with disabilities",
    "compulsory_insurance": "Claimants under compulsory insurance",
    "national_bank": "The National Bank of Kazakhstan",
    "ombudsman": "The Human Rights Commissioner",
    "liquidator": "Liquidation commissions and liquidators",
    "bankruptcy_manager": "Bankruptcy and rehabilitation managers",
    "state_bank": "State-owned development banks",
    "bondholder_representative": "Representatives of bondholders",
    "pension_fund": "The unified accumulative pension fund",
    "police": "Internal affairs (police) bodies",
    "bad_loan_company": "The organisation for improving the loan portfolio of second-tier banks",
    "deposit_fund": "The Kazakhstan Deposit Insurance Fund",
}


@pytest.mark.parametrize("code", list(EXEMPTION_TITLES))
def test_an_exempt_quote_names_who_the_law_frees_and_the_duty_it_waived(code: str) -> None:
    covered = next(row[3] for row in COVERS if row[0] == code)
    without = quote(req(None, **covered), IN_2026)
    fee = quote(req(code, **covered), IN_2026)
    article = TC + next(row[1] for row in COVERS if row[0] == code)
    assert fee.basis == f"exempt: {EXEMPTION_TITLES[code]} ({article}); without it: {without.basis}"


def test_every_exemption_has_its_title_pinned() -> None:
    assert list(EXEMPTION_TITLES) == [e.code for e in EXEMPTIONS]


def test_an_unknown_exemption_lists_the_known_ones() -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        quote(req("x" * 60), IN_2026)
    assert info.value.details == {"field": "exemption"}
    assert info.value.message == (f"{'x' * 40!r} is not an exemption of art. 668 "
                                  f"(one of {sorted(EXEMPTION_TITLES)})")


def test_an_exemption_that_does_not_cover_the_filing_says_what_it_covers_not() -> None:
    with pytest.raises(FeeRequestInvalid) as info:
        quote(req("labour", payer=LE), IN_2026)
    assert info.value.code == "exemption_not_applicable"
    assert info.value.details == {
        "field": "exemption", "exemption": "labour", "article": f"{TC}668(1)",
        "citation": {"kk": "ҚР № 214-VIII Салық кодексі, 668-бап(1)",
                     "ru": "Налоговый кодекс РК № 214-VIII, ст. 668(1)",
                     "en": f"{TC}668(1)"}}
    assert info.value.message == (f"the exemption 'labour' ({TC}668(1)) does not cover a property filing "
                                  "in civil proceedings by a legal entity")


@pytest.mark.parametrize("blank", ["code", "title", "article"])
def test_an_exemption_row_needs_a_code_a_title_and_an_article(blank: str) -> None:
    fields = {"code": "x", "title": "t", "article": "a", blank: ""}
    with pytest.raises(ValueError, match=r"^an exemption needs a code, a title and an article reference$"):
        Exemption(**fields, verified=True, case_kinds=frozenset(CaseKind), claim_kinds=frozenset(ClaimKind),
                  payer_kinds=frozenset(PayerKind))


def test_the_exemptions_a_filer_may_claim_are_exactly_those_that_cover_the_request() -> None:
    offered = exemptions_for(req(None, payer=LE))
    assert offered and all(item.covers(req(None, payer=LE)) for item in offered)
    assert "labour" not in {item.code for item in offered}  # a worker's exemption: individuals only
    assert {item.code for item in exemptions_for(req(None))} >= {"labour", "disability", "veterans"}
    for item in EXEMPTIONS:
        assert (item in offered) is item.covers(req(None, payer=LE))
