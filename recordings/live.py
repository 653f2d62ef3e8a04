"""The recorders of the hearings this process's relay holds — what signaling drives.

Signaling calls :meth:`RecorderHub.hearing_changed` each time a hearing's state is synchronised
(after every logged step). The hub starts a recorder when a hearing it holds enters a recorded
state (in session, paused, suspended), pauses and resumes it with the judge's
``recording_pause``/``recording_resume``, and at the end (closed, adjourned) closes the tap, drains
it, and seals the recording. A recording in this process renews its lease every few seconds; the
process's own recovery loop seals recordings that other, dead processes left behind.

The hub consumes a *lossless* tap: a recording must never lose a frame to a slow disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Protocol

from core.tasks import stop
from media.feeds import BoundedFeed, ParticipantLeft, RelayEvent, Tap
from recordings.capture import HearingRecorder
from recordings.service import LEASE, RecordingService, Started
from sessions.lifecycle import RECORDING_STATES, HearingState

logger = logging.getLogger(__name__)

TAP_CAPACITY = 4096
SHUTDOWN = "the server was shut down while the hearing was being recorded"


class TapSource(Protocol):
    """What the hub needs of the relay (``media.Relay`` is one)."""

    def subscribe_tap(self, hearing_id: str, capacity: int = ..., *, lossless: bool = ...) -> Tap: ...

    def subscribe_events(self, hearing_id: str, capacity: int = ...) -> BoundedFeed[RelayEvent]: ...


@dataclass(eq=False)
class _Live:
    started: Started
    recorder: HearingRecorder
    tap: Tap
    consumer: asyncio.Task[None]
    events: BoundedFeed[RelayEvent]
    watcher: asyncio.Task[None]
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class RecorderHub:
    def __init__(self, service: RecordingService, relay: TapSource) -> None:
        self.service = service
        self.relay = relay
        self._live: dict[int, _Live] = {}
        self._starting: dict[int, asyncio.Lock] = {}
        self._sealing: set[asyncio.Task[None]] = set()
        self._renewer: asyncio.Task[None] | None = None

    def recording(self, hearing_id: int) -> HearingRecorder | None:
        live = self._live.get(hearing_id)
        return None if live is None else live.recorder

    def in_progress(self) -> int:
        """Hearings this process records now (for metrics)."""
        return len(self._live)

    def taps(self) -> dict[int, Tap]:
        return {hearing: live.tap for hearing, live in self._live.items()}

    async def hearing_changed(self, hearing_id: int, state: HearingState, recording_paused: bool, *,
                              local: bool) -> None:
        """Bring this process's recorder of ``hearing_id`` in line with the hearing's state.

        Never raises: a recorder that cannot start (the database, the disk) is logged and retried on
        the next state change, and must not keep signaling from applying the change to the room.
        """
        try:
            await self._change(hearing_id, state, recording_paused, local=local)
        except Exception:
            logger.exception("recording of hearing %s could not follow its state %s", hearing_id, state.value)

    async def _change(self, hearing_id: int, state: HearingState, recording_paused: bool, *, local: bool) -> None:
        lock = self._starting.setdefault(hearing_id, asyncio.Lock())
        async with lock:
            live = self._live.get(hearing_id)
            if state in RECORDING_STATES:
                if live is None and local:
                    live = await self._start(hearing_id)
                if live is not None:
                    await self._pause_or_resume(live, recording_paused)
            elif state.is_final and live is not None:
                # Sealing reads every segment back and signs: not on the path of the close itself.
                task = asyncio.create_task(self._stop(hearing_id, None), name=f"seal-{hearing_id}")
                self._sealing.add(task)
                task.add_done_callback(self._sealing.discard)
            if state.is_final:
                self._starting.pop(hearing_id, None)

    async def _start(self, hearing_id: int) -> _Live:
        started = await self.service.start(hearing_id)
        recorder = await asyncio.to_thread(HearingRecorder, started.directory, self.service.clock)
        tap = self.relay.subscribe_tap(str(hearing_id), TAP_CAPACITY, lossless=True)
        events = self.relay.subscribe_events(str(hearing_id))
        live = _Live(started, recorder, tap, self._consume(recorder, tap), events, self._watch(recorder, events))
        self._live[hearing_id] = live
        if self._renewer is None:
            self._renewer = asyncio.create_task(self._renew(), name="recording-leases")
        return live

    def _consume(self, recorder: HearingRecorder, tap: Tap) -> asyncio.Task[None]:
        return asyncio.create_task(recorder.consume(tap), name="recorder")

    def _watch(self, recorder: HearingRecorder, events: BoundedFeed[RelayEvent]) -> asyncio.Task[None]:
        async def watch() -> None:
            async for event in events:
                if isinstance(event, ParticipantLeft) and not recorder.closed:
                    recorder.left(event.participant_id, event.reason)

        return asyncio.create_task(watch(), name="recorder-events")

    async def _pause_or_resume(self, live: _Live, paused: bool) -> None:
        if paused and not live.recorder.paused:
            live.recorder.pause(None, None)
        elif not paused and live.recorder.paused:
            # A fresh tap asks every publisher for a keyframe, so video resumes at once.
            live.tap.close()
            await live.consumer
            live.recorder.resume(None)
            live.tap = self.relay.subscribe_tap(str(live.started.hearing_id), TAP_CAPACITY, lossless=True)
            live.consumer = self._consume(live.recorder, live.tap)

    async def _stop(self, hearing_id: int, abnormal: str | None) -> None:
        live = self._live.pop(hearing_id, None)
        if live is None:
            return
        live.tap.close()
        with contextlib.suppress(asyncio.CancelledError):
            await live.consumer
        live.events.close()
        live.watcher.cancel()
        # The tap is drained, so nothing writes concurrently: finish (fsync, rename) off the event loop.
        await asyncio.to_thread(live.recorder.close, "closed" if abnormal is None else "shutdown")
        if live.recorder.counters.received:
            logger.info("hearing %s: recorder wrote %d of %d frames (tap peak backlog %d, overruns %d)",
                        hearing_id, live.recorder.counters.written, live.recorder.counters.received,
                        live.tap.peak, live.tap.overruns)
        try:
            await self.service.seal(live.started.recording_id, abnormal=abnormal)
        except Exception:
            # The files are complete and journaled; the periodic recovery check seals it later.
            logger.exception("sealing the recording of hearing %s failed; it will be retried", hearing_id)
        finally:
            # Only now: while it is being sealed, this process's recovery check must not seal it too.
            self.service.active.discard(live.started.recording_id)

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(LEASE.total_seconds() / 3)
            try:
                await self.service.renew([live.started.recording_id for live in self._live.values()])
            except Exception:
                logger.exception("could not renew the recording leases; retrying")

    async def settled(self) -> None:
        """Wait until every recording that ended has been sealed."""
        while self._sealing:
            await asyncio.gather(*self._sealing, return_exceptions=True)

    async def close(self) -> None:
        """Shut down: seal what is being recorded as ended by the shutdown."""
        await self.settled()
        for hearing_id in list(self._live):
            try:
                await self._stop(hearing_id, SHUTDOWN)
            except Exception:
                logger.exception("could not seal the recording of hearing %s at shutdown", hearing_id)
        await stop(self._renewer)
