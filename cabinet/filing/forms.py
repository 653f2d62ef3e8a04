"""Reading a draft from JSON: every field checked and named when wrong, nothing guessed.

A draft is built step by step (court, kind and category, filing type, parties, claim amount…), so
a PATCH carries any subset of the fields and only those are changed. This module is pure: it
turns a JSON object into typed values. Whether the court exists, whether a typed IIN belongs to
someone who logged in with a certificate, and whether the draft is complete are the services'
questions.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cabinet.case_numbers import CaseKind, parse_case_number
from cabinet.courts import COURT_CODE
from cabinet.errors import InvalidMoney
from cabinet.fees import MAX_COUNT, ClaimKind, FilingType, PayerKind
from cabinet.filing.errors import FilingInvalid
from cabinet.identifiers import Bin, Iin
from cabinet.money import Money

MAX_PARTIES = 50
MAX_NAME = 300
MAX_TITLE = 500

#: Filing types that open a new case when registered; every other type attaches to an existing case.
OPENING_TYPES = frozenset({FilingType.STATEMENT_OF_CLAIM, FilingType.APPLICATION, FilingType.COMPLAINT})


class PartyRole(enum.Enum):
    PLAINTIFF = "plaintiff"
    APPLICANT = "applicant"
    DEFENDANT = "defendant"
    THIRD_PARTY = "third_party"
    REPRESENTATIVE = "representative"

    @property
    def initiating(self) -> bool:
        return self in (PartyRole.PLAINTIFF, PartyRole.APPLICANT)


_DIGITS = re.compile(r"[0-9]{12}", re.ASCII)
_SPACES = re.compile(r"[ \u00a0\u202f]")


@dataclass(frozen=True)
class PartySpec:
    """A party as typed: a person by IIN or an organisation by BIN; a representative names whom."""

    role: PartyRole
    name: str
    iin: str | None = None
    bin: str | None = None
    represents: str | None = None

    def __post_init__(self) -> None:
        if (self.iin is None) == (self.bin is None):
            raise FilingInvalid("a party is a person (iin) or an organisation (bin), exactly one",
                                code="invalid_party", details={"field": "parties"})
        if self.role is PartyRole.REPRESENTATIVE and (self.iin is None or self.represents is None):
            raise FilingInvalid("a representative is a person (iin) and names the party represented "
                                "(represents: that party's IIN or BIN)", code="invalid_party",
                                details={"field": "parties"})
        if self.role is not PartyRole.REPRESENTATIVE and self.represents is not None:
            raise FilingInvalid("only a representative represents someone", code="invalid_party",
                                details={"field": "parties"})

    @property
    def identifier(self) -> str:
        return self.iin or self.bin or ""

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role.value, "name": self.name, "iin": self.iin, "bin": self.bin,
                "represents": self.represents}


def _identifier(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise FilingInvalid(f"{field} must be a string of 12 digits", code=f"invalid_{field}",
                            details={"field": field, "reason": "format"})
    compact = _SPACES.sub("", value.strip())
    if not _DIGITS.fullmatch(compact):
        raise FilingInvalid(f"{value[:20]!r} is not a {field.upper()}: it must be exactly 12 digits",
                            code=f"invalid_{field}", details={"field": field, "reason": "format"})
    return compact


def parse_party(raw: object) -> PartySpec:
    if not isinstance(raw, Mapping):
        raise FilingInvalid("each party must be an object", code="invalid_party", details={"field": "parties"})
    unknown = set(raw) - {"role", "name", "iin", "bin", "represents"}
    if unknown:
        raise FilingInvalid(f"unknown party fields: {sorted(unknown)}", code="invalid_party",
                            details={"field": "parties"})
    role = _enum(PartyRole, raw.get("role"), "role")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME:
        raise FilingInvalid(f"a party needs a name of 1 to {MAX_NAME} characters", code="invalid_party",
                            details={"field": "name"})
    iin = None if raw.get("iin") in (None, "") else _identifier(raw.get("iin"), "iin")
    bin_ = None if raw.get("bin") in (None, "") else _identifier(raw.get("bin"), "bin")
    if bin_ is not None:
        Bin(bin_)  # organisations are never users: their BIN is always checked
    represents = None if raw.get("represents") in (None, "") else _identifier(raw.get("represents"), "represents")
    return PartySpec(role, " ".join(name.split()), iin, bin_, represents)


def check_party_list(parties: tuple[PartySpec, ...], trusted_iins: frozenset[str]) -> None:
    """Check digits of typed IINs and the list's structure.

    An IIN that belongs to a registered user came from a verified certificate and is trusted as is
    (NCA's test IIN ``123456789011`` fails the check digit and still logs in); any other typed IIN
    must pass :class:`~cabinet.identifiers.Iin`.
    """
    if len(parties) > MAX_PARTIES:
        raise FilingInvalid(f"at most {MAX_PARTIES} parties", code="invalid_party", details={"field": "parties"})
    seen: set[tuple[PartyRole, str]] = set()
    for party in parties:
        if party.iin is not None and party.iin not in trusted_iins:
            Iin(party.iin)
        key = (party.role, party.identifier)
        if key in seen:
            raise FilingInvalid(f"{party.identifier} appears twice as {party.role.value}", code="duplicate_party",
                                details={"field": "parties"})
        seen.add(key)
    represented = {p.identifier for p in parties if p.role is not PartyRole.REPRESENTATIVE}
    for party in parties:
        if party.represents is not None and party.represents not in represented:
            raise FilingInvalid(f"the representative {party.iin} represents {party.represents}, "
                                "who is not a party of this filing", code="invalid_party",
                                details={"field": "parties"})


def _enum(kind: type[enum.Enum], raw: object, field: str) -> Any:
    allowed = [member.value for member in kind]
    try:
        return kind(raw)
    except ValueError:
        raise FilingInvalid(f"{field} {str(raw)[:40]!r} is not one of {allowed}", code="invalid_field",
                            details={"field": field, "allowed": allowed}) from None


def _text(raw: object, field: str, limit: int) -> str:
    if not isinstance(raw, str) or len(raw) > limit:
        raise FilingInvalid(f"{field} must be text of at most {limit} characters", code="invalid_field",
                            details={"field": field})
    return raw.strip()


_FIELDS = ("court", "case_kind", "category", "filing_type", "claim_kind", "payer_kind", "claim_amount",
           "copy_documents", "copy_pages",
           "exemption", "title", "case_number", "parties")


@dataclass(frozen=True)
class DraftChanges:
    """The fields a POST or PATCH sets; ``None`` for a nullable field means "clear it"."""

    values: Mapping[str, Any]

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> DraftChanges:
        unknown = sorted(set(body) - set(_FIELDS))
        if unknown:
            raise FilingInvalid(f"unknown fields: {unknown}; a draft has {list(_FIELDS)}", code="unknown_field",
                                details={"fields": unknown})
        values: dict[str, Any] = {}
        for name, raw in body.items():
            values[name] = None if raw is None else _parse_field(name, raw)
        return cls(values)


def _parse_field(name: str, raw: object) -> Any:
    if name == "court":
        if not isinstance(raw, str) or not COURT_CODE.match(raw):
            raise FilingInvalid("court must be a court code such as 7594", code="invalid_field",
                                details={"field": "court"})
        return raw
    if name == "case_kind":
        return _enum(CaseKind, raw, name)
    if name == "filing_type":
        return _enum(FilingType, raw, name)
    if name == "claim_kind":
        return _enum(ClaimKind, raw, name)
    if name == "payer_kind":
        return _enum(PayerKind, raw, name)
    if name == "category":
        if not isinstance(raw, str) or not re.fullmatch(r"[0-9]{2}", raw, re.ASCII):
            raise FilingInvalid("category must be two digits", code="invalid_category",
                                details={"field": "category"})
        return raw
    if name == "claim_amount":
        try:
            amount = Money.parse(raw)  # type: ignore[arg-type]
        except InvalidMoney as exc:
            raise FilingInvalid(exc.message, code="invalid_claim_amount", details={"field": name}) from None
        if not amount.is_positive():
            raise FilingInvalid("the claim amount must be positive", code="invalid_claim_amount",
                                details={"field": name})
        return amount
    if name in ("copy_documents", "copy_pages"):
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_COUNT:
            raise FilingInvalid(f"{name} must be a whole number from 1 to {MAX_COUNT}", code="invalid_field",
                                details={"field": name})
        return raw
    if name == "exemption":
        return _text(raw, name, 40) or None
    if name == "title":
        return _text(raw, name, MAX_TITLE)
    if name == "case_number":
        return str(parse_case_number(_text(raw, name, 40)))
    if not isinstance(raw, list):
        raise FilingInvalid("parties must be a list", code="invalid_party", details={"field": "parties"})
    if len(raw) > MAX_PARTIES:
        raise FilingInvalid(f"at most {MAX_PARTIES} parties", code="invalid_party", details={"field": "parties"})
    return tuple(parse_party(item) for item in raw)
