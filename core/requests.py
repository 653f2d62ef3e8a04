"""Parsing request bodies the same way everywhere: a bad body is a 400 with a code, never a 500."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from core.errors import BadRequest


async def json_object(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise BadRequest("send the body as application/json", code="invalid_request")
    try:
        body = await request.json(loads=json.loads)
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
