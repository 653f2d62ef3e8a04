"""Refusals of the cabinet: filings, fees, case status, identifiers and documents.

Every class here is both a :class:`CabinetError` (so code can catch "anything the cabinet
refused") and one of the HTTP-shaped roots from :mod:`core.errors` (so the middleware knows the
status). The ``code`` strings are part of the API contract: clients branch on them, so a code
is never renamed, only added.
"""

from __future__ import annotations

from core.errors import BadRequest, Conflict, Forbidden, SotkabError, UnsupportedMediaType


class CabinetError(SotkabError):
    """Root of the cabinet's refusals."""

    default_code = "cabinet_error"


class InvalidMoney(BadRequest, CabinetError):
    """An amount that is not a whole number of tiyn, or not a number at all."""

    default_code = "invalid_money"


class FeeRequestInvalid(BadRequest, CabinetError):
    """A fee quote cannot be given: unknown combination, missing claim amount, unknown exemption…"""

    default_code = "fee_request_invalid"


class IllegalTransition(Conflict, CabinetError):
    """The case is not in a status from which the requested action is possible."""

    default_code = "illegal_transition"


class ActionNotPermitted(Forbidden, CabinetError):
    """The actor's role may not perform this case action."""

    default_code = "action_not_permitted"


class CaseActionInvalid(BadRequest, CabinetError):
    """The action is legal from this status but its particulars (reason, deadline) are missing or wrong."""

    default_code = "case_action_invalid"


class InvalidCaseNumber(BadRequest, CabinetError):
    default_code = "invalid_case_number"


class InvalidIdentifier(BadRequest, CabinetError):
    """A typed-in IIN or BIN failing its structure or check digit: ``invalid_iin`` / ``invalid_bin``."""

    default_code = "invalid_identifier"


class UnsupportedDocumentType(UnsupportedMediaType, CabinetError):
    """Uploaded bytes are not one of the accepted document formats, whatever the file name says."""

    default_code = "unsupported_document_type"
