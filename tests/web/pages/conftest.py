"""Fixtures of the page tests: one Chromium per browser-test module, a fresh browser context per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.cabinet.conftest import cabinet_app, cast  # noqa: F401 - the cabinet's app and key holders, for the desks
from tests.cabinet.filing.conftest import court  # noqa: F401 - a seeded court whose cast is logged in
from tests.web.pages.browser import launch, require_chromium


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
