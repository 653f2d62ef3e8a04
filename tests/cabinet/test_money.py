"""Money is exact tiyn: parsing is strict, formatting is what a receipt shows, rates round half-up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cabinet.errors import CabinetError, InvalidMoney
from cabinet.money import NBSP, Money
from core.errors import BadRequest


def test_one_tenge_is_one_hundred_tiyn() -> None:
    assert Money.tenge(1) == Money(100)
    assert Money.tenge(1_000_000).tiyn == 100_000_000


@pytest.mark.parametrize(
    ("text", "tiyn"),
    [
        ("1500000.50", 150_000_050),
        ("1500000,50", 150_000_050),
        ("1 500 000,50", 150_000_050),
        (f"1{NBSP}500{NBSP}000,50 ₸", 150_000_050),
        ("1\u202f500\u202f000.5", 150_000_050),
        ("0.05", 5),
        ("0", 0),
        ("  42 ", 4_200),
        ("-12.30", -1_230),
    ],
)
def test_parse_accepts_what_people_and_json_write(text: str, tiyn: int) -> None:
    assert Money.parse(text) == Money(tiyn)


@pytest.mark.parametrize(
    "text",
    ["", "abc", "1.505", "1,500", "12 34", "1..5", "1e6", "NaN", "١٢٣", "+5", "1 500 000,505", "- 5"],
)
def test_parse_refuses_anything_ambiguous(text: str) -> None:
    with pytest.raises(InvalidMoney) as info:
        Money.parse(text)
    assert info.value.code == "invalid_money"
    assert isinstance(info.value, BadRequest)
    assert isinstance(info.value, CabinetError)


def test_parse_refuses_non_strings() -> None:
    with pytest.raises(InvalidMoney):
        Money.parse(1500.5)  # type: ignore[arg-type]


def test_money_refuses_floats_and_bools() -> None:
    with pytest.raises(InvalidMoney):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidMoney):
        Money(True)


def test_format_is_grouped_with_no_break_spaces_and_a_decimal_comma() -> None:
    assert Money(150_000_050).format() == f"1{NBSP}500{NBSP}000,50{NBSP}₸"
    assert Money(5).format() == f"0,05{NBSP}₸"
    assert Money(-129_750).format() == f"-1{NBSP}297,50{NBSP}₸"


def test_json_form_is_a_string_with_two_decimals() -> None:
    assert Money(129_750).to_json() == "1297.50"
    assert Money(-5).to_json() == "-0.05"
    assert str(Money.tenge(10)) == "10.00"


def test_from_decimal_is_exact_or_refuses() -> None:
    assert Money.from_decimal(Decimal("1297.5")) == Money(129_750)
    with pytest.raises(InvalidMoney):
        Money.from_decimal(Decimal("0.001"))
    with pytest.raises(InvalidMoney):
        Money.from_decimal(Decimal("Infinity"))


def test_arithmetic_is_exact() -> None:
    assert Money(10) + Money(5) == Money(15)
    assert Money(10) - Money(15) == Money(-5)
    assert -Money(3) == Money(-3)
    assert Money(7).times(3) == Money(21)
    assert min(Money(3), Money(2)) == Money(2)
    assert not Money.zero()
    assert Money(1).is_positive()


def test_rates_round_half_up_to_a_whole_tiyn() -> None:
    assert Money.tenge(4_325).times(Decimal("0.3")) == Money(129_750)
    assert Money(1).times(Decimal("0.5")) == Money(1)
    assert Money(1).times(Decimal("0.49")) == Money(0)
    assert Money(150).percent(Decimal(1)) == Money(2)  # 1.5 tiyn rounds up
    assert Money(149).percent(Decimal(1)) == Money(1)
    assert Money.tenge(1_000_000).percent(Decimal(1)) == Money.tenge(10_000)


def test_rates_must_be_decimal_not_float() -> None:
    with pytest.raises(InvalidMoney):
        Money(100).times(0.3)  # type: ignore[arg-type]
    with pytest.raises(InvalidMoney):
        Money(100).percent(1)  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_json_and_receipt_forms_parse_back_to_the_same_amount(tiyn: int) -> None:
    money = Money(tiyn)
    assert Money.parse(money.to_json()) == money
    assert Money.parse(money.format()) == money
    assert Money.from_decimal(money.to_decimal()) == money


@given(st.text(max_size=20))
def test_parse_either_returns_money_or_refuses_with_invalid_money(text: str) -> None:
    try:
        money = Money.parse(text)
    except InvalidMoney as exc:
        assert exc.code == "invalid_money"
    else:
        assert isinstance(money.tiyn, int)
