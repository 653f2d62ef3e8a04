"""Representation is not self-declared: a representative named in a filing acts in the case only
when the case accepts them on a lawyer grant or on the party's power of attorney signed with the
party's own SIGN key.

The attack: a filer names a stranger (or an accomplice) as a party's representative; when the case
opens, that person would read its documents — closed categories included — and file in the party's
name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cabinet.filing.models import CaseParty
from cabinet.identity.models import User
from cabinet.notifications.models import Notice
from tests.cabinet.filing.conftest import Court, attach_exemption_proof, claim_body, confirm_exemption, pdf

CAROL, ALICE, LAWYER = "950606400345", "900101400123", "880404300234"


async def _case_naming(court: Court, representative: str, *, poa_by: str | None = None,
                       category: str = "01") -> str:
    body = claim_body("850505300456", exemption="labour", category=category)
    body["parties"].append({"role": "representative", "iin": representative, "name": "ӨКІЛ", "represents": ALICE})
    draft = await court.create("alice", body)
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    if poa_by is not None:
        response = await court.upload("alice", draft["id"], pdf("Power of attorney: I authorise my representative"),
                                      key=getattr(court.cast, poa_by).sign, kind="power_of_attorney",
                                      name="poa.pdf")
        assert response.status == 201, await response.text()
    await attach_exemption_proof(court, "alice", draft["id"])
    assert (await court.post("alice", f"/api/v1/filings/{draft['id']}/submit")).status == 200
    await confirm_exemption(court, draft["id"])
    response = await court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/register")
    assert response.status == 200, await response.text()
    return str((await response.json())["case_number"])


async def _representative_row(court: Court, number: str, iin: str) -> Any:
    async with court.db.sessions() as session:
        return await session.scalar(select(CaseParty).where(CaseParty.iin == iin, CaseParty.role == "representative"))


async def _sees(court: Court, who: str, number: str) -> bool:
    response = await court.get(who, f"/api/v1/cases/{number}")
    assert response.status in (200, 403, 404), await response.text()
    return response.status == 200


async def test_a_self_declared_representative_gets_nothing(court: Court) -> None:
    number = await _case_naming(court, CAROL, category="03")  # a closed category: family matters

    row = await _representative_row(court, number, CAROL)
    assert row is not None and row.accepted_at is None and row.authority is None
    assert not await _sees(court, "carol", number)
    motion = await court.client.post("/api/v1/filings", json={
        "filing_type": "motion", "case_number": number, "title": "In my client's name"},
        headers=await court.as_("carol"))
    assert motion.status in (403, 404) and (await motion.json())["error"]["code"] == "not_a_party"
    async with court.db.sessions() as session:  # nor is told about the case
        user_id = await session.scalar(select(User.id).where(User.iin == CAROL))
        told = list(await session.scalars(select(Notice).where(Notice.user_id == user_id)))
    assert told == []


async def test_a_representative_with_a_lawyer_grant_is_accepted(court: Court) -> None:
    number = await _case_naming(court, LAWYER)

    row = await _representative_row(court, number, LAWYER)
    assert row.accepted_at is not None and row.authority == "lawyer"
    assert await _sees(court, "lawyer", number)


async def test_a_power_of_attorney_signed_by_the_party_is_accepted(court: Court) -> None:
    number = await _case_naming(court, CAROL, poa_by="alice")

    row = await _representative_row(court, number, CAROL)
    assert row.accepted_at is not None and row.authority == "power_of_attorney"
    assert await _sees(court, "carol", number)


async def test_a_power_of_attorney_signed_by_anyone_else_is_not(court: Court) -> None:
    number = await _case_naming(court, CAROL, poa_by="carol")

    assert (await _representative_row(court, number, CAROL)).accepted_at is None
    assert not await _sees(court, "carol", number)


async def test_a_later_filing_with_the_partys_power_of_attorney_has_them_accepted(court: Court) -> None:
    number = await _case_naming(court, CAROL)
    assert not await _sees(court, "carol", number)

    draft = await court.create("alice", {"filing_type": "motion", "case_number": number, "title": "Representative",
                                         "parties": [{"role": "plaintiff", "iin": ALICE, "name": "ӘЛИЕВА АЛИЯ"},
                                                     {"role": "representative", "iin": CAROL, "name": "ӨКІЛ",
                                                      "represents": ALICE}]})
    assert (await court.upload("alice", draft["id"], pdf("motion"))).status == 201
    assert (await court.upload("alice", draft["id"], pdf("Power of attorney"), kind="power_of_attorney",
                               name="poa.pdf")).status == 201
    assert (await court.post("alice", f"/api/v1/filings/{draft['id']}/submit")).status == 200
    assert (await court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/register")).status == 200

    assert (await _representative_row(court, number, CAROL)).authority == "power_of_attorney"
    assert await _sees(court, "carol", number)
