"""The NCA RK certificate profile as data, and pure parsing of a certificate into who signed.

Everything downstream (login, filing, the CA that mirrors NCA) reads identity through
:func:`parse_identity`, so the rules about where the IIN, the patronymic or the organisation live
in an NCA certificate are written once, here. Names are Cyrillic UTF8Strings and must survive
intact; the IIN check digit is deliberately *not* enforced for certificates because the CA is
authoritative (NCA's own test certificates carry an IIN that fails the checksum).
"""

from __future__ import annotations

import enum
import logging
import re
import warnings
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

logger = logging.getLogger(__name__)

EKU_CLIENT_AUTH = ExtendedKeyUsageOID.CLIENT_AUTH  # 1.3.6.1.5.5.7.3.2
EKU_EMAIL_PROTECTION = ExtendedKeyUsageOID.EMAIL_PROTECTION  # 1.3.6.1.5.5.7.3.4
EKU_OCSP_SIGNING = ExtendedKeyUsageOID.OCSP_SIGNING

ROLE_INDIVIDUAL = x509.ObjectIdentifier("1.2.398.3.3.4.1.1")
ROLE_ORGANIZATION = x509.ObjectIdentifier("1.2.398.3.3.4.1.2")
ROLE_CEO = x509.ObjectIdentifier("1.2.398.3.3.4.1.2.1")
ROLE_CAN_SIGN = x509.ObjectIdentifier("1.2.398.3.3.4.1.2.2")
ROLE_CAN_SIGN_FINANCIAL = x509.ObjectIdentifier("1.2.398.3.3.4.1.2.3")
ROLE_HR = x509.ObjectIdentifier("1.2.398.3.3.4.1.2.4")
ROLE_EMPLOYEE = x509.ObjectIdentifier("1.2.398.3.3.4.1.2.5")

POLICY_ORGANIZATION_SIGN = x509.ObjectIdentifier("1.2.398.3.3.2.1")
POLICY_ORGANIZATION_AUTH = x509.ObjectIdentifier("1.2.398.3.3.2.2")
POLICY_INDIVIDUAL_SIGN = x509.ObjectIdentifier("1.2.398.3.3.2.3")
POLICY_INDIVIDUAL_AUTH = x509.ObjectIdentifier("1.2.398.3.3.2.4")

#: Kazakh GOST 34.310 public-key/signature algorithms; `cryptography` cannot verify them.
GOST_OID_PREFIXES = ("1.2.398.3.10.", "1.2.643.")

_IIN_RE = re.compile(r"^(?:IIN)?([0-9]{12})$")
_BIN_RE = re.compile(r"^(?:BIN)?([0-9]{12})$")


class KeyType(enum.Enum):
    """NCA issues every person two keys: one to log in (AUTH) and one to sign documents (SIGN)."""

    AUTH = "AUTH"
    SIGN = "SIGN"


class Purpose(enum.Enum):
    """Why a signature is being checked; decides which key type is acceptable."""

    LOGIN = "login"
    DOCUMENT = "document"


class Role(enum.Enum):
    """Who the key holder is, from the role OIDs NCA places inside the EKU (NCANode's keyUser)."""

    INDIVIDUAL = "INDIVIDUAL"
    ORGANIZATION = "ORGANIZATION"
    CEO = "CEO"
    CAN_SIGN = "CAN_SIGN"
    CAN_SIGN_FINANCIAL = "CAN_SIGN_FINANCIAL"
    HR = "HR"
    EMPLOYEE = "EMPLOYEE"

    @property
    def oid(self) -> x509.ObjectIdentifier:
        return _ROLE_OIDS[self]


_ROLE_OIDS: dict[Role, x509.ObjectIdentifier] = {
    Role.INDIVIDUAL: ROLE_INDIVIDUAL,
    Role.ORGANIZATION: ROLE_ORGANIZATION,
    Role.CEO: ROLE_CEO,
    Role.CAN_SIGN: ROLE_CAN_SIGN,
    Role.CAN_SIGN_FINANCIAL: ROLE_CAN_SIGN_FINANCIAL,
    Role.HR: ROLE_HR,
    Role.EMPLOYEE: ROLE_EMPLOYEE,
}
_ROLES_BY_OID = {oid: role for role, oid in _ROLE_OIDS.items()}

#: Roles a legal-entity certificate can name in addition to ORGANIZATION.
ORGANISATION_ROLES = (Role.CEO, Role.CAN_SIGN, Role.CAN_SIGN_FINANCIAL, Role.HR, Role.EMPLOYEE)


