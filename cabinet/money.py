"""Amounts of tenge as a whole number of tiyn (1 tenge = 100 tiyn).

Court fees are percentages of claim amounts and fractions of the MRP; doing that in ``float``
gives answers a bank reconciliation will reject (``0.3 * 4325`` is not ``1297.5`` in binary).
So an amount is an ``int`` of tiyn, arithmetic on it is exact, and the only inexact operation —
multiplying by a rate — goes through :class:`decimal.Decimal` and rounds **half-up to a whole
tiyn** (``ROUND_HALF_UP``: 0.5 tiyn and above goes away from zero). That is the rule the state
duty is computed with; nothing else in the cabinet rounds.

Parsing is strict on purpose: a person typing ``1 500 000,505`` has made a mistake, and
guessing which tiyn they meant would put a wrong amount on a court record. Accepted input:
an optional minus, digits optionally grouped by spaces (regular, no-break or narrow no-break),
and an optional fraction of one or two digits after ``.`` or ``,``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from cabinet.errors import InvalidMoney

logger = logging.getLogger(__name__)

TIYN_PER_TENGE = 100
CURRENCY_SIGN = "₸"
NBSP = "\u00a0"

_AMOUNT = re.compile(
    r"(?P<sign>-)?(?P<whole>\d{1,3}(?:[ \u00a0\u202f]?\d{3})*)(?:[.,](?P<frac>\d{1,2}))?", re.ASCII
)
_ONE_TIYN = Decimal(1)


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An exact amount of Kazakhstani tenge in tiyn; negative amounts exist for refunds and differences."""

    tiyn: int

    def __post_init__(self) -> None:
        if isinstance(self.tiyn, bool) or not isinstance(self.tiyn, int):
            raise InvalidMoney(f"an amount must be a whole number of tiyn, got {self.tiyn!r}")

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def tenge(cls, whole: int) -> Money:
        """A whole number of tenge; for literals in code and tests."""
        if isinstance(whole, bool) or not isinstance(whole, int):
            raise InvalidMoney(f"whole tenge must be an int, got {whole!r}")
        return cls(whole * TIYN_PER_TENGE)

    @classmethod
    def from_decimal(cls, tenge: Decimal) -> Money:
        """Exact conversion; an amount with a fraction of a tiyn is refused rather than rounded."""
        if not isinstance(tenge, Decimal) or not tenge.is_finite():
            raise InvalidMoney(f"not a finite decimal amount: {tenge!r}")
        tiyn = tenge * TIYN_PER_TENGE
        if tiyn != tiyn.to_integral_value():
            raise InvalidMoney(f"{tenge} tenge is not a whole number of tiyn", details={"value": str(tenge)})
        return cls(int(tiyn))

    @classmethod
    def parse(cls, text: str) -> Money:
        """Read an amount typed by a person or sent in JSON: ``"1500000.50"``, ``"1 500 000,50"``."""
        if not isinstance(text, str):
            raise InvalidMoney(f"an amount must be given as a string, got {type(text).__name__}")
        cleaned = text.strip().removesuffix(CURRENCY_SIGN).strip()
        match = _AMOUNT.fullmatch(cleaned)
        if match is None:
            raise InvalidMoney(
                f"{text!r} is not an amount of tenge (digits, optional space grouping, at most two decimals)",
                details={"value": text},
            )
        whole = int(re.sub(r"\D", "", match["whole"]))
        frac = (match["frac"] or "").ljust(2, "0")
        tiyn = whole * TIYN_PER_TENGE + int(frac or "0")
        return cls(-tiyn if match["sign"] else tiyn)

    def to_decimal(self) -> Decimal:
        """Tenge with exactly two decimal places, e.g. ``Decimal("1297.50")``."""
        return (Decimal(self.tiyn) / TIYN_PER_TENGE).quantize(Decimal("0.01"))

    def to_json(self) -> str:
        """The API form: a string so no JSON reader turns it into a float, ``"1297.50"``."""
        return str(self.to_decimal())

    def format(self) -> str:
        """How a person reads it on a receipt: ``"1 500 000,50 ₸"`` with no-break spaces."""
        whole, frac = divmod(abs(self.tiyn), TIYN_PER_TENGE)
        grouped = f"{whole:,}".replace(",", NBSP)
        sign = "-" if self.tiyn < 0 else ""
        return f"{sign}{grouped},{frac:02d}{NBSP}{CURRENCY_SIGN}"

    def __str__(self) -> str:
        return self.to_json()

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.tiyn + other.tiyn)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.tiyn - other.tiyn)

    def __neg__(self) -> Money:
        return Money(-self.tiyn)

    def __bool__(self) -> bool:
        return self.tiyn != 0

    def is_positive(self) -> bool:
        return self.tiyn > 0

    def times(self, factor: int | Decimal) -> Money:
        """Multiply by a count or a rate, rounding half-up to a whole tiyn (the state-duty rule)."""
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            raise InvalidMoney(f"a factor must be an int or a Decimal, got {factor!r}")
        if isinstance(factor, int):
            return Money(self.tiyn * factor)
        if not factor.is_finite():
            raise InvalidMoney(f"a factor must be finite, got {factor!r}")
        exact = Decimal(self.tiyn) * factor
        return Money(int(exact.quantize(_ONE_TIYN, rounding=ROUND_HALF_UP)))

    def percent(self, rate: Decimal) -> Money:
        """``rate`` per cent of this amount, half-up to a whole tiyn (``percent(Decimal(1))`` is 1 %)."""
        if not isinstance(rate, Decimal):
            raise InvalidMoney(f"a percentage rate must be a Decimal, got {rate!r}")
        try:
            return self.times(rate / 100)
        except InvalidOperation as exc:
            raise InvalidMoney(f"not a percentage rate: {rate!r}") from exc
