"""Parsing request bodies the same way everywhere: a bad body is a 400 with a code, never a 500."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from core.errors import BadRequest, PayloadTooLarge


async def bounded_body(request: web.Request, max_bytes: int) -> bytes:
    """The body, refused with 413 *before* reading when it declares more than ``max_bytes``, and
    as soon as a chunked body passes it — never buffered whole (the app's own limit is megabytes)."""
    declared = request.content_length
    if declared is not None and declared > max_bytes:
        raise PayloadTooLarge(f"this request's body is at most {max_bytes} bytes", code="body_too_large")
    body = bytearray()
    while chunk := await request.content.read(max_bytes + 1 - len(body)):
        body += chunk
        if len(body) > max_bytes:
            raise PayloadTooLarge(f"this request's body is at most {max_bytes} bytes", code="body_too_large")
    return bytes(body)


async def json_object(request: web.Request, *, max_bytes: int | None = None) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise BadRequest("send the body as application/json", code="invalid_request")
    try:
        if max_bytes is None:
            body = await request.json(loads=json.loads)
        else:
            body = json.loads(await bounded_body(request, max_bytes))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON", code="invalid_json") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object", code="invalid_request")
    return body


def string_field(body: dict[str, Any], name: str, *, required: bool = True, max_length: int = 100_000) -> str:
    value = body.get(name)
    if value is None:
        if required:
            raise BadRequest(f"{name} is required", code="invalid_request", details={"field": name})
        return ""
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string", code="invalid_request", details={"field": name})
    if len(value) > max_length:
        raise BadRequest(f"{name} is too long", code="invalid_request", details={"field": name})
    return value
