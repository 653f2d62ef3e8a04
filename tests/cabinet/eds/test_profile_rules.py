"""The NCA profile's rules one at a time, on certificates that break exactly one of them.

Every certificate the test CA issues is well-formed, so a check hidden behind another (keyUsage
behind the EKU) is never seen failing there. These certificates are built here with exactly the
extensions each case needs, and the OIDs are the real NCA/IETF values written out, not the module's
constants: a changed constant would otherwise be read by both the certificate and the check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from cabinet.eds.profile import (
    EKU_CLIENT_AUTH,
    EKU_EMAIL_PROTECTION,
    EKU_OCSP_SIGNING,
    GOST_OID_PREFIXES,
    KeyType,
    Organisation,
    Purpose,
    Role,
    SignerIdentity,
    build_subject,
    iin_checksum_valid,
    key_type_of,
    normalise_bin,
    normalise_iin,
    parse_identity,
    policy_for,
    policy_problem,
    roles_of,
    usage_problem,
)

_KEY = ec.generate_private_key(ec.SECP256R1())
CLIENT_AUTH = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.2")
EMAIL_PROTECTION = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.4")
OCSP_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.9")
#: NCA's role OIDs (NCANode's keyUser), as NCA writes them into the EKU.
NCA_ROLES = {
    "1.2.398.3.3.4.1.1": Role.INDIVIDUAL,
    "1.2.398.3.3.4.1.2": Role.ORGANIZATION,
    "1.2.398.3.3.4.1.2.1": Role.CEO,
    "1.2.398.3.3.4.1.2.2": Role.CAN_SIGN,
    "1.2.398.3.3.4.1.2.3": Role.CAN_SIGN_FINANCIAL,
    "1.2.398.3.3.4.1.2.4": Role.HR,
    "1.2.398.3.3.4.1.2.5": Role.EMPLOYEE,
}


def _usage(*, digital_signature: bool = False, non_repudiation: bool = False,
           key_encipherment: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature, content_commitment=non_repudiation,
        key_encipherment=key_encipherment, data_encipherment=False, key_agreement=False, key_cert_sign=False,
        crl_sign=False, encipher_only=False, decipher_only=False,
    )


def _cert(usage: x509.KeyUsage | None, ekus: list[x509.ObjectIdentifier] | None,
          name: x509.Name | None = None, policies: list[str] | None = None) -> x509.Certificate:
    now = datetime.now(UTC)
    subject = name or x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "ТЕСТОВ ТЕСТ")])
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
               .public_key(_KEY.public_key()).serial_number(7).not_valid_before(now)
               .not_valid_after(now + timedelta(days=1)))
    if usage is not None:
        builder = builder.add_extension(usage, critical=True)
    if ekus is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(ekus), critical=False)
    if policies is not None:
        builder = builder.add_extension(x509.CertificatePolicies(
            [x509.PolicyInformation(x509.ObjectIdentifier(p), None) for p in policies]), critical=False)
    return builder.sign(_KEY, hashes.SHA256())


AUTH_USAGE = _usage(digital_signature=True, key_encipherment=True)
SIGN_USAGE = _usage(digital_signature=True, non_repudiation=True)


def test_the_module_names_the_real_extended_key_usage_oids() -> None:
    assert EKU_CLIENT_AUTH == CLIENT_AUTH
    assert EKU_EMAIL_PROTECTION == EMAIL_PROTECTION
    assert EKU_OCSP_SIGNING == OCSP_SIGNING
    assert GOST_OID_PREFIXES == ("1.2.398.3.10.", "1.2.643.")


def test_the_role_oids_are_ncas() -> None:
    assert {role.oid.dotted_string: role for role in Role} == NCA_ROLES
    oids = [x509.ObjectIdentifier(dotted) for dotted in NCA_ROLES]
    assert roles_of(_cert(AUTH_USAGE, [CLIENT_AUTH, *oids])) == tuple(NCA_ROLES.values())
    assert roles_of(_cert(AUTH_USAGE, [CLIENT_AUTH, x509.ObjectIdentifier("1.2.398.3.3.4.1.3")])) == ()


def test_the_certificate_policies_are_ncas() -> None:
    assert policy_for(KeyType.SIGN, organisation=True).dotted_string == "1.2.398.3.3.2.1"
    assert policy_for(KeyType.AUTH, organisation=True).dotted_string == "1.2.398.3.3.2.2"
    assert policy_for(KeyType.SIGN, organisation=False).dotted_string == "1.2.398.3.3.2.3"
    assert policy_for(KeyType.AUTH, organisation=False).dotted_string == "1.2.398.3.3.2.4"


def test_login_needs_digital_signature_in_key_usage_even_with_client_auth() -> None:
    assert usage_problem(_cert(AUTH_USAGE, [CLIENT_AUTH]), Purpose.LOGIN) is None
    no_signature = usage_problem(_cert(_usage(key_encipherment=True), [CLIENT_AUTH]), Purpose.LOGIN)
    assert no_signature == "the key may not make digital signatures (keyUsage lacks digitalSignature)"
    no_usage = usage_problem(_cert(None, [CLIENT_AUTH]), Purpose.LOGIN)
    assert no_usage == no_signature
    wrong_eku = usage_problem(_cert(AUTH_USAGE, [EMAIL_PROTECTION]), Purpose.LOGIN)
    assert wrong_eku == "this is not an authentication (AUTH) key: login needs clientAuth"
    assert usage_problem(_cert(AUTH_USAGE, None), Purpose.LOGIN) is not None


def test_a_document_needs_non_repudiation_even_with_email_protection() -> None:
    assert usage_problem(_cert(SIGN_USAGE, [EMAIL_PROTECTION]), Purpose.DOCUMENT) is None
    no_commitment = usage_problem(_cert(_usage(digital_signature=True), [EMAIL_PROTECTION]), Purpose.DOCUMENT)
    assert no_commitment == "this is not a signing (SIGN) key: documents need nonRepudiation"
    no_usage = usage_problem(_cert(None, [EMAIL_PROTECTION]), Purpose.DOCUMENT)
    assert no_usage == no_commitment
    wrong_eku = usage_problem(_cert(SIGN_USAGE, [CLIENT_AUTH]), Purpose.DOCUMENT)
    assert wrong_eku == "this is not a signing (SIGN) key: documents need emailProtection"


@pytest.mark.parametrize(("usage", "ekus", "expected"), [
    (AUTH_USAGE, [CLIENT_AUTH], KeyType.AUTH),
    (SIGN_USAGE, [EMAIL_PROTECTION], KeyType.SIGN),
    (SIGN_USAGE, [CLIENT_AUTH], KeyType.AUTH),  # the EKU decides first, as NCALayer filters on it
    (AUTH_USAGE, [EMAIL_PROTECTION], KeyType.SIGN),
    (SIGN_USAGE, [CLIENT_AUTH, EMAIL_PROTECTION], None),  # both: ambiguous
    (SIGN_USAGE, None, KeyType.SIGN),  # no EKU: the key usage bits decide
    (SIGN_USAGE, [OCSP_SIGNING], KeyType.SIGN),
    (AUTH_USAGE, None, KeyType.AUTH),
    (_usage(digital_signature=True), None, None),
    (_usage(key_encipherment=True), None, None),
    (None, None, None),
    (None, [OCSP_SIGNING], None),
], ids=["auth", "sign", "eku-auth", "eku-sign", "both-ekus", "usage-sign", "other-eku", "usage-auth",
        "signature-only", "encipherment-only", "nothing", "ocsp-only"])
def test_the_key_type(usage: x509.KeyUsage | None, ekus: list | None, expected: KeyType | None) -> None:
    assert key_type_of(_cert(usage, ekus)) is expected


@pytest.mark.parametrize("text", [
    "900101400005X", "IIN9001014000051", "X900101400005", "IIN 900101400005", "IIN90010140000", "iin900101400005",
    "BIN900101400005", "9001014000051", "",
])
def test_an_iin_is_twelve_digits_and_nothing_else(text: str) -> None:
    assert normalise_iin(text) is None


@pytest.mark.parametrize("text", ["123456789021X", "BIN1234567890211", "XBIN123456789021", "IIN123456789021",
                                  "12345678902", "bin123456789021"])
def test_a_bin_is_twelve_digits_and_nothing_else(text: str) -> None:
    assert normalise_bin(text) is None


def test_a_bin_is_read_with_or_without_its_prefix_and_around_spaces() -> None:
    assert normalise_bin(" BIN123456789021 ") == "123456789021"
    assert normalise_bin("123456789021") == "123456789021"
    assert normalise_iin(" IIN900101400005\n") == "900101400005"


def test_the_check_digit_falls_back_to_the_second_weights() -> None:
    # 90010130081: the weights 1..11 give 10, the second round (3..11, 1, 2) gives 1.
    assert iin_checksum_valid("900101300811")
    assert not any(iin_checksum_valid(f"90010130081{d}") for d in "023456789")
    # 90010130080: both rounds give 10, so no check digit can complete it.
    assert not any(iin_checksum_valid(f"90010130080{d}") for d in "0123456789")
    # With no zero digit, any change of one second-round weight changes the verdict.
    assert iin_checksum_valid("191747194887")
    assert not any(iin_checksum_valid(f"19174719488{d}") for d in "012345689")
    # The first round decides when it gives less than 10: 90010140000 gives 3 with weights 1..11.
    assert iin_checksum_valid("900101400003") and not iin_checksum_valid("900101400004")
    assert not iin_checksum_valid("9001014000031") and not iin_checksum_valid("90010140000")


@pytest.mark.parametrize("role", [Role.CEO, Role.CAN_SIGN, Role.CAN_SIGN_FINANCIAL, Role.HR, Role.EMPLOYEE])
def test_the_roles_a_person_holds_within_an_organisation(role: Role) -> None:
    assert Organisation("123456789021", "ТОО «Сот»", role).role is role


@pytest.mark.parametrize("role", [Role.INDIVIDUAL, Role.ORGANIZATION])
def test_individual_and_organisation_are_not_roles_within_one(role: Role) -> None:
    with pytest.raises(ValueError, match="not a role within an organisation"):
        Organisation("123456789021", "ТОО «Сот»", role)


def test_an_organisation_needs_a_bin_and_a_name() -> None:
    assert Organisation("123456789021", "ТОО «Сот»").role is Role.EMPLOYEE
    with pytest.raises(ValueError, match=r"^BIN must be 12 digits$"):
        Organisation("BIN123456789021", "ТОО «Сот»")
    with pytest.raises(ValueError, match=r"^organisation name must not be empty$"):
        Organisation("123456789021", "  ")


def test_a_signer_identity_holds_twelve_digit_numbers_only() -> None:
    fields = dict(common_name="A B", surname="A", given_name="B", patronymic=None, organisation=None,
                  country="KZ", roles=(Role.INDIVIDUAL,), key_type=KeyType.AUTH)
    identity = SignerIdentity(iin="900101400005", bin=None, **fields)
    assert identity.to_json() == {
        "iin": "900101400005", "bin": None, "common_name": "A B", "surname": "A", "given_name": "B",
        "patronymic": None, "organisation": None, "country": "KZ", "roles": ["INDIVIDUAL"], "key_type": "AUTH",
    }
    assert SignerIdentity(iin=None, bin=None, **{**fields, "key_type": None}).to_json()["key_type"] is None
    for iin, bin_, message in (("90010140000", None, "IIN"), ("IIN900101400005", None, "IIN"),
                               (None, "12345678902X", "BIN")):
        with pytest.raises(ValueError, match=rf"^{message} must be 12 digits$"):
            SignerIdentity(iin=iin, bin=bin_, **fields)


def test_the_subject_nca_writes() -> None:
    name = build_subject(iin="IIN900101400005", surname="ТЕСТОВ", given_name="ТЕСТ", patronymic="ТЕСТОВИЧ",
                         organisation=Organisation("123456789021", "ТОО «Сот»", Role.CEO), locality="АЛМАТЫ")
    by_oid = {attribute.oid.dotted_string: attribute.value for attribute in name}
    assert by_oid == {
        "2.5.4.3": "ТЕСТОВ ТЕСТ", "2.5.4.4": "ТЕСТОВ", "2.5.4.5": "IIN900101400005", "2.5.4.6": "KZ",
        "2.5.4.7": "АЛМАТЫ", "2.5.4.10": "ТОО «Сот»", "2.5.4.11": "BIN123456789021", "2.5.4.42": "ТЕСТОВИЧ",
    }
    plain = build_subject(iin="900101400005", surname="A", given_name="B", patronymic=None, country="RU")
    assert [a.oid.dotted_string for a in plain] == ["2.5.4.3", "2.5.4.4", "2.5.4.5", "2.5.4.6"]
    with pytest.raises(ValueError, match=r"^IIN must be 12 digits$"):
        build_subject(iin="90010140000", surname="A", given_name="B", patronymic=None)
    with pytest.raises(ValueError, match=r"^surname and given name must not be empty$"):
        build_subject(iin="900101400005", surname=" ", given_name="B", patronymic=None)
    with pytest.raises(ValueError, match=r"^surname and given name must not be empty$"):
        build_subject(iin="900101400005", surname="A", given_name="", patronymic=None)
    with pytest.raises(ValueError, match=r"^surname and given name together exceed the 64 characters of a CN$"):
        build_subject(iin="900101400005", surname="Б" * 40, given_name="А" * 24, patronymic=None)


def test_a_given_name_is_read_from_the_common_name_when_the_surname_does_not_lead_it() -> None:
    def identity(*attributes: tuple[x509.ObjectIdentifier, str]) -> SignerIdentity:
        name = x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])
        return parse_identity(_cert(AUTH_USAGE, [CLIENT_AUTH], name))

    cn, sn, serial, ou = (x509.NameOID.COMMON_NAME, x509.NameOID.SURNAME, x509.NameOID.SERIAL_NUMBER,
                          x509.NameOID.ORGANIZATIONAL_UNIT_NAME)
    assert identity((cn, "ТЕСТОВ ТЕСТ АЛЕКСЕЙ")).given_name == "ТЕСТ АЛЕКСЕЙ"
    assert identity((cn, "ДЕ ЛА КРУЗ МАРИЯ"), (sn, "ДЕ ЛА КРУЗ")).given_name == "МАРИЯ"
    nameless = identity((sn, "ТЕСТОВ"), (x509.NameOID.COUNTRY_NAME, "KZ"))
    assert (nameless.common_name, nameless.given_name, nameless.country) == ("", None, "KZ")
    assert identity((cn, "ИВАНОВ ПЁТР"), (sn, "ПЕТРОВ")).given_name == "ПЁТР"
    assert identity((cn, "ТЕСТОВ"), (sn, "ТЕСТОВ")).given_name is None
    assert identity((cn, "ТЕСТОВ  "), (sn, "ТЕСТОВ")).given_name is None
    only = identity((cn, "ТЕСТОВ ТЕСТ"), (serial, "IIN900101400005"), (ou, "отдел"), (ou, "BIN123456789021"))
    assert (only.iin, only.bin, only.key_type, only.roles) == ("900101400005", "123456789021", KeyType.AUTH, ())
    assert identity((cn, "X Y"), (serial, "PASSPORT123")).iin is None
    assert identity((cn, "X Y"), (ou, "BIN123456789021"), (ou, "отдел")).bin == "123456789021"


def test_each_key_is_issued_under_its_nca_policy() -> None:
    individual = x509.ObjectIdentifier("1.2.398.3.3.4.1.1")
    organisation = x509.ObjectIdentifier("1.2.398.3.3.4.1.2")
    assert policy_problem(_cert(AUTH_USAGE, [CLIENT_AUTH, individual], policies=["1.2.398.3.3.2.4"]),
                          Purpose.LOGIN) is None
    assert policy_problem(_cert(SIGN_USAGE, [EMAIL_PROTECTION, individual], policies=["1.2.398.3.3.2.3"]),
                          Purpose.DOCUMENT) is None
    assert policy_problem(_cert(AUTH_USAGE, [CLIENT_AUTH, organisation], policies=["1.2.398.3.3.2.2"]),
                          Purpose.LOGIN) is None
    assert policy_problem(_cert(SIGN_USAGE, [EMAIL_PROTECTION, organisation], policies=["1.2.398.3.3.2.1"]),
                          Purpose.DOCUMENT) is None
    assert policy_problem(_cert(AUTH_USAGE, [CLIENT_AUTH, individual]), Purpose.LOGIN) == (
        "the certificate names no certificate policy; the NCA profile needs 1.2.398.3.3.2.4")
    assert policy_problem(_cert(AUTH_USAGE, [CLIENT_AUTH, organisation], policies=["1.2.398.3.3.2.4", "2.5.29.32.0"]),
                          Purpose.LOGIN) == (
        "the certificate policy 1.2.398.3.3.2.4, 2.5.29.32.0 is not the NCA AUTH policy 1.2.398.3.3.2.2")
    assert policy_problem(_cert(SIGN_USAGE, [EMAIL_PROTECTION], policies=["1.2.398.3.3.2.4"]), Purpose.DOCUMENT) == (
        "the certificate policy 1.2.398.3.3.2.4 is not the NCA SIGN policy 1.2.398.3.3.2.3")
