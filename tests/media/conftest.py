"""Fixtures for the media relay tests: a relay per test, closed with everything it opened."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from media.relay import Relay


@pytest.fixture
async def relay() -> AsyncIterator[Relay]:
    relay = Relay(pli_interval=0.3)
    yield relay
    await relay.close()
