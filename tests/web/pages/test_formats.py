"""Dates in court time and money in tenge, as each language writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from web.i18n.formats import court_date, court_datetime, court_time, tenge


def test_a_utc_moment_is_shown_in_court_time_in_each_language() -> None:
    moment = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)  # 10:00 in Astana
    assert court_datetime(moment, "ru") == "1 марта 2026\u202fг., 10:00"
    assert court_datetime(moment, "kk") == "2026\u202fж. 1 наурыз, 10:00"
    assert court_datetime(moment, "en") == "March 1, 2026, 10:00"


def test_late_evening_utc_is_already_the_next_day_in_court() -> None:
    moment = datetime(2026, 12, 31, 20, 30, tzinfo=UTC)
    assert court_date(moment, "en") == "January 1, 2027"
    assert court_time(moment, "ru") == "01:30"


def test_a_reader_elsewhere_still_sees_court_time() -> None:
    in_new_york = datetime(2026, 3, 1, 0, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert court_time(in_new_york, "en") == "10:00"
    assert court_date(date(2026, 3, 1), "kk") == "2026\u202fж. 1 наурыз"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        court_datetime(datetime(2026, 3, 1, 10, 0), "ru")


def test_tenge_per_locale() -> None:
    assert tenge(123456750, "ru") == "1\xa0234\xa0567,50\xa0₸"
    assert tenge(123456750, "kk") == "1\xa0234\xa0567,50\xa0₸"
    assert tenge(123456750, "en") == "₸1,234,567.50"
    assert tenge(-5, "en") == "-₸0.05"


def test_money_is_integer_tiyn_only() -> None:
    with pytest.raises(TypeError):
        tenge(12.5, "ru")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tenge(True, "ru")
    with pytest.raises(ValueError):
        tenge(100, "de")


@given(st.integers(min_value=0, max_value=10**15))
def test_tenge_keeps_every_tiyn(tiyn: int) -> None:
    shown = tenge(tiyn, "en")
    assert int(shown.replace("₸", "").replace(",", "").replace(".", "")) == tiyn
