"""Hearings of a closed-category case follow the case's access rules: its judge, the court's clerks,
the parties and their representatives see them; the court's other judges and its administrator do
not, and outsiders are told there is no such hearing (404, never a tell-tale 403)."""

from __future__ import annotations

from tests.cabinet.conftest import cabinet_app, cast  # noqa: F401
from tests.cabinet.filing.conftest import Court, court, registered_case  # noqa: F401
from tests.sessions.hearing_world import book, booking, when


async def _closed_category_hearing(court: Court) -> tuple[str, str, int]:  # noqa: F811
    _, number = await registered_case(court, category="03")  # family matters: a closed category
    for judge in ("judge", "judge2"):
        if (await court.post(judge, f"/api/v1/staff/cases/{number}/accept")).status == 200:
            other = "judge2" if judge == "judge" else "judge"
            hearing = await book(court, booking(number, when(court)))
            return judge, other, int(hearing["id"])
    raise AssertionError("neither judge could accept the case")


async def test_a_closed_category_hearing_is_shown_only_to_those_the_case_admits(court: Court) -> None:  # noqa: F811
    judge, other_judge, hearing = await _closed_category_hearing(court)

    for who in (judge, "clerk", "alice", "bob", "lawyer"):
        response = await court.get(who, f"/api/v1/hearings/{hearing}")
        assert response.status == 200, (who, await response.text())
        assert (await response.json())["access"] == "full", who
    for who in (other_judge, "admin", "carol"):
        response = await court.get(who, f"/api/v1/hearings/{hearing}")
        assert response.status == 404, (who, await response.text())
        assert (await response.json())["error"]["code"] == "hearing_not_found"


async def test_the_minutes_of_a_closed_category_hearing_are_not_for_the_courts_other_judges(
    court: Court,  # noqa: F811
) -> None:
    _, other_judge, hearing = await _closed_category_hearing(court)

    assert (await court.get(other_judge, f"/api/v1/hearings/{hearing}/minutes")).status == 404
    assert (await court.get("admin", f"/api/v1/hearings/{hearing}/minutes")).status == 404
    assert (await court.get("carol", f"/api/v1/hearings/{hearing}/minutes")).status == 404
    assert (await court.get("clerk", f"/api/v1/hearings/{hearing}/minutes")).status == 200
