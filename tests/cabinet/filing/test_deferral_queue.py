"""The requests to defer the duty that await a judge (art. 135), on both databases: each judge sees those
of their own cases only, until decided; a request for instalments is planned from today, and the due
date offered is the one asked for or the last instalment's — a date the grant accepts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cabinet.eds.profile import parse_identity
from cabinet.fee_instalments import month_after
from cabinet.filing.deferral_queue import PendingDeferral, deferral_to_decide, pending_deferrals
from cabinet.identity.principal import Principal
from cabinet.identity.users import UserService
from cabinet.money import Money
from core.clock import COURT_TIME, SystemClock
from tests.cabinet.filing.conftest import Court, claim_body, pdf

HARDSHIP = "I lost my job in October"


async def principal(court: Court, who: str) -> Principal:
    iin = parse_identity(getattr(court.cast, who).auth.certificate).iin
    assert iin is not None
    async with court.db.transaction() as session:
        users = UserService(session, SystemClock())
        user = await users.get_by_iin(iin)
        return Principal(user.id, user.iin, user.common_name, await users.grants_of(user.id), 0)


async def deferred(court: Court, **ask: Any) -> tuple[int, str]:
    """A claim (duty 10 000 ₸) with a deferral asked, submitted and registered: (filing id, its judge)."""
    draft = await court.create("alice", claim_body("850505300456"))
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    assert (await court.post("alice", f"/api/v1/filings/{draft['id']}/deferral",
                             {"reason": HARDSHIP, **ask})).status == 201
    assert (await court.post("alice", f"/api/v1/filings/{draft['id']}/submit")).status == 200
    response = await court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/register")
    assert response.status == 200, await response.text()
    case = await (await court.get("clerk", f"/api/v1/cases/{(await response.json())['case_number']}")).json()
    return int(draft["id"]), "judge" if case["judge"]["name"].startswith("СУДЬЯЕВ") else "judge2"


async def pending(court: Court, who: str) -> list[PendingDeferral]:
    async with court.db.transaction() as session:
        return await pending_deferrals(session, court.app.clock, await principal(court, who))


async def test_each_judge_sees_the_requests_of_their_own_cases_until_decided(court: Court) -> None:
    first, first_judge = await deferred(court)
    second, second_judge = await deferred(court)
    assert first_judge != second_judge, "the second case goes to the less loaded judge"
    assert [p.filing_id for p in await pending(court, first_judge)] == [first]
    assert [p.filing_id for p in await pending(court, second_judge)] == [second]
    for outsider in ("clerk", "alice"):
        assert await pending(court, outsider) == []
    due = (court.app.clock.now().astimezone(COURT_TIME).date() + timedelta(days=30)).isoformat()
    response = await court.post(first_judge, f"/api/v1/staff/filings/{first}/deferral",
                                {"decision": "grant", "due_date": due})
    assert response.status == 200, await response.text()
    assert await pending(court, first_judge) == []
    assert [p.filing_id for p in await pending(court, second_judge)] == [second]


async def test_instalments_are_planned_from_today_and_offer_the_last_date(court: Court) -> None:
    filing_id, judge = await deferred(court, instalments=4)
    today = court.app.clock.now().astimezone(COURT_TIME).date()
    [request] = await pending(court, judge)
    assert (request.reason, request.instalments, request.requested_until) == (HARDSHIP, 4, None)
    assert request.owed == Money(1_000_000)
    assert [part.due for part in request.plan] == [month_after(today, n) for n in (1, 2, 3, 4)]
    assert sum(part.amount.tiyn for part in request.plan) == 1_000_000
    assert request.suggested_due == month_after(today, 4)
    async with court.db.transaction() as session:
        shown = await deferral_to_decide(session, court.app.clock, filing_id, await principal(court, judge))
    assert shown == request


async def test_a_request_for_one_date_offers_that_date(court: Court) -> None:
    until = court.app.clock.now().astimezone(COURT_TIME).date() + timedelta(days=50)
    _, judge = await deferred(court, until=until.isoformat())
    [request] = await pending(court, judge)
    assert request.plan == () and request.suggested_due == until


async def test_a_request_leaving_the_date_to_the_court_offers_none(court: Court) -> None:
    _, judge = await deferred(court)
    [request] = await pending(court, judge)
    assert request.plan == () and request.suggested_due is None
