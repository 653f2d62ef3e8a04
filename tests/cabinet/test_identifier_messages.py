"""What a person reads when a case number, an IIN or a BIN they typed is refused: the words name
the part that is wrong and what it must be, and the details carry the same for programs."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cabinet.case_numbers import CaseKind, CaseNumber, format_case_number, parse_case_number
from cabinet.errors import InvalidCaseNumber, InvalidIdentifier
from cabinet.identifiers import Bin, Iin, check_digit, parse_party_identifier

CASE_NUMBER_REFUSALS: list[tuple[Callable[[], object], str, dict[str, str]]] = [
    (lambda: parse_case_number(5), "a case number must be text, got int", {}),  # type: ignore[arg-type]
    (lambda: parse_case_number("x"),
     "'x' is not a case number; expected the form 7594-26-00-2/001234 (court-year-category-kind/sequence)",
     {"value": "x"}),
    (lambda: parse_case_number("7594-26-00-4/000001"),
     "'4' is not a kind of proceedings (1 criminal, 2 civil, 3 administrative)", {"part": "kind"}),
    (lambda: format_case_number("7", 2026, CaseKind.CIVIL, 1),
     "court code '7' must be 2-10 digits or capital latin letters", {"part": "court"}),
    (lambda: format_case_number("7594", 1999, CaseKind.CIVIL, 1), "year 1999 must be between 2000 and 2099",
     {"part": "year"}),
    (lambda: format_case_number("7594", True, CaseKind.CIVIL, 1), "year True must be between 2000 and 2099",
     {"part": "year"}),
    (lambda: format_case_number("7594", 2026, CaseKind.CIVIL, 1, "0"), "category '0' must be two digits",
     {"part": "category"}),
    (lambda: CaseNumber("7594", 2026, "00", "civil", 1), "unknown case kind 'civil'",  # type: ignore[arg-type]
     {"part": "kind"}),
    (lambda: format_case_number("7594", 2026, CaseKind.CIVIL, 0), "sequence 0 must be between 1 and 999999",
     {"part": "sequence"}),
    (lambda: format_case_number("7594", 2026, CaseKind.CIVIL, True), "sequence True must be between 1 and 999999",
     {"part": "sequence"}),
]


@pytest.mark.parametrize(("step", "message", "details"), CASE_NUMBER_REFUSALS)
def test_a_refused_case_number_says_which_part_is_wrong(step: Callable[[], object], message: str,
                                                         details: dict[str, str]) -> None:
    with pytest.raises(InvalidCaseNumber) as refused:
        step()
    assert (refused.value.code, refused.value.message, refused.value.details) == (
        "invalid_case_number", message, details)


def test_the_bounds_of_a_case_number() -> None:
    assert format_case_number("AB", 2000, CaseKind.CRIMINAL, 999_999) == "AB-00-00-1/999999"
    assert format_case_number("ABCDEFGHIJ", 2099, CaseKind.ADMINISTRATIVE, 1, "99") == "ABCDEFGHIJ-99-99-3/000001"
    with pytest.raises(InvalidCaseNumber):
        format_case_number("ABCDEFGHIJK", 2026, CaseKind.CIVIL, 1)
    with pytest.raises(InvalidCaseNumber):
        format_case_number("7594", 2100, CaseKind.CIVIL, 1)
    with pytest.raises(InvalidCaseNumber):
        format_case_number("7594", 2026, CaseKind.CIVIL, 1_000_000)
    long = "x" * 100
    with pytest.raises(InvalidCaseNumber) as refused:
        parse_case_number(long)
    assert refused.value.details == {"value": "x" * 64}
    assert parse_case_number("  7594-26-00-2/001234\n") == CaseNumber("7594", 2026, "00", CaseKind.CIVIL, 1234)


IDENTIFIER_REFUSALS: list[tuple[Callable[[], object], str, str, str]] = [
    (lambda: Iin("12"), "invalid_iin", "'12' is not a valid IIN: it must be exactly 12 digits", "format"),
    (lambda: Iin(5),  # type: ignore[arg-type]
     "invalid_iin", "'int' is not a valid IIN: it must be exactly 12 digits", "format"),
    (lambda: Iin("x" * 30), "invalid_iin", "'xxxxxxxxxxxxxxxxxxxx' is not a valid IIN: it must be exactly 12 digits",
     "format"),
    (lambda: Iin("900101700005"), "invalid_iin",
     "'900101700005' is not a valid IIN: digit 7 must be 1-6 (century and sex)", "century"),
    (lambda: Iin("901301300005"), "invalid_iin",
     "'901301300005' is not a valid IIN: the first six digits are not a date", "birth_date"),
    (lambda: Iin("900101300004"), "invalid_iin", "'900101300004' is not a valid IIN: the check digit does not match",
     "checksum"),
    (lambda: Bin("901301300005"), "invalid_bin", "'901301300005' is not a valid BIN: digits 3-4 must be a month 01-12",
     "registration_month"),
    (lambda: Bin("900171300005"), "invalid_bin", "'900171300005' is not a valid BIN: digit 5 must be 4, 5 or 6",
     "entity_type"),
    (lambda: Bin("900145300005"), "invalid_bin", "'900145300005' is not a valid BIN: digit 6 must be 0-3", "division"),
    (lambda: Bin("900140300005"), "invalid_bin", "'900140300005' is not a valid BIN: the check digit does not match",
     "checksum"),
    (lambda: Bin("9001403"), "invalid_bin", "'9001403' is not a valid BIN: it must be exactly 12 digits", "format"),
    (lambda: parse_party_identifier("12345"), "invalid_iin",
     "'12345' is not a valid IIN: it must be exactly 12 digits", "format"),
]


@pytest.mark.parametrize(("step", "code", "message", "reason"), IDENTIFIER_REFUSALS)
def test_a_refused_identifier_says_why(step: Callable[[], object], code: str, message: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier) as refused:
        step()
    assert (refused.value.code, refused.value.message, refused.value.details) == (code, message, {"reason": reason})


def test_the_check_digit_needs_eleven_ascii_digits() -> None:
    for text in ("123", "1234567890a", "١٢٣٤٥٦٧٨٩٠١", "123456789012"):
        with pytest.raises(ValueError) as refused:
            check_digit(text)
        assert str(refused.value) == "the check digit is computed over exactly 11 ASCII digits"


def test_typed_spaces_of_every_kind_are_dropped() -> None:
    assert Iin.parse(" 900101\u00a0300\u202f811 ").value == "900101300811"
    assert str(Bin.parse("  0004 4000 0003 ")) == str(Bin.parse("000440000003"))


def test_the_check_digit_on_numbers_without_zeros() -> None:
    """With no zero digit, any change of one weight in the round that decides changes the result."""
    assert check_digit("12345678912") == 9
    assert check_digit("98765432198") == 2
    assert check_digit("19174719488") == 7  # the first round gives 10: the second decides
    assert check_digit("55555555555") == 0
