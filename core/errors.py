"""The root of every error the platform reports to a person or a program.

Each package subclasses :class:`SotkabError` with its own codes; one aiohttp middleware
(:mod:`core.middleware`) maps any of them to ``{"error": {"code", "message"}}`` with the
subclass's HTTP status, and the CLI prints the same message and exits non-zero. Raising a
typed error is therefore the only thing a rule or service needs to do to refuse something.
"""

from __future__ import annotations

from typing import Any, ClassVar


class SotkabError(Exception):
    """A refusal that is safe to show: ``code`` is stable for programs, ``message`` for people."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(message)
        self.code = code or self.default_code
        self.message = message
        self.details = details or {}

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


class BadRequest(SotkabError):
    status = 400
    default_code = "bad_request"


class Unauthenticated(SotkabError):
    status = 401
    default_code = "unauthenticated"


class Forbidden(SotkabError):
    status = 403
    default_code = "forbidden"


class NotFound(SotkabError):
    status = 404
    default_code = "not_found"


class Conflict(SotkabError):
    status = 409
    default_code = "conflict"


class PayloadTooLarge(SotkabError):
    status = 413
    default_code = "payload_too_large"


class UnsupportedMediaType(SotkabError):
    status = 415
    default_code = "unsupported_media_type"


class TooManyRequests(SotkabError):
    """A rate limit was hit; the middleware adds ``Retry-After: retry_after`` (whole seconds)."""

    status = 429
    default_code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None,
                 details: dict[str, Any] | None = None):
        super().__init__(message, code=code, details=details)
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(SotkabError):
    status = 503
    default_code = "unavailable"


class ConfigError(SotkabError):
    """A configuration value is wrong; raised at start-up, before anything listens."""

    status = 500
    default_code = "config_invalid"
