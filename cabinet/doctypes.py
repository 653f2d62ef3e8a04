"""Which document an upload really is, decided from its bytes, never from its name.

A court accepts PDF, DOC, DOCX, XLS, XLSX, JPEG and PNG. A file called ``claim.pdf`` that is a
PNG is a PNG (and the mismatch is reported so the cabinet can tell the filer); an executable
renamed ``.docx`` is refused with ``unsupported_document_type``.

Two stages, because uploads are streamed:

- :func:`sniff` looks at the first chunk (:data:`SNIFF_BYTES` is enough). PDF, JPEG and PNG are
  decided there; ZIP and OLE2 containers are recognised as families, and anything else is refused
  before a byte is stored.
- :func:`detect` looks at the complete file (bytes, or a seekable binary file such as the spooled
  upload). ZIP is an Office Open XML document only if it has ``[Content_Types].xml`` declaring the
  main part of a Word document (DOCX) or an Excel workbook (XLSX) and that part's folder exists —
  names come from the central directory and only the small content-type list is ever inflated.
  OLE2 is DOC if its directory holds a ``WordDocument`` stream and XLS if it holds ``Workbook``
  (or the older ``Book``); other compound files (PowerPoint, Outlook messages, password-protected
  OOXML) are refused. PDF, PNG and JPEG must end as their formats end, so a truncated upload is
  ``damaged_document``.

Macro-enabled and template variants (DOCM, XLSM, DOTX…) declare different content types and are
refused: a court file is not a place for macros.
"""

from __future__ import annotations

import enum
import io
import logging
import struct
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

from cabinet.errors import UnsupportedDocumentType

logger = logging.getLogger(__name__)

SNIFF_BYTES = 8
_TAIL = 1024
_CONTENT_TYPES_LIMIT = 1 << 20
_MAX_DIRECTORY_SECTORS = 1 << 16

_PDF = b"%PDF-"
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


class DocumentType(enum.Enum):
    PDF = "pdf"
    DOC = "doc"
    DOCX = "docx"
    XLS = "xls"
    XLSX = "xlsx"
    JPEG = "jpeg"
    PNG = "png"

    @property
    def mime_type(self) -> str:
        return _MIME[self]

    @property
    def extensions(self) -> frozenset[str]:
        return _EXTENSIONS[self]


_MIME = {
    DocumentType.PDF: "application/pdf",
    DocumentType.DOC: "application/msword",
    DocumentType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DocumentType.XLS: "application/vnd.ms-excel",
    DocumentType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DocumentType.JPEG: "image/jpeg",
    DocumentType.PNG: "image/png",
}
_EXTENSIONS = {
    DocumentType.PDF: frozenset({".pdf"}),
    DocumentType.DOC: frozenset({".doc"}),
    DocumentType.DOCX: frozenset({".docx"}),
    DocumentType.XLS: frozenset({".xls"}),
    DocumentType.XLSX: frozenset({".xlsx"}),
    DocumentType.JPEG: frozenset({".jpg", ".jpeg"}),
    DocumentType.PNG: frozenset({".png"}),
}


class Family(enum.Enum):
    """What the first bytes can tell: a final type, or a container to open once the file is complete."""

    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    ZIP = "zip"
    OLE2 = "ole2"


_FINAL = {Family.PDF: DocumentType.PDF, Family.JPEG: DocumentType.JPEG, Family.PNG: DocumentType.PNG}


@dataclass(frozen=True)
class Sniffed:
    family: Family
    document_type: DocumentType | None

    @property
    def needs_whole_file(self) -> bool:
        return self.document_type is None


@dataclass(frozen=True)
class Detection:
    document_type: DocumentType
    declared_name: str | None
    declared_extension: str | None

    @property
    def mime_type(self) -> str:
        return self.document_type.mime_type

    @property
    def name_matches(self) -> bool | None:
        """``None`` when no name was given; otherwise whether its extension fits the real type."""
        if self.declared_name is None:
            return None
        return self.declared_extension in self.document_type.extensions

    def to_json(self) -> dict[str, object]:
        return {"type": self.document_type.value, "mime_type": self.mime_type,
                "declared_name": self.declared_name, "name_matches": self.name_matches}


def _refuse(message: str, *, code: str = "unsupported_document_type") -> UnsupportedDocumentType:
    return UnsupportedDocumentType(
        f"{message}; accepted are PDF, DOC, DOCX, XLS, XLSX, JPEG and PNG", code=code,
        details={"accepted": [t.value for t in DocumentType]},
    )


def sniff(head: bytes) -> Sniffed:
    """Classify the first chunk of an upload (at least :data:`SNIFF_BYTES`, unless the file is shorter)."""
    if head.startswith(_PDF):
        return Sniffed(Family.PDF, DocumentType.PDF)
    if head.startswith(_PNG):
        return Sniffed(Family.PNG, DocumentType.PNG)
    if head.startswith(_JPEG):
        return Sniffed(Family.JPEG, DocumentType.JPEG)
    if head.startswith(_ZIP):
        return Sniffed(Family.ZIP, None)
    if head.startswith(_OLE2):
        return Sniffed(Family.OLE2, None)
    raise _refuse("the file does not start like any accepted document")


