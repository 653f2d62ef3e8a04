"""Concurrent submissions and registrations get unique, gap-free numbers (run on PostgreSQL and SQLite)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from cabinet.filing.models import Case, JudgeAssignment
from tests.cabinet.filing.conftest import Court, attach_exemption_proof, claim_body, confirm_exemption, pdf

N = 24


async def test_concurrent_submissions_and_registrations_get_unique_numbers(court: Court) -> None:
    drafts = [await court.create("alice", claim_body("850505300456", exemption="labour", title=f"Claim {i}"))
              for i in range(N)]
    for draft in drafts:
        assert (await court.upload("alice", draft["id"], pdf(f"claim {draft['id']}"))).status == 201
        await attach_exemption_proof(court, "alice", draft["id"])

    submitted = await asyncio.gather(*(court.post("alice", f"/api/v1/filings/{d['id']}/submit") for d in drafts))
    assert [r.status for r in submitted] == [200] * N
    incoming = [(await r.json())["incoming_number"] for r in submitted]
    assert sorted(int(n.rsplit("/", 1)[1]) for n in incoming) == list(range(1, N + 1))

    for draft in drafts:
        await confirm_exemption(court, draft["id"])
    registered = await asyncio.gather(*(court.post("clerk", f"/api/v1/staff/filings/{d['id']}/register")
                                        for d in drafts))
    assert [r.status for r in registered] == [200] * N, [await r.text() for r in registered if r.status != 200]
    numbers = [(await r.json())["case_number"] for r in registered]
    assert len(set(numbers)) == N
    assert sorted(int(n.rsplit("/", 1)[1]) for n in numbers) == list(range(1, N + 1))

    async with court.db.sessions() as session:
        assert len(set(await session.scalars(select(Case.number)))) == N
        judges = list(await session.scalars(select(JudgeAssignment.judge_id)))
    assert len(judges) == N
    counts = sorted(judges.count(j) for j in set(judges))
    assert counts == [N // 2, N // 2], "least-loaded assignment keeps the two judges level"
