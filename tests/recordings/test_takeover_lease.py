"""A hearing moved to a process on another machine: its recording is continued there as soon as the
dead holder's short lease runs out — never as a second recording beside the first, and never taken
from a holder that is still alive and renewing.

Two recording services share the database as two processes on two machines would: their owners
name different hosts, so neither can see whether the other's process exists (that shortcut is for
one machine's processes) and only the lease tells. Their clock is the test's own, so a lease runs
out when the test says so."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cabinet.filing.resources import COURT_KEYS, STORAGE
from core.clock import FixedClock
from core.resources import CONFIG, DB
from media.feeds import BoundedFeed, RelayEvent, Tap
from recordings.live import RecorderHub
from recordings.models import RecordingRow
from recordings.service import LEASE, RENEW_EVERY, HeldElsewhere, RecordingService
from sessions.lifecycle import HearingState
from tests.signaling.conftest import Courthouse

PEOPLE = {"judge": "judge", "alice": "plaintiff"}


def service(h: Courthouse, clock: FixedClock, machine: str) -> RecordingService:
    app = h.app.client.app
    return RecordingService(app[DB], clock, app[CONFIG], app[COURT_KEYS], app[STORAGE],
                            owner=f"{machine}:4242:{machine[-1] * 8}")


async def rows(h: Courthouse, hearing: int) -> list[tuple[int, str, str]]:
    async with h.app.client.app[DB].transaction() as session:
        found = await session.execute(select(RecordingRow.id, RecordingRow.owner, RecordingRow.state)
                                      .where(RecordingRow.hearing_id == hearing).order_by(RecordingRow.id))
        return [(i, o, s) for i, o, s in found.all()]


class StillRelay:
    """What the hub subscribes to of a relay, with no media flowing (the recorder's taps stay empty)."""

    def subscribe_tap(self, hearing_id: str, capacity: int = 16, *, lossless: bool = False) -> Tap:
        return Tap(capacity, lossless=lossless)

    def subscribe_events(self, hearing_id: str, capacity: int = 16) -> BoundedFeed[RelayEvent]:
        return BoundedFeed(capacity)


def test_the_lease_is_short_and_renewed_several_times_within_it() -> None:
    assert LEASE <= timedelta(seconds=5)
    assert RENEW_EVERY * 3 <= LEASE


async def test_the_machine_the_hearing_moved_to_continues_the_recording_once_the_dead_holders_lease_ends(
        courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    clock = FixedClock(datetime.now(UTC))  # beside the app's wall clock: its recovery must not seal these
    a, b = service(h, clock, "machine-a"), service(h, clock, "machine-b")
    started = await a.start(hearing)

    # Machine A dies now with its lease renewed for 4 s. Machine B, where the
    # participants reconnect, is told whose the recording is and until when — and starts no other.
    with pytest.raises(HeldElsewhere) as held:
        await b.start(hearing)
    assert held.value.recording_id == started.recording_id and held.value.owner == a.owner
    assert held.value.until == clock.now() + LEASE
    clock.set(clock.now() + LEASE - timedelta(seconds=0.5))
    with pytest.raises(HeldElsewhere):
        await b.start(hearing)
    assert await rows(h, hearing) == [(started.recording_id, a.owner, "recording")]

    clock.set(held.value.until + timedelta(seconds=0.1))
    continued = await b.start(hearing)
    assert (continued.recording_id, continued.directory, continued.taken_over_from) == (
        started.recording_id, started.directory, a.owner)
    assert await rows(h, hearing) == [(started.recording_id, b.owner, "recording")]
    # A machine that was only cut off and comes back renews nothing: the recording is B's now.
    assert await a.renew([started.recording_id]) == 0
    assert await b.renew([started.recording_id]) == 1


async def test_a_holder_that_keeps_renewing_keeps_its_recording(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    clock = FixedClock(datetime.now(UTC))  # beside the app's wall clock: its recovery must not seal these
    a, b = service(h, clock, "machine-a"), service(h, clock, "machine-b")
    started = await a.start(hearing)
    for _ in range(3):
        clock.set(clock.now() + RENEW_EVERY)
        assert await a.renew([started.recording_id]) == 1
        with pytest.raises(HeldElsewhere):
            await b.start(hearing)
    # Past its patience the other process records the hearing itself; the holder keeps its own.
    second = await b.start(hearing, wait_for_holder=False)
    assert second.recording_id != started.recording_id and second.taken_over_from is None
    assert await rows(h, hearing) == [(started.recording_id, a.owner, "recording"),
                                      (second.recording_id, b.owner, "recording")]


async def test_the_hub_waits_for_the_lease_off_the_signaling_path_then_takes_over(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    clock = FixedClock(datetime.now(UTC))  # beside the app's wall clock: its recovery must not seal these
    a, b = service(h, clock, "machine-a"), service(h, clock, "machine-b")
    started = await a.start(hearing)
    clock.set(clock.now() + LEASE - timedelta(seconds=0.3))  # A died a lease ago, less 0.3 s
    hub = RecorderHub(b, StillRelay())
    try:
        # The state change returns at once (the bus that delivers it must not wait on a lease).
        await asyncio.wait_for(hub.hearing_changed(hearing, HearingState.IN_SESSION, False, local=True), 5)
        assert hub.recording(hearing) is None
        await hub.hearing_changed(hearing, HearingState.IN_SESSION, False, local=True)  # no second waiter
        clock.set(clock.now() + timedelta(seconds=0.5))
        for _ in range(200):
            if hub.recording(hearing) is not None:
                break
            await asyncio.sleep(0.05)
        recorder: Any = hub.recording(hearing)
        assert recorder is not None and recorder.directory == started.directory
        assert await rows(h, hearing) == [(started.recording_id, b.owner, "recording")]
        assert b.active == {started.recording_id}
    finally:
        await hub.close()
    [(_, _, state)] = await rows(h, hearing)
    assert state == "sealed"  # the hub's shutdown sealed the one recording it continued
