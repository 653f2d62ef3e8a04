"""The OpenAPI document: valid OpenAPI 3.1, and exactly the /api/v1 routes the application serves.

Packages describe their routes in their own ``openapi.py`` and register that fragment from their
``setup(app)``; when someone adds or removes a route without describing it, the route-set test here
names the difference.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi_spec_validator import validate

from core.config import load_config
from core.openapi import (
    CORE,
    FRAGMENTS,
    Fragment,
    app_operations,
    array,
    build_document,
    document_of,
    obj,
    ok,
    operation,
    operations,
    query_param,
    register_fragment,
    string,
)
from web.app import create_app


@pytest.fixture
def app(tmp_path: Path) -> web.Application:
    return create_app(load_config(environ={}, data_dir=tmp_path / "var"))


def test_the_document_is_valid_openapi_3_1_and_describes_exactly_the_routes_of_a_real_app(
        app: web.Application) -> None:
    document = document_of(app)

    validate(document)  # raises with the JSON path of the first problem
    assert document["openapi"].startswith("3.1")
    served = app_operations(app)
    described = operations(document)
    assert served, "the app registers no /api/v1 routes?"
    assert sorted(served - described) == [], "routes the document does not describe (add them to <package>/openapi.py)"
    assert sorted(described - served) == [], "operations the document describes but the app does not serve"


def test_every_operation_says_how_it_fails_and_who_may_call_it(app: web.Application) -> None:
    document = document_of(app)
    schemes = set(document["components"]["securitySchemes"])
    assert schemes == {"bearerAuth", "sessionCookie"}
    for path, item in document["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            assert "security" in op, where
            assert {name for requirement in op["security"] for name in requirement} <= schemes, where
            assert any(code.startswith("2") for code in op["responses"]), where
            for code, response in op["responses"].items():
                if code[0] in "45":
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, where
            if op["security"] == [{"bearerAuth": []}, {"sessionCookie": []}]:
                assert "401" in op["responses"], where
            for parameter in op.get("parameters", []):
                if parameter["in"] == "path":
                    assert "{" + parameter["name"] + "}" in path, where


def test_the_error_schema_is_the_one_the_middleware_writes(app: web.Application) -> None:
    error = document_of(app)["components"]["schemas"]["Error"]

    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    assert set(error["properties"]["error"]["properties"]) == {"code", "message", "details"}


def test_two_packages_describing_one_operation_is_refused() -> None:
    with pytest.raises(ValueError, match="described twice"):
        build_document((CORE, CORE))


def test_every_package_registers_its_own_fragment(app: web.Application) -> None:
    """No central list: the document is made of what the packages' ``setup(app)`` registered."""
    owners = [fragment.owner for fragment in app[FRAGMENTS]]

    assert sorted(owners) == sorted(["cabinet", "cabinet.identity", "cabinet.filing", "cabinet.notifications",
                                     "cabinet.payments", "sessions", "sessions.public", "recordings"])
    assert "/api/v1/public/cases/{number}" in document_of(app)["paths"]


def test_a_fragment_registered_after_the_document_is_built_is_refused(app: web.Application) -> None:
    with pytest.raises(RuntimeError, match="already built"):
        register_fragment(app, "late", {"/api/v1/late": {}})

    assert "/api/v1/late" not in document_of(app)["paths"]


def _property_names(node: Any, where: str = "#") -> Iterator[tuple[str, str]]:
    """(name, JSON path) of every property and parameter anywhere in a document."""
    if isinstance(node, dict):
        for name in node.get("properties", {}) if isinstance(node.get("properties"), dict) else ():
            yield name, f"{where}/properties"
        for name in node.get("required", []) if isinstance(node.get("required"), list) else ():
            yield name, f"{where}/required"
        if node.get("in") in ("query", "path", "header", "cookie") and isinstance(node.get("name"), str):
            if node["in"] in ("query", "path"):
                yield node["name"], f"{where}/name"
        for key, value in node.items():
            yield from _property_names(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _property_names(value, f"{where}/{i}")


SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def test_every_key_of_the_api_is_snake_case(app: web.Application) -> None:
    """One casing: every property of every schema (components and inline), every query and path
    parameter; the document says so in its description."""
    document = document_of(app)

    names = list(_property_names(document["paths"])) + list(_property_names(document["components"]["schemas"]))

    assert len(names) > 200, "the walk found too few properties to be walking the document"
    assert [f"{where}: {name}" for name, where in names if not SNAKE.match(name)] == []
    assert "snake_case" in document["info"]["description"]


def test_the_casing_walk_finds_a_camel_case_property_wherever_it_is() -> None:
    fragment = Fragment("bad", {"/api/v1/bad": {"get": operation(
        "bad", tags=["x"], security=[], responses=ok(obj({"items": array(obj({"createdAt": string()}))})),
        parameters=[query_param("pageSize", string())])}})

    names = {name for name, _ in _property_names(build_document([CORE, fragment])["paths"])}

    assert {"createdAt", "pageSize"} <= names
    assert not all(SNAKE.match(name) for name in names)


@pytest.fixture
async def client(app: web.Application) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_the_document_is_served_without_login(app: web.Application, client: TestClient[Any, Any]) -> None:
    response = await client.get("/api/v1/openapi.json")

    assert response.status == 200
    assert response.content_type == "application/json"
    assert await response.json() == document_of(app)
