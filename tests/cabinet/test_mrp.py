"""The monthly calculation index (MRP) by date, as the budget laws set it: duties are counted in it, and
the MRP of the payment date applies (Tax Code No. 214-VIII, art. 664(2)). Outside the table the MRP is
unknown, and a quote for such a date is refused rather than extrapolated."""

from __future__ import annotations

from datetime import date

import pytest

from cabinet.errors import FeeRequestInvalid
from cabinet.money import Money
from cabinet.mrp import MRP_TABLE, MrpPeriod, mrp_on

# in force from, in force to (inclusive), tenge, whether our reference read the figure from the law
BUDGET_LAWS = [
    (date(2018, 1, 1), date(2018, 12, 31), 2_405, False),
    (date(2019, 1, 1), date(2019, 12, 31), 2_525, False),
    (date(2020, 1, 1), date(2020, 3, 31), 2_651, False),
    (date(2020, 4, 1), date(2020, 12, 31), 2_778, False),
    (date(2021, 1, 1), date(2021, 12, 31), 2_917, False),
    (date(2022, 1, 1), date(2022, 3, 31), 3_063, False),
    (date(2022, 4, 1), date(2022, 12, 31), 3_180, False),
    (date(2023, 1, 1), date(2023, 12, 31), 3_450, True),
    (date(2024, 1, 1), date(2024, 12, 31), 3_692, False),
    (date(2025, 1, 1), date(2025, 12, 31), 3_932, True),
    (date(2026, 1, 1), date(2026, 12, 31), 4_325, True),
]


def test_the_table_is_the_budget_laws_figures_with_honest_flags() -> None:
    assert [(p.starts, p.ends, p.amount, p.verified) for p in MRP_TABLE] == [
        (starts, ends, Money.tenge(tenge), verified) for starts, ends, tenge, verified in BUDGET_LAWS
    ]


@pytest.mark.parametrize(("starts", "ends", "tenge", "verified"), BUDGET_LAWS,
                         ids=[f"{row[0].isoformat()}" for row in BUDGET_LAWS])
def test_each_period_applies_from_its_first_to_its_last_day(starts: date, ends: date, tenge: int,
                                                            verified: bool) -> None:
    for day in (starts, ends):
        period = mrp_on(day)
        assert (period.starts, period.ends, period.amount, period.verified) == (
            starts, ends, Money.tenge(tenge), verified)


def test_a_mid_year_change_takes_effect_on_its_day() -> None:
    assert mrp_on(date(2020, 3, 31)).amount == Money.tenge(2_651)
    assert mrp_on(date(2020, 4, 1)).amount == Money.tenge(2_778)


@pytest.mark.parametrize("day", [date(2017, 12, 31), date(2027, 1, 1), date(1999, 6, 1)])
def test_a_date_outside_the_table_is_refused_not_extrapolated(day: date) -> None:
    with pytest.raises(FeeRequestInvalid) as refused:
        mrp_on(day)
    assert refused.value.code == "mrp_unknown"
    assert refused.value.details == {"date": day.isoformat()}
    assert str(refused.value) == (f"the MRP for {day.isoformat()} is not in the rate table "
                                  "(known 2018-01-01 to 2026-12-31)")


def test_a_period_of_one_day_is_a_period() -> None:
    one_day = MrpPeriod(date(2030, 1, 1), date(2030, 1, 1), Money.tenge(5_000), False)
    assert one_day.starts == one_day.ends


@pytest.mark.parametrize("bad", [
    lambda: MrpPeriod(date(2030, 1, 2), date(2030, 1, 1), Money.tenge(5_000), False),
    lambda: MrpPeriod(date(2030, 1, 1), date(2030, 12, 31), Money.zero(), False),
    lambda: MrpPeriod(date(2030, 1, 1), date(2030, 12, 31), Money.tenge(-1), False),
], ids=["ends-before-it-starts", "zero-amount", "negative-amount"])
def test_an_impossible_period_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="bad MRP period"):
        bad()  # type: ignore[operator]
