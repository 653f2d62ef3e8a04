"""The recordings package's refusals, each mapped by the one middleware to its HTTP status."""

from __future__ import annotations

from core.errors import BadRequest, Conflict, Forbidden, NotFound, SotkabError


class RecordingError(SotkabError):
    default_code = "recording_error"


class RecordingNotFound(NotFound, RecordingError):
    default_code = "recording_not_found"


class RecordingForbidden(Forbidden, RecordingError):
    default_code = "recording_forbidden"


class RecordingNotSealed(Conflict, RecordingError):
    default_code = "recording_not_sealed"


class InvalidRecordingRequest(BadRequest, RecordingError):
    default_code = "invalid_recording_request"


class RangeNotSatisfiable(RecordingError):
    status = 416
    default_code = "range_not_satisfiable"
