"""The clerk signs the minutes of a recorded hearing with their SIGN key (detached CMS over minutes.txt).

The minutes were written at close and their SHA-256 sealed in the manifest; the clerk's signature
sits beside them as ``minutes.txt.cms`` and is checked by every verification. Only a clerk of the
recording's court may sign, with a valid SIGN key of their own (the EDS verifier decides: chain,
revocation, key usage), over exactly the sealed bytes; the signing is audited. Signing twice is
refused: the record's minutes carry one clerk's signature.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from pathlib import Path
from typing import Any

from cabinet.audit import AuditLog
from cabinet.eds.profile import Purpose
from cabinet.eds.verifier import Verifier
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Role
from core.clock import Clock
from core.db import Database
from recordings.errors import InvalidRecordingRequest, RecordingForbidden, RecordingNotFound, RecordingNotSealed
from recordings.manifest import MINUTES
from recordings.models import RecordingRow
from recordings.seal import write_atomically
from recordings.verify import MINUTES_SIGNATURE

logger = logging.getLogger(__name__)

MAX_SIGNATURE_BYTES = 64 * 1024


def decode_signature(text: str) -> bytes:
    try:
        data = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRecordingRequest("signature is base64 of a CMS", details={"field": "signature"}) from None
    if not data or len(data) > MAX_SIGNATURE_BYTES:
        raise InvalidRecordingRequest("signature is empty or too large", details={"field": "signature"})
    return data


async def sign_minutes(db: Database, clock: Clock, verifier: Verifier, principal: Principal, recording_id: int,
                       signature_b64: str) -> dict[str, Any]:
    signature = decode_signature(signature_b64)
    async with db.transaction() as session:
        row = await session.get(RecordingRow, recording_id, with_for_update=True)
        if row is None:
            raise RecordingNotFound(f"no recording {recording_id}")
        if row.court_id not in principal.courts_with(Role.CLERK):
            raise RecordingForbidden("the minutes are signed by a clerk of the court", code="not_court_clerk")
        if row.state != "sealed" or not row.manifest or not row.manifest.get("minutes"):
            raise RecordingNotSealed("the recording and its minutes are not sealed yet")
        directory = Path(row.directory)
        if await asyncio.to_thread((directory / MINUTES_SIGNATURE).exists):
            raise RecordingNotSealed("the minutes are already signed", code="minutes_already_signed")
        minutes = await asyncio.to_thread((directory / MINUTES).read_bytes)
        result = await verifier.verify_cms(signature, content=minutes, purpose=Purpose.DOCUMENT)
        if not result.valid:
            raise InvalidRecordingRequest(f"the signature over the minutes is not valid: {result.message}",
                                          code="minutes_signature_invalid",
                                          details={"reason": result.code.value if result.code else "invalid"})
        if result.signer is None or result.signer.iin != principal.iin:
            raise RecordingForbidden("sign the minutes with your own key", code="not_your_signature")
        await asyncio.to_thread(write_atomically, directory / MINUTES_SIGNATURE, signature)
        await AuditLog(session, clock).append(
            "recording.minutes_signed", actor=principal.audit_actor, subject=f"recording:{row.id}",
            details={"minutes_sha256": row.manifest["minutes"]["sha256"],
                     "certificate": result.certificate.serial if result.certificate else None})
    logger.info("minutes of recording %s signed by %s", recording_id, principal.audit_actor)
    return {"recording_id": recording_id, "signed_by": principal.name, "file": MINUTES_SIGNATURE}
