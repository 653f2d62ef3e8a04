"""Uploads are recognised by their bytes: real minimal files of each format are built here."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cabinet.doctypes import (
    SNIFF_BYTES,
    DocumentType,
    Family,
    detect,
    ole2_stream_names,
    sniff,
)
from cabinet.errors import CabinetError, UnsupportedDocumentType


def pdf() -> bytes:
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    )
    xref = len(body)
    return body + b"xref\n0 4\n" + b"0000000000 65535 f \n" * 4 + (
        b"trailer<</Size 4/Root 1 0 R>>\nstartxref\n" + str(xref).encode() + b"\n%%EOF\n"
    )


def png() -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(
        b"IEND", b""
    )


def jpeg() -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + b"\xff\xda\x00\x08\x01\x01\x00\x00?\x00" + b"\x00" * 16 + b"\xff\xd9"


CT_HEAD = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'


def ooxml(main_part: str, content_type: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            CT_HEAD + '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main_part}" ContentType="{content_type}"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


def docx() -> bytes:
    return ooxml(
        "word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    )


def xlsx() -> bytes:
    return ooxml("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")


def ole2(*streams: str) -> bytes:
    """A 512-byte-sector compound file: header, one FAT sector (0), one directory sector (1)."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<I", header, 0x30, 1)  # directory starts in sector 1
    struct.pack_into("<III", header, 0x38, 4096, 0xFFFFFFFE, 0)  # mini cutoff, no mini FAT
    struct.pack_into("<II", header, 0x44, 0xFFFFFFFE, 0)  # no DIFAT sectors
    struct.pack_into("<109I", header, 0x4C, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = bytearray(512)
    for index, (name, kind) in enumerate([("Root Entry", 5), *((s, 2) for s in streams)]):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[index * 128 : index * 128 + len(encoded)] = encoded
        struct.pack_into("<HB", directory, index * 128 + 0x40, len(encoded), kind)
    return bytes(header) + fat + bytes(directory)


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (pdf, DocumentType.PDF),
        (png, DocumentType.PNG),
        (jpeg, DocumentType.JPEG),
        (docx, DocumentType.DOCX),
        (xlsx, DocumentType.XLSX),
        (lambda: ole2("WordDocument", "1Table", "\x05SummaryInformation"), DocumentType.DOC),
        (lambda: ole2("Workbook", "\x05SummaryInformation"), DocumentType.XLS),
        (lambda: ole2("Book"), DocumentType.XLS),
    ],
)
def test_each_accepted_format_is_recognised_from_its_bytes(build: Callable[[], bytes], expected: DocumentType) -> None:
    detection = detect(build())
    assert detection.document_type is expected
    assert detection.name_matches is None


def test_a_png_named_pdf_is_a_png_and_the_mismatch_is_reported() -> None:
    detection = detect(png(), declared_name="исковое заявление.PDF")
    assert detection.document_type is DocumentType.PNG
    assert detection.mime_type == "image/png"
    assert detection.declared_extension == ".pdf"
    assert detection.name_matches is False
    assert detection.to_json()["name_matches"] is False


def test_a_matching_name_is_confirmed_case_insensitively() -> None:
    assert detect(jpeg(), declared_name="scan.JPG").name_matches is True
    assert detect(docx(), declared_name="C:\\Users\\a\\claim.docx").name_matches is True
    assert detect(pdf(), declared_name="no-extension").name_matches is False


def test_a_seekable_file_works_like_bytes() -> None:
    spooled = io.BytesIO(xlsx())
    spooled.seek(100)
    assert detect(spooled).document_type is DocumentType.XLSX


def test_the_first_chunk_decides_simple_formats_and_defers_containers() -> None:
    assert sniff(pdf()[:SNIFF_BYTES]).document_type is DocumentType.PDF
    assert sniff(png()[:SNIFF_BYTES]).family is Family.PNG
    assert sniff(jpeg()[:SNIFF_BYTES]).document_type is DocumentType.JPEG
    zipped = sniff(docx()[:SNIFF_BYTES])
    assert zipped.family is Family.ZIP and zipped.needs_whole_file
    assert sniff(ole2("WordDocument")[:SNIFF_BYTES]).family is Family.OLE2


def refused(data: bytes, code: str = "unsupported_document_type") -> UnsupportedDocumentType:
    with pytest.raises(UnsupportedDocumentType) as info:
        detect(data, declared_name="claim.pdf")
    assert info.value.code == code
    assert info.value.status == 415
    assert isinstance(info.value, CabinetError)
    return info.value


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"MZ\x90\x00\x03\x00\x00\x00 this is an executable",
        b"<html><body>claim</body></html>",
        b"GIF89a\x01\x00\x01\x00",
        b"%PD",
        b"{\\rtf1\\ansi claim}",
    ],
)
def test_anything_else_is_refused_at_the_first_chunk(data: bytes) -> None:
    with pytest.raises(UnsupportedDocumentType):
        sniff(data[:SNIFF_BYTES])
    refused(data)


def test_a_plain_zip_is_not_an_office_document() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", b"MZ")
    refused(buffer.getvalue())


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ],
)
def test_macro_enabled_templates_and_slides_are_refused(content_type: str) -> None:
    refused(ooxml("word/document.xml", content_type))


def test_content_types_without_the_matching_part_are_refused() -> None:
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    refused(ooxml("other/document.xml", word))


def test_other_compound_files_and_encrypted_office_files_are_refused() -> None:
    assert "neither a Word document nor an Excel workbook" in refused(ole2("PowerPoint Document")).message
    assert "password" in refused(ole2("EncryptionInfo", "EncryptedPackage")).message


def test_truncated_uploads_are_damaged_documents() -> None:
    refused(pdf()[:-20], code="damaged_document")
    refused(png()[:-12], code="damaged_document")
    refused(jpeg()[:-2], code="damaged_document")
    refused(docx()[:-30], code="damaged_document")
    refused(ole2("WordDocument")[:600], code="damaged_document")


def test_a_broken_ole2_directory_chain_is_damaged_not_a_crash() -> None:
    data = bytearray(ole2("WordDocument"))
    struct.pack_into("<I", data, 512 + 4, 1)  # directory sector points to itself
    refused(bytes(data), code="damaged_document")
    assert ole2_stream_names(ole2("WordDocument")) == {"Root Entry", "WordDocument"}


@given(st.binary(max_size=2048))
def test_arbitrary_bytes_are_a_type_or_a_typed_refusal(data: bytes) -> None:
    try:
        detection = detect(data)
    except UnsupportedDocumentType as exc:
        assert exc.code in {"unsupported_document_type", "damaged_document"}
    else:
        assert detection.document_type in set(DocumentType)


@given(st.sampled_from([b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04"]), st.binary(max_size=4096))
def test_garbage_after_container_magic_never_crashes(magic: bytes, rest: bytes) -> None:
    try:
        detect(magic + rest)
    except UnsupportedDocumentType as exc:
        assert exc.code in {"unsupported_document_type", "damaged_document"}
