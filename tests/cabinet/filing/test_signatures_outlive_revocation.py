"""A document keeps the revocation evidence of the moment it was filed: revoking the signer's key
afterwards stops new filings with that key, but does not unsign what was signed while it was good."""

from __future__ import annotations

from cryptography.x509 import ocsp
from sqlalchemy import select

from cabinet.filing.models import Document
from tests.cabinet.filing.conftest import Court, pdf, registered_case


async def test_a_filed_document_stays_signed_after_the_key_is_revoked(court: Court) -> None:
    filing_id, number = await registered_case(court)
    court.app.ca.revoke(court.cast.alice.sign.serial, "keyCompromise")  # as `sotkab pki revoke` would

    response = await court.get("alice", f"/api/v1/cases/{number}")
    assert response.status == 200, await response.text()
    documents = (await response.json())["documents"]
    assert documents and all(d["signature_valid"] for d in documents)
    async with court.db.sessions() as session:
        stored = await session.scalar(select(Document).where(Document.filing_id == filing_id))
    assert stored is not None and stored.revocation_evidence
    evidence = ocsp.load_der_ocsp_response(stored.revocation_evidence)
    assert evidence.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert stored.verification["revocation"]["status"] == "good"

    draft = await court.create("alice", {"court": "7594", "case_kind": "civil", "category": "01",
                                         "filing_type": "motion", "case_number": number, "title": "Motion"})
    refused = await court.upload("alice", draft["id"], pdf("a motion signed after the revocation"))
    assert refused.status in (400, 422), await refused.text()
    assert "revoked" in (await refused.json())["error"]["message"]
