"""One participant's peer connection with the relay, negotiated so it can only forward.

One connection per participant carries both directions: the participant's camera and
microphone (``sendonly`` from the browser) and N receive slots (``recvonly`` audio+video
pairs). Transceivers are created before the offer is applied, in the offer's m-line order, so
aiortc binds each m-line to ours; that lets us force VP8(+RTX)/Opus on every leg and install the
passthrough hook on publish receivers before aiortc could ever start a decoder.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender, RTCSessionDescription
from aiortc.rtcrtptransceiver import RTCRtpTransceiver

from media import aiortc_hooks
from media.congestion import UplinkFeedback
from media.controls import ForwardingRule
from media.downlink import DownlinkPolicy
from media.errors import NegotiationFailed
from media.forwarding import ForwardTrack, KeyframeThrottle
from media.frames import Kind
from media.ice import IceConfig
from media.offer import OfferPlan, Slot
from media.stats import RateMeter

logger = logging.getLogger(__name__)

# A 720p keyframe (up to ~80 packets, ~2.3 KB of kernel memory each) plus the viewers' RTCP can
# outrun the default 208 KB while the loop is busy. Not more: a relay short of CPU would only turn
# drops into seconds of queued, stale media (~1.8 s of a 1 Mbps publisher fit in 512 KB).
RECEIVE_BUFFER_BYTES = 512 * 1024
_CODECS = {Kind.VIDEO: {"video/vp8", "video/rtx"}, Kind.AUDIO: {"audio/opus"}}


@dataclass(eq=False)
class PublishedTrack:
    """A track the participant sends; ``viewers`` are the other participants' slot tracks."""

    track_id: str
    kind: Kind
    receiver: RTCRtpReceiver
    meter: RateMeter = field(default_factory=RateMeter)
    viewers: list[ForwardTrack] = field(default_factory=list)
    frames_in: int = 0
    anchor: datetime | None = None
    last_timestamp: int = 0
    forwarding: bool = True


@dataclass(eq=False)
class ViewerSlot:
    """One receive slot: the two tracks the relay sends in it and whom they show."""

    slot: Slot
    audio: ForwardTrack
    video: ForwardTrack
    publisher_id: str | None = None

    def track(self, kind: Kind) -> ForwardTrack:
        return self.video if kind is Kind.VIDEO else self.audio


@dataclass(eq=False)
class ParticipantSession:
    hearing_id: str
    participant_id: str
    may_publish: bool
    privileged: bool
    plan: OfferPlan
    pc: RTCPeerConnection
    throttle: KeyframeThrottle
    published: dict[Kind, PublishedTrack] = field(default_factory=dict)
    slots: list[ViewerSlot] = field(default_factory=list)
    muted: set[Kind] = field(default_factory=set)
    plis_sent: int = 0
    keyframe_requests_received: int = 0
    closed: bool = False
    uplink: UplinkFeedback | None = None  # transport-cc feedback, when the publisher offered it
    downlink_bps: float | None = None  # the viewer's own estimate of its downlink (its REMB)
    downlink_at: float = 0.0
    congested: bool = False  # its estimate is under what the relay sends it (balance.py)
    congested_rounds: int = 0
    recent_estimates: deque[float] = field(default_factory=lambda: deque(maxlen=3))
    policy: DownlinkPolicy = field(default_factory=DownlinkPolicy)  # for this publisher's video
    thinned_keyframe_at: float = 0.0
    receives_video: bool = True
    """False while the viewer asked for audio only (a weak link): its slots' video carries nothing."""

    def rule(self, paused: bool) -> ForwardingRule:
        return ForwardingRule(muted=frozenset(self.muted), paused=paused, privileged=self.privileged)

    def slot_showing(self, publisher_id: str) -> ViewerSlot | None:
        return next((s for s in self.slots if s.publisher_id == publisher_id), None)

    def free_slot(self) -> ViewerSlot | None:
        return next((s for s in self.slots if s.publisher_id is None), None)


def _preferences(kind: Kind) -> list:
    return [c for c in RTCRtpSender.getCapabilities(kind.value).codecs if c.mimeType.lower() in _CODECS[kind]]


