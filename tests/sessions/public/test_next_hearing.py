"""The next hearing in the public case lookup: the first hearing not yet over and not called off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.db import Database
from tests.cabinet.conftest import CabinetApp, Cast, seed_court
from tests.sessions.public.conftest import add_case, add_hearing

NUMBER = "7594-26-01-2/000001"
NOW = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)


@pytest.fixture
async def court(cabinet_app: CabinetApp, cast: Cast, db: Database) -> CabinetApp:
    await seed_court(db, cast)
    cabinet_app.clock.set(NOW)
    return cabinet_app


async def _next(app: CabinetApp) -> object:
    response = await app.client.get(f"/api/v1/public/cases/{NUMBER}")
    assert response.status == 200
    return (await response.json())["next_hearing"]


async def test_past_and_called_off_hearings_are_skipped_for_the_next_one(court: CabinetApp, db: Database) -> None:
    case = await add_case(db, NUMBER, status="scheduled")
    await add_hearing(db, case.id, NOW - timedelta(days=7), state="closed")
    await add_hearing(db, case.id, NOW - timedelta(hours=3), state="scheduled")  # never held, already over
    await add_hearing(db, case.id, NOW + timedelta(hours=1), state="cancelled")
    await add_hearing(db, case.id, NOW + timedelta(days=2), room="Зал 2")
    await add_hearing(db, case.id, NOW + timedelta(days=1), minutes=90, is_open=False, format_="in_courtroom")

    assert await _next(court) == {
        "start": "2026-03-11T06:00:00+00:00", "end": "2026-03-11T07:30:00+00:00", "duration_minutes": 90,
        "courtroom": "Зал 1", "format": "in_courtroom", "open": False}


async def test_a_hearing_in_session_is_the_next_one_even_past_its_booked_end(court: CabinetApp,
                                                                              db: Database) -> None:
    case = await add_case(db, NUMBER, status="scheduled")
    await add_hearing(db, case.id, NOW - timedelta(hours=2), minutes=60, state="in_session")
    await add_hearing(db, case.id, NOW + timedelta(days=1))

    hearing = await _next(court)

    assert isinstance(hearing, dict) and hearing["start"] == "2026-03-10T04:00:00+00:00"


async def test_without_upcoming_hearings_there_is_none(court: CabinetApp, db: Database) -> None:
    case = await add_case(db, NUMBER, status="heard")
    await add_hearing(db, case.id, NOW - timedelta(days=1), state="closed")

    assert await _next(court) is None
