"""The OpenAPI 3.1 document of ``/api/v1``, served at ``GET /api/v1/openapi.json``.

Each package describes its own routes in an ``openapi.py`` next to its ``routes.py`` (a ``PATHS``
dict and optionally ``SCHEMAS``), written with the small builders below; this module merges them,
adds what every operation shares — the error schema ``{"error": {"code", "message", "details"?}}``
and the two ways to authenticate (a bearer token, or the session cookie) — and refuses to build a
document in which two packages claim the same path or schema name. ``tests/web/test_openapi.py``
validates the document against the OpenAPI 3.1 schema and checks that its operations are exactly
the ``/api/v1`` routes a real app registers, so the description cannot drift from the code.

Python data rather than JSON files, so enumerations are taken from the code's own enums.
"""

from __future__ import annotations

import copy
import enum
import importlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

FRAGMENTS = (
    "core.openapi",
    "cabinet.openapi",
    "cabinet.identity.openapi",
    "cabinet.filing.openapi",
    "cabinet.payments.openapi",
    "cabinet.notifications.openapi",
    "cabinet.public.openapi",
    "sessions.openapi",
    "recordings.openapi",
)
"""Modules whose ``PATHS`` (and ``SCHEMAS``) make up the document, in the order they are listed."""

DOCUMENT_URL = "/api/v1/openapi.json"
OPENAPI_VERSION = "3.1.0"

Json = dict[str, Any]

# --- security ---------------------------------------------------------------------------------

AUTH: list[Json] = [{"bearerAuth": []}, {"sessionCookie": []}]
"""A login is required: ``Authorization: Bearer <token>`` or the ``sotkab_session`` cookie."""
OPTIONAL_AUTH: list[Json] = [{}, {"bearerAuth": []}, {"sessionCookie": []}]
"""Anyone may call; a login may show more (e.g. a case its party may see)."""
PUBLIC: list[Json] = []
"""No login: the operation ignores one if sent."""

SECURITY_SCHEMES: Json = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "The `token` from `POST /api/v1/auth/login` (EDS login)."},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "sotkab_session",
                      "description": "Set by `POST /api/v1/auth/login` for browsers. State-changing requests "
                                     "carrying it from another origin get `403 cross_site_request`."},
}

# --- schema builders --------------------------------------------------------------------------


def ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def string(description: str = "", **extra: Any) -> Json:
    schema: Json = {"type": "string", **extra}
    if description:
        schema["description"] = description
    return schema


def nullable(schema: Json) -> Json:
    """``schema`` or ``null`` (OpenAPI 3.1 uses JSON Schema's type lists, not ``nullable``)."""
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    out = dict(schema)
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    else:
        return {"oneOf": [schema, {"type": "null"}]}
    return out


def values_of(kind: type[enum.Enum] | Iterable[str], description: str = "") -> Json:
    """A string enumeration; from a Python ``Enum`` so the document follows the code."""
    values = [m.value for m in kind] if isinstance(kind, type) else list(kind)
    return string(description, enum=values)


def obj(properties: Mapping[str, Json], required: Sequence[str] | None = None, description: str = "",
        closed: bool = False) -> Json:
    """An object; all properties required unless ``required`` says otherwise (responses always carry
    every key, with ``null`` for absent values)."""
    schema: Json = {"type": "object", "properties": dict(properties),
                    "required": list(properties) if required is None else list(required)}
    if closed:
        schema["additionalProperties"] = False
    if description:
        schema["description"] = description
    return schema


def array(items: Json, description: str = "") -> Json:
    schema: Json = {"type": "array", "items": items}
    if description:
        schema["description"] = description
    return schema


TIMESTAMP = string("ISO 8601 date-time with a UTC offset", format="date-time")
DATE = string("YYYY-MM-DD", format="date")
TENGE = string("an amount in tenge with two decimals, e.g. `1297.50` (never a JSON number)",
               pattern=r"^-?[0-9]+\.[0-9]{2}$")

# --- operation builders -----------------------------------------------------------------------

_STATUS_TEXT = {200: "OK", 201: "Created", 303: "See Other", 400: "Bad request", 401: "Not logged in",
                402: "Payment required", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
                409: "Conflict", 413: "Payload too large", 415: "Unsupported media type",
                410: "Gone", 416: "Range not satisfiable", 422: "Unprocessable", 429: "Too many requests",
                502: "Bad gateway", 503: "Service unavailable"}


def json_body(schema: Json, description: str = "", required: bool = True) -> Json:
    body: Json = {"required": required, "content": {"application/json": {"schema": schema}}}
    if description:
        body["description"] = description
    return body


def multipart_body(properties: Mapping[str, Json], required: Sequence[str], description: str = "") -> Json:
    schema = obj(properties, required)
    return {"required": True, "description": description,
            "content": {"multipart/form-data": {"schema": schema}}}


def path_param(name: str, schema: Json, description: str = "") -> Json:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


