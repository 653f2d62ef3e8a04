"""Every bad input is a clear 4xx with a stable code, and leaves no row, no audit entry and no file behind."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.cabinet.filing.conftest import (
    SMALL_LIMIT,
    Court,
    attach_exemption_proof,
    claim_body,
    pdf,
    png,
    registered_case,
)


async def _refused(court: Court, response: Any, status: int, code: str, before: dict[str, int],
                   files_before: list[Any]) -> dict[str, Any]:
    body = await response.json()
    assert response.status == status, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    assert await court.counts() == before, "a refused request changed the database"
    assert court.stored_files() == files_before, "a refused request left a file behind"
    return dict(body["error"])


async def _raw_upload(court: Court, filing_id: int, *, body_bytes: int, chunked: bool) -> tuple[int, dict[str, Any]]:
    """Send an upload by hand and stop sending after ``body_bytes`` of file, never finishing the body.

    If the server waited for the whole body it would never answer (the test would time out); it
    answers because it refuses the file while reading it.
    """
    headers = await court.as_("alice")
    server = court.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    boundary = "sotkabboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nstatement\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode() + b"%PDF-1.7\n"
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {50 * 1024 * 1024}"
    writer.write((f"POST /api/v1/filings/{filing_id}/documents HTTP/1.1\r\nHost: {server.host}\r\n"
                  f"Authorization: {headers['Authorization']}\r\n"
                  f"Content-Type: multipart/form-data; boundary={boundary}\r\n{length}\r\n\r\n").encode())
    sent = 0
    pieces = [head] + [b"0" * 65536] * (body_bytes // 65536)
    for piece in pieces:
        writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
        sent += len(piece)
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=20)
    status = int(status_line.split()[1])
    response_headers = {}
    while (line := await asyncio.wait_for(reader.readline(), timeout=20)) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        response_headers[name.strip().lower()] = value.strip()
    body = await asyncio.wait_for(reader.readexactly(int(response_headers["content-length"])), timeout=20)
    writer.close()
    return status, json.loads(body)


async def test_an_oversized_document_is_refused_while_it_streams_and_nothing_is_written(small_court: Court) -> None:
    court = small_court
    draft = await court.create("alice", claim_body("850505300456"))
    before, files = await court.counts(), court.stored_files()
    status, body = await _raw_upload(court, draft["id"], body_bytes=SMALL_LIMIT + 4 * 65536, chunked=True)
    assert status == 413 and body["error"]["code"] == "document_too_large"
    assert body["error"]["details"]["max_bytes"] == SMALL_LIMIT
    assert await court.counts() == before
    assert court.stored_files() == files == []
    assert list((court.app.config.storage_dir / "tmp").iterdir()) == []


async def test_a_declared_length_beyond_the_limit_is_refused_before_reading_the_body(small_court: Court) -> None:
    court = small_court
    draft = await court.create("alice", claim_body("850505300456"))
    status, body = await _raw_upload(court, draft["id"], body_bytes=0, chunked=False)
    assert status == 413 and body["error"]["code"] == "document_too_large"
    assert list((court.app.config.storage_dir / "tmp").iterdir()) == []


async def test_a_file_just_under_the_limit_is_accepted(small_court: Court) -> None:
    court = small_court
    draft = await court.create("alice", claim_body("850505300456"))
    big = pdf() + b"%" + b"0" * (SMALL_LIMIT - len(pdf()) - 200) + b"\n%%EOF\n"
    response = await court.upload("alice", draft["id"], big)
    assert response.status == 201, await response.text()
    assert (await response.json())["size"] == len(big)


@pytest.mark.parametrize(("data", "name", "code"), [
    (png(), "claim.pdf", "document_type_mismatch"),
    (b"MZ\x90\x00\x03\x00\x00\x00 this is an executable", "claim.pdf", "unsupported_document_type"),
    (b"%PDF-1.4\n truncated, no end marker", "claim.pdf", "damaged_document"),
], ids=["png-named-pdf", "executable", "truncated-pdf"])
async def test_documents_are_judged_by_their_bytes_not_their_names(court: Court, data: bytes, name: str,
                                                                   code: str) -> None:
    draft = await court.create("alice", claim_body("850505300456"))
    before, files = await court.counts(), court.stored_files()
    response = await court.upload("alice", draft["id"], data, name=name)
    await _refused(court, response, 415, code, before, files)


async def test_a_png_under_its_own_name_is_fine(court: Court) -> None:
    draft = await court.create("alice", claim_body("850505300456"))
    response = await court.upload("alice", draft["id"], png(), name="photo.png", kind="attachment")
    assert response.status == 201
    assert (await response.json())["mime_type"] == "image/png"


async def test_a_signature_over_other_bytes_is_refused(court: Court) -> None:
    draft = await court.create("alice", claim_body("850505300456"))
    before, files = await court.counts(), court.stored_files()
    response = await court.upload("alice", draft["id"], pdf("what I upload"), signed_data=pdf("what I signed"))
    error = await _refused(court, response, 422, "document_signature_invalid", before, files)
    assert error["details"]["verifier_code"] == "signature_invalid"


async def test_a_signature_made_with_the_auth_key_is_refused(court: Court) -> None:
    draft = await court.create("alice", claim_body("850505300456"))
    before, files = await court.counts(), court.stored_files()
    response = await court.upload("alice", draft["id"], pdf(), key=court.cast.alice.auth)
    await _refused(court, response, 422, "wrong_key_usage", before, files)


async def test_a_document_signed_by_someone_else_is_refused(court: Court) -> None:
    draft = await court.create("alice", claim_body("850505300456"))
    before, files = await court.counts(), court.stored_files()
    response = await court.upload("alice", draft["id"], pdf(), key=court.cast.bob.sign)
    await _refused(court, response, 403, "signer_not_allowed", before, files)


async def test_an_untrusted_certificate_is_refused(court: Court) -> None:
    draft = await court.create("alice", claim_body("850505300456"))
    before, files = await court.counts(), court.stored_files()
    response = await court.upload("alice", draft["id"], pdf(), key=court.cast.outsider.sign)
    await _refused(court, response, 422, "certificate_untrusted", before, files)


async def test_an_upload_without_a_signature_is_refused(court: Court) -> None:
    import aiohttp

    draft = await court.create("alice", claim_body("850505300456"))
    before, files = await court.counts(), court.stored_files()
    form = aiohttp.FormData()
    form.add_field("file", pdf(), filename="claim.pdf")
    response = await court.client.post(f"/api/v1/filings/{draft['id']}/documents", data=form,
                                       headers=await court.as_("alice"))
    await _refused(court, response, 400, "signature_required", before, files)


async def test_someone_elses_draft_is_not_found(court: Court) -> None:
    draft = await court.create("alice", claim_body("850505300456"))
    before, files = await court.counts(), court.stored_files()
    response = await court.upload("bob", draft["id"], pdf())
    await _refused(court, response, 404, "filing_not_found", before, files)
    response = await court.client.patch(f"/api/v1/filings/{draft['id']}", json={"title": "mine now"},
                                        headers=await court.as_("bob"))
    await _refused(court, response, 404, "filing_not_found", before, files)


async def test_a_submission_without_the_duty_paid_changes_nothing(court: Court) -> None:
    draft = await court.create("alice", claim_body("850505300456"))
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    before, files = await court.counts(), court.stored_files()
    response = await court.post("alice", f"/api/v1/filings/{draft['id']}/submit")
    error = await _refused(court, response, 402, "fee_not_paid", before, files)
    assert error["details"] == {"owed": "10000.00", "paid": "0.00", "reference": f"filing:{draft['id']}",
                                "mrp": error["details"]["mrp"], "payment_date": error["details"]["payment_date"]}
    assert (await (await court.get("alice", f"/api/v1/filings/{draft['id']}")).json())["status"] == "draft"


async def test_an_exemption_claimed_with_its_proof_needs_no_payment(court: Court) -> None:
    draft = await court.create("alice", claim_body("850505300456", exemption="labour"))
    assert draft["fee"]["quote"]["amount"] == "0.00"
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    await attach_exemption_proof(court, "alice", draft["id"])
    response = await court.post("alice", f"/api/v1/filings/{draft['id']}/submit")
    assert response.status == 200, await response.text()


async def test_an_incomplete_draft_names_what_is_missing(court: Court) -> None:
    draft = await court.create("alice", {"court": "7594", "case_kind": "civil"})
    before, files = await court.counts(), court.stored_files()
    response = await court.post("alice", f"/api/v1/filings/{draft['id']}/submit")
    error = await _refused(court, response, 409, "filing_incomplete", before, files)
    assert "filing_type" in error["details"]["missing"] and "documents.statement" in error["details"]["missing"]


@pytest.mark.parametrize(("party", "code"), [
    ({"role": "defendant", "iin": "900101400124", "name": "X"}, "invalid_iin"),
    ({"role": "defendant", "iin": "12345", "name": "X"}, "invalid_iin"),
    ({"role": "defendant", "bin": "990340000001", "name": "ТОО Ромашка"}, "invalid_bin"),
    ({"role": "defendant", "bin": "abc", "name": "ТОО Ромашка"}, "invalid_bin"),
    ({"role": "judge", "iin": "950606400345", "name": "X"}, "invalid_field"),
    ({"role": "defendant", "iin": "950606400345", "bin": "000140234268", "name": "X"}, "invalid_party"),
], ids=["iin-checksum", "iin-short", "bin-checksum", "bin-letters", "role", "both"])
async def test_typed_identifiers_are_check_digit_validated(court: Court, party: dict[str, str], code: str) -> None:
    before, files = await court.counts(), court.stored_files()
    body = claim_body("850505300456")
    body["parties"] = [body["parties"][0], party]
    response = await court.post("alice", "/api/v1/filings", body)
    await _refused(court, response, 400, code, before, files)


async def test_a_valid_typed_iin_of_someone_without_an_account_is_accepted(court: Court) -> None:
    body = claim_body("950606400345")  # carol's IIN passes its check digit; she never logged in
    draft = await court.create("alice", body)
    assert draft["parties"][1]["iin"] == "950606400345"


async def test_illegal_status_transitions_are_refused(court: Court) -> None:
    _, number = await registered_case(court)
    assert (await court.post("judge", f"/api/v1/staff/cases/{number}/accept")).status == 200
    before, files = await court.counts(), court.stored_files()
    response = await court.post("judge", f"/api/v1/staff/cases/{number}/accept")
    await _refused(court, response, 409, "illegal_transition", before, files)
    response = await court.upload("judge", 0, pdf("Decision"), name="decision.pdf", kind="",
                                  url=f"/api/v1/staff/cases/{number}/acts", fields={"act_type": "decision"})
    await _refused(court, response, 409, "illegal_transition", before, files)  # no hearing was held


async def test_a_party_cannot_accept_a_case_and_another_judge_cannot_issue_acts(court: Court) -> None:
    _, number = await registered_case(court)
    before, files = await court.counts(), court.stored_files()
    response = await court.post("alice", f"/api/v1/staff/cases/{number}/accept")
    await _refused(court, response, 403, "action_not_permitted", before, files)
    response = await court.upload("judge2", 0, pdf("Ruling"), name="ruling.pdf", kind="",
                                  url=f"/api/v1/staff/cases/{number}/acts", fields={"act_type": "ruling"})
    await _refused(court, response, 403, "not_judge_of_case", before, files)


async def test_an_act_must_carry_the_judges_own_signature(court: Court) -> None:
    _, number = await registered_case(court)
    before, files = await court.counts(), court.stored_files()
    response = await court.upload("judge", 0, pdf("Ruling"), name="ruling.pdf", kind="", key=court.cast.clerk.sign,
                                  url=f"/api/v1/staff/cases/{number}/acts", fields={"act_type": "ruling"})
    await _refused(court, response, 403, "signer_not_allowed", before, files)


async def test_a_stranger_cannot_attach_a_filing_to_someone_elses_case(court: Court) -> None:
    _, number = await registered_case(court)
    before, files = await court.counts(), court.stored_files()
    response = await court.post("carol", "/api/v1/filings", {
        "filing_type": "motion", "case_number": number, "title": "Let me in"})
    await _refused(court, response, 403, "not_a_party", before, files)


async def test_the_defendant_files_a_response_into_the_case_and_the_plaintiff_is_told(court: Court) -> None:
    _, number = await registered_case(court)
    draft = await court.create("bob", {"filing_type": "response", "case_number": number, "title": "Response"})
    assert draft["court"] == "7594" and draft["case_number"] == number and draft["fee"]["quote"]["amount"] == "0.00"
    assert (await court.upload("bob", draft["id"], pdf("I owe nothing"))).status == 201
    assert (await court.post("bob", f"/api/v1/filings/{draft['id']}/submit")).status == 200
    assert (await court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/register")).status == 200
    case_file = await (await court.get("alice", f"/api/v1/cases/{number}")).json()
    assert [d["filing_id"] for d in case_file["documents"]].count(draft["id"]) == 1
    assert case_file["timeline"][-1]["action"] == "filing_registered"


async def test_a_lawyer_filing_for_a_client_must_attach_a_power_of_attorney(court: Court) -> None:
    body = claim_body("850505300456", exemption="labour")
    body["parties"].append({"role": "representative", "iin": "880404300234", "name": "АДВОКАТОВ АРМАН",
                            "represents": "900101400123"})
    await court.as_("lawyer")
    draft = await court.create("lawyer", body)
    assert (await court.upload("lawyer", draft["id"], pdf())).status == 201
    before, files = await court.counts(), court.stored_files()
    response = await court.post("lawyer", f"/api/v1/filings/{draft['id']}/submit")
    await _refused(court, response, 409, "power_of_attorney_required", before, files)
    response = await court.upload("lawyer", draft["id"], pdf("Power of attorney"), kind="power_of_attorney",
                                  name="poa.pdf")
    assert response.status == 201
    await attach_exemption_proof(court, "lawyer", draft["id"])
    assert (await court.post("lawyer", f"/api/v1/filings/{draft['id']}/submit")).status == 200
    filing = await (await court.get("alice", f"/api/v1/filings/{draft['id']}")).json()  # the client sees it
    assert filing["status"] == "submitted"


async def test_returning_a_claim_needs_a_reason_and_refunds_the_duty(court: Court) -> None:
    from cabinet.payments.ledger import paid_amount

    draft = await court.create("alice", claim_body("850505300456"))
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    await court.pay("alice", draft["id"], "10000.00")
    assert (await court.post("alice", f"/api/v1/filings/{draft['id']}/submit")).status == 200
    before, files = await court.counts(), court.stored_files()
    response = await court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/return", {"reason": " "})
    await _refused(court, response, 400, "reason_required", before, files)
    response = await court.post("bob", f"/api/v1/staff/filings/{draft['id']}/return", {"reason": "no"})
    await _refused(court, response, 404, "filing_not_found", before, files)
    response = await court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/return",
                                {"reason": "The claim is not signed by the plaintiff"})
    assert response.status == 200, await response.text()
    assert (await response.json())["status"] == "returned"
    async with court.db.sessions() as session:
        assert (await paid_amount(session, f"filing:{draft['id']}")).tiyn == 0
    response = await court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/register")
    assert response.status == 409 and (await response.json())["error"]["code"] == "illegal_transition"


async def test_leaving_without_motion_needs_a_reason_and_a_future_deadline(court: Court) -> None:
    _, number = await registered_case(court)
    url = f"/api/v1/staff/cases/{number}/leave-without-motion"
    before, files = await court.counts(), court.stored_files()
    response = await court.post("judge", url, {"reason": "Attach the loan agreement", "deadline": "2020-01-01T00:00"})
    await _refused(court, response, 400, "invalid_deadline", before, files)
    response = await court.post("judge", url, {"reason": "Attach the loan agreement",
                                               "deadline": "2020-01-01T00:00:00+05:00"})
    await _refused(court, response, 400, "invalid_deadline", before, files)
    deadline = (court.app.clock.now().replace(microsecond=0) + __import__("datetime").timedelta(days=10)).isoformat()
    response = await court.post("judge", url, {"reason": "Attach the loan agreement", "deadline": deadline})
    assert response.status == 200, await response.text()
    case = await response.json()
    assert case["status"] == "left_without_motion" and case["motion_deadline"] == deadline
