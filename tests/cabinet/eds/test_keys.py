"""Opening .p12 key files (ours and NCA's) and signing CMS with them."""

from __future__ import annotations

from pathlib import Path

import pytest
from asn1crypto import cms as asn1_cms
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID

from cabinet.eds.errors import KeyFileError
from cabinet.eds.keys import load_key_file
from tests.cabinet.conftest import with_unreadable_name


def test_an_nca_key_file_opens_with_its_password(nca: Path) -> None:
    path = next((nca / "active").glob("AUTH_*.p12"))

    key = load_key_file(path, "Qwerty12")

    assert key.identity.iin == "123456789011"
    assert key.identity.common_name == "ТЕСТОВ ТЕСТ"
    assert key.additional_certificates == ()  # NCA ships the leaf only


def test_our_key_file_opens_from_bytes(pki_session) -> None:
    key = load_key_file(pki_session.alice.auth.p12, b"correct horse")

    assert key.certificate == pki_session.alice.auth.certificate


def test_a_wrong_password_is_its_own_error(pki_session) -> None:
    with pytest.raises(KeyFileError) as caught:
        load_key_file(pki_session.alice.auth.p12, "wrong")

    assert (caught.value.code, caught.value.status) == ("key_password_wrong", 400)


def test_a_key_file_whose_certificate_name_cannot_be_read_is_refused(pki_session) -> None:
    """cryptography would load it and raise a TypeError later, when the name is read for the identity."""
    issued = pki_session.alice.auth
    crafted = with_unreadable_name(issued.certificate, pki_session.ca._issuing_key, position="subject",
                                   attribute=NameOID.COMMON_NAME)
    data = pkcs12.serialize_key_and_certificates(b"alice", issued.private_key, crafted, None,
                                                 BestAvailableEncryption(b"pw"))

    with pytest.raises(KeyFileError) as caught:
        load_key_file(data, "pw")

    assert (caught.value.code, caught.value.status) == ("key_file_invalid", 400)
    assert "subject name cannot be read" in str(caught.value)


@pytest.mark.parametrize("data", [b"", b"not a key file", b"\x30\x03\x02\x01\x03"])
def test_bytes_that_are_not_pkcs12_are_refused(data: bytes) -> None:
    with pytest.raises(KeyFileError) as caught:
        load_key_file(data, "pw")

    assert caught.value.code == "key_file_invalid"


def test_a_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError) as caught:
        load_key_file(tmp_path / "absent.p12", "pw")

    assert caught.value.code == "key_file_unreadable"


@pytest.mark.parametrize("detached", [True, False])
def test_signatures_are_sha256_cms_with_signed_attributes(pki_session, detached: bool) -> None:
    key = load_key_file(pki_session.alice.sign.p12, b"correct horse")

    info = asn1_cms.ContentInfo.load(key.sign(b"document", detached=detached))

    signed = info["content"]
    signer = signed["signer_infos"][0]
    assert signer["digest_algorithm"]["algorithm"].native == "sha256"
    assert {a["type"].native for a in signer["signed_attrs"]} >= {"content_type", "signing_time", "message_digest"}
    assert signed["encap_content_info"]["content"].native == (None if detached else b"document")
    assert len(signed["certificates"]) == 1
