"""The NCA profile: identity parsing from real NCA certificates and from our CA, both directions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given
from hypothesis import strategies as st

from cabinet.eds.profile import (
    KeyType,
    Organisation,
    Purpose,
    Role,
    SignerIdentity,
    build_subject,
    iin_checksum_valid,
    normalise_iin,
    parse_identity,
    usage_problem,
)

CYRILLIC = st.text(alphabet="АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯаәөүұқғңһі-'", min_size=1, max_size=30).filter(
    lambda s: s.strip() == s and " " not in s
)

_KEY = ec.generate_private_key(ec.SECP256R1())


def test_the_nca_test_certificate_parses_with_iin_and_cyrillic_intact(nca: Path) -> None:
    cert = x509.load_pem_x509_certificate(next((nca / "active").glob("AUTH_*.cer")).read_bytes())

    identity = parse_identity(cert)

    assert identity.iin == "123456789011"  # fails the IIN checksum; the CA is authoritative
    assert not iin_checksum_valid("123456789011")
    assert (identity.common_name, identity.surname, identity.given_name, identity.patronymic) == (
        "ТЕСТОВ ТЕСТ", "ТЕСТОВ", "ТЕСТ", "ТЕСТОВИЧ")
    assert identity.country == "KZ" and identity.bin is None and identity.organisation is None
    assert identity.roles == (Role.INDIVIDUAL,)
    assert identity.key_type is KeyType.AUTH
    assert usage_problem(cert, Purpose.LOGIN) is None
    assert usage_problem(cert, Purpose.DOCUMENT) is not None


def test_the_nca_sign_certificate_is_a_sign_key(nca: Path) -> None:
    cert = x509.load_pem_x509_certificate(next((nca / "active").glob("RSA256_*.cer")).read_bytes())

    assert parse_identity(cert).key_type is KeyType.SIGN
    assert usage_problem(cert, Purpose.DOCUMENT) is None
    assert usage_problem(cert, Purpose.LOGIN) is not None


def test_our_ca_issues_the_profile_it_parses(pki_session) -> None:
    director = parse_identity(pki_session.director.sign.certificate)

    assert director.iin == "900101400005" and director.bin == "123456789021"
    assert director.organisation == "ТОО «Сот»"
    assert director.roles == (Role.ORGANIZATION, Role.CEO)
    assert director.key_type is KeyType.SIGN


def _parsed(name: x509.Name) -> SignerIdentity:
    """Issue a throwaway certificate for ``name`` so the real parser runs on real DER."""
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(_KEY.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(_KEY, hashes.SHA256()))
    der = cert.public_bytes(Encoding.DER)
    assert asn1_x509.Certificate.load(der).dump() == der  # valid DER, UTF8Strings kept byte for byte
    return parse_identity(x509.load_der_x509_certificate(der))


@given(surname=CYRILLIC, given_name=CYRILLIC, patronymic=st.none() | CYRILLIC,
       iin=st.from_regex(r"\A[0-9]{12}\Z"), org=st.none() | st.tuples(st.from_regex(r"\A[0-9]{12}\Z"), CYRILLIC))
def test_subject_round_trips_through_der(surname, given_name, patronymic, iin, org) -> None:
    organisation = Organisation(org[0], org[1], Role.HR) if org else None
    name = build_subject(iin=iin, surname=surname, given_name=given_name, patronymic=patronymic,
                         organisation=organisation)

    identity = _parsed(name)

    assert identity.iin == iin
    assert (identity.surname, identity.given_name, identity.patronymic) == (surname, given_name, patronymic)
    assert identity.common_name == f"{surname} {given_name}"
    assert identity.bin == (org[0] if org else None)
    assert identity.organisation == (org[1] if org else None)


@given(st.from_regex(r"\A[0-9]{12}\Z"))
def test_an_iin_is_read_with_or_without_its_prefix(iin: str) -> None:
    assert normalise_iin(iin) == iin
    assert normalise_iin(f"IIN{iin}") == iin


@given(st.text(max_size=20))
def test_anything_that_is_not_twelve_digits_is_no_iin(text: str) -> None:
    digits = text.strip().removeprefix("IIN")
    if not (len(digits) == 12 and digits.isascii() and digits.isdigit()):
        assert normalise_iin(text) is None


def test_iin_checksum_accepts_a_valid_number_and_rejects_a_typo() -> None:
    assert iin_checksum_valid("900101400009") == (
        sum(int(d) * w for d, w in zip("90010140000", range(1, 12), strict=True)) % 11 == 9)
    valid = next(f"90010140000{d}" for d in "0123456789" if iin_checksum_valid(f"90010140000{d}"))
    assert not iin_checksum_valid(valid[:-1] + str((int(valid[-1]) + 1) % 10))
    assert not iin_checksum_valid("12345")


def test_non_ascii_digits_are_no_iin() -> None:
    assert normalise_iin("00000000000٠") is None  # an Arabic-Indic zero that regex \d would accept
    assert not iin_checksum_valid("١٢٣٤٥٦٧٨٩٠١١")


def test_a_long_cyrillic_name_fits_while_a_cn_over_64_characters_is_refused() -> None:
    long_name = "А" * 40
    identity = _parsed(build_subject(iin="900101400001", surname="Б" * 23, given_name=long_name, patronymic=None))
    assert identity.given_name == long_name
    with pytest.raises(ValueError, match="64"):
        build_subject(iin="900101400001", surname="Б" * 24, given_name=long_name, patronymic=None)
