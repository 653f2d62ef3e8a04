"""Case numbers: what a party quotes on the phone and the public types into the lookup.

Format, modelled on the numbers Kazakh courts print (``7594-23-00-2/1234``)::

    <court>-<yy>-<category>-<kind>/<sequence>
    7594-26-00-2/001234

- ``court``: the court's registry code, 2–10 digits or capital Latin letters (the same rule
  :mod:`cabinet.courts` applies; Kazakh courts use four digits, e.g. ``7594``).
- ``yy``: the last two digits of the year the case was registered (years 2000–2099).
- ``category``: two digits, the case category within the kind; ``00`` is "general", as on the
  real numbers.
- ``kind``: one digit for the kind of proceedings: ``1`` criminal, ``2`` civil,
  ``3`` administrative (see :class:`CaseKind`).
- ``sequence``: the case's running number within (court, year, kind), zero-padded to exactly
  six digits, 000001–999999.

Every part has a fixed alphabet and the separators never occur inside a part, so a number parses
without ambiguity, and zero-padding makes the text form sort like the numbers within a court and
year. Exactly one spelling is accepted (apart from surrounding whitespace): a number is an
identifier, and tolerating variants would let two spellings name one case in URLs and caches.
Uniqueness of the sequence is the store's job (a per-court/year/kind counter), not this module's.
"""

from __future__ import annotations

import enum
import logging
import re
from dataclasses import dataclass

from cabinet.errors import InvalidCaseNumber

logger = logging.getLogger(__name__)

MAX_SEQUENCE = 999_999
MIN_YEAR = 2000
MAX_YEAR = 2099

_COURT = r"[0-9A-Z]{2,10}"
_NUMBER = re.compile(
    rf"(?P<court>{_COURT})-(?P<yy>\d{{2}})-(?P<category>\d{{2}})-(?P<kind>\d)/(?P<sequence>\d{{6}})",
    re.ASCII,
)
_COURT_ONLY = re.compile(_COURT, re.ASCII)
_CATEGORY = re.compile(r"\d{2}", re.ASCII)


class CaseKind(enum.Enum):
    """The kind of proceedings; it decides the procedure code, the fee rules and the number's kind digit."""

    CIVIL = "civil"
    CRIMINAL = "criminal"
    ADMINISTRATIVE = "administrative"

    @property
    def number_digit(self) -> str:
        return _KIND_DIGITS[self]


_KIND_DIGITS: dict[CaseKind, str] = {CaseKind.CRIMINAL: "1", CaseKind.CIVIL: "2", CaseKind.ADMINISTRATIVE: "3"}
_DIGIT_KINDS: dict[str, CaseKind] = {digit: kind for kind, digit in _KIND_DIGITS.items()}


@dataclass(frozen=True, slots=True)
class CaseNumber:
    court_code: str
    year: int
    category: str
    kind: CaseKind
    sequence: int

    def __post_init__(self) -> None:
        if not isinstance(self.court_code, str) or not _COURT_ONLY.fullmatch(self.court_code):
            raise InvalidCaseNumber(
                f"court code {self.court_code!r} must be 2-10 digits or capital latin letters",
                details={"part": "court"},
            )
        if isinstance(self.year, bool) or not isinstance(self.year, int) or not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidCaseNumber(
                f"year {self.year!r} must be between {MIN_YEAR} and {MAX_YEAR}", details={"part": "year"}
            )
        if not isinstance(self.category, str) or not _CATEGORY.fullmatch(self.category):
            raise InvalidCaseNumber(
                f"category {self.category!r} must be two digits", details={"part": "category"}
            )
        if not isinstance(self.kind, CaseKind):
            raise InvalidCaseNumber(f"unknown case kind {self.kind!r}", details={"part": "kind"})
        if (
            isinstance(self.sequence, bool)
            or not isinstance(self.sequence, int)
            or not 1 <= self.sequence <= MAX_SEQUENCE
        ):
            raise InvalidCaseNumber(
                f"sequence {self.sequence!r} must be between 1 and {MAX_SEQUENCE}",
                details={"part": "sequence"},
            )

    def __str__(self) -> str:
        return (
            f"{self.court_code}-{self.year % 100:02d}-{self.category}-"
            f"{self.kind.number_digit}/{self.sequence:06d}"
        )


def format_case_number(
    court_code: str, year: int, kind: CaseKind, sequence: int, category: str = "00"
) -> str:
    """The canonical text of a case number; refuses parts that could not be parsed back."""
    return str(CaseNumber(court_code=court_code, year=year, category=category, kind=kind, sequence=sequence))


def parse_case_number(text: str) -> CaseNumber:
    """Read a case number in the canonical form; anything else is ``invalid_case_number``."""
    if not isinstance(text, str):
        raise InvalidCaseNumber(f"a case number must be text, got {type(text).__name__}")
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        raise InvalidCaseNumber(
            f"{text[:64]!r} is not a case number; expected the form 7594-26-00-2/001234 "
            "(court-year-category-kind/sequence)",
            details={"value": text[:64]},
        )
    kind = _DIGIT_KINDS.get(match["kind"])
    if kind is None:
        raise InvalidCaseNumber(
            f"{match['kind']!r} is not a kind of proceedings (1 criminal, 2 civil, 3 administrative)",
            details={"part": "kind"},
        )
    return CaseNumber(
        court_code=match["court"],
        year=MIN_YEAR + int(match["yy"]),
        category=match["category"],
        kind=kind,
        sequence=int(match["sequence"]),
    )
