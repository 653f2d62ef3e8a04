"""Refusals of the public lookup; the codes are part of the API contract (added, never renamed)."""

from __future__ import annotations

from cabinet.errors import CabinetError
from core.errors import BadRequest, NotFound


class PublicError(CabinetError):
    default_code = "public_error"


class PublicCaseNotFound(NotFound, PublicError):
    """No case with that number that the public may see — an unknown number and a closed case alike."""

    default_code = "case_not_found"


class PublicCourtNotFound(NotFound, PublicError):
    default_code = "court_not_found"


class PublicQueryInvalid(BadRequest, PublicError):
    """A query parameter of a public endpoint is missing or malformed; ``details.field`` names it."""

    default_code = "invalid_query"
