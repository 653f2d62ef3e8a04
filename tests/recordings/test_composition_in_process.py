"""The app composes a hearing's record by itself after the seal (``recording_compose_in_process``)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from recordings.compose import COMPOSED
from tests.recordings.hearings import close_hearing, open_session, sealed
from tests.signaling.conftest import Courthouse, leave_all


@pytest.fixture
def app_overrides(app_overrides: dict[str, Any]) -> dict[str, Any]:
    return {**app_overrides, "recording_compose_in_process": True}


async def test_the_app_composes_a_closed_hearing_and_the_clerk_sees_it_done(courthouse: Courthouse) -> None:
    h = courthouse
    hearing, sockets = await open_session(h, names=("judge",))
    try:
        await close_hearing(sockets["judge"])
        record = await sealed(h, hearing)
    finally:
        await leave_all(*sockets.values())
    url = f"/api/v1/recordings/{record['id']}"
    deadline = time.monotonic() + 60
    while True:
        view = await (await h.court.get("clerk", url)).json()
        if view["composition"]["state"] == "done":
            break
        assert view["composition"]["state"] in ("queued", "running") and time.monotonic() < deadline, view
        await asyncio.sleep(0.5)
    assert view["manifest"]["composed"]["file"] == COMPOSED
    assert view["manifest"]["composed"]["frames"] >= 0
    report = await (await h.court.get("judge", f"{url}/verify")).json()
    assert report["ok"], report
