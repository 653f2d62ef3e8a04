"""The whole road of a claim over HTTP with real signatures: draft, documents, duty, receipt, court, decision."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys

from sqlalchemy import select

from cabinet.audit import AuditEntry, verify_chain
from cabinet.case_status import ActorRole, CaseAction
from cabinet.eds.profile import Purpose
from cabinet.filing.cases import CaseStore
from cabinet.filing.models import JudgeAssignment
from cabinet.filing.timeline import Timeline
from cabinet.identity.models import User
from cabinet.identity.setup import VERIFIER
from cabinet.notifications.models import Notice
from tests.cabinet.filing.conftest import Court, claim_body, pdf
from tests.conftest import REPO


async def _user_id(court: Court, iin: str) -> int:
    async with court.db.sessions() as session:
        user_id = await session.scalar(select(User.id).where(User.iin == iin))
    assert user_id is not None
    return user_id


async def test_alice_sues_bob_and_the_whole_court_process_runs_on_signed_documents(court: Court) -> None:
    cast = court.cast
    draft = await court.create("alice", claim_body("850505300456"))
    assert draft["status"] == "draft"
    assert draft["fee"]["quote"]["amount"] == "10000.00"  # 1 % of 1 000 000 ₸
    filing_id = draft["id"]

    statement = pdf("Alice v Bob: return the loan of 1 000 000 tenge")
    response = await court.upload("alice", filing_id, statement)
    assert response.status == 201, await response.text()
    document = await response.json()
    assert document["type"] == "pdf" and document["signer"]["iin"] == "900101400123"

    refused = await court.post("alice", f"/api/v1/filings/{filing_id}/submit")
    assert refused.status == 402
    assert (await refused.json())["error"]["code"] == "fee_not_paid"

    await court.pay("alice", filing_id, "10000.00")
    response = await court.post("alice", f"/api/v1/filings/{filing_id}/submit")
    assert response.status == 200, await response.text()
    submitted = await response.json()
    assert submitted["status"] == "submitted"
    assert submitted["incoming_number"] == "7594-26-IN/000001" or submitted["incoming_number"].endswith("/000001")

    response = await court.get("alice", f"/api/v1/filings/{filing_id}/receipt")
    assert response.status == 200
    receipt = await response.json()
    content, signature = base64.b64decode(receipt["content"]), base64.b64decode(receipt["signature"])
    assert json.loads(content) == receipt["receipt"]
    assert receipt["receipt"]["documents"][0]["sha256"] == document["sha256"]
    assert receipt["receipt"]["fee"]["paid"] == "10000.00"
    result = await court.client.app[VERIFIER].verify_cms(signature, content=content, purpose=Purpose.DOCUMENT)
    assert result.valid, result.message
    assert result.signer is not None and result.signer.bin is not None  # the court's organisation certificate

    receipt_file = court.app.config.data_dir / "receipt.json"
    receipt_file.write_bytes(content)
    receipt_file.with_name("receipt.json.cms").write_bytes(signature)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "web.cli", "verify", str(receipt_file), str(receipt_file.with_name("receipt.json.cms")),
        cwd=REPO, env={**os.environ, "SOTKAB_DATA_DIR": str(court.app.config.data_dir)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, (out + err).decode()
    assert json.loads(out)["valid"] is True

    queue = await (await court.get("clerk", "/api/v1/staff/filings?status=submitted")).json()
    assert [f["id"] for f in queue["filings"]] == [filing_id]
    response = await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/register")
    assert response.status == 200, await response.text()
    number = (await response.json())["case_number"]
    assert number.startswith("7594-26-01-2/")

    judge_id = await _user_id(court, "700707300783")
    async with court.db.sessions() as session:
        assignment = await session.scalar(select(JudgeAssignment))
    assert assignment is not None and assignment.judge_id == judge_id  # tie on load -> lower id
    assert {load["open_cases"] for load in assignment.basis["loads"]} == {0}

    response = await court.post("judge", f"/api/v1/staff/cases/{number}/accept")
    assert response.status == 200, await response.text()
    assert (await response.json())["status"] == "accepted"

    async with court.db.transaction() as session:  # what the hearings package does when it runs the hearing
        case = await CaseStore(session).by_number(number, for_update=True)
        timeline = Timeline(session, court.app.clock)
        for action in (CaseAction.SCHEDULE, CaseAction.HOLD_HEARING):
            await timeline.transition(case, action, actor_role=ActorRole.JUDGE, actor_id=judge_id, actor="test")

    decision = pdf("Decision: the claim is granted in full")
    response = await court.upload("judge", 0, decision, name="decision.pdf", kind="",
                                  url=f"/api/v1/staff/cases/{number}/acts",
                                  fields={"act_type": "decision", "title": "Decision on the merits"})
    assert response.status == 201, await response.text()
    act = await response.json()
    assert act["act_type"] == "decision" and act["outcome"] == "decide"

    for who in ("alice", "bob"):
        response = await court.get(who, f"/api/v1/cases/{number}")
        assert response.status == 200, await response.text()
        case_file = await response.json()
        assert case_file["status"] == "decided"
        assert case_file["judge"]["name"].startswith("СУДЬЯЕВ")
        assert [a["title"] for a in case_file["acts"]] == ["Decision on the merits"]
        assert [e["action"] for e in case_file["timeline"]] == [
            "register", "judge_assigned", "accept", "schedule", "hold_hearing", "decide", "act_issued"]
        assert case_file["fees"][0]["paid"] == "10000.00"
        assert case_file["hearings"] == []
        downloaded = await court.get(who, act["download_url"])
        assert downloaded.status == 200 and await downloaded.read() == decision
        claim = await court.get(who, f"/api/v1/cases/{number}/documents/{document['id']}")
        assert claim.status == 200 and await claim.read() == statement
    mine = await (await court.get("bob", "/api/v1/cases")).json()
    assert [(c["number"], c["my_roles"]) for c in mine["cases"]] == [(number, ["defendant"])]

    bob_id = await _user_id(court, "850505300456")
    alice_id = await _user_id(court, "900101400123")
    async with court.db.sessions() as session:
        kinds = {(n.user_id, n.kind) for n in await session.scalars(select(Notice))}
        assert {(alice_id, "filing_registered"), (alice_id, "judge_assigned"), (judge_id, "judge_assigned"),
                (bob_id, "judge_assigned"), (alice_id, "case_accepted"), (bob_id, "case_accepted"),
                (alice_id, "judicial_act_issued"),
                (bob_id, "judicial_act_issued")} <= kinds
        registry = list(await session.scalars(select(AuditEntry).where(AuditEntry.action.like("registry.document.%"))))
        assert {(e.details["direction"], e.details["sha256"]) for e in registry} >= {
            ("incoming", document["sha256"]), ("outgoing", act["document"]["sha256"])}
        assert (await verify_chain(session)).ok
    assert cast.alice is not None
