"""The recorder hub follows a hearing's states off signaling's bus, in the order they were given.

The bus applies its commands one at a time; a recorder starting there (a database transaction,
files opened) held back the room change of a party admitted right after the start, so a chat to
the room missed them on another process (seen in CI). Here the recording service's start is held
at a gate — the service itself is the real one — while the hub is handed the whole hearing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from core.clock import FixedClock
from recordings.live import RecorderHub
from recordings.service import RecordingService, Started
from sessions.lifecycle import HearingState
from tests.recordings.test_takeover_lease import PEOPLE, StillRelay, rows, service
from tests.signaling.conftest import Courthouse


class Gated:
    """The real service, whose ``start`` waits until the test opens the gate."""

    def __init__(self, real: RecordingService) -> None:
        self.real = real
        self.gate = asyncio.Event()
        self.starts = 0

    async def start(self, hearing_id: int, **kwargs: Any) -> Started:
        self.starts += 1
        await self.gate.wait()
        return await self.real.start(hearing_id, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


async def test_a_recorder_starting_holds_back_nothing_and_the_states_apply_in_their_order(
        courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    clock = FixedClock(datetime.now(UTC))  # beside the app's wall clock: its recovery must not seal this
    real = service(h, clock, "machine-b")
    gated = Gated(real)
    hub = RecorderHub(gated, StillRelay())  # type: ignore[arg-type]
    try:
        for state, paused in ((HearingState.IN_SESSION, False), (HearingState.IN_SESSION, True),
                              (HearingState.IN_SESSION, False), (HearingState.CLOSED, False)):
            hub.follow(hearing, state, paused, local=True)  # returns at once: nothing is awaited
        await asyncio.sleep(0.2)
        assert gated.starts == 1 and hub.recording(hearing) is None and await rows(h, hearing) == []

        gated.gate.set()
        await hub.settled()  # the start, the pause, the resume and the close, in that order
        [(_, owner, row_state)] = await rows(h, hearing)
        assert (owner, row_state) == (real.owner, "sealed") and hub.recording(hearing) is None
        assert gated.starts == 1 and real.active == set()
    finally:
        await hub.close()


async def test_a_hub_shut_down_while_a_start_waits_seals_what_it_started(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    clock = FixedClock(datetime.now(UTC))
    real = service(h, clock, "machine-b")
    gated = Gated(real)
    hub = RecorderHub(gated, StillRelay())  # type: ignore[arg-type]
    hub.follow(hearing, HearingState.IN_SESSION, False, local=True)
    await asyncio.sleep(0.1)
    closing = asyncio.create_task(hub.close())
    await asyncio.sleep(0.1)
    assert not closing.done()  # the shutdown waits for the start under way
    gated.gate.set()
    await asyncio.wait_for(closing, 30)
    [(_, _, state)] = await rows(h, hearing)
    assert state == "sealed" and hub.recording(hearing) is None
    hub.follow(hearing, HearingState.IN_SESSION, False, local=True)  # after the shutdown: ignored
    await hub.settled()
    assert len(await rows(h, hearing)) == 1
