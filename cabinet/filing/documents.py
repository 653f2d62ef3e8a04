"""Accepting a signed document: its true type, a valid detached CMS by the right person, then storage.

A document is accepted only if (1) its bytes are one of the accepted formats and its name does
not claim another, (2) the CMS is a valid signature over exactly those bytes, made with a SIGN key
(an AUTH key is refused as ``wrong_key_usage``) whose certificate is trusted, in force and not
revoked, and (3) the signer is someone allowed to sign for this filing or act. Checks that cost
nothing run first; the verifier (which may go to OCSP) runs outside any database transaction.

Storage and database are kept consistent by order: bytes are moved under their content name
just before the row is flushed; if the unit of work then fails, bytes this request newly stored
and no committed row refers to are removed again (see :func:`stored_or_rolled_back`).
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import func, select

from cabinet.doctypes import Detection, detect
from cabinet.eds.profile import Purpose
from cabinet.eds.verifier import FailureCode, VerificationResult, Verifier
from cabinet.errors import UnsupportedDocumentType
from cabinet.filing.errors import DocumentSignatureRejected, FilingForbidden, UploadInvalid
from cabinet.filing.models import Document
from cabinet.filing.storage import DocumentStorage
from cabinet.filing.uploads import ReceivedUpload
from core.db import Database

log = logging.getLogger(__name__)


class DocumentKind(enum.Enum):
    STATEMENT = "statement"  # the claim, application, complaint… itself
    ATTACHMENT = "attachment"  # evidence and other annexes
    POWER_OF_ATTORNEY = "power_of_attorney"
    EXEMPTION_PROOF = "exemption_proof"  # what shows the filer is exempt from the state duty (art. 668)
    JUDICIAL_ACT = "judicial_act"


class Direction(enum.Enum):
    INCOMING = "incoming"  # received by the court
    OUTGOING = "outgoing"  # sent by the court


def parse_kind(raw: str | None, *, allowed: frozenset[DocumentKind]) -> DocumentKind:
    value = raw or DocumentKind.ATTACHMENT.value
    try:
        kind = DocumentKind(value)
    except ValueError:
        kind = None
    if kind is None or kind not in allowed:
        choices = sorted(k.value for k in allowed)
        raise UploadInvalid(f"kind {value[:40]!r} is not one of {choices}", code="invalid_document_kind",
                            details={"field": "kind", "allowed": choices})
    return kind


@dataclass(frozen=True)
class InspectedDocument:
    upload: ReceivedUpload
    detection: Detection
    verification: VerificationResult

    @property
    def signer_iin(self) -> str | None:
        return self.verification.signer.iin if self.verification.signer else None

    @property
    def signer_name(self) -> str:
        return self.verification.signer.common_name if self.verification.signer else ""


async def inspect(upload: ReceivedUpload, verifier: Verifier) -> InspectedDocument:
    """Type by bytes and signature over exactly these bytes; the upload is discarded on refusal."""
    try:
        data = await asyncio.to_thread(upload.spooled.path.read_bytes)
        detection = detect(data, upload.filename)
        if detection.name_matches is False:
            raise UnsupportedDocumentType(
                f"{upload.filename[:80]!r} is really a {detection.document_type.value.upper()} file; "
                "rename it to match its type (or upload the file you meant)",
                code="document_type_mismatch",
                details={"declared_name": upload.filename[:300], "detected": detection.document_type.value,
                         "extensions": sorted(detection.document_type.extensions)},
            )
        result = await verifier.verify_cms(upload.signature, content=data, purpose=Purpose.DOCUMENT)
        if not result.valid:
            code = "document_signature_invalid" if result.code is FailureCode.SIGNATURE_INVALID else None
            raise DocumentSignatureRejected(
                f"the document's signature was refused: {result.message}",
                code=code or (result.code.value if result.code else None),
                details={"verifier_code": result.code.value if result.code else None,
                         "verification": result.to_json()},
            )
    except BaseException:
        upload.discard()
        raise
    return InspectedDocument(upload, detection, result)


def check_signer(document: InspectedDocument, allowed_iins: frozenset[str], *, who: str) -> None:
    iin = document.signer_iin
    if iin is None or iin not in allowed_iins:
        document.upload.discard()
        raise FilingForbidden(
            f"the document is signed by {document.signer_name or 'someone'} ({iin}); it must be signed by {who}",
            code="signer_not_allowed", details={"signer_iin": iin},
        )


def document_row(document: InspectedDocument, **columns: object) -> Document:
    upload, result = document.upload, document.verification
    revocation = result.revocation
    return Document(
        original_name=upload.filename, document_type=document.detection.document_type.value,
        mime_type=document.detection.mime_type, size=upload.spooled.size, sha256=upload.spooled.sha256,
        signer_iin=document.signer_iin, signer_name=document.signer_name,
        cms=_der(upload.signature), verification=result.to_json(),
        revocation_evidence=(revocation.evidence or None) if revocation else None,
        **columns,
    )


def _der(signature: bytes) -> bytes:
    from cabinet.eds.cms import decode

    return decode(signature)


class StoredDocument:
    """Brackets the unit of work that records ``document``; on failure forgets bytes only it stored.

    Use as ``async with StoredDocument(db, storage, doc) as stored:`` around the transaction and
    call ``await stored.promote()`` inside it, just before adding the row.
    """

    def __init__(self, db: Database, storage: DocumentStorage, document: InspectedDocument) -> None:
        self.db = db
        self.storage = storage
        self.document = document
        self.newly_stored = False

    async def promote(self) -> None:
        self.newly_stored = await self.storage.promote(self.document.upload.spooled)

    async def __aenter__(self) -> StoredDocument:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if exc_type is None:
            return
        self.document.upload.discard()
        if self.newly_stored:
            sha = self.document.upload.spooled.sha256
            async with self.db.sessions() as session:
                referenced = await session.scalar(
                    select(func.count()).select_from(Document).where(Document.sha256 == sha))
            if not referenced:
                await self.storage.remove(sha)
