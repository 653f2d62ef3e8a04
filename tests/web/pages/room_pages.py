"""Driving the hearing room's page from a test: waiting for what it shows, reading its media figures,
checking it with axe-core and photographing it (shared by the room's browser tests)."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.web.pages.browser import AXE, AXE_TAGS, SCREENSHOTS


async def until(page: Any, expression: str, within: float = 30.0) -> Any:
    """Wait until ``expression`` (evaluated in the page) is truthy; returns its value.

    Polled through ``evaluate`` (the DevTools protocol): Playwright's ``wait_for_function`` evaluates
    a string inside the page, which the page's CSP (no ``unsafe-eval``) rightly refuses."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await page.evaluate(expression)
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            seen = await page.evaluate("(async () => [JSON.stringify(document.getElementById('room').dataset), "
                                       "window.hearingRoom ? await hearingRoom.inbound() : null])()")
            raise AssertionError(f"not true within {within} s: {expression}; the page: {seen}")
        await asyncio.sleep(0.2)


def dataset(name: str, value: str) -> str:
    return f"document.getElementById('room').dataset.{name} === {value!r}"


async def audio_packets_from(page: Any, user: int, seconds: float = 2.0) -> float:
    """Audio packets the page received in ``user``'s slot over ``seconds`` (waiting for the slot).

    A slot whose audio never carried a packet has no inbound-rtp statistics yet: that counts as 0."""
    expression = f"hearingRoom.inbound().then(rows => rows.find(r => r.user_id === {user}))"
    before = await until(page, expression)
    await asyncio.sleep(seconds)
    after = await until(page, expression)
    if after["slot"] != before["slot"]:
        return 0.0
    return float(after.get("audio_packets", 0) - before.get("audio_packets", 0))


async def accessible(page: Any) -> None:
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text())
    result = await page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert not violations, violations


async def photograph(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
