"""Receiving a document upload as a stream: never more than the limit read, never a byte kept on refusal.

The multipart body is read part by part. The ``file`` part goes chunk by chunk into a temp file
of the storage while its SHA-256 is computed; its first bytes are sniffed (an executable renamed
``.pdf`` is refused after 8 bytes) and the running size is checked against the limit on every
chunk, so an oversized upload is refused as soon as it crosses the limit — the rest of it is
never read or written. A declared ``Content-Length`` already beyond the limit is refused before
reading anything. On any refusal the temp file is deleted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from cabinet.doctypes import SNIFF_BYTES, sniff
from cabinet.filing.errors import DocumentTooLarge, UploadInvalid
from cabinet.filing.storage import DocumentStorage, SpooledUpload

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
MAX_SIGNATURE = 256 * 1024
MAX_FIELD = 2000
#: Room for the signature and small fields around the file in a multipart body.
ENVELOPE = MAX_SIGNATURE * 2 + 64 * 1024
TEXT_FIELDS = frozenset({"kind", "title", "act_type", "outcome", "reason", "termination_ground"})


@dataclass
class ReceivedUpload:
    spooled: SpooledUpload
    filename: str
    signature: bytes
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        self.spooled.discard()


def _too_large(limit: int) -> DocumentTooLarge:
    return DocumentTooLarge(
        f"a document may be at most {limit} bytes ({limit / 1_048_576:.1f} MB)",
        details={"max_bytes": limit},
    )


async def _read_small(part: BodyPartReader, limit: int, name: str) -> bytes:
    data = bytearray()
    while chunk := await part.read_chunk(CHUNK):
        data.extend(chunk)
        if len(data) > limit:
            raise UploadInvalid(f"the {name} part is larger than {limit} bytes", details={"part": name})
    return bytes(data)


async def _stream_file(part: BodyPartReader, spooled: SpooledUpload, limit: int) -> None:
    head = b""
    while chunk := await part.read_chunk(CHUNK):
        if spooled.size + len(chunk) > limit:
            log.info("upload refused at %d bytes: over the %d-byte limit", spooled.size + len(chunk), limit)
            raise _too_large(limit)
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
            if len(head) >= SNIFF_BYTES:
                sniff(head)
        spooled.write(chunk)
    if spooled.size == 0:
        raise UploadInvalid("the file is empty", code="document_empty")
    if len(head) < SNIFF_BYTES:
        sniff(head)
    spooled.finish()


async def receive_document(request: web.Request, storage: DocumentStorage, limit: int) -> ReceivedUpload:
    """Read a ``multipart/form-data`` upload with parts ``file``, ``signature`` and small text fields."""
    if request.content_type != "multipart/form-data":
        raise UploadInvalid("send the document as multipart/form-data with parts file and signature")
    declared = request.content_length
    if declared is not None and declared > limit + ENVELOPE:
        raise _too_large(limit)
    try:
        reader = await request.multipart()
    except (HttpProcessingError, ValueError, AssertionError) as exc:
        raise UploadInvalid(f"malformed multipart body: {str(exc)[:200]}") from None
    spooled: SpooledUpload | None = None
    filename = ""
    signature: bytes | None = None
    fields: dict[str, str] = {}
    try:
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                raise UploadInvalid("nested multipart bodies are not accepted")
            name = part.name or ""
            if name == "file":
                if spooled is not None:
                    raise UploadInvalid("one file per upload", details={"part": "file"})
                filename = (part.filename or "").strip()[:300]
                spooled = storage.spool()
                await _stream_file(part, spooled, limit)
            elif name == "signature":
                signature = (await _read_small(part, MAX_SIGNATURE, name)).strip()
            elif name in TEXT_FIELDS:
                try:
                    fields[name] = (await _read_small(part, MAX_FIELD, name)).decode("utf-8").strip()
                except UnicodeDecodeError:
                    raise UploadInvalid(f"the {name} part is not UTF-8 text", details={"part": name}) from None
            else:
                raise UploadInvalid(f"unexpected part {name[:40]!r}; expected file, signature and "
                                    f"{sorted(TEXT_FIELDS)}", details={"part": name[:40]})
    except (HttpProcessingError, ValueError, AssertionError) as exc:
        if spooled is not None:
            spooled.discard()
        raise UploadInvalid(f"malformed multipart body: {str(exc)[:200]}") from None
    except BaseException:
        if spooled is not None:
            spooled.discard()
        raise
    if spooled is None:
        raise UploadInvalid("the upload has no file part", details={"part": "file"})
    if not signature:
        spooled.discard()
        raise UploadInvalid("each document needs a detached CMS signature (part 'signature', base64 or DER) "
                            "made with your SIGN key over exactly the file's bytes",
                            code="signature_required", details={"part": "signature"})
    if not filename:
        filename = "document"
    return ReceivedUpload(spooled, filename, signature, fields)