def policy_for(key_type: KeyType, *, organisation: bool) -> x509.ObjectIdentifier:
    """The certificate policy NCA assigns to a key of this type and holder kind."""
    if organisation:
        return POLICY_ORGANIZATION_AUTH if key_type is KeyType.AUTH else POLICY_ORGANIZATION_SIGN
    return POLICY_INDIVIDUAL_AUTH if key_type is KeyType.AUTH else POLICY_INDIVIDUAL_SIGN


def normalise_iin(value: str) -> str | None:
    """The 12 digits of an IIN written as ``IIN123456789011`` or bare; ``None`` if not that shape."""
    match = _IIN_RE.match(value.strip())
    return match.group(1) if match else None


def normalise_bin(value: str) -> str | None:
    match = _BIN_RE.match(value.strip())
    return match.group(1) if match else None


def iin_checksum_valid(iin: str) -> bool:
    """The IIN/BIN check digit, for numbers people *type*; never applied to certificates."""
    if not re.fullmatch(r"[0-9]{12}", iin):
        return False
    digits = [int(c) for c in iin]
    for weights in (range(1, 12), (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)):
        check = sum(d * w for d, w in zip(digits[:11], weights, strict=True)) % 11
        if check != 10:
            return check == digits[11]
    return False


@dataclass(frozen=True)
class Organisation:
    """The legal entity a key holder acts for; ``role`` is what they may do for it."""

    bin: str
    name: str
    role: Role = Role.EMPLOYEE

    def __post_init__(self) -> None:
        if normalise_bin(self.bin) != self.bin:
            raise ValueError("BIN must be 12 digits")
        if not self.name.strip():
            raise ValueError("organisation name must not be empty")
        if self.role not in ORGANISATION_ROLES:
            raise ValueError(f"{self.role.value} is not a role within an organisation")


@dataclass(frozen=True)
class SignerIdentity:
    """Who a certificate names, in the NCA profile's terms."""

    iin: str | None
    bin: str | None
    common_name: str
    surname: str | None
    given_name: str | None
    patronymic: str | None
    organisation: str | None
    country: str | None
    roles: tuple[Role, ...]
    key_type: KeyType | None

    def __post_init__(self) -> None:
        if self.iin is not None and not re.fullmatch(r"[0-9]{12}", self.iin):
            raise ValueError("IIN must be 12 digits")
        if self.bin is not None and not re.fullmatch(r"[0-9]{12}", self.bin):
            raise ValueError("BIN must be 12 digits")

    def to_json(self) -> dict[str, object]:
        return {
            "iin": self.iin,
            "bin": self.bin,
            "commonName": self.common_name,
            "surname": self.surname,
            "givenName": self.given_name,
            "patronymic": self.patronymic,
            "organisation": self.organisation,
            "country": self.country,
            "roles": [role.value for role in self.roles],
            "keyType": self.key_type.value if self.key_type else None,
        }


def build_subject(
    *,
    iin: str,
    surname: str,
    given_name: str,
    patronymic: str | None,
    organisation: Organisation | None = None,
    country: str = "KZ",
    locality: str | None = None,
) -> x509.Name:
    """The subject DN NCA writes, attribute for attribute (the inverse of :func:`parse_identity`)."""
    digits = normalise_iin(iin)
    if digits is None:
        raise ValueError("IIN must be 12 digits")
    if not surname.strip() or not given_name.strip():
        raise ValueError("surname and given name must not be empty")
    common_name = f"{surname} {given_name}"
    if len(common_name) > 64:
        raise ValueError("surname and given name together exceed the 64 characters of a CN")
    attrs = [
        # RFC 5280 bounds the CN at 64 *characters*; cryptography counts UTF-8 bytes, which would
        # cap Cyrillic names at 32 letters, so the (correct) character bound is enforced above.
        _common_name(common_name),
        x509.NameAttribute(NameOID.SURNAME, surname),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{digits}"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, country),
    ]
    if locality:
        attrs.append(x509.NameAttribute(NameOID.LOCALITY_NAME, locality))
    if organisation is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.name))
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{organisation.bin}"))
    if patronymic:
        attrs.append(x509.NameAttribute(NameOID.GIVEN_NAME, patronymic))
    return x509.Name(attrs)


def _common_name(value: str) -> x509.NameAttribute:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return x509.NameAttribute(NameOID.COMMON_NAME, value, _validate=False)


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    for attribute in name.get_attributes_for_oid(oid):
        value = attribute.value
        return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return None


