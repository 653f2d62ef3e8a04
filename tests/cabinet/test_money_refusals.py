"""What each refused amount says: the words a clerk or a developer reads when an amount, a factor or a
rate is not one, and the value the API's error details carry back to the form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cabinet.errors import InvalidMoney
from cabinet.money import Money


def refusal(step) -> InvalidMoney:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidMoney) as refused:
        step()
    return refused.value


def test_an_amount_is_a_whole_number_of_tiyn() -> None:
    assert refusal(lambda: Money(1.5)).message == "an amount must be a whole number of tiyn, got 1.5"  # type: ignore[arg-type]


@pytest.mark.parametrize(("whole", "shown"), [("5", "'5'"), (True, "True"), (5.0, "5.0")])
def test_whole_tenge_are_an_int(whole: object, shown: str) -> None:
    assert refusal(lambda: Money.tenge(whole)).message == f"whole tenge must be an int, got {shown}"  # type: ignore[arg-type]


def test_a_decimal_amount_is_finite_and_a_whole_number_of_tiyn() -> None:
    assert refusal(lambda: Money.from_decimal(Decimal("NaN"))).message == "not a finite decimal amount: Decimal('NaN')"
    assert refusal(lambda: Money.from_decimal(1.5)).message == "not a finite decimal amount: 1.5"  # type: ignore[arg-type]
    fraction = refusal(lambda: Money.from_decimal(Decimal("0.001")))
    assert (fraction.message, fraction.details) == ("0.001 tenge is not a whole number of tiyn", {"value": "0.001"})


def test_a_typed_amount_is_text_and_a_wrong_one_is_sent_back_to_its_field() -> None:
    assert refusal(lambda: Money.parse(5)).message == "an amount must be given as a string, got int"  # type: ignore[arg-type]
    assert refusal(lambda: Money.parse(None)).message == "an amount must be given as a string, got NoneType"  # type: ignore[arg-type]
    wrong = refusal(lambda: Money.parse("12,345"))
    assert wrong.message == ("'12,345' is not an amount of tenge (digits, optional space grouping, at most two "
                             "decimals)")
    assert wrong.details == {"value": "12,345"}


def test_nothing_is_shown_as_negative_but_a_negative_amount() -> None:
    assert Money.zero().format() == "0,00\u00a0₸"
    assert Money(1).format() == "0,01\u00a0₸"
    assert Money(-1).format() == "-0,01\u00a0₸"


def test_a_factor_or_a_rate_that_is_not_a_number_is_refused_in_words() -> None:
    amount = Money.tenge(100)
    assert refusal(lambda: amount.times("2")).message == "a factor must be an int or a Decimal, got '2'"  # type: ignore[arg-type]
    assert refusal(lambda: amount.times(Decimal("Infinity"))).message == (
        "a factor must be finite, got Decimal('Infinity')")
    assert refusal(lambda: amount.percent(1.0)).message == "a percentage rate must be a Decimal, got 1.0"  # type: ignore[arg-type]
    assert refusal(lambda: amount.percent(Decimal("sNaN"))).message == "not a percentage rate: Decimal('sNaN')"