def query_param(name: str, schema: Json, description: str = "", required: bool = False) -> Json:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def ok(schema: Json, description: str = "OK", status: int = 200, headers: Json | None = None) -> dict[int, Json]:
    response: Json = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return {status: response}


def raw(media_types: Mapping[str, Json], description: str, status: int = 200) -> dict[int, Json]:
    return {status: {"description": description, "content": dict(media_types)}}


def operation(summary: str, *, tags: Sequence[str], security: list[Json], responses: Mapping[int, Json],
              errors: Mapping[int, Sequence[str]] | None = None, parameters: Sequence[Json] = (),
              body: Json | None = None, description: str = "", operation_id: str | None = None) -> Json:
    """One operation. ``errors`` maps each 4xx/5xx status to the ``error.code`` values it may carry;
    a ``401 unauthenticated`` is added for operations that need a login."""
    all_errors: dict[int, list[str]] = {status: list(codes) for status, codes in (errors or {}).items()}
    if security == AUTH:
        all_errors.setdefault(401, [])
        if "unauthenticated" not in all_errors[401]:
            all_errors[401].insert(0, "unauthenticated")
    out_responses: dict[str, Json] = {str(status): response for status, response in responses.items()}
    for status in sorted(all_errors):
        codes = all_errors[status]
        text = _STATUS_TEXT.get(status, "Error")
        out_responses[str(status)] = {
            "description": f"{text}; `error.code`: " + ", ".join(f"`{c}`" for c in codes) if codes else text,
            "content": {"application/json": {"schema": ref("Error")}},
        }
    op: Json = {"summary": summary, "tags": list(tags), "security": security, "responses": out_responses}
    if description:
        op["description"] = description
    if parameters:
        op["parameters"] = list(parameters)
    if body is not None:
        op["requestBody"] = body
    if operation_id:
        op["operationId"] = operation_id
    return op


# --- this module's own fragment ---------------------------------------------------------------

SCHEMAS: Json = {
    "Error": obj({
        "error": obj({
            "code": string("stable, machine-readable; clients branch on it"),
            "message": string("for people; may change"),
            "details": {"type": "object", "description": "particulars, e.g. `field` naming the bad input"},
        }, required=["code", "message"]),
    }, description="Every refusal, whatever the status."),
}

PATHS: Json = {
    DOCUMENT_URL: {
        "get": operation("This document", tags=["meta"], security=PUBLIC,
                         responses=ok({"type": "object"}, "The OpenAPI 3.1 document of /api/v1")),
    },
}

# --- assembly ---------------------------------------------------------------------------------


def build_document(fragments: Sequence[str] = FRAGMENTS) -> Json:
    """Merge the packages' fragments; two packages describing the same path or schema is an error."""
    paths: Json = {}
    schemas: Json = {}
    for module_name in fragments:
        module = importlib.import_module(module_name)
        for path, item in getattr(module, "PATHS", {}).items():
            if not path.startswith("/api/v1/"):
                raise ValueError(f"{module_name}: {path} is outside /api/v1")
            for method in item:
                if method in paths.get(path, {}):
                    raise ValueError(f"{module_name}: {method.upper()} {path} is described twice")
            paths.setdefault(path, {}).update(copy.deepcopy(item))
        for name, schema in getattr(module, "SCHEMAS", {}).items():
            if name in schemas:
                raise ValueError(f"{module_name}: schema {name} is described twice")
            schemas[name] = copy.deepcopy(schema)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Sot Kabinet API", "version": "1",
            "description": "E-filing, case tracking, court fees, notifications and public access of the Sot "
                           "Kabinet online court. Every refusal is `{\"error\": {\"code\", \"message\", "
                           "\"details\"?}}`; clients branch on `code`.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items())), "securitySchemes": SECURITY_SCHEMES},
    }


def operations(document: Json) -> set[tuple[str, str]]:
    """(METHOD, path) of every operation in a document."""
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return {(m.upper(), path) for path, item in document["paths"].items() for m in item if m in methods}


def app_operations(app: web.Application, prefix: str = "/api/v1/") -> set[tuple[str, str]]:
    """(METHOD, path template) of every route the app registers under ``prefix`` (HEAD of GET excluded)."""
    found = set()
    for route in app.router.routes():
        resource = route.resource
        if resource is None or route.method in ("HEAD", "*"):
            continue
        if resource.canonical.startswith(prefix):
            found.add((route.method, resource.canonical))
    return found


DOCUMENT_KEY = web.AppKey("openapi_document", bytes)


async def _serve(request: web.Request) -> web.Response:
    return web.Response(body=request.app[DOCUMENT_KEY], content_type="application/json",
                        headers={"Cache-Control": "public, max-age=300"})


def setup(app: web.Application) -> None:
    import json

    app[DOCUMENT_KEY] = json.dumps(build_document(), ensure_ascii=False).encode()
    app.router.add_get(DOCUMENT_URL, _serve)
