"""A filing attached to a case stays with that case's court.

The attack: attach a motion to court A's case, then ``PATCH`` its court to B; B's clerk would then
register documents into A's case. The change is refused (detach first), and a row that got there
some other way is refused at registration by B's clerk.
"""

from __future__ import annotations

from sqlalchemy import update

from cabinet.courts import CourtSpec, CourtStore
from cabinet.eds.profile import parse_identity
from cabinet.filing.models import Filing
from cabinet.identity.roles import Role
from cabinet.identity.users import PersonName, UserService
from core.clock import SystemClock
from tests.cabinet.filing.conftest import Court, pdf, registered_case

OTHER = CourtSpec("1990", "Астана", "Астана соты", "Суд Астаны", "Astana Court")


async def _other_court_with_clerk(court: Court) -> None:
    identity = parse_identity(court.cast.carol.auth.certificate)
    assert identity.iin is not None
    async with court.db.transaction() as session:
        await CourtStore(session).add(OTHER)
        await UserService(session, SystemClock()).grant(PersonName(identity.iin, identity.common_name), Role.CLERK,
                                                        "1990", granter=None, actor="cli:test")
    court.heads.pop("carol", None)


async def _motion(court: Court, number: str) -> int:
    draft = await court.create("alice", {"court": "7594", "case_kind": "civil", "category": "01",
                                         "filing_type": "motion", "case_number": number, "title": "Motion"})
    return int(draft["id"])


async def test_the_court_of_an_attached_filing_cannot_be_changed(court: Court) -> None:
    _, number = await registered_case(court)
    await _other_court_with_clerk(court)
    motion = await _motion(court, number)
    headers = await court.as_("alice")

    moved = await court.client.patch(f"/api/v1/filings/{motion}", json={"court": "1990"}, headers=headers)

    assert moved.status == 400, await moved.text()
    assert (await moved.json())["error"]["code"] == "attached_to_case"
    kept = await (await court.get("alice", f"/api/v1/filings/{motion}")).json()
    assert kept["court"] == "7594" and kept["case_number"] == number

    detached = await court.client.patch(f"/api/v1/filings/{motion}", json={"case_number": None, "court": "1990"},
                                        headers=headers)
    assert detached.status == 200, await detached.text()
    body = await detached.json()
    assert body["court"] == "1990" and body["case_number"] is None


async def test_another_courts_clerk_cannot_register_into_the_case(court: Court) -> None:
    _, number = await registered_case(court)
    await _other_court_with_clerk(court)
    motion = await _motion(court, number)
    assert (await court.upload("alice", motion, pdf("motion"))).status == 201
    async with court.db.transaction() as session:  # a row written before the PATCH rule existed
        other = await CourtStore(session).get("1990")
        await session.execute(update(Filing).where(Filing.id == motion).values(court_id=other.id))
    submitted = await court.post("alice", f"/api/v1/filings/{motion}/submit")
    assert submitted.status == 200, await submitted.text()
    await court.as_("carol")  # log in first: the login is audited too
    before = await court.counts()

    response = await court.post("carol", f"/api/v1/staff/filings/{motion}/register")

    assert response.status == 403, await response.text()
    assert (await response.json())["error"]["code"] == "case_of_another_court"
    assert await court.counts() == before
