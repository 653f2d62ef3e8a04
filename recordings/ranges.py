"""HTTP byte ranges (RFC 9110 §14): parse a ``Range`` header against a file's size.

Returns the ranges to send, ``None`` for "send the whole file" (no header, or a header in a unit
we do not serve — which the RFC says to ignore), and raises :class:`RangeNotSatisfiable` for a
syntactically valid set none of whose ranges overlaps the file, or a malformed header.
"""

from __future__ import annotations

import logging

from recordings.errors import RangeNotSatisfiable

logger = logging.getLogger(__name__)

MAX_RANGES = 16
"""More parts than a player ever asks for is a resource-exhaustion attempt, not a seek."""


def parse_range(header: str | None, size: int) -> list[tuple[int, int]] | None:
    """Inclusive (first, last) byte pairs, in the order asked, clipped to the file."""
    if header is None or not header.strip():
        return None
    unit, _, spec = header.strip().partition("=")
    if unit.strip().lower() != "bytes":
        return None
    parts = [p.strip() for p in spec.split(",")]
    if not spec.strip() or len(parts) > MAX_RANGES or any(not p for p in parts):
        raise RangeNotSatisfiable(f"malformed or too many ranges (at most {MAX_RANGES})",
                                  details={"size": size})
    out: list[tuple[int, int]] = []
    for part in parts:
        first_text, dash, last_text = part.partition("-")
        first_text, last_text = first_text.strip(), last_text.strip()
        if not dash or not (first_text.isdigit() or first_text == "") or not (last_text.isdigit() or last_text == ""):
            raise RangeNotSatisfiable(f"malformed range {part!r}", details={"size": size})
        if first_text == "":
            if last_text == "" or int(last_text) == 0:
                continue
            suffix = min(int(last_text), size)
            if size:
                out.append((size - suffix, size - 1))
            continue
        first = int(first_text)
        last = size - 1 if last_text == "" else min(int(last_text), size - 1)
        if last_text and int(last_text) < first:
            raise RangeNotSatisfiable(f"range {part!r} ends before it starts", details={"size": size})
        if first < size:
            out.append((first, last))
    if not out:
        raise RangeNotSatisfiable(f"none of the ranges lies within the {size} bytes of the file",
                                  details={"size": size})
    return out
