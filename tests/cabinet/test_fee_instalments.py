"""Instalments of the state duty (art. 135): monthly parts that add up to the tiyn, all within a year."""

from __future__ import annotations

from datetime import date

import pytest

from cabinet.errors import FeeRequestInvalid
from cabinet.fee_instalments import MAX_TERM, instalment_plan, month_after
from cabinet.money import Money


def test_the_parts_add_up_exactly_and_the_remainder_is_paid_first() -> None:
    plan = instalment_plan(Money(100_001), 3, date(2026, 3, 2))
    assert [part.amount.tiyn for part in plan] == [33_335, 33_333, 33_333]
    assert sum(part.amount.tiyn for part in plan) == 100_001
    assert [part.due for part in plan] == [date(2026, 4, 2), date(2026, 5, 2), date(2026, 6, 2)]


def test_twelve_months_fit_in_the_year_even_from_the_end_of_a_month() -> None:
    start = date(2026, 1, 31)
    plan = instalment_plan(Money.tenge(12_000), 12, start)
    assert plan[0].due == date(2026, 2, 28) and plan[-1].due == date(2027, 1, 31)
    assert plan[-1].due <= start + MAX_TERM


@pytest.mark.parametrize("count", [0, 1, 13, -2, True, "3", 2.5, None])
def test_a_count_outside_two_to_twelve_months_is_refused(count: object) -> None:
    with pytest.raises(FeeRequestInvalid) as refused:
        instalment_plan(Money.tenge(1000), count, date(2026, 3, 2))  # type: ignore[arg-type]
    assert refused.value.code == "invalid_instalments"
    assert refused.value.details == {"field": "instalments"}


def test_a_duty_of_fewer_tiyn_than_parts_cannot_be_split() -> None:
    with pytest.raises(FeeRequestInvalid):
        instalment_plan(Money(3), 4, date(2026, 3, 2))


def test_a_month_later_keeps_the_day_or_takes_the_last_one() -> None:
    assert month_after(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert month_after(date(2026, 11, 30), 2) == date(2027, 1, 30)
