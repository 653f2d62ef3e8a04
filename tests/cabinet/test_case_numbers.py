"""A case number is <court>-<yy>-<category>-<kind>/<sequence>, one spelling, parsed back exactly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cabinet.case_numbers import CaseKind, CaseNumber, format_case_number, parse_case_number
from cabinet.errors import InvalidCaseNumber


def test_a_civil_case_of_a_kazakh_court() -> None:
    assert format_case_number("7594", 2026, CaseKind.CIVIL, 1234) == "7594-26-00-2/001234"


def test_kind_digits_are_one_criminal_two_civil_three_administrative() -> None:
    assert format_case_number("7594", 2026, CaseKind.CRIMINAL, 1).endswith("-1/000001")
    assert format_case_number("7594", 2026, CaseKind.CIVIL, 1).endswith("-2/000001")
    assert format_case_number("7594", 2026, CaseKind.ADMINISTRATIVE, 1).endswith("-3/000001")


def test_parse_reads_every_part() -> None:
    number = parse_case_number(" 7594-26-17-3/999999\n")
    assert number == CaseNumber(
        court_code="7594", year=2026, category="17", kind=CaseKind.ADMINISTRATIVE, sequence=999_999
    )


def test_numbers_sort_like_their_sequences_within_a_court_and_year() -> None:
    texts = [format_case_number("ALM1", 2026, CaseKind.CIVIL, n) for n in (10, 9, 100_000, 2)]
    assert sorted(texts) == [format_case_number("ALM1", 2026, CaseKind.CIVIL, n) for n in (2, 9, 10, 100_000)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "7594-26-00-2/1234",  # sequence not padded to six digits
        "7594-26-00-2/0000001",
        "7594-26-00-2/000000",  # sequence starts at 1
        "7594-2026-00-2/001234",
        "7594-26-0-2/001234",
        "7594-26-00-4/001234",  # no such kind
        "7594-26-00-2а/001234",  # appellate suffix is not part of our format
        "7594_26_00_2/001234",
        "7594-26-00-2-001234",
        "a594-26-00-2/001234",
        "7-26-00-2/001234",
        "75941234567-26-00-2/001234",
        "7594-26-00-2/001234/1",
        "７５９４-26-00-2/001234",
    ],
)
def test_anything_else_is_refused_with_a_clear_code(text: str) -> None:
    with pytest.raises(InvalidCaseNumber) as info:
        parse_case_number(text)
    assert info.value.code == "invalid_case_number"
    assert info.value.status == 400


@pytest.mark.parametrize(
    ("court", "year", "sequence", "category", "part"),
    [
        ("7594\n", 2026, 1, "00", "court"),
        ("7594", 1999, 1, "00", "year"),
        ("7594", 2100, 1, "00", "year"),
        ("7594", 2026, 0, "00", "sequence"),
        ("7594", 2026, 1_000_000, "00", "sequence"),
        ("7594", 2026, 1, "7", "category"),
    ],
)
def test_formatting_refuses_parts_that_would_not_parse_back(
    court: str, year: int, sequence: int, category: str, part: str
) -> None:
    with pytest.raises(InvalidCaseNumber) as info:
        format_case_number(court, year, CaseKind.CIVIL, sequence, category=category)
    assert info.value.details["part"] == part


def test_parse_refuses_non_text() -> None:
    with pytest.raises(InvalidCaseNumber):
        parse_case_number(7594)  # type: ignore[arg-type]


case_numbers = st.builds(
    CaseNumber,
    court_code=st.from_regex(r"[0-9A-Z]{2,10}", fullmatch=True),
    year=st.integers(min_value=2000, max_value=2099),
    category=st.from_regex(r"[0-9]{2}", fullmatch=True),
    kind=st.sampled_from(CaseKind),
    sequence=st.integers(min_value=1, max_value=999_999),
)


@given(case_numbers)
def test_every_number_round_trips_through_its_text(number: CaseNumber) -> None:
    text = str(number)
    assert parse_case_number(text) == number
    assert format_case_number(number.court_code, number.year, number.kind, number.sequence, number.category) == text


@given(st.text(max_size=40))
def test_arbitrary_text_parses_canonically_or_is_refused(text: str) -> None:
    try:
        number = parse_case_number(text)
    except InvalidCaseNumber as exc:
        assert exc.code == "invalid_case_number"
    else:
        assert str(number) == text.strip()


@pytest.mark.parametrize("year", [2026.0, "2026", True])
def test_a_year_that_is_not_a_whole_number_is_refused_as_the_year(year: object) -> None:
    with pytest.raises(InvalidCaseNumber) as info:
        CaseNumber(court_code="7594", year=year, category="00", kind=CaseKind.CIVIL, sequence=1)  # type: ignore[arg-type]
    assert info.value.details == {"part": "year"}


def test_a_long_refused_text_is_quoted_only_up_to_64_characters() -> None:
    text = "7" * 64 + "X"
    with pytest.raises(InvalidCaseNumber) as info:
        parse_case_number(text)
    assert info.value.details == {"value": "7" * 64}
    assert info.value.message.startswith(repr("7" * 64) + " is not a case number")
