"""Dates, times and money as people in each language write them.

Times are stored in UTC and always shown in court time (:data:`core.clock.COURT_TIME`), whatever
the reader's own clock says: a summons for 10:00 means 10:00 in the courtroom. Money is integer
tiyn; tenge are shown with the locale's grouping and the ₸ sign.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal

from core.clock import COURT_TIME

_BABEL_LOCALE = {"kk": "kk_KZ", "ru": "ru_KZ", "en": "en"}


def _locale(language: str) -> str:
    try:
        return _BABEL_LOCALE[language]
    except KeyError:
        raise ValueError(f"unknown language {language!r}") from None


def court_datetime(moment: datetime, language: str) -> str:
    """``1 марта 2026 г., 10:00`` — the date and the time in court time."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place in court time")
    local = moment.astimezone(COURT_TIME)
    locale = _locale(language)
    return f"{format_date(local.date(), 'long', locale=locale)}, {format_time(local, 'HH:mm', locale=locale)}"


def court_date(day: date | datetime, language: str) -> str:
    if isinstance(day, datetime):
        if day.tzinfo is None:
            raise ValueError("a naive datetime has no place in court time")
        day = day.astimezone(COURT_TIME).date()
    return format_date(day, "long", locale=_locale(language))


def court_time(moment: datetime, language: str) -> str:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place in court time")
    return format_time(moment.astimezone(COURT_TIME), "HH:mm", locale=_locale(language))


def tenge(tiyn: int, language: str) -> str:
    """``1 234 567,50 ₸`` (kk, ru) or ``₸1,234,567.50`` (en), from integer tiyn."""
    if isinstance(tiyn, bool) or not isinstance(tiyn, int):
        raise TypeError("money is integer tiyn")
    amount = Decimal(tiyn) / 100
    locale = _locale(language)
    if language == "en":
        # Babel's English has no symbol for the tenge; readers in Kazakhstan know it as ₸.
        sign = "-" if amount < 0 else ""
        return f"{sign}₸{format_decimal(abs(amount), '#,##0.00', locale=locale)}"
    return format_currency(amount, "KZT", locale=locale)
