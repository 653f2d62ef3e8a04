"""GET /api/v1/public/hearings?court=&date=: a court's hearings of one day, as the public may read them.

Specification (the policy table is in sessions/public/calendar.py):
- the day is the court's local day (UTC+5); default today by the court's clock;
- an open hearing of an open case lists its parties as courts print them (surname and initials for
  people, names of organisations), never an IIN or BIN, never representatives;
- a hearing closed to the public lists the case number and category only;
- a closed-category case shows only that the courtroom is busy: no number, kind, category or parties;
- a missing or malformed court or date is a 400, an unknown court a 404.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.db import Database
from sessions.public.calendar import published_name
from tests.cabinet.conftest import DEMO_COURT, CabinetApp, Cast, seed_court
from tests.sessions.public.conftest import ALICE, BOB, Party, add_case, add_hearing

URL = "/api/v1/public/hearings"
KZ = timedelta(hours=5)
DAY = "2026-03-10"
MORNING = datetime(2026, 3, 10, 10, 0, tzinfo=UTC) - KZ  # 10:00 in Almaty


@pytest.fixture
async def court(cabinet_app: CabinetApp, cast: Cast, db: Database) -> CabinetApp:
    await seed_court(db, cast)
    return cabinet_app


async def _list(app: CabinetApp, query: str) -> tuple[int, Any]:
    response = await app.client.get(f"{URL}?{query}")
    return response.status, await response.json()


async def test_the_days_list_publishes_each_row_by_its_case_and_hearing(court: CabinetApp, db: Database) -> None:
    acme = Party("third_party", "«АКМЕ» ЖШС", bin="120340001234")
    counsel = Party("representative", "АДВОКАТОВ АРМАН", iin="880404300234")
    open_case = await add_case(db, "7594-26-01-2/000001", parties=(acme, counsel))
    private = await add_case(db, "7594-26-02-2/000002", category="02")
    family = await add_case(db, "7594-26-03-2/000003", category="03", closed=True)
    await add_hearing(db, open_case.id, MORNING, room="Зал 1", format_="online")
    await add_hearing(db, private.id, MORNING + timedelta(hours=1), room="Зал 2", is_open=False)
    await add_hearing(db, family.id, MORNING + timedelta(hours=2), room="Зал 1", is_open=False)

    status, body = await _list(court, f"court=7594&date={DAY}")

    assert status == 200, body
    assert body["court"]["code"] == "7594" and body["court"]["name"]["en"] == DEMO_COURT.name_en
    assert body["date"] == DAY and body["timezone"] == "+05:00"
    first, second, third = body["hearings"]
    assert first == {
        "start": "2026-03-10T05:00:00+00:00", "end": "2026-03-10T06:00:00+00:00", "duration_minutes": 60,
        "courtroom": "Зал 1", "format": "online", "open": True, "state": "scheduled",
        "judge": {"name": "СУДЬЯЕВ САПАР"}, "closed_category": False,
        "case": {"number": "7594-26-01-2/000001", "case_kind": "civil",
                 "category": {"code": "01", "title": "Contract and property disputes"}},
        "parties": [{"role": "plaintiff", "name": "ӘЛИЕВА А."}, {"role": "defendant", "name": "БЕКОВ Б."},
                    {"role": "third_party", "name": "«АКМЕ» ЖШС"}],
    }
    assert second["case"]["number"] == "7594-26-02-2/000002" and second["open"] is False
    assert second["parties"] is None
    assert third["case"] is None and third["parties"] is None
    assert third["closed_category"] is True and third["courtroom"] == "Зал 1"
    text = json.dumps(body, ensure_ascii=False)
    for secret in (*ALICE, *BOB, "АДВОКАТОВ", "120340001234", "880404300234", "000003", "Recovery"):
        assert secret not in text


async def test_the_day_is_the_courts_local_day(court: CabinetApp, db: Database) -> None:
    case = await add_case(db, "7594-26-01-2/000001")
    local_midnight = datetime(2026, 3, 10, tzinfo=UTC) - KZ
    await add_hearing(db, case.id, local_midnight - timedelta(minutes=30))  # 23:30 on the 9th, local
    inside = await add_hearing(db, case.id, local_midnight)  # 00:00 on the 10th, local
    await add_hearing(db, case.id, local_midnight + timedelta(hours=23, minutes=59))
    await add_hearing(db, case.id, local_midnight + timedelta(days=1))  # 00:00 on the 11th

    _, body = await _list(court, f"court=7594&date={DAY}")

    assert [h["start"] for h in body["hearings"]] == ["2026-03-09T19:00:00+00:00", "2026-03-10T18:59:00+00:00"]
    assert inside


async def test_without_a_date_the_list_is_of_today_in_court_time(court: CabinetApp, db: Database) -> None:
    case = await add_case(db, "7594-26-01-2/000001")
    court.clock.set(datetime(2026, 3, 10, 20, 0, tzinfo=UTC))  # already 01:00 on the 11th in Almaty
    await add_hearing(db, case.id, datetime(2026, 3, 11, 4, 0, tzinfo=UTC))

    status, body = await _list(court, "court=7594")

    assert status == 200 and body["date"] == "2026-03-11"
    assert len(body["hearings"]) == 1


async def test_cancelled_and_adjourned_hearings_stay_listed_with_their_state(court: CabinetApp,
                                                                              db: Database) -> None:
    case = await add_case(db, "7594-26-01-2/000001")
    await add_hearing(db, case.id, MORNING, state="cancelled")
    await add_hearing(db, case.id, MORNING + timedelta(hours=3), state="adjourned")

    _, body = await _list(court, f"court=7594&date={DAY}")

    assert [h["state"] for h in body["hearings"]] == ["cancelled", "adjourned"]


async def test_a_day_without_hearings_is_an_empty_list(court: CabinetApp) -> None:
    status, body = await _list(court, "court=7594&date=2026-01-01")

    assert status == 200 and body["hearings"] == []


@pytest.mark.parametrize(("query", "status", "code"), [
    ("date=2026-03-10", 400, "invalid_query"),
    ("court=&date=2026-03-10", 400, "invalid_query"),
    ("court=75%2094", 400, "invalid_court_code"),
    ("court=7594'--", 400, "invalid_court_code"),
    ("court=x", 400, "invalid_court_code"),
    ("court=9999", 404, "court_not_found"),
    ("court=7594&date=2026-02-30", 400, "invalid_date"),
    ("court=7594&date=tomorrow", 400, "invalid_date"),
    ("court=7594&date=20260310", 400, "invalid_date"),
    ("court=7594&date=2026-03-10T00:00", 400, "invalid_date"),
    ("court=7594&date=10.03.2026", 400, "invalid_date"),
    ("court=9999&date=nonsense", 400, "invalid_date"),
    ("court=7594&court=7595", 400, "repeated_parameter"),
    ("court=7594&page=2", 400, "unknown_parameter"),
])
async def test_bad_queries_are_refused_with_a_code(court: CabinetApp, query: str, status: int, code: str) -> None:
    got, body = await _list(court, query)

    assert got == status, body
    assert body["error"]["code"] == code
    assert body["error"]["message"]


@pytest.mark.parametrize(("name", "organisation", "printed"), [
    ("ӘЛИЕВА АЛИЯ ҚАНАТҚЫЗЫ", False, "ӘЛИЕВА А. Қ."),
    ("БЕКОВ  БОЛАТ", False, "БЕКОВ Б."),
    ("MADONNA", False, "MADONNA"),
    ("«АКМЕ»   ЖШС", True, "«АКМЕ» ЖШС"),
])
def test_how_a_party_is_printed(name: str, organisation: bool, printed: str) -> None:
    assert published_name(name, organisation=organisation) == printed
