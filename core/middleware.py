"""The one place that turns errors into HTTP responses.

Typed errors become ``{"error": {"code", "message"}}`` with their own status. aiohttp's own
HTTP errors (no such route, wrong method, body too large) get the same JSON shape so API
clients parse one format. Anything else is a bug: it is logged with its traceback and the
client sees only an opaque 500 with a reference it can quote to the court's support.
"""

from __future__ import annotations

import logging
import secrets

from aiohttp import web
from aiohttp.typedefs import Handler

from core.errors import SotkabError, TooManyRequests

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status, headers=headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SotkabError as exc:
        if exc.status >= 500:
            log.error("%s %s failed: %s", request.method, request.path, exc.message)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        return web.json_response(exc.to_json(), status=exc.status, headers=headers)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        code = _HTTP_CODES.get(exc.status, "http_error")
        message = exc.reason if exc.text is None or exc.text.startswith(f"{exc.status}:") else exc.text
        headers = {k: v for k, v in exc.headers.items() if k.lower() in ("allow", "www-authenticate")}
        return error_response(exc.status, code, message, headers)
    except Exception:
        reference = secrets.token_hex(6)
        log.exception("unhandled error in %s %s (ref %s)", request.method, request.path, reference)
        return error_response(500, "internal_error", f"internal error (reference {reference})")