def extended_key_usages(cert: x509.Certificate) -> tuple[x509.ObjectIdentifier, ...]:
    try:
        return tuple(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return ()


def key_usage(cert: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def roles_of(cert: x509.Certificate) -> tuple[Role, ...]:
    return tuple(_ROLES_BY_OID[oid] for oid in extended_key_usages(cert) if oid in _ROLES_BY_OID)


def key_type_of(cert: x509.Certificate) -> KeyType | None:
    """AUTH or SIGN, by EKU first (what NCALayer filters on), then by key usage bits."""
    ekus = extended_key_usages(cert)
    auth, sign = EKU_CLIENT_AUTH in ekus, EKU_EMAIL_PROTECTION in ekus
    if auth != sign:
        return KeyType.AUTH if auth else KeyType.SIGN
    usage = key_usage(cert)
    if usage is None or auth:
        return None
    if usage.content_commitment:
        return KeyType.SIGN
    if usage.digital_signature and usage.key_encipherment:
        return KeyType.AUTH
    return None


def usage_problem(cert: x509.Certificate, purpose: Purpose) -> str | None:
    """Why this certificate's key may not be used for ``purpose``, or ``None`` if it may.

    Login needs the AUTH key (digitalSignature + clientAuth); a document needs the SIGN key
    (nonRepudiation + emailProtection), because only that key carries legal commitment.
    """
    usage = key_usage(cert)
    ekus = extended_key_usages(cert)
    if purpose is Purpose.LOGIN:
        if usage is None or not usage.digital_signature:
            return "the key may not make digital signatures (keyUsage lacks digitalSignature)"
        if EKU_CLIENT_AUTH not in ekus:
            return "this is not an authentication (AUTH) key: login needs clientAuth"
        return None
    if usage is None or not usage.content_commitment:
        return "this is not a signing (SIGN) key: documents need nonRepudiation"
    if EKU_EMAIL_PROTECTION not in ekus:
        return "this is not a signing (SIGN) key: documents need emailProtection"
    return None


def certificate_policies(cert: x509.Certificate) -> tuple[x509.ObjectIdentifier, ...]:
    try:
        policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies).value
        return tuple(p.policy_identifier for p in policies)
    except x509.ExtensionNotFound:
        return ()


def policy_problem(cert: x509.Certificate, purpose: Purpose) -> str | None:
    """Why the certificate's policy OIDs do not fit ``purpose`` under the NCA profile, or ``None``.

    NCA writes one policy per key: 1.2.398.3.3.2.4 / .2.2 for an individual's / an organisation's
    AUTH key, .2.3 / .2.1 for SIGN. A certificate issued under another policy (a TLS or test
    profile of the same CA, say) is not an NCA identity key even if its usage bits look right,
    and an organisation's policy must go with the organisation role in the EKU (and vice versa).
    """
    policies = set(certificate_policies(cert))
    key_type = KeyType.AUTH if purpose is Purpose.LOGIN else KeyType.SIGN
    organisation = Role.ORGANIZATION in roles_of(cert)
    wanted = policy_for(key_type, organisation=organisation)
    if wanted in policies:
        return None
    if not policies:
        return f"the certificate names no certificate policy; the NCA profile needs {wanted.dotted_string}"
    named = ", ".join(sorted(p.dotted_string for p in policies))
    return f"the certificate policy {named} is not the NCA {key_type.value} policy {wanted.dotted_string}"


def parse_identity(cert: x509.Certificate) -> SignerIdentity:
    """Read the NCA subject: CN "SURNAME NAME", SURNAME, GIVENNAME (the patronymic), IIN, O/BIN."""
    with warnings.catch_warnings():  # see build_subject: long Cyrillic CNs are legitimate
        warnings.simplefilter("ignore", UserWarning)
        subject = cert.subject
    common_name = _first(subject, NameOID.COMMON_NAME) or ""
    surname = _first(subject, NameOID.SURNAME)
    given_name: str | None = None
    if surname and common_name.startswith(surname + " "):
        given_name = common_name[len(surname) + 1 :].strip() or None
    elif " " in common_name.strip():
        given_name = common_name.strip().split(None, 1)[1]
    serial = _first(subject, NameOID.SERIAL_NUMBER)
    iin = normalise_iin(serial) if serial else None
    bin_ = None
    for attribute in subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME):
        bin_ = normalise_bin(str(attribute.value)) or bin_
    return SignerIdentity(
        iin=iin,
        bin=bin_,
        common_name=common_name,
        surname=surname,
        given_name=given_name,
        patronymic=_first(subject, NameOID.GIVEN_NAME),
        organisation=_first(subject, NameOID.ORGANIZATION_NAME),
        country=_first(subject, NameOID.COUNTRY_NAME),
        roles=roles_of(cert),
        key_type=key_type_of(cert),
    )
