"""The clerk's search: filters, paging, refusals, and the query plan on 10,000 recordings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text

from cabinet.filing.models import Case
from recordings.models import RecordingRow
from recordings.retrieval import Search, search_query
from tests.signaling.conftest import Courthouse

BASE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
COUNT = 10_000


async def fill(h: Courthouse, hearing: int) -> None:
    """10,000 sealed recordings over two courts, eight courtrooms, five judges and 400 days."""
    async with h.court.db.transaction() as session:
        case = await session.scalar(select(Case).where(Case.number == h.case_number))
        assert case is not None
        court_id = case.court_id
        rows: list[dict[str, Any]] = []
        for i in range(COUNT):
            started = BASE + timedelta(hours=i)
            rows.append({"hearing_id": hearing, "case_id": case.id, "case_number": f"7594-26-01-2/{i % 2000:06d}",
                         "court_id": court_id, "court_code": "7594" if i % 3 else "7599",
                         "courtroom": f"Зал {i % 8}", "judge_user_id": h.ids["judge"] if i % 5 == 0 else None,
                         "is_open": True, "state": "sealed", "started_at": started,
                         "ended_at": started + timedelta(minutes=40), "ended_abnormally": False,
                         "directory": f"/nonexistent/{i}", "owner": "fixture", "lease_until": started,
                         "access_granted": False})
        await session.execute(insert(RecordingRow), rows)
        if h.court.db.dialect == "postgresql":
            await session.execute(text("ANALYZE recordings"))


async def test_clerks_search_by_case_court_courtroom_judge_and_dates_paged(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff"})
    await fill(h, hearing)

    async def search(who: str, query: str) -> Any:
        response = await h.court.get(who, "/api/v1/recordings?" + query)
        return response.status, await response.json()

    status, page = await search("clerk", "case=7594-26-01-2/000007")
    assert status == 200 and page["total"] == 3  # 7, 4007, 6007 (2007 and 8007 are court 7599's)
    assert all(r["case_number"] == "7594-26-01-2/000007" and r["court"] == "7594" for r in page["items"])
    status, page = await search("clerk", f"courtroom=Зал 3&judge={h.ids['judge']}&per_page=7&page=2")
    assert status == 200 and len(page["items"]) == 7 and page["page"] == 2
    assert all(r["courtroom"] == "Зал 3" and r["judge_user_id"] == h.ids["judge"] for r in page["items"])
    start, end = BASE + timedelta(days=10), BASE + timedelta(days=11)
    status, page = await search("clerk", f"from={start.isoformat().replace('+', '%2B')}"
                                         f"&to={end.isoformat().replace('+', '%2B')}&per_page=100")
    assert status == 200 and 0 < page["total"] <= 25
    starts = [r["started_at"] for r in page["items"]]
    assert starts == sorted(starts, reverse=True)
    status, page = await search("clerk", "court=7599")
    assert status == 200 and page["total"] == 0, "the clerk of 7594 does not see another court's recordings"

    for query, field in (("page=0", "page"), ("per_page=101", "page"), ("from=yesterday", "from"),
                         ("from=2026-01-05T09:00:00", "from"), ("judge=abc", "judge"),
                         ("from=2026-02-01T00:00:00%2B00:00&to=2026-01-01T00:00:00%2B00:00", "from")):
        status, body = await search("clerk", query)
        assert status == 400 and body["error"]["code"] == "invalid_recording_request", query
        assert body["error"]["details"]["field"] == field, query
    status, body = await search("alice", "case=" + h.case_number)
    assert status == 403 and body["error"]["code"] == "not_court_staff"
    assert (await h.court.get(None, "/api/v1/recordings")).status == 401

    if h.court.db.dialect == "postgresql":
        for label, query in (
            ("court + dates", Search(court_code="7594", start_from=start, start_to=end)),
            ("case", Search(case_number="7594-26-01-2/000007")),
            ("judge + dates", Search(judge_user_id=h.ids["judge"], start_from=start, start_to=end)),
            ("court + courtroom", Search(court_code="7594", courtroom="Зал 3")),
        ):
            statement = search_query(query, frozenset({"7594"})).order_by(
                RecordingRow.started_at.desc(), RecordingRow.id.desc()).limit(20)
            compiled = statement.compile(dialect=h.court.db.engine.dialect, compile_kwargs={"literal_binds": True})
            async with h.court.db.transaction() as session:
                plan = "\n".join(r[0] for r in await session.execute(text(f"EXPLAIN {compiled}")))
            print(f"\n-- {label} on {COUNT} recordings:\n{plan}")
            assert "Index" in plan and "Seq Scan on recordings" not in plan, plan
