"""Fuzzing the whole /api/v1 OpenAPI document against the running application (schemathesis).

The app runs on a real port with a seeded court (judges, clerk, courtrooms), open and closed
cases and a hearing; schemathesis reads the document the app serves and sends, for every
operation, a few requests that follow the schema and a few that break it — once anonymously and
once with the bearer token of a logged-in citizen. Every answer must be below 500
(``not_a_server_error``) and every 4xx must carry ``{"error": {"code", "message"}}``. Failures are
collected over all operations and reported together, each with the request that caused it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from core.db import Database
from tests.cabinet.conftest import CabinetApp, Cast, bearer, seed_court
from tests.sessions.public.conftest import add_case, add_hearing

EXAMPLES_PER_MODE = 6
"""Per operation, per generation mode, per caller: 43 operations x 2 modes x 2 callers x 6 stays well
under a minute on either backend."""
SKIP_WITH_TOKEN = {("POST", "/api/v1/auth/logout")}
"""Logging the citizen out would turn the rest of the authenticated run into 401s."""


@schemathesis.check
def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """A 4xx answers with ``{"error": {"code": <text>, "message": <text>}}`` as JSON."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.startswith("application/json"):
        raise AssertionError(f"{response.status_code} with Content-Type {content_type!r}, not JSON")
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)):
        raise AssertionError(f"{response.status_code} body is not {{'error': {{'code', 'message'}}}}: {body!r}")
    return True


def _fuzz(base_url: str, headers: dict[str, str], skip: set[tuple[str, str]]) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json")
    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if (operation.method.upper(), operation.path) in skip:
            continue
        strategy = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                             operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @settings(max_examples=2 * EXAMPLES_PER_MODE, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=strategy)
        def run(case: Any) -> None:
            nonlocal sent
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            sent += 1
            try:
                case.validate_response(response, checks=[not_a_server_error, error_shape])
            except (Exception, BaseExceptionGroup) as exc:  # collected: one run reports every failing operation
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}\n"
                                f"  curl: {case.as_curl_command(headers=headers)}\n  {str(exc)[:600]}")

        run()
    return sent, failures


@pytest.fixture
async def seeded(cabinet_app: CabinetApp, cast: Cast, db: Database) -> CabinetApp:
    await seed_court(db, cast)
    now = datetime.now(UTC)
    for n, (kind, category, closed) in enumerate([("civil", "01", False), ("civil", "03", True),
                                                  ("criminal", "00", False), ("administrative", "02", False)]):
        digit = {"civil": "2", "criminal": "1", "administrative": "3"}[kind]
        case = await add_case(db, f"7594-26-{category}-{digit}/{n + 1:06d}", kind=kind, category=category,
                              closed=closed)
        await add_hearing(db, case.id, now + timedelta(hours=n + 1), is_open=not closed)
    return cabinet_app


async def test_no_operation_answers_5xx_and_every_4xx_is_a_json_error(seeded: CabinetApp, cast: Cast) -> None:
    base_url = str(seeded.client.make_url("")).rstrip("/")
    headers = await bearer(seeded, cast.alice)
    anonymous = await asyncio.to_thread(_fuzz, base_url, {}, set())
    citizen = await asyncio.to_thread(_fuzz, base_url, headers, SKIP_WITH_TOKEN)

    failures = anonymous[1] + citizen[1]
    assert anonymous[0] > 100 and citizen[0] > 100, (anonymous[0], citizen[0])
    assert not failures, f"{len(failures)} failing requests:\n\n" + "\n\n".join(failures)
