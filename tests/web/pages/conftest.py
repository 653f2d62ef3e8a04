"""Fixtures of the page tests: one Chromium per browser-test module, a fresh browser context per test."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cabinet.eds.ca import CertificateAuthority, IssuedPerson
from core.clock import SystemClock
from tests.cabinet.conftest import cabinet_app, cast  # noqa: F401 - the cabinet's app and key holders, for the desks
from tests.cabinet.filing.conftest import court  # noqa: F401 - a seeded court whose cast is logged in
from tests.web.pages.browser import launch, require_chromium
from web.app import create_app


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One Chromium for a module of browser tests (there is one such module, so one per run).

    Not session-wide: Playwright's sync API keeps its event loop marked as running in this thread
    until it stops, and every asyncio test after it would then fail to start its own loop."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = launch(playwright)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def browser_for(chromium: Any) -> Iterator[Any]:
    """``browser_for("ru")``: a new context whose browser asks for that language; all closed after."""
    contexts: list[Any] = []

    def open_context(language: str = "en", **options: Any) -> Any:
        context = chromium.new_context(locale={"kk": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}[language],
                                       viewport={"width": 1024, "height": 800}, **options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


PASSWORD = b"page-tests"


@dataclass(frozen=True)
class People:
    ca_dir: Path
    aliya: IssuedPerson
    mallory: IssuedPerson


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> People:
    base = tmp_path_factory.mktemp("page-pki")
    ca = CertificateAuthority.init(base / "pki", base_url="http://127.0.0.1:8080", clock=SystemClock())
    return People(
        base / "pki",
        ca.issue_person(iin="900101400123", surname="ӘЛИЕВА", given_name="АЛИЯ", patronymic=None, password=PASSWORD),
        ca.issue_person(iin="800101300111", surname="<SCRIPT>ALERT(1)</SCRIPT>",
                        given_name="<IMG SRC=X ONERROR=ALERT(2)>", patronymic=None, password=PASSWORD),
    )


@pytest.fixture
async def client(people: People, make_config: Any, db: Any) -> AsyncIterator[TestClient[Any, Any]]:
    config = make_config()
    shutil.copytree(people.ca_dir, config.pki_dir)
    async with TestClient(TestServer(create_app(config))) as c:
        yield c
