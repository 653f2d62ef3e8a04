"""The OpenAPI document: valid OpenAPI 3.1, and exactly the /api/v1 routes the application serves.

Packages describe their routes in their own ``openapi.py``; when someone adds or removes a route
without describing it, the route-set test here names the difference.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi_spec_validator import validate

from core.config import load_config
from core.openapi import app_operations, build_document, operations
from web.app import create_app


@pytest.fixture
def app(tmp_path: Path) -> web.Application:
    return create_app(load_config(environ={}, data_dir=tmp_path / "var"))


def test_the_document_is_valid_openapi_3_1_and_describes_exactly_the_routes_of_a_real_app(
        app: web.Application) -> None:
    document = build_document()

    validate(document)  # raises with the JSON path of the first problem
    assert document["openapi"].startswith("3.1")
    served = app_operations(app)
    described = operations(document)
    assert served, "the app registers no /api/v1 routes?"
    assert sorted(served - described) == [], "routes the document does not describe (add them to <package>/openapi.py)"
    assert sorted(described - served) == [], "operations the document describes but the app does not serve"


def test_every_operation_says_how_it_fails_and_who_may_call_it() -> None:
    document = build_document()
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


def test_the_error_schema_is_the_one_the_middleware_writes() -> None:
    error = build_document()["components"]["schemas"]["Error"]

    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    assert set(error["properties"]["error"]["properties"]) == {"code", "message", "details"}


def test_two_packages_describing_one_operation_is_refused() -> None:
    with pytest.raises(ValueError, match="described twice"):
        build_document(("core.openapi", "core.openapi"))


@pytest.fixture
async def client(app: web.Application) -> AsyncIterator[TestClient[Any, Any]]:
    async with TestClient(TestServer(app)) as c:
        yield c


async def test_the_document_is_served_without_login(client: TestClient[Any, Any]) -> None:
    response = await client.get("/api/v1/openapi.json")

    assert response.status == 200
    assert response.content_type == "application/json"
    assert await response.json() == build_document()
