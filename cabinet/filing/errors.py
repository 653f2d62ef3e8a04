"""Refusals of e-filing and the case core; codes are part of the API contract (added, never renamed)."""

from __future__ import annotations

from typing import ClassVar

from cabinet.errors import CabinetError
from core.errors import BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge


class FilingError(CabinetError):
    default_code = "filing_error"


class FilingInvalid(BadRequest, FilingError):
    """A draft field that cannot be accepted: unknown court, kind, category, party role…"""

    default_code = "filing_invalid"


class FilingIncomplete(Conflict, FilingError):
    """Submit was asked for a draft that still lacks something; ``details.missing`` lists what."""

    default_code = "filing_incomplete"


class FilingNotFound(NotFound, FilingError):
    """No such filing, or not one the caller may see (the two are not told apart)."""

    default_code = "filing_not_found"


class CaseNotFound(NotFound, FilingError):
    default_code = "case_not_found"


class DocumentNotFound(NotFound, FilingError):
    default_code = "document_not_found"


class FilingForbidden(Forbidden, FilingError):
    default_code = "forbidden"


class FilingStateConflict(Conflict, FilingError):
    """The filing is not in the state the request needs (e.g. editing a submitted filing)."""

    default_code = "filing_not_draft"


class DocumentTooLarge(PayloadTooLarge, FilingError):
    default_code = "document_too_large"


class UploadInvalid(BadRequest, FilingError):
    """A multipart body without the parts a document upload needs, or with malformed ones."""

    default_code = "upload_invalid"


class DocumentSignatureRejected(FilingError):
    """The detached CMS does not prove the filer signed exactly these bytes with a SIGN key."""

    status: ClassVar[int] = 422
    default_code = "document_signature_invalid"


class FeeNotPaid(FilingError):
    status: ClassVar[int] = 402
    default_code = "fee_not_paid"


class NoJudgeAvailable(Conflict, FilingError):
    default_code = "no_judge_available"


class SystemKeyUnavailable(FilingError):
    """The court's system signing key is neither configured nor obtainable from the built-in CA."""

    status: ClassVar[int] = 503
    default_code = "system_key_unavailable"
