"""What a filing is for the state duty, and the sets and citation form the rate table and the exemptions
share: both must cite the Tax Code No. 214-VIII the same way and mean the same case and payer kinds."""

from __future__ import annotations

import pytest

from cabinet.case_numbers import CaseKind
from cabinet.fee_kinds import (
    ANY_CASE,
    ANY_PAYER,
    CIVIL,
    CODE,
    INDIVIDUAL,
    LEGAL_ENTITY,
    NON_CRIMINAL,
    ClaimKind,
    FilingType,
    PayerKind,
    citation,
    cite,
    kinds,
)


def test_a_citation_names_the_code_then_the_article() -> None:
    assert CODE == "Tax Code of the RK No. 214-VIII"
    assert cite("665(1)(1)") == "Tax Code of the RK No. 214-VIII, art. 665(1)(1)"


def test_kinds_is_an_immutable_set_of_what_it_is_given() -> None:
    assert kinds() == frozenset()
    assert kinds(ClaimKind.PROPERTY, ClaimKind.MIXED, ClaimKind.PROPERTY) == frozenset(
        {ClaimKind.PROPERTY, ClaimKind.MIXED})
    assert isinstance(kinds(PayerKind.INDIVIDUAL), frozenset)


def test_the_shared_case_kind_sets() -> None:
    assert ANY_CASE == {CaseKind.CIVIL, CaseKind.CRIMINAL, CaseKind.ADMINISTRATIVE}
    assert CIVIL == {CaseKind.CIVIL}
    assert NON_CRIMINAL == {CaseKind.CIVIL, CaseKind.ADMINISTRATIVE}


def test_the_shared_payer_sets() -> None:
    assert ANY_PAYER == {PayerKind.INDIVIDUAL, PayerKind.LEGAL_ENTITY}
    assert INDIVIDUAL == {PayerKind.INDIVIDUAL}
    assert LEGAL_ENTITY == {PayerKind.LEGAL_ENTITY}


def test_the_wire_names_of_filings_and_payers_are_stable() -> None:
    """Requests and stored quotes carry these values; renaming one loses old quotes."""
    assert {f.value for f in FilingType} == {
        "statement_of_claim", "counterclaim", "application", "complaint", "motion", "response", "appeal",
        "cassation", "record_remarks"}
    assert {p.value for p in PayerKind} == {"individual", "legal_entity"}


@pytest.mark.parametrize(("ref", "kk", "ru"), [
    ("135", "ҚР № 214-VIII Салық кодексі, 135-бап", "Налоговый кодекс РК № 214-VIII, ст. 135"),
    ("668(13)", "ҚР № 214-VIII Салық кодексі, 668-бап(13)", "Налоговый кодекс РК № 214-VIII, ст. 668(13)"),
    ("668, one of (10), (12)", "ҚР № 214-VIII Салық кодексі, 668-бап, бірі (10), (12)",
     "Налоговый кодекс РК № 214-VIII, ст. 668, одна из (10), (12)"),
])
def test_a_citation_is_written_the_way_each_language_cites_the_code(ref: str, kk: str, ru: str) -> None:
    texts = citation(cite(ref))
    assert texts == {"kk": kk, "ru": ru, "en": cite(ref)}
    assert "Tax Code" not in texts["kk"] + texts["ru"] and "art." not in texts["kk"] + texts["ru"]


def test_the_procedure_code_and_a_bare_article_word_are_cited_in_each_language() -> None:
    """The appeal row cites the Civil Procedure Code beside the Tax Code; a reference whose number is
    not right after the word (as in a list) still gets the language's word for an article."""
    assert citation("CPC art. 403(3)") == {"kk": "АІЖК 403-бап(3)", "ru": "ГПК ст. 403(3)", "en": "CPC art. 403(3)"}
    assert citation("art. (15)") == {"kk": "бап (15)", "ru": "ст. (15)", "en": "art. (15)"}
