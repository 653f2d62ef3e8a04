"""What a filing is for the state duty, and the sets and citation form the rate table and the exemptions
share: both must cite the Tax Code No. 214-VIII the same way and mean the same case and payer kinds."""

from __future__ import annotations

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
