"""The Range header parser: every satisfiable range lands inside the file; anything else is 416."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recordings.errors import RangeNotSatisfiable
from recordings.ranges import MAX_RANGES, parse_range


def test_the_forms_a_player_sends() -> None:
    assert parse_range(None, 1000) is None
    assert parse_range("bytes=0-99", 1000) == [(0, 99)]
    assert parse_range("bytes=500-", 1000) == [(500, 999)]
    assert parse_range("bytes=-100", 1000) == [(900, 999)]
    assert parse_range("bytes=-5000", 1000) == [(0, 999)]
    assert parse_range("bytes=990-2000", 1000) == [(990, 999)]
    assert parse_range("bytes=0-0, 10-19, -1", 1000) == [(0, 0), (10, 19), (999, 999)]
    assert parse_range("items=0-1", 1000) is None


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5-1", "bytes=", "bytes=a-b", "bytes=1-2-3", "bytes=-0",
                                    "bytes=0-1,,2-3", "bytes= - ", "bytes=" + ",".join(["0-1"] * (MAX_RANGES + 1))])
def test_unsatisfiable_or_malformed_is_416(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 1000)


@given(size=st.integers(0, 10**9), header=st.text(max_size=40))
def test_any_header_either_fits_the_file_or_is_refused(size: int, header: str) -> None:
    try:
        ranges = parse_range(header, size)
    except RangeNotSatisfiable:
        return
    if ranges is None:
        return
    assert ranges and all(0 <= first <= last < size for first, last in ranges)


@given(size=st.integers(1, 10**6), data=st.data())
def test_valid_ranges_are_clipped_never_lost(size: int, data: st.DataObject) -> None:
    first = data.draw(st.integers(0, size - 1))
    last = data.draw(st.integers(first, size * 2))
    assert parse_range(f"bytes={first}-{last}", size) == [(first, min(last, size - 1))]
