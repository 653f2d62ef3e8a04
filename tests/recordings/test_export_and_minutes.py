"""The export archive verifies offline; the clerk signs the minutes with their SIGN key, once."""

from __future__ import annotations

import asyncio
import io
import tarfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from cabinet.audit import AuditEntry
from cabinet.eds import cms
from cabinet.eds.keys import load_key_file
from recordings.verify import check_files
from tests.cabinet.conftest import PASSWORD, sign_b64
from tests.recordings.test_access import recorded
from tests.signaling.conftest import Courthouse


async def test_the_export_is_one_archive_that_verifies_offline(courthouse: Courthouse, tmp_path: Path) -> None:
    h = courthouse
    record = await recorded(h, is_open=False)
    url = f"/api/v1/recordings/{record['id']}/export"
    for who, status in (("alice", 403), ("carol", 403), (None, 401)):
        assert (await h.court.get(who, url)).status == status, who
    response = await h.court.get("clerk", url)
    assert response.status == 200 and response.headers["Content-Type"] == "application/x-tar"
    with tarfile.open(fileobj=io.BytesIO(await response.read())) as archive:
        names = sorted(m.name.split("/", 1)[1] for m in archive.getmembers())
        archive.extractall(tmp_path, filter="data")
    assert {"manifest.json", "manifest.json.cms", "minutes.txt"} <= set(names)
    assert "journal.jsonl" not in names
    report, _ = await asyncio.to_thread(check_files, tmp_path / f"{record['id']:08d}")
    assert report.ok, report.to_json()
    async with h.court.db.transaction() as session:
        assert await session.scalar(select(AuditEntry).where(AuditEntry.action == "recording.exported"))


async def test_the_clerk_signs_the_minutes_and_verify_checks_the_signature(courthouse: Courthouse) -> None:
    h = courthouse
    record = await recorded(h, is_open=True)
    url = f"/api/v1/recordings/{record['id']}/minutes-signature"
    minutes = (await (await h.court.get("clerk", f"/api/v1/recordings/{record['id']}/files/minutes.txt")).read())
    cast = h.court.cast

    refusals = [
        ("judge", sign_b64(cast.judge.sign, minutes), 403, "not_court_clerk"),
        ("alice", sign_b64(cast.alice.sign, minutes), 403, "not_court_clerk"),
        ("clerk", sign_b64(cast.judge.sign, minutes), 403, "not_your_signature"),
        ("clerk", sign_b64(cast.clerk.sign, minutes + b"x"), 400, "minutes_signature_invalid"),
        ("clerk", sign_b64(cast.clerk.auth, minutes), 400, "minutes_signature_invalid"),  # an AUTH key
        ("clerk", "not base64!", 400, "invalid_recording_request"),
    ]
    for who, signature, status, code in refusals:
        response = await h.court.post(who, url, {"signature": signature})
        assert response.status == status, (who, code, await response.text())
        assert (await response.json())["error"]["code"] == code
    response = await h.court.post("clerk", url, {"signature": sign_b64(cast.clerk.sign, minutes)})
    assert response.status == 201, await response.text()
    again = await h.court.post("clerk", url, {"signature": sign_b64(cast.clerk.sign, minutes)})
    assert again.status == 409 and (await again.json())["error"]["code"] == "minutes_already_signed"

    report = await (await h.court.get("judge", f"/api/v1/recordings/{record['id']}/verify")).json()
    assert report["ok"] and "ХАТШЫ" in report["minutes_signer"]
    signed = await h.court.get("alice", f"/api/v1/recordings/{record['id']}/files/minutes.txt.cms")
    assert signed.status == 200
    message = cms.parse(await signed.read())
    key = load_key_file(cast.clerk.sign.p12, PASSWORD)
    assert message.signer_certificate == key.certificate.public_bytes(serialization.Encoding.DER)
    async with h.court.db.transaction() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "recording.minutes_signed"))
    assert entry is not None and entry.actor == f"iin:{key.identity.iin}"
