"""The relay service: hearings of participants whose encoded media it forwards to each other.

Signaling drives it through a narrow, serializable interface — admit, add_ice_candidate,
apply_control, subscribe_tap, subscribe_events, layout, stats, close_hearing, close — so it can
move to worker processes later. Everything on the forwarding path is synchronous and
non-blocking: a publisher's frame is pushed into bounded per-viewer queues and the tap, never
awaited, so no viewer or recorder can slow another.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCRtpReceiver
from aiortc.sdp import candidate_from_sdp

from core.clock import Clock, SystemClock
from core.tasks import stop
from media import aiortc_hooks
from media.balance import balance
from media.congestion import UplinkFeedback
from media.controls import Control, MediaAnswer
from media.downlink import VideoMode
from media.errors import (
    InvalidCandidate,
    InvalidControl,
    RelayClosed,
    UnknownHearing,
    UnknownParticipant,
)
from media.feeds import EVENT_CAPACITY, TAP_CAPACITY, BoundedFeed, ParticipantLeft, RelayEvent, SlotAssigned, Tap
from media.forwarding import ForwardTrack, PushOutcome
from media.frames import EncodedFrame, Kind, RelayedFrame
from media.ice import IceConfig
from media.offer import plan_offer
from media.session import ParticipantSession, PublishedTrack, open_session
from media.stats import ParticipantStats

logger = logging.getLogger(__name__)

PLI_MIN_INTERVAL = 0.5  # seconds between keyframe requests to one publisher
DEFAULT_START_BITRATE_KBPS = 1000  # where Chromium starts its estimate (bench/bwe.py)
MIN_START_BITRATE_KBPS, MAX_START_BITRATE_KBPS = 100, 10_000
BALANCE_INTERVAL = 1.0  # seconds between downlink policy rounds


@dataclass(eq=False)
class _Hearing:
    hearing_id: str
    participants: dict[str, ParticipantSession] = field(default_factory=dict)
    paused: bool = False
    taps: list[Tap] = field(default_factory=list)
    feeds: list[BoundedFeed[RelayEvent]] = field(default_factory=list)

    def emit(self, event: RelayEvent) -> None:
        for feed in self.feeds:
            feed.put(event)


class Relay:
    """An SFU that forwards VP8/Opus frames without decoding them (see media/README.md)."""

    def __init__(
        self,
        ice: IceConfig | None = None,
        *,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        pli_interval: float = PLI_MIN_INTERVAL,
        start_bitrate_kbps: int | None = DEFAULT_START_BITRATE_KBPS,
    ) -> None:
        low, high = MIN_START_BITRATE_KBPS, MAX_START_BITRATE_KBPS
        if start_bitrate_kbps is not None and not low <= start_bitrate_kbps <= high:
            raise ValueError(f"start bitrate must be {MIN_START_BITRATE_KBPS}-{MAX_START_BITRATE_KBPS} kbps")
        self.start_bitrate_kbps = start_bitrate_kbps
        self.ice = ice or IceConfig()
        self._clock = clock or SystemClock()
        self._monotonic = monotonic
        self._pli_interval = pli_interval
        self._hearings: dict[str, _Hearing] = {}
        self._hooks_checked = False
        self._closed = False
        self._background: set[asyncio.Task[None]] = set()
        self._balancer: asyncio.Task[None] | None = None

    # ---- admission -------------------------------------------------------------------------

    async def admit(
        self, hearing_id: str, participant_id: str, *, may_publish: bool, privileged: bool, offer_sdp: str,
        muted: frozenset[Kind] = frozenset(), paused: bool | None = None,
    ) -> MediaAnswer:
        """Answer a participant's offer; a participant already admitted is replaced (reconnect).

        A new session starts in the state its owner decides elsewhere: ``muted`` kinds are not
        forwarded from the first frame, and ``paused`` (when given) sets the hearing's pause, so a
        pause ordered while this relay held no session of the hearing is not lost.
        """
        if self._closed:
            raise RelayClosed("the media relay is shut down")
        if not self._hooks_checked:
            await aiortc_hooks.check_hooks()
            self._hooks_checked = True
        plan = plan_offer(offer_sdp, may_publish=may_publish)
        hearing = self._hearings.setdefault(hearing_id, _Hearing(hearing_id))
        previous = hearing.participants.get(participant_id)
        if previous is not None:
            await self._end(hearing, previous, "replaced")
        session, answer = await open_session(
            hearing_id=hearing_id,
            participant_id=participant_id,
            may_publish=may_publish,
            privileged=privileged,
            plan=plan,
            offer_sdp=offer_sdp,
            ice=self.ice,
            pli_interval=self._pli_interval,
            sink_for=self._sink_for,
            on_viewer_keyframe_request=self._on_viewer_keyframe_request,
            start_bitrate_kbps=self.start_bitrate_kbps,
            monotonic=self._monotonic,
        )
        if self._closed or self._hearings.get(hearing_id) is not hearing:
            await session.pc.close()
            raise RelayClosed("the hearing was closed while the participant was being admitted")
        hearing.participants[participant_id] = session
        session.muted.update(muted)
        if paused is not None and paused is not hearing.paused:
            hearing.paused = paused
            for other in list(hearing.participants.values()):
                if other is not session:
                    self._refresh_forwarding(hearing, other)
        for published in session.published.values():
            published.forwarding = session.rule(hearing.paused).forwards(published.kind)
        session.pc.on("connectionstatechange", lambda: self._on_connection_state(hearing, session))
        if session.uplink is not None:
            session.uplink.start()
        if self._balancer is None:
            self._balancer = asyncio.ensure_future(self._balance_downlinks())
        self._fill_slots(hearing)
        logger.info("admitted %s to hearing %s (publishes=%s, slots=%d)",
                    participant_id, hearing_id, plan.publishes, len(plan.slots))
        return MediaAnswer(answer_sdp=answer, slots=tuple(s.index for s in plan.slots),
                         ice=self.ice.browser_configuration())

    async def add_ice_candidate(
        self, hearing_id: str, participant_id: str, candidate: str | None,
        sdp_mid: str | None = None, sdp_mline_index: int | None = None,
    ) -> None:
        """Apply a candidate the browser trickled after its offer; ``None`` ends its candidates."""
        session = self._session(hearing_id, participant_id)
        if candidate is None or not candidate.strip():
            await session.pc.addIceCandidate(None)
            return
        text = candidate.removeprefix("a=").removeprefix("candidate:")
        try:
            parsed = candidate_from_sdp(text)
        except (ValueError, IndexError) as exc:
            raise InvalidCandidate(f"not an ICE candidate: {candidate!r}") from exc
        parsed.sdpMid = sdp_mid
        parsed.sdpMLineIndex = sdp_mline_index
        if sdp_mid is None and sdp_mline_index is None:
            parsed.sdpMLineIndex = 0
        await session.pc.addIceCandidate(parsed)

    # ---- controls --------------------------------------------------------------------------

    async def apply_control(self, hearing_id: str, participant_id: str | None, control: Control) -> None:
        hearing = self._hearing(hearing_id)
        if control.hearing_wide:
            hearing.paused = control is Control.PAUSE_HEARING
            for session in list(hearing.participants.values()):
                self._refresh_forwarding(hearing, session)
            return
        if participant_id is None:
            raise InvalidControl(f"{control.value} needs a participant")
        session = self._session(hearing_id, participant_id)
        if control is Control.REMOVE:
            await self._end(hearing, session, "removed")
            return
        target = control.mute_target
        assert target is not None
        kind, muted = target
        if muted:
            session.muted.add(kind)
        else:
            session.muted.discard(kind)
        self._refresh_forwarding(hearing, session)

    async def receive_video(self, hearing_id: str, participant_id: str, on: bool) -> None:
        """The viewer's own choice: ``on=False`` stops every slot's video to it (audio goes on), with no
        renegotiation — its video receivers simply get nothing; ``on=True`` restarts them on keyframes."""
        session = self._session(hearing_id, participant_id)
        if session.receives_video == on:
            return
        session.receives_video = on
        publishers = {p.participant_id: p for p in self._hearing(hearing_id).participants.values()}
        for slot in session.slots:
            slot.video.queue.set_mode(VideoMode.FULL if on else VideoMode.AUDIO_ONLY)
            slot.video.pace_bps = None
            publisher = publishers.get(slot.publisher_id or "")
            if on and publisher is not None:
                self._request_keyframe(publisher)

    def _refresh_forwarding(self, hearing: _Hearing, session: ParticipantSession) -> None:
        """Apply the forwarding rule; on each change tell the tap, and resume video on a keyframe."""
        rule = session.rule(hearing.paused)
        for published in session.published.values():
            forwards = rule.forwards(published.kind)
            if forwards == published.forwarding:
                continue
            published.forwarding = forwards
            if not forwards:
                self._to_taps(hearing, session, published, b"", published.last_timestamp, muted=True)
                continue
            for viewer_track in published.viewers:
                viewer_track.queue.restart()
            for tap in hearing.taps:
                tap.expect_keyframe(published.track_id)
            if published.kind is Kind.VIDEO:
                self._request_keyframe(session)

    # ---- the forwarding path (synchronous, on the event loop) -------------------------------

    def _sink_for(self, session: ParticipantSession, published: PublishedTrack) -> aiortc_hooks.FrameSink:
        hearing_id = session.hearing_id

        def on_frame(data: bytes, rtp_timestamp: int) -> None:
            hearing = self._hearings.get(hearing_id)
            if hearing is None or session.closed:
                return
            published.meter.add(len(data), self._monotonic())
            published.frames_in += 1
            published.last_timestamp = rtp_timestamp
            if published.anchor is None:
                published.anchor = self._clock.now()
            if not published.forwarding:
                return
            frame = RelayedFrame.build(published.kind, data, rtp_timestamp)
            waiting = False
            for viewer_track in published.viewers:
                if viewer_track.push(frame) is PushOutcome.WAITING_FOR_KEYFRAME:
                    waiting = True
            if waiting:
                self._request_keyframe(session)
            if hearing.taps:
                self._to_taps(hearing, session, published, data, rtp_timestamp, muted=False,
                              keyframe=frame.keyframe)

        return on_frame

    def _to_taps(self, hearing: _Hearing, session: ParticipantSession, published: PublishedTrack,
                 data: bytes, rtp_timestamp: int, *, muted: bool, keyframe: bool = False) -> None:
        if not hearing.taps or published.anchor is None:
            return
        frame = EncodedFrame(
            track_id=published.track_id, participant_id=session.participant_id, kind=published.kind,
            rtp_timestamp=rtp_timestamp, clock_rate=published.kind.clock_rate,
            wall_clock_anchor=published.anchor, keyframe=keyframe, data=data, muted=muted,
        )
        for tap in hearing.taps:
            tap.offer(frame)

    def _on_viewer_keyframe_request(self, viewer: ParticipantSession, track: ForwardTrack) -> None:
        viewer.keyframe_requests_received += 1
        track.request_keyframe()

    def _request_keyframe(self, publisher: ParticipantSession) -> None:
        """Rate-limited PLI to the publisher's video receiver, coalescing bursts into one."""
        if publisher.closed or Kind.VIDEO not in publisher.published:
            return
        delay = publisher.throttle.request(self._monotonic())
        if delay is None:
            return
        self._spawn(self._send_pli(publisher, delay))

    async def _send_pli(self, publisher: ParticipantSession, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        if publisher.closed:
            return
        publisher.throttle.sent(self._monotonic())
        if await aiortc_hooks.send_pli(publisher.published[Kind.VIDEO].receiver):
            publisher.plis_sent += 1

    # ---- downlinks -------------------------------------------------------------------------

    async def _balance_downlinks(self) -> None:
        """Once a second: each viewer gets what its link takes; publishers are capped by REMB."""
        while True:
            await asyncio.sleep(BALANCE_INTERVAL)
            for hearing in list(self._hearings.values()):
                try:
                    caps = balance(hearing.hearing_id, list(hearing.participants.values()), self._monotonic(),
                                   hearing.emit, self._request_keyframe)
                except Exception:
                    logger.exception("downlink balancing failed for hearing %s", hearing.hearing_id)
                    continue
                for cap in caps:
                    uplink = cap.publisher.uplink
                    if uplink is not None and not cap.publisher.closed:
                        self._spawn(_send_remb(uplink, cap.publisher.published[Kind.VIDEO].receiver,
                                               cap.bitrate_bps))

    # ---- slots and layout ------------------------------------------------------------------

    def _fill_slots(self, hearing: _Hearing) -> None:
        publishers = [s for s in hearing.participants.values() if s.plan.publishes]
        for viewer in hearing.participants.values():
            for publisher in publishers:
                if publisher is viewer or viewer.slot_showing(publisher.participant_id) is not None:
                    continue
                slot = viewer.free_slot()
                if slot is None:
                    break
                slot.publisher_id = publisher.participant_id
                wants_keyframe = functools.partial(self._request_keyframe, publisher)
                for kind in Kind:
                    track = slot.track(kind)
                    track.switch_source(wants_keyframe if kind is Kind.VIDEO else None)
                    if kind is Kind.VIDEO and not viewer.receives_video:
                        track.queue.set_mode(VideoMode.AUDIO_ONLY)
                    if kind in publisher.published:
                        publisher.published[kind].viewers.append(track)
                hearing.emit(SlotAssigned(hearing.hearing_id, viewer.participant_id, slot.slot.index,
                                          publisher.participant_id))
                self._request_keyframe(publisher)

    def layout(self, hearing_id: str, participant_id: str) -> dict[int, str | None]:
        """Which participant each of this participant's receive slots shows now."""
        session = self._session(hearing_id, participant_id)
        return {slot.slot.index: slot.publisher_id for slot in session.slots}

    # ---- subscriptions and statistics ------------------------------------------------------

    def subscribe_tap(self, hearing_id: str, capacity: int = TAP_CAPACITY, *, lossless: bool = False) -> Tap:
        """Every track's encoded frames for a recorder; closing the tap unsubscribes it.

        ``lossless=True`` (the court recorder) keeps every frame instead of dropping the oldest.
        """
        hearing = self._hearings.setdefault(hearing_id, _Hearing(hearing_id))

        def request(track_id: str) -> None:
            owner = hearing.participants.get(track_id.rsplit("/", 1)[0])
            if owner is not None:
                self._request_keyframe(owner)

        tap = Tap(capacity, request_keyframe=request, on_close=lambda t: _discard(hearing.taps, t),
                  lossless=lossless)
        for session in hearing.participants.values():
            for published in session.published.values():
                tap.expect_keyframe(published.track_id)
            self._request_keyframe(session)
        hearing.taps.append(tap)
        return tap

    def subscribe_events(self, hearing_id: str, capacity: int = EVENT_CAPACITY) -> BoundedFeed[RelayEvent]:
        hearing = self._hearings.setdefault(hearing_id, _Hearing(hearing_id))
        feed: BoundedFeed[RelayEvent] = BoundedFeed(capacity, on_close=lambda f: _discard(hearing.feeds, f))
        hearing.feeds.append(feed)
        return feed

    def hearings(self) -> tuple[str, ...]:
        """Hearings with at least one media session in this process (for monitoring)."""
        return tuple(h for h, hearing in self._hearings.items() if hearing.participants)

    @property
    def closed(self) -> bool:
        return self._closed

    def forwarded_streams(self) -> int:
        """Publishers' streams this process forwards now, one per (viewer, slot showing a publisher)."""
        return sum(1 for hearing in self._hearings.values() for session in hearing.participants.values()
                   for slot in session.slots if slot.publisher_id is not None)

    async def stats(self, hearing_id: str) -> dict[str, ParticipantStats]:
        hearing = self._hearing(hearing_id)
        now = self._monotonic()
        result: dict[str, ParticipantStats] = {}
        for pid, s in list(hearing.participants.items()):
            received = lost = 0
            for published in s.published.values():
                for item in (await published.receiver.getStats()).values():
                    if getattr(item, "type", None) == "inbound-rtp":
                        received, lost = received + item.packetsReceived, lost + max(item.packetsLost, 0)
            tracks = [slot.track(kind) for slot in s.slots for kind in Kind]
            videos, video_in = [slot.video for slot in s.slots], s.published.get(Kind.VIDEO)
            result[pid] = ParticipantStats(
                participant_id=pid, publishing=s.plan.publishes, privileged=s.privileged,
                audio_muted=Kind.AUDIO in s.muted, video_muted=Kind.VIDEO in s.muted,
                connection_state=s.pc.connectionState,
                bitrate_in_bps=sum(p.meter.bits_per_second(now) for p in s.published.values()),
                bitrate_out_bps=sum(t.meter.bits_per_second(now) for t in tracks),
                packets_received=received, packets_lost=lost,
                packet_loss=lost / (received + lost) if received + lost else 0.0,
                frames_in=sum(p.frames_in for p in s.published.values()),
                frames_forwarded=sum(t.queue.forwarded for t in tracks),
                frames_dropped=sum(t.queue.dropped for t in tracks),
                video_frames_in=video_in.frames_in if video_in else 0,
                video_frames_forwarded=sum(t.queue.forwarded for t in videos),
                video_frames_dropped=sum(t.queue.dropped for t in videos),
                plis_sent=s.plis_sent, keyframe_requests_received=s.keyframe_requests_received,
                transport_cc_feedback=s.uplink.log.feedback_sent if s.uplink else 0,
                publisher_cap_bps=float(s.uplink.last_remb_bps or 0) if s.uplink else 0.0,
                downlink_estimate_bps=s.downlink_bps or 0.0,
                video_frames_thinned=sum(t.queue.thinned for t in videos),
                thinned_slots=sum(1 for t in videos if t.queue.mode is not VideoMode.FULL),
            )
        return result

    # ---- endings ---------------------------------------------------------------------------

    def _on_connection_state(self, hearing: _Hearing, session: ParticipantSession) -> None:
        if session.pc.connectionState in ("failed", "closed") and not session.closed:
            self._spawn(self._end(hearing, session, session.pc.connectionState))

    async def _end(self, hearing: _Hearing, session: ParticipantSession, reason: str) -> None:
        if session.closed:
            return
        session.closed = True
        if hearing.participants.get(session.participant_id) is session:
            del hearing.participants[session.participant_id]
        for published in session.published.values():
            if published.forwarding:
                self._to_taps(hearing, session, published, b"", published.last_timestamp, muted=True)
        own_tracks = {id(slot.track(kind)) for slot in session.slots for kind in Kind}
        for other in hearing.participants.values():
            for published in other.published.values():
                published.viewers = [t for t in published.viewers if id(t) not in own_tracks]
        for viewer in hearing.participants.values():
            slot = viewer.slot_showing(session.participant_id)
            if slot is not None:
                slot.publisher_id = None
                for kind in Kind:
                    slot.track(kind).switch_source(None)
                hearing.emit(SlotAssigned(hearing.hearing_id, viewer.participant_id, slot.slot.index, None))
        hearing.emit(ParticipantLeft(hearing.hearing_id, session.participant_id, reason))
        if session.uplink is not None:
            await session.uplink.stop()
        await session.pc.close()
        self._fill_slots(hearing)
        logger.info("participant %s left hearing %s: %s", session.participant_id, hearing.hearing_id, reason)

    async def close_hearing(self, hearing_id: str) -> None:
        """End every session of the hearing and its taps and feeds; closing twice is harmless."""
        hearing = self._hearings.pop(hearing_id, None)
        if hearing is None:
            return
        for session in list(hearing.participants.values()):
            await self._end(hearing, session, "closed")
        for tap in list(hearing.taps):
            tap.close()
        for feed in list(hearing.feeds):
            feed.close()

    async def close(self) -> None:
        self._closed = True
        for hearing_id in list(self._hearings):
            await self.close_hearing(hearing_id)
        await stop(self._balancer, *self._background)

    # ---- lookups ---------------------------------------------------------------------------

    def _hearing(self, hearing_id: str) -> _Hearing:
        hearing = self._hearings.get(hearing_id)
        if hearing is None:
            raise UnknownHearing(f"no media session for hearing {hearing_id!r}")
        return hearing

    def _session(self, hearing_id: str, participant_id: str) -> ParticipantSession:
        session = self._hearing(hearing_id).participants.get(participant_id)
        if session is None:
            raise UnknownParticipant(f"{participant_id!r} is not connected to hearing {hearing_id!r}")
        return session

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)


async def _send_remb(uplink: UplinkFeedback, receiver: RTCRtpReceiver, bitrate_bps: int) -> None:
    await uplink.send_remb(receiver, bitrate_bps)


def _discard(items: list, item: object) -> None:
    if item in items:
        items.remove(item)
