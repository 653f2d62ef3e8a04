"""A running app whose public URL is its real address, so the SANDBOX bank's callback reaches it.

The shared ``cabinet_app`` serves on a random port while its configured ``public_url`` stays the
default, which is fine for everything that never calls back. The sandbox sends its callback to
``public_url`` like a bank would, so these tests reserve a port first and configure the app
with it: the callback travels over real HTTP to the server under test.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cabinet.eds.ca import CertificateAuthority
from core.clock import FixedClock, SystemClock
from tests.cabinet.conftest import CabinetApp, Cast
from web.app import create_app


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def pay_app(cast: Cast, db: Any, make_config: Any) -> AsyncIterator[CabinetApp]:
    port = _free_port()
    config = make_config(public_url=f"http://127.0.0.1:{port}")
    shutil.copytree(cast.ca_dir, config.pki_dir)
    clock = FixedClock(datetime.now(UTC))
    app = create_app(config, clock=clock)
    async with TestClient(TestServer(app, host="127.0.0.1", port=port)) as client:
        yield CabinetApp(client, config, clock, CertificateAuthority.open(config.pki_dir, SystemClock()))
