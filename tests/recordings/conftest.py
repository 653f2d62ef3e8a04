"""Fixtures for the recordings tests: the live app on a real port on the wall clock, and a relay.

Recordings line tracks up by the relay's wall-clock anchors and explain gaps from the hearing's
log, so the app here reads the real clock (the signaling fixture's clock stands still).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cabinet.eds.ca import CertificateAuthority
from core.clock import FixedClock, SystemClock
from tests.cabinet.conftest import CabinetApp
from tests.media.conftest import relay  # noqa: F401
from tests.signaling.conftest import app_overrides, cast, courthouse  # noqa: F401
from web.app import create_app


class WallClock(FixedClock):
    """The real time (a FixedClock's interface, so the cabinet helpers accept it)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@pytest.fixture
async def live(cast: Any, db: Any, make_config: Any,  # noqa: F811
               app_overrides: dict[str, Any]) -> AsyncIterator[CabinetApp]:  # noqa: F811
    config = make_config(trust_roots=(cast.offline_root, cast.offline_root.with_name("offline-issuing.pem")),
                         **app_overrides)
    shutil.copytree(cast.ca_dir, config.pki_dir)
    clock = WallClock()
    app = create_app(config, clock=clock)
    async with TestClient(TestServer(app)) as client:
        yield CabinetApp(client, config, clock, CertificateAuthority.open(config.pki_dir, SystemClock()))
