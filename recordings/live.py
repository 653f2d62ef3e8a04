"""The recorders of the hearings this process's relay holds — what signaling drives.

Signaling hands the hub each state a hearing is synchronised to (after every logged step) with
:meth:`RecorderHub.follow`, which applies it off signaling's bus, after that hearing's earlier
changes (:meth:`RecorderHub.hearing_changed` applies one now). The hub starts a recorder when a
hearing it holds enters a recorded state (in session, paused, suspended), pauses and resumes it
with the judge's ``recording_pause``/``recording_resume``, and at the end (closed, adjourned)
closes the tap, drains it, and seals the recording. A recording in this process renews its short
lease every second; the process's own recovery loop seals recordings that other, dead processes
left behind.

After a failover the hearing's participants arrive here while its recording may still be leased
to the process that held it — dead on another machine, which cannot be asked. The hub then waits
for that lease to run out (a few seconds, :data:`~recordings.service.LEASE`) off the signaling
path, and continues the recording; only a holder that keeps renewing for longer than
:data:`TAKEOVER_PATIENCE_S` is left alone, and this process records the hearing anew.

The hub consumes a *lossless* tap: a recording must never lose a frame to a slow disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from dataclasses import dataclass, field
from typing import Protocol

from core.tasks import stop
from media.feeds import BoundedFeed, ParticipantLeft, RelayEvent, Tap
from recordings.capture import HearingRecorder
from recordings.service import LEASE, RENEW_EVERY, HeldElsewhere, RecordingService, Started
from sessions.lifecycle import RECORDING_STATES, HearingState

logger = logging.getLogger(__name__)

TAP_CAPACITY = 4096
TAKEOVER_PATIENCE_S = 3 * LEASE.total_seconds()
"""How long a live holder's renewals are waited out before recording the hearing here anew."""
TAKEOVER_MARGIN_S = 0.1
"""Past the holder's lease before trying again (the clocks of two machines agree to NTP's accuracy)."""
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
        self._wanted: dict[int, tuple[HearingState, bool]] = {}
        """Each hearing's state as last told, for a start that waits for another holder's lease."""
        self._closed = False
        self._waiting: dict[int, tuple[float, asyncio.Task[None]]] = {}
        """Hearings whose recording another process holds: since when (monotonic), and the retry."""
        self._following: dict[int, asyncio.Task[None]] = {}
        """Each hearing's latest change handed to :meth:`follow`, which waits for the one before it."""

    def recording(self, hearing_id: int) -> HearingRecorder | None:
        live = self._live.get(hearing_id)
        return None if live is None else live.recorder

    def in_progress(self) -> int:
        """Hearings this process records now (for metrics)."""
        return len(self._live)

    def taps(self) -> dict[int, Tap]:
        return {hearing: live.tap for hearing, live in self._live.items()}

    def follow(self, hearing_id: int, state: HearingState, recording_paused: bool, *, local: bool) -> None:
        """:meth:`hearing_changed` in a task of its own, applied after the hearing's earlier changes.

        Signaling's bus applies its commands one at a time. Starting a recorder there (a database
        transaction, files opened) held back every command behind it: a party admitted just after
        the judge's start was moved into the hearing room only once the recorder was up, and a chat
        sent to the room meanwhile missed them on the other process.
        """
        if self._closed:
            return
        task = asyncio.create_task(self._after(self._following.get(hearing_id), hearing_id, state,
                                               recording_paused, local), name=f"recording-follow-{hearing_id}")
        self._following[hearing_id] = task
        task.add_done_callback(functools.partial(self._followed, hearing_id))

    async def _after(self, previous: asyncio.Task[None] | None, hearing_id: int, state: HearingState,
                     recording_paused: bool, local: bool) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        await self.hearing_changed(hearing_id, state, recording_paused, local=local)

    def _followed(self, hearing_id: int, task: asyncio.Task[None]) -> None:
        if self._following.get(hearing_id) is task:
            del self._following[hearing_id]

    async def followed(self) -> None:
        """Wait until every change handed to :meth:`follow` has been applied."""
        while self._following:
            await asyncio.gather(*self._following.values(), return_exceptions=True)

    async def hearing_changed(self, hearing_id: int, state: HearingState, recording_paused: bool, *,
                              local: bool) -> None:
        """Bring this process's recorder of ``hearing_id`` in line with the hearing's state.

        Never raises: a recorder that cannot start (the database, the disk) is logged and retried on
        the next state change, and must not keep signaling from applying the change to the room.
        """
        if self._closed:
            return
        try:
            await self._change(hearing_id, state, recording_paused, local=local)
        except Exception:
            logger.exception("recording of hearing %s could not follow its state %s", hearing_id, state.value)

    async def _change(self, hearing_id: int, state: HearingState, recording_paused: bool, *, local: bool) -> None:
        lock = self._starting.setdefault(hearing_id, asyncio.Lock())
        async with lock:
            live = self._live.get(hearing_id)
            if state in RECORDING_STATES:
                self._wanted[hearing_id] = (state, recording_paused)
                if live is None and local and hearing_id not in self._waiting:
                    live = await self._start_or_wait(hearing_id)
                if live is not None:
                    await self._pause_or_resume(live, recording_paused)
            elif state.is_final and live is not None:
                # Sealing reads every segment back and signs: not on the path of the close itself.
                task = asyncio.create_task(self._stop(hearing_id, None), name=f"seal-{hearing_id}")
                self._sealing.add(task)
                task.add_done_callback(self._sealing.discard)
            if state.is_final:
                self._starting.pop(hearing_id, None)
                self._wanted.pop(hearing_id, None)
                waiting = self._waiting.pop(hearing_id, None)
                if waiting is not None:
                    waiting[1].cancel()

    async def _start_or_wait(self, hearing_id: int) -> _Live | None:
        """Start (or continue) the recording; while another process's lease on it runs, try again
        when it ends, in a task of its own (signaling's bus must not wait on it)."""
        loop = asyncio.get_running_loop()
        since = self._waiting.pop(hearing_id, (loop.time(), None))[0]
        patient = loop.time() - since < TAKEOVER_PATIENCE_S
        try:
            return await self._start(hearing_id, wait_for_holder=patient)
        except HeldElsewhere as held:
            delay = max(0.0, (held.until - self.service.clock.now()).total_seconds()) + TAKEOVER_MARGIN_S
            logger.info("hearing %s: its recording is %s's until %s; trying again in %.1f s", hearing_id,
                        held.owner, held.until.isoformat(), delay)
            retry = asyncio.create_task(self._retry(hearing_id, delay), name=f"recording-takeover-{hearing_id}")
            self._waiting[hearing_id] = (since, retry)
            return None

    async def _retry(self, hearing_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        lock = self._starting.setdefault(hearing_id, asyncio.Lock())
        async with lock:
            wanted = self._wanted.get(hearing_id)
            if wanted is None or hearing_id in self._live or hearing_id not in self._waiting:
                self._waiting.pop(hearing_id, None)
                return
            try:
                live = await self._start_or_wait(hearing_id)
                if live is not None:
                    await self._pause_or_resume(live, wanted[1])
            except Exception:
                self._waiting.pop(hearing_id, None)
                logger.exception("recording of hearing %s could not be taken over", hearing_id)

    async def _start(self, hearing_id: int, *, wait_for_holder: bool = True) -> _Live:
        started = await self.service.start(hearing_id, wait_for_holder=wait_for_holder)
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
        """Renew every recording this process holds — the ones being sealed too, or another
        process's recovery would take a recording whose seal is still being written."""
        while True:
            await asyncio.sleep(RENEW_EVERY.total_seconds())
            try:
                await self.service.renew(sorted(self.service.active))
            except Exception:
                logger.exception("could not renew the recording leases; retrying")

    async def settled(self) -> None:
        """Wait until every change handed over is applied and every recording that ended is sealed."""
        await self.followed()
        while self._sealing:
            await asyncio.gather(*self._sealing, return_exceptions=True)

    async def close(self) -> None:
        """Shut down: seal what is being recorded as ended by the shutdown."""
        self._closed = True
        await self.settled()  # a start under way finishes first, and is then stopped with the rest
        for hearing_id in list(self._live):
            try:
                await self._stop(hearing_id, SHUTDOWN)
            except Exception:
                logger.exception("could not seal the recording of hearing %s at shutdown", hearing_id)
        retries = [retry for _, retry in self._waiting.values()]
        self._waiting.clear()
        await stop(self._renewer, *retries)