async def open_session(
    *,
    hearing_id: str,
    participant_id: str,
    may_publish: bool,
    privileged: bool,
    plan: OfferPlan,
    offer_sdp: str,
    ice: IceConfig,
    pli_interval: float,
    sink_for: Callable[[ParticipantSession, PublishedTrack], aiortc_hooks.FrameSink],
    on_viewer_keyframe_request: Callable[[ParticipantSession, ForwardTrack], None],
    start_bitrate_kbps: int | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> tuple[ParticipantSession, str]:
    """Build the connection for ``plan``, apply the offer and return the session and the answer SDP."""
    pc = RTCPeerConnection(ice.rtc_configuration())
    session = ParticipantSession(
        hearing_id=hearing_id,
        participant_id=participant_id,
        may_publish=may_publish,
        privileged=privileged,
        plan=plan,
        pc=pc,
        throttle=KeyframeThrottle(pli_interval),
    )
    slot_by_mid = {mid: slot for slot in plan.slots for mid in (slot.audio_mid, slot.video_mid)}
    slot_tracks: dict[int, dict[Kind, ForwardTrack]] = {}
    transport_cc: list[tuple[RTCRtpTransceiver, int]] = []
    try:
        for line in plan.lines:
            kind = Kind(line.kind)
            transceiver: RTCRtpTransceiver
            if line.role == "publish":
                transceiver = pc.addTransceiver(kind.value, direction="recvonly")
                published = PublishedTrack(track_id=f"{participant_id}/{kind.value}", kind=kind,
                                           receiver=transceiver.receiver)
                session.published[kind] = published
                aiortc_hooks.install_passthrough(transceiver.receiver, sink_for(session, published))
                if line.transport_cc_id is not None:
                    transport_cc.append((transceiver, line.transport_cc_id))
            elif line.role == "slot":
                track = ForwardTrack(kind)
                transceiver = pc.addTransceiver(track, direction="sendonly")
                slot_tracks.setdefault(slot_by_mid[line.mid].index, {})[kind] = track
                aiortc_hooks.on_keyframe_request(
                    transceiver.sender, _keyframe_callback(session, track, on_viewer_keyframe_request)
                )
                aiortc_hooks.install_frame_sender(transceiver.sender, track.next_frame,
                                                  track.pace if kind is Kind.VIDEO else None)
                if kind is Kind.VIDEO:
                    aiortc_hooks.on_remb(transceiver.sender, _remb_callback(session, monotonic))
            else:
                transceiver = pc.addTransceiver(kind.value, direction="inactive")
            transceiver.setCodecPreferences(_preferences(kind))
        for slot in plan.slots:
            tracks = slot_tracks[slot.index]
            session.slots.append(ViewerSlot(slot=slot, audio=tracks[Kind.AUDIO], video=tracks[Kind.VIDEO]))
        await pc.setRemoteDescription(RTCSessionDescription(sdp=offer_sdp, type="offer"))
        _check_binding(pc, plan)
        if transport_cc:
            session.uplink = _negotiate_transport_cc(transport_cc, start_bitrate_kbps)
        answer = await pc.createAnswer()
        await pc.setLocalDescription(answer)
        aiortc_hooks.enlarge_receive_buffers(pc, RECEIVE_BUFFER_BYTES)
    except NegotiationFailed:
        await pc.close()
        raise
    except Exception as exc:  # aiortc raises ValueError/OperationError/InvalidStateError on bad offers
        await pc.close()
        raise NegotiationFailed(f"the relay could not answer this offer: {exc}") from exc
    return session, pc.localDescription.sdp


def _negotiate_transport_cc(
    lines: list[tuple[RTCRtpTransceiver, int]], start_bitrate_kbps: int | None,
) -> UplinkFeedback:
    """The publisher estimates its uplink itself from the relay's transport-cc feedback.

    aiortc's own receive-side REMB is turned off on these receivers: it would cap the
    publisher's estimate at 1.5x what already arrives.
    """
    receivers = sorted((t.receiver for t, _ in lines), key=lambda r: r.track.kind != "video")
    uplink = UplinkFeedback(receivers)
    for transceiver, extension_id in lines:
        aiortc_hooks.accept_transport_cc(transceiver, extension_id, start_bitrate_kbps)
        aiortc_hooks.disable_receiver_remb(transceiver.receiver)
        aiortc_hooks.on_rtp_arrival(transceiver.receiver, uplink.on_packet)
    return uplink


def _remb_callback(session: ParticipantSession, monotonic: Callable[[], float]) -> Callable[[int], None]:
    def estimate(bitrate: int) -> None:
        session.downlink_bps, session.downlink_at = float(bitrate), monotonic()

    return estimate


def _keyframe_callback(
    session: ParticipantSession, track: ForwardTrack,
    handler: Callable[[ParticipantSession, ForwardTrack], None],
) -> Callable[[], None]:
    def requested() -> None:
        handler(session, track)

    return requested


def _check_binding(pc: RTCPeerConnection, plan: OfferPlan) -> None:
    """aiortc must have bound each m-line to the transceiver we made for it, in order."""
    transceivers = pc.getTransceivers()
    for line, transceiver in zip(plan.lines, transceivers, strict=False):
        if transceiver.mid != line.mid or transceiver.kind != line.kind:
            raise NegotiationFailed(f"m-line {line.mid!r} was not bound to its transceiver")
    if len(transceivers) != len(plan.lines):
        raise NegotiationFailed("the offer's m-lines and the relay's transceivers differ in number")