def _read_all(source: bytes | BinaryIO) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    source.seek(0)
    return source.read()


def detect(source: bytes | BinaryIO, declared_name: str | None = None) -> Detection:
    """The type of a complete upload, and whether the name it came with agrees."""
    data = _read_all(source)
    sniffed = sniff(data[:SNIFF_BYTES])
    if sniffed.family is Family.ZIP:
        document_type = _ooxml_type(data)
    elif sniffed.family is Family.OLE2:
        document_type = _ole2_type(data)
    else:
        document_type = _FINAL[sniffed.family]
        _check_complete(document_type, data)
    extension = None
    if declared_name is not None:
        suffix = PurePosixPath(declared_name.replace("\\", "/")).suffix.lower()
        extension = suffix or None
    detection = Detection(document_type, declared_name, extension)
    if detection.name_matches is False:
        logger.info("upload named %r is really %s", declared_name, document_type.value)
    return detection


def _check_complete(document_type: DocumentType, data: bytes) -> None:
    tail = data[-_TAIL:]
    complete = {
        DocumentType.PDF: b"%%EOF" in tail,
        DocumentType.PNG: data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"),
        DocumentType.JPEG: b"\xff\xd9" in tail,
    }[document_type]
    if not complete:
        raise _refuse(f"the {document_type.value.upper()} file is truncated or damaged", code="damaged_document")


def _ooxml_type(data: bytes) -> DocumentType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                raise _refuse("a ZIP archive that is not an Office Open XML document")
            with archive.open("[Content_Types].xml") as part:
                content_types = part.read(_CONTENT_TYPES_LIMIT + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        raise _refuse(f"a damaged ZIP container ({exc.__class__.__name__})", code="damaged_document") from None
    if len(content_types) > _CONTENT_TYPES_LIMIT:
        raise _refuse("an Office document whose content-type list is implausibly large")
    if _DOCX_MAIN in content_types and any(n.startswith("word/") for n in names):
        return DocumentType.DOCX
    if _XLSX_MAIN in content_types and any(n.startswith("xl/") for n in names):
        return DocumentType.XLSX
    raise _refuse("an Office Open XML package that is neither a Word document nor an Excel workbook "
                  "(macro-enabled files and templates are not accepted)")


_FREESECT, _ENDOFCHAIN, _MAXREGSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFA


def ole2_stream_names(data: bytes) -> frozenset[str]:
    """Names of the storages and streams in a compound file's directory ([MS-CFB] §2.6)."""
    try:
        return _ole2_names(data)
    except (struct.error, IndexError, ValueError) as exc:
        raise _refuse(f"a damaged OLE2 compound file ({exc})", code="damaged_document") from None


def _ole2_names(data: bytes) -> frozenset[str]:
    if len(data) < 512 or not data.startswith(_OLE2):
        raise ValueError("shorter than its header")
    sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
    if sector_shift not in (9, 12):
        raise ValueError(f"sector shift {sector_shift}")
    size = 1 << sector_shift
    first_directory, = struct.unpack_from("<I", data, 0x30)
    first_difat, difat_count = struct.unpack_from("<II", data, 0x44)

    def sector(number: int) -> bytes:
        if number > _MAXREGSECT:
            raise ValueError(f"sector {number:#x} is not a regular sector")
        start = (number + 1) * size
        if start + size > len(data):
            raise ValueError(f"sector {number} lies beyond the end of the file")
        return data[start : start + size]

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n <= _MAXREGSECT]
    next_difat = first_difat
    for _ in range(difat_count):
        if next_difat > _MAXREGSECT:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(next_difat))
        fat_sectors.extend(n for n in entries[:-1] if n <= _MAXREGSECT)
        next_difat = entries[-1]
    fat: list[int] = []
    for number in fat_sectors:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(number)))

    names: set[str] = set()
    current, seen = first_directory, set[int]()
    while current != _ENDOFCHAIN:
        if current in seen or len(seen) >= _MAX_DIRECTORY_SECTORS or current >= len(fat):
            raise ValueError("the directory chain is broken")
        seen.add(current)
        block = sector(current)
        for offset in range(0, size, 128):
            name_length, object_type = struct.unpack_from("<HB", block, offset + 0x40)
            if object_type in (1, 2, 5) and 2 <= name_length <= 64:
                names.add(block[offset : offset + name_length - 2].decode("utf-16-le", errors="replace"))
        current = fat[current]
    return frozenset(names)


def _ole2_type(data: bytes) -> DocumentType:
    names = ole2_stream_names(data)
    if "WordDocument" in names:
        return DocumentType.DOC
    if "Workbook" in names or "Book" in names:
        return DocumentType.XLS
    if "EncryptedPackage" in names:
        raise _refuse("a password-protected Office document; remove the password and upload it again")
    raise _refuse("an OLE2 compound file that is neither a Word document nor an Excel workbook")
