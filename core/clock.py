"""Time as a dependency.

Rules (certificate validity, nonce expiry, hearing lifecycle) take a :class:`Clock` instead of
calling ``datetime.now`` so tests can stand at any instant, and so every timestamp is UTC-aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol

COURT_TIME_ZONE = "Asia/Almaty"
"""Court time's IANA name, for readers that format times themselves: the pages' scripts pass it to
``Intl.DateTimeFormat``, since a browser left to its own zone would show a judge abroad other times
than the page's header and the minutes (the tz database has Asia/Almaty at UTC+5 since 2024a)."""

COURT_TIME = timezone(timedelta(hours=5), COURT_TIME_ZONE)
"""Court time: Kazakhstan has kept one time zone, UTC+5, since 1 March 2024. Timestamps are stored in
UTC; court time is for what people read (notices, calendars, counters that restart each year)."""


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that stands still until told to move; for tests and deterministic tooling."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 15, 9, 0, tzinfo=UTC))

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self.current = when


def utcnow() -> datetime:
    return datetime.now(UTC)
