"""Case categories: the two-digit middle part of a case number, and which categories are closed.

The codes are ours (the real registry's list is not public); ``00`` is "general" as on real
numbers. A *closed* category is one whose hearings and files are not public by law — juveniles,
family matters (adoption, divorce with children), state secrets: outside the court and the
case's own participants such a case reveals nothing, and other staff of the court do not see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cabinet.case_numbers import CaseKind
from cabinet.filing.errors import FilingInvalid


@dataclass(frozen=True)
class Category:
    kind: CaseKind
    code: str
    title: str
    closed: bool = False

    def __post_init__(self) -> None:
        if len(self.code) != 2 or not self.code.isascii() or not self.code.isdigit():
            raise ValueError(f"category code {self.code!r} must be two digits")


_C, _K, _A = CaseKind.CIVIL, CaseKind.CRIMINAL, CaseKind.ADMINISTRATIVE

CATEGORIES: tuple[Category, ...] = (
    Category(_C, "00", "General civil matters"),
    Category(_C, "01", "Contract and property disputes"),
    Category(_C, "02", "Labour disputes"),
    Category(_C, "03", "Family matters (adoption, children, divorce with children)", closed=True),
    Category(_C, "04", "Housing disputes"),
    Category(_C, "05", "Special proceedings"),
    Category(_K, "00", "General criminal matters"),
    Category(_K, "01", "Offences by or against juveniles", closed=True),
    Category(_K, "02", "Cases involving state secrets", closed=True),
    Category(_K, "03", "Sexual offences", closed=True),
    Category(_A, "00", "General administrative matters"),
    Category(_A, "01", "Complaints against state bodies and officials"),
    Category(_A, "02", "Administrative offences"),
    Category(_A, "03", "Cases involving state secrets", closed=True),
)

_BY_KEY = {(c.kind, c.code): c for c in CATEGORIES}


def category(kind: CaseKind, code: str) -> Category:
    found = _BY_KEY.get((kind, code))
    if found is None:
        codes = sorted(c.code for c in CATEGORIES if c.kind is kind)
        raise FilingInvalid(
            f"{code[:4]!r} is not a {kind.value} case category (one of {codes})",
            code="invalid_category", details={"field": "category", "allowed": codes},
        )
    return found
