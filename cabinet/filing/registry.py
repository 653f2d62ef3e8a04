"""The court's registry: what was received and sent, when, and the signed receipt for the filer.

Every document that enters or leaves the court gets an entry in the hash-chained audit log
(:mod:`cabinet.audit`) with its SHA-256, direction, filing and case, in the same transaction as
the event itself — so the registry is tamper-evident and never disagrees with the case file.

The receipt is canonical JSON (sorted keys, UTF-8) listing what the court received: the incoming
number and time, the court, the filer, the parties, every document by SHA-256, and the state duty.
The court signs those exact bytes with its system key (detached CMS), so the filer can keep both
files and later prove what was filed: ``sotkab verify receipt.json receipt.json.cms``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.courts import Court
from cabinet.eds.keys import KeyFile
from cabinet.filing.models import Document, Filing
from core.clock import Clock

log = logging.getLogger(__name__)

RECEIPT_TYPE = "sotkab.filing-receipt/1"


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def receipt_content(filing: Filing, court: Court, documents: Sequence[Document], *, filer_iin: str,
                    filer_name: str, case_number: str | None, fee: dict[str, Any]) -> dict[str, Any]:
    assert filing.incoming_number is not None and filing.submitted_at is not None
    return {
        "type": RECEIPT_TYPE,
        "incoming_number": filing.incoming_number,
        "received_at": filing.submitted_at.isoformat(),
        "court": {"code": court.code, "name_kk": court.name_kk, "name_ru": court.name_ru, "name_en": court.name_en},
        "filing": {"id": filing.id, "filing_type": filing.filing_type, "case_kind": filing.case_kind,
                   "category": filing.category, "title": filing.title, "case_number": case_number},
        "filer": {"iin": filer_iin, "name": filer_name},
        "parties": [{"role": p.role, "iin": p.iin, "bin": p.bin, "name": p.name, "represents": p.represents}
                    for p in filing.parties],
        "documents": [{"id": d.id, "name": d.original_name, "kind": d.kind, "type": d.document_type,
                       "size": d.size, "sha256": d.sha256, "signer_iin": d.signer_iin} for d in documents],
        "fee": fee,
    }


async def sign_receipt(key: KeyFile, content: dict[str, Any]) -> tuple[bytes, bytes]:
    """The receipt's exact bytes and the court's detached CMS over them."""
    data = canonical_json(content)
    return data, await asyncio.to_thread(key.sign, data, detached=True)


async def register_document(session: AsyncSession, clock: Clock, *, actor: str, direction: str, sha256: str,
                            kind: str, name: str, filing_id: int | None, case_number: str | None,
                            document_id: int | None, at: datetime | None = None) -> None:
    """One registry entry per document sent or received."""
    await AuditLog(session, clock).append(
        f"registry.document.{direction}", actor=actor, subject=f"sha256:{sha256}",
        details={"direction": direction, "sha256": sha256, "kind": kind, "name": name, "filing_id": filing_id,
                 "case_number": case_number, "document_id": document_id,
                 "at": (at or clock.now()).isoformat()},
    )
