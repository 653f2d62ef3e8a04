"""The monthly calculation index (MRP) by date: set each year by the budget law; duties are counted in it.

The MRP of the payment date applies (Tax Code No. 214-VIII, art. 664(2)). Outside the table the MRP
is unknown and never extrapolated: a quote for such a date is refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from cabinet.errors import FeeRequestInvalid
from cabinet.money import Money

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MrpPeriod:
    """The monthly calculation index in force from ``starts`` to ``ends`` inclusive (set by the budget law)."""

    starts: date
    ends: date
    amount: Money
    verified: bool

    def __post_init__(self) -> None:
        if self.ends < self.starts or not self.amount.is_positive():
            raise ValueError(f"bad MRP period {self.starts}..{self.ends}")


def _year(year: int, tenge: int, verified: bool) -> MrpPeriod:
    return MrpPeriod(date(year, 1, 1), date(year, 12, 31), Money.tenge(tenge), verified)


MRP_TABLE: tuple[MrpPeriod, ...] = (
    _year(2018, 2_405, False),
    _year(2019, 2_525, False),
    MrpPeriod(date(2020, 1, 1), date(2020, 3, 31), Money.tenge(2_651), False),
    MrpPeriod(date(2020, 4, 1), date(2020, 12, 31), Money.tenge(2_778), False),
    _year(2021, 2_917, False),
    MrpPeriod(date(2022, 1, 1), date(2022, 3, 31), Money.tenge(3_063), False),
    MrpPeriod(date(2022, 4, 1), date(2022, 12, 31), Money.tenge(3_180), False),
    _year(2023, 3_450, True),
    _year(2024, 3_692, False),
    _year(2025, 3_932, True),
    _year(2026, 4_325, True),
)


def mrp_on(on: date) -> MrpPeriod:
    """The MRP in force on a date; outside the table it is unknown, never extrapolated."""
    for period in MRP_TABLE:
        if period.starts <= on <= period.ends:
            return period
    raise FeeRequestInvalid(
        f"the MRP for {on.isoformat()} is not in the rate table "
        f"(known {MRP_TABLE[0].starts.isoformat()} to {MRP_TABLE[-1].ends.isoformat()})",
        code="mrp_unknown",
        details={"date": on.isoformat()},
    )
