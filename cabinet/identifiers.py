"""IIN and BIN: the 12-digit numbers of people and organisations, checked when a person types them.

Both carry a check digit in position 12. It is the weighted sum of the first 11 digits with
weights 1..11, modulo 11; if that gives 10, the sum is taken again with weights
3,4,5,6,7,8,9,10,11,1,2; if that also gives 10 the number was never issued. An IIN starts with the
birth date (YYMMDD) and a seventh digit for century and sex; a BIN starts with the registration
year and month (YYMM), then the kind of entity and of division. A day of 40–69 cannot appear in an
IIN while a BIN's fifth digit is always 4–6, so no string is both a valid IIN and a valid BIN.

What the check digit catches, and what it does not: a single mistyped digit in positions
1–10 or 12 is always caught while the first round applies. It is not caught (a) in position 11,
whose first-round weight 11 is 0 modulo 11, and (b) when the original or the mistyped number falls
to the second round, where the sums differ. Typos there pass the check digit; for an IIN most are
still caught by the birth-date and century checks.

This is for identifiers typed into forms. Identifiers inside EDS certificates are trusted from the
verified certificate and never run through here: the NCA's test IIN ``123456789011`` fails this
check digit and must still log in.
"""

from __future__ import annotations

import enum
import logging
import re
from dataclasses import dataclass
from datetime import date

from cabinet.errors import InvalidIdentifier

logger = logging.getLogger(__name__)

FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")


def check_digit(first_eleven: str) -> int | None:
    """The check digit for 11 ASCII digits, or ``None`` when no valid number can end them."""
    if not re.fullmatch(r"[0-9]{11}", first_eleven):
        raise ValueError("the check digit is computed over exactly 11 ASCII digits")
    digits = [int(c) for c in first_eleven]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def has_valid_check_digit(number: str) -> bool:
    return bool(_TWELVE_DIGITS.fullmatch(number)) and check_digit(number[:11]) == int(number[11])


class Sex(enum.Enum):
    MALE = "male"
    FEMALE = "female"


class EntityType(enum.Enum):
    """BIN digit 5."""

    RESIDENT = "4"
    NON_RESIDENT = "5"
    JOINT_ENTREPRENEURSHIP = "6"


class Division(enum.Enum):
    """BIN digit 6."""

    HEAD_OFFICE = "0"
    BRANCH = "1"
    REPRESENTATIVE_OFFICE = "2"
    PEASANT_FARM = "3"


_CENTURY = {"1": (1800, Sex.MALE), "2": (1800, Sex.FEMALE), "3": (1900, Sex.MALE),
            "4": (1900, Sex.FEMALE), "5": (2000, Sex.MALE), "6": (2000, Sex.FEMALE)}


def _refuse(kind: str, value: object, reason: str, message: str) -> InvalidIdentifier:
    shown = value[:20] if isinstance(value, str) else type(value).__name__
    return InvalidIdentifier(
        f"{shown!r} is not a valid {kind.upper()}: {message}",
        code=f"invalid_{kind}",
        details={"reason": reason},
    )


def _twelve_digits(kind: str, value: object) -> None:
    if not isinstance(value, str) or not _TWELVE_DIGITS.fullmatch(value):
        raise _refuse(kind, value, "format", "it must be exactly 12 digits")


@dataclass(frozen=True, slots=True)
class Iin:
    """An individual identification number; constructing one means it passed every check."""

    value: str

    def __post_init__(self) -> None:
        _twelve_digits("iin", self.value)
        if self.value[6] not in _CENTURY:
            raise _refuse("iin", self.value, "century", "digit 7 must be 1-6 (century and sex)")
        try:
            self.birth_date  # noqa: B018
        except ValueError:
            raise _refuse("iin", self.value, "birth_date", "the first six digits are not a date") from None
        if not has_valid_check_digit(self.value):
            raise _refuse("iin", self.value, "checksum", "the check digit does not match")

    @classmethod
    def parse(cls, text: str) -> Iin:
        """Read a typed IIN, tolerating surrounding and grouping spaces (``"900101 300 123"``)."""
        return cls(_compact(text))

    @property
    def birth_date(self) -> date:
        century, _ = _CENTURY[self.value[6]]
        return date(century + int(self.value[0:2]), int(self.value[2:4]), int(self.value[4:6]))

    @property
    def sex(self) -> Sex:
        return _CENTURY[self.value[6]][1]

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Bin:
    """A business identification number of a legal entity, branch or representative office."""

    value: str

    def __post_init__(self) -> None:
        _twelve_digits("bin", self.value)
        if not 1 <= int(self.value[2:4]) <= 12:
            raise _refuse("bin", self.value, "registration_month", "digits 3-4 must be a month 01-12")
        if self.value[4] not in {e.value for e in EntityType}:
            raise _refuse("bin", self.value, "entity_type", "digit 5 must be 4, 5 or 6")
        if self.value[5] not in {d.value for d in Division}:
            raise _refuse("bin", self.value, "division", "digit 6 must be 0-3")
        if not has_valid_check_digit(self.value):
            raise _refuse("bin", self.value, "checksum", "the check digit does not match")

    @classmethod
    def parse(cls, text: str) -> Bin:
        return cls(_compact(text))

    @property
    def registration_year_2d(self) -> int:
        """Two digits only: the BIN does not say which century, and we do not guess."""
        return int(self.value[0:2])

    @property
    def registration_month(self) -> int:
        return int(self.value[2:4])

    @property
    def entity_type(self) -> EntityType:
        return EntityType(self.value[4])

    @property
    def division(self) -> Division:
        return Division(self.value[5])

    def __str__(self) -> str:
        return self.value


def _compact(text: str) -> str:
    if not isinstance(text, str):
        return text
    return re.sub(r"[ \u00a0\u202f]", "", text.strip())


def parse_party_identifier(text: str) -> Iin | Bin:
    """An IIN or a BIN from one form field; a number can never be both (see the module docstring)."""
    compact = _compact(text)
    _twelve_digits("iin", compact)
    if compact[4] in {e.value for e in EntityType}:
        return Bin(compact)
    return Iin(compact)
