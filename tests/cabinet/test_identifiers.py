"""Typed-in IINs and BINs are checked by structure and check digit before a party is recorded."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cabinet.errors import CabinetError, InvalidIdentifier
from cabinet.identifiers import (
    FIRST_WEIGHTS,
    Bin,
    Division,
    EntityType,
    Iin,
    Sex,
    check_digit,
    has_valid_check_digit,
    parse_party_identifier,
)
from core.errors import BadRequest


def complete(first_eleven: str) -> str:
    digit = check_digit(first_eleven)
    assert digit is not None
    return first_eleven + str(digit)


def test_the_check_digit_is_the_weighted_sum_modulo_eleven() -> None:
    # 1*9+2*0+3*0+4*1+5*0+6*1+7*3+8*0+9*0+10*1+11*2 = 72; 72 % 11 = 6
    assert check_digit("90010130012") == 6


def test_a_remainder_of_ten_falls_to_the_second_weights() -> None:
    # first round: weight 10 on the tenth digit gives 10; second round: weight 1 on it gives 1
    first_eleven = "00000000010"
    assert sum(int(d) * w for d, w in zip(first_eleven, FIRST_WEIGHTS, strict=True)) % 11 == 10
    assert check_digit(first_eleven) == 1


def test_numbers_whose_second_round_is_ten_do_not_exist() -> None:
    impossible = [f"{n:011d}" for n in range(0, 3000) if check_digit(f"{n:011d}") is None]
    assert impossible
    for prefix in impossible[:20]:
        assert not any(has_valid_check_digit(prefix + str(d)) for d in range(10))


def test_an_iin_decodes_birth_date_and_sex() -> None:
    iin = Iin(complete("90010130012"))
    assert iin.birth_date == date(1990, 1, 1)
    assert iin.sex is Sex.MALE


def test_century_digits() -> None:
    assert Iin(complete("85123110001")).birth_date == date(1885, 12, 31)
    assert Iin(complete("85123140001")).birth_date == date(1985, 12, 31)
    assert Iin(complete("85123120001")).sex is Sex.FEMALE
    assert Iin(complete("24022960001")).birth_date == date(2024, 2, 29)
    assert Iin(complete("24022960001")).sex is Sex.FEMALE


def iin_refusal(text: str) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as info:
        Iin(text)
    assert info.value.code == "invalid_iin"
    assert isinstance(info.value, BadRequest) and isinstance(info.value, CabinetError)
    return info.value


def test_the_nca_test_iin_fails_the_check_digit_which_is_why_certificates_skip_it() -> None:
    assert not has_valid_check_digit("123456789011")
    assert iin_refusal("123456789011").details["reason"] == "century"  # digit 7 is 7, refused even before


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("9001013001", "format"),
        ("9001013001234", "format"),
        ("90010130012a", "format"),
        ("９００１０１３００１２６", "format"),
        ("900101700126", "century"),
        ("900101000126", "century"),
        ("901301300126", "birth_date"),
        ("230229300126", "birth_date"),  # digit 7 = 3 means 1923, not a leap year
        ("900101300127", "checksum"),
    ],
)
def test_bad_iins_are_refused_with_the_reason(text: str, reason: str) -> None:
    assert iin_refusal(text).details["reason"] == reason


def test_iin_parse_tolerates_spaces_people_type() -> None:
    text = complete("90010130012")
    assert Iin.parse(f" {text[:6]} {text[6:]} ") == Iin(text)


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidIdentifier):
        Iin(900101300126)  # type: ignore[arg-type]


def test_a_bin_decodes_registration_and_kind() -> None:
    bin_ = Bin(complete("08044000123"))
    assert bin_.registration_year_2d == 8
    assert bin_.registration_month == 4
    assert bin_.entity_type is EntityType.RESIDENT
    assert bin_.division is Division.HEAD_OFFICE
    assert Bin(complete("15115100007")).division is Division.BRANCH


@pytest.mark.parametrize(
    ("first_eleven", "reason"),
    [("08134000123", "registration_month"), ("08047000123", "entity_type"), ("08044700123", "division")],
)
def test_bad_bins_are_refused_with_the_reason(first_eleven: str, reason: str) -> None:
    digit = check_digit(first_eleven)
    text = first_eleven + str(digit if digit is not None else 0)
    with pytest.raises(InvalidIdentifier) as info:
        Bin(text)
    assert info.value.code == "invalid_bin"
    assert info.value.details["reason"] == reason


def test_a_bin_with_a_wrong_check_digit_is_refused() -> None:
    good = complete("08044000123")
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    with pytest.raises(InvalidIdentifier) as info:
        Bin(bad)
    assert info.value.details["reason"] == "checksum"


def test_one_field_takes_either_kind() -> None:
    assert isinstance(parse_party_identifier(complete("08044000123")), Bin)
    assert isinstance(parse_party_identifier(complete("90010130012")), Iin)


iin_prefixes = st.builds(
    lambda born, sex, serial: (
        born.strftime("%y%m%d") + str({1800: 1, 1900: 3, 2000: 5}[born.year // 100 * 100] + sex) + f"{serial:04d}"
    ),
    st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=0, max_value=1),
    st.integers(min_value=0, max_value=9999),
)
bin_prefixes = st.builds(
    lambda yy, mm, kind, division, serial: f"{yy:02d}{mm:02d}{kind}{division}{serial:05d}",
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=1, max_value=12),
    st.sampled_from("456"),
    st.sampled_from("0123"),
    st.integers(min_value=0, max_value=99999),
)


def uses_second_round(number: str) -> bool:
    return sum(int(d) * w for d, w in zip(number[:11], FIRST_WEIGHTS, strict=True)) % 11 == 10


@given(iin_prefixes)
def test_every_well_formed_iin_with_its_check_digit_is_accepted(prefix: str) -> None:
    digit = check_digit(prefix)
    assume(digit is not None)
    iin = Iin(prefix + str(digit))
    assert iin.birth_date.strftime("%y%m%d") == prefix[:6]


@given(bin_prefixes)
def test_every_well_formed_bin_with_its_check_digit_is_accepted(prefix: str) -> None:
    digit = check_digit(prefix)
    assume(digit is not None)
    assert Bin(prefix + str(digit)).value.startswith(prefix)


@given(st.one_of(iin_prefixes, bin_prefixes), st.integers(min_value=0, max_value=11), st.integers(1, 9))
def test_a_single_mistyped_digit_is_refused_except_where_the_docstring_says(
    prefix: str, position: int, shift: int
) -> None:
    digit = check_digit(prefix)
    assume(digit is not None)
    original = prefix + str(digit)
    mistyped = original[:position] + str((int(original[position]) + shift) % 10) + original[position + 1 :]
    accepted = True
    try:
        parse_party_identifier(mistyped)
    except InvalidIdentifier:
        accepted = False
    if accepted:
        assert position == 10 or uses_second_round(original) or uses_second_round(mistyped)


@given(st.text(max_size=14))
def test_arbitrary_text_is_an_identifier_or_a_typed_refusal(text: str) -> None:
    try:
        parsed = parse_party_identifier(text)
    except InvalidIdentifier as exc:
        assert exc.code in {"invalid_iin", "invalid_bin"}
    else:
        assert has_valid_check_digit(parsed.value)


@pytest.mark.parametrize(("digit", "born", "sex"), [
    ("1", date(1885, 12, 31), Sex.MALE), ("2", date(1885, 12, 31), Sex.FEMALE),
    ("3", date(1985, 12, 31), Sex.MALE), ("4", date(1985, 12, 31), Sex.FEMALE),
    ("5", date(2085, 12, 31), Sex.MALE), ("6", date(2085, 12, 31), Sex.FEMALE),
])
def test_digit_seven_gives_the_century_and_the_sex(digit: str, born: date, sex: Sex) -> None:
    iin = Iin(complete(f"851231{digit}0001"))
    assert (iin.birth_date, iin.sex) == (born, sex)
