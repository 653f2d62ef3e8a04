"""Every aiortc private internal the relay depends on, in one place (aiortc pinned ==1.16.0).

aiortc has no supported way to skip decoding or to see keyframe requests for pre-encoded
media (maintainers' position in aiortc issues #449, #627, #55), so the relay reaches into three
internals. Each is named by a ``HOOK_*`` constant; :func:`check_hooks` verifies all of them on a
real peer connection and raises :class:`media.errors.HookBroken` naming the one that changed.
The relay calls it at start-up so an upgrade can never silently fall back to transcoding.

- ``HOOK_DECODER_QUEUE``: ``RTCRtpReceiver._RTCRtpReceiver__decoder_queue`` receives each
  re-assembled encoded frame as ``(codec, JitterFrame)``; we replace it (before ``receive()``
  starts the decoder thread) with a queue that hands the frame to the relay and never decodes.
- ``HOOK_SEND_PLI``: ``RTCRtpReceiver._send_rtcp_pli(media_ssrc)`` and
  ``RTCRtpReceiver._RTCRtpReceiver__rtx_ssrc`` (RTX → media SSRC) let us send a PLI naming the
  publisher's media SSRC, never its RTX SSRC.
- ``HOOK_KEYFRAME_REQUEST``: ``RTCRtpSender._send_keyframe()`` is what the sender calls on an
  incoming PLI/FIR; in packet mode it is otherwise ignored, so we intercept it per sender.

- ``HOOK_RTP_LOOP``: ``RTCRtpSender._run_rtp(codec)``, the task ``send()`` starts, and the
  sender's private RTP state (history, counters, header-extension map, MID). For relay viewers
  :func:`install_frame_sender` replaces the loop: aiortc's would wrap each frame in an
  ``av.Packet``, convert its time base, build an ``RtpPacket`` and serialize its header
  extensions per packet and read the clock twice per packet — most of the relay's CPU at K=12.
  Ours packetizes the relayed frame directly, packs the headers with ``struct`` and computes the
  extensions once per frame, keeping everything aiortc reads elsewhere (NACK history, SR
  counters, start/stop events) exactly as its own loop leaves it.
- ``HOOK_ICE_SOCKETS``: ``RTCIceTransport._connection._protocols`` (aioice) hold the UDP sockets;
  :func:`enlarge_receive_buffers` raises their ``SO_RCVBUF`` so a burst that arrives while the
  event loop is busy waits in the kernel instead of being dropped there.
- ``HOOK_RTP_HANDLER``: ``RTCRtpReceiver._handle_rtp_packet(packet, arrival_time_ms)``;
  :func:`count_frames` replaces it for load generators that only count complete frames (no jitter
  buffer, no depacketization, no NACKs), so a generator can receive what a relay forwards to many.

- ``HOOK_NEGOTIATION``: ``RTCRtpTransceiver._codecs`` / ``._headerExtensions`` are what aiortc
  negotiated from the offer and writes into its answer. aiortc knows no transport-cc, so
  :func:`accept_transport_cc` adds the offered transport-wide sequence number extension and the
  ``transport-cc`` feedback to a publish m-line (and the start bitrate to its VP8 fmtp).
- ``HOOK_RECEIVER_REMB``: ``RTCRtpReceiver.__remote_bitrate_estimator``; aiortc's receive-side
  estimate (nothing for ~3 s, then +8 %/s) would cap the publisher's own transport-cc estimate
  through REMB, so :func:`disable_receiver_remb` turns it off; the relay sends its own REMB.
- ``HOOK_RTP_ARRIVAL``: ``RTCRtpReceiver._handle_rtp_packet`` (as ``HOOK_RTP_HANDLER``);
  :func:`on_rtp_arrival` sees every packet routed to a publish receiver (RTX and padding
  probes included) before aiortc does, to record its transport-wide sequence number.
- ``HOOK_SEND_RTCP``: ``RTCRtpReceiver.__rtcp_ssrc`` and the DTLS transport's ``_send_rtp``
  (which protects RTCP as SRTCP): :func:`send_rtcp` sends feedback aiortc has no class for.
- ``HOOK_SENDER_REMB``: ``RTCRtpSender._handle_rtcp_packet``; in packet mode aiortc drops a
  viewer's REMB, :func:`on_remb` hands its bitrate to the relay (the viewer's downlink estimate).

NACKs need no hook: aiortc's sender answers them from its own packet history (with RTX).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import queue
import socket
import struct
from collections.abc import Awaitable, Callable
from typing import Any

import aiortc
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender, clock, rtp
from aiortc import rtcrtpreceiver as _receiver_module
from aiortc.mediastreams import MediaStreamError
from aiortc.rtcrtpparameters import RTCRtcpFeedback, RTCRtpCodecParameters, RTCRtpHeaderExtensionParameters
from aiortc.rtcrtpsender import random_sequence_number
from aiortc.rtcrtptransceiver import RTCRtpTransceiver
from aiortc.rtp import RTCP_PSFB_APP, RTP_HISTORY_SIZE, HeaderExtensions, RtcpPsfbPacket, RtpPacket, unpack_remb_fci
from aiortc.utils import random16, random32

from media.errors import HookBroken
from media.twcc import EXTENSION_URI

logger = logging.getLogger(__name__)

PINNED_AIORTC = "1.16.0"
HOOK_VERSION = "aiortc.__version__"
HOOK_DECODER_QUEUE = "RTCRtpReceiver.__decoder_queue"
HOOK_DECODER_WORKER = "rtcrtpreceiver.decoder_worker"
HOOK_SEND_PLI = "RTCRtpReceiver._send_rtcp_pli"
HOOK_RTX_SSRC = "RTCRtpReceiver.__rtx_ssrc"
HOOK_KEYFRAME_REQUEST = "RTCRtpSender._send_keyframe"
HOOK_ICE_SOCKETS = "RTCIceTransport._connection._protocols"
HOOK_RTP_LOOP = "RTCRtpSender._run_rtp"
HOOK_RTP_HANDLER = "RTCRtpReceiver._handle_rtp_packet"
HOOK_NEGOTIATION = "RTCRtpTransceiver._codecs/_headerExtensions"
HOOK_RECEIVER_REMB = "RTCRtpReceiver.__remote_bitrate_estimator"
HOOK_RTP_ARRIVAL = "RTCRtpReceiver._handle_rtp_packet (arrivals)"
HOOK_SEND_RTCP = "RTCRtpReceiver.__rtcp_ssrc + RTCDtlsTransport._send_rtp"
HOOK_SENDER_REMB = "RTCRtpSender._handle_rtcp_packet"

_DECODER_QUEUE_ATTR = "_RTCRtpReceiver__decoder_queue"
_RTX_SSRC_ATTR = "_RTCRtpReceiver__rtx_ssrc"
_RTCP_SSRC_ATTR = "_RTCRtpReceiver__rtcp_ssrc"
_ESTIMATOR_ATTR = "_RTCRtpReceiver__remote_bitrate_estimator"
TRANSPORT_CC_URI = EXTENSION_URI

FrameSink = Callable[[bytes, int], None]
"""Receives ``(encoded frame bytes, RTP timestamp counted from the track's first frame)``."""


class _PassthroughQueue:
    """Stands in for the receiver's decoder queue: frames go to ``sink`` on the event loop.

    ``_handle_rtp_packet`` calls ``put`` from the loop, so the sink runs synchronously there with
    no thread hop. aiortc still starts its decoder thread on this object; ``get`` parks that
    thread until the receiver stops (``put(None)``), so it never builds a decoder.
    """

    def __init__(self, sink: FrameSink, on_end: Callable[[], None] | None) -> None:
        self._sink = sink
        self._on_end = on_end
        self._parked: queue.SimpleQueue[None] = queue.SimpleQueue()
        self.frames = 0

    def put(self, item: Any) -> None:
        if item is None:
            self._parked.put(None)
            if self._on_end is not None:
                self._on_end()
            return
        _codec, encoded_frame = item
        self.frames += 1
        self._sink(encoded_frame.data, encoded_frame.timestamp)

    def get(self) -> None:
        self._parked.get()
        return None


def install_passthrough(
    receiver: RTCRtpReceiver, sink: FrameSink, on_end: Callable[[], None] | None = None
) -> None:
    """Make ``receiver`` hand out encoded frames instead of decoding them.

    Must run after ``setRemoteDescription`` created the receiver and before the connection
    starts it (``receive()`` reads the queue when it starts the decoder thread).
    """
    current = getattr(receiver, _DECODER_QUEUE_ATTR, None)
    if current is None or not hasattr(current, "put"):
        raise HookBroken(HOOK_DECODER_QUEUE, "RTCRtpReceiver has no decoder queue to replace")
    if getattr(receiver, "_RTCRtpReceiver__decoder_thread", None) is not None:
        raise HookBroken(HOOK_DECODER_QUEUE, "the receiver's decoder thread already started")
    setattr(receiver, _DECODER_QUEUE_ATTR, _PassthroughQueue(sink, on_end))


def is_passthrough(receiver: RTCRtpReceiver) -> bool:
    return isinstance(getattr(receiver, _DECODER_QUEUE_ATTR, None), _PassthroughQueue)


def media_ssrcs(receiver: RTCRtpReceiver) -> list[int]:
    """The SSRCs the publisher sends media on (RTX retransmission SSRCs excluded)."""
    rtx = getattr(receiver, _RTX_SSRC_ATTR)
    seen = [source.source for source in receiver.getSynchronizationSources()]
    return [ssrc for ssrc in seen if ssrc not in rtx]


async def send_pli(receiver: RTCRtpReceiver) -> bool:
    """Ask the publisher for a keyframe on its media SSRC; False if it has sent nothing yet."""
    ssrcs = media_ssrcs(receiver)
    for ssrc in ssrcs:
        await receiver._send_rtcp_pli(ssrc)
    return bool(ssrcs)


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call ``callback`` whenever the viewer behind ``sender`` sends a PLI or FIR."""
    if not callable(getattr(sender, "_send_keyframe", None)):
        raise HookBroken(HOOK_KEYFRAME_REQUEST, "RTCRtpSender has no _send_keyframe")
    sender._send_keyframe = callback  # type: ignore[method-assign]


FrameSource = Callable[[], Awaitable[tuple[bytes, int]]]
"""Waits for the next ``(encoded frame, RTP timestamp in clock-rate units)`` a viewer should get."""

_SENDER_STATE = ("rtp_started", "rtp_exited", "rtp_history", "rtp_header_extensions_map", "mid", "track",
                 "ntp_timestamp", "rtp_timestamp", "octet_count", "packet_count")
_VP8_CHUNK = 1300 - 4  # aiortc's PACKET_MAX less the 4-byte descriptor (with a 15-bit picture ID)
_RTP_HEADER = struct.Struct("!BBHLL")


def install_frame_sender(sender: RTCRtpSender, next_frame: FrameSource,
                         pace: Callable[[], float | None] | None = None) -> None:
    """Make ``sender`` send the frames ``next_frame`` yields with the relay's lean RTP loop.

    Call before negotiation (``send()`` starts ``_run_rtp``). Codecs other than VP8 and Opus keep
    aiortc's own loop. ``pace()``, read once per frame, may return a rate in bits per second:
    that frame's packets are then spread out at that rate instead of leaving in one burst (a
    keyframe for a viewer on a slow link would otherwise overflow its bottleneck's queue).
    """
    missing = [name for name in _SENDER_STATE if not hasattr(sender, f"_RTCRtpSender__{name}")]
    if missing or not callable(getattr(sender, "_run_rtp", None)):
        raise HookBroken(HOOK_RTP_LOOP, f"RTCRtpSender lost its RTP loop state: {missing}")

    async def run_rtp(codec: RTCRtpCodecParameters) -> None:
        if codec.mimeType.lower() not in ("video/vp8", "audio/opus"):
            await RTCRtpSender._run_rtp(sender, codec)
            return
        await _run_frames(sender, next_frame, codec, pace)

    sender._run_rtp = run_rtp  # type: ignore[method-assign]


def _state(sender: RTCRtpSender, name: str) -> Any:
    return getattr(sender, f"_RTCRtpSender__{name}")


def _set_state(sender: RTCRtpSender, name: str, value: Any) -> None:
    setattr(sender, f"_RTCRtpSender__{name}", value)


async def _run_frames(sender: RTCRtpSender, next_frame: FrameSource, codec: RTCRtpCodecParameters,
                      pace: Callable[[], float | None] | None = None) -> None:
    """aiortc's ``_run_rtp`` for pre-encoded VP8/Opus frames, with the per-packet work hoisted."""
    _state(sender, "rtp_started").set()
    history: dict[int, RtpPacket] = _state(sender, "rtp_history")
    extensions_map = _state(sender, "rtp_header_extensions_map")
    mid = _state(sender, "mid")
    vp8 = codec.mimeType.lower() == "video/vp8"
    payload_type, ssrc = int(codec.payloadType or 0), sender._ssrc
    sequence_number, origin, picture_id = random_sequence_number(), random32(), random16() & 0x7FFF
    packets, octets = _state(sender, "packet_count"), _state(sender, "octet_count")
    send = sender.transport._send_rtp
    try:
        while True:
            data, rtp_timestamp = await next_frame()
            if not sender._enabled or not data:
                continue
            timestamp = (origin + rtp_timestamp) & 0xFFFFFFFF
            ntp = clock.current_ntp_time()
            extensions = HeaderExtensions(abs_send_time=(ntp >> 14) & 0x00FFFFFF, mid=mid)
            profile, value = extensions_map.set(extensions)
            first_byte = 0x90 if value else 0x80
            tail = struct.pack("!HH", profile, len(value) >> 2) + value if value else b""
            if vp8:
                ident = bytes((0x80, 0x80 | (picture_id >> 8), picture_id & 0xFF))
                payloads = [(b"\x90" if pos == 0 else b"\x80") + ident + data[pos:pos + _VP8_CHUNK]
                            for pos in range(0, len(data), _VP8_CHUNK)]
                picture_id = (picture_id + 1) & 0x7FFF
            else:
                payloads = [data]
            last = len(payloads) - 1
            rate = pace() if pace is not None else None
            for index, payload in enumerate(payloads):
                marker = 1 if index == last else 0
                packet = RtpPacket(payload_type=payload_type, marker=marker, sequence_number=sequence_number,
                                   timestamp=timestamp, ssrc=ssrc, payload=payload)
                packet.extensions = extensions
                history[sequence_number % RTP_HISTORY_SIZE] = packet
                header = _RTP_HEADER.pack(first_byte, (marker << 7) | payload_type, sequence_number, timestamp, ssrc)
                await send(header + tail + payload)
                packets += 1
                octets += len(payload)
                sequence_number = (sequence_number + 1) & 0xFFFF
                if rate:
                    await asyncio.sleep((len(payload) + 40) * 8 / rate)
            _set_state(sender, "ntp_timestamp", ntp)
            _set_state(sender, "rtp_timestamp", timestamp)
            _set_state(sender, "packet_count", packets)
            _set_state(sender, "octet_count", octets)
    except (asyncio.CancelledError, ConnectionError, MediaStreamError):
        pass
    except Exception:
        logger.exception("relay sender loop failed")  # aiortc's stop() must still see the loop exit
    track = _state(sender, "track")
    if track is not None:
        track.stop()
        _set_state(sender, "track", None)
    _state(sender, "rtp_exited").set()


def enlarge_receive_buffers(pc: RTCPeerConnection, size: int) -> int:
    """Ask for ``size``-byte UDP receive buffers on ``pc``'s ICE sockets; returns how many were set.

    The kernel caps the request at ``net.core.rmem_max``. Call it once ICE gathering is complete
    (after ``setLocalDescription``), when the sockets exist.
    """
    done: set[int] = set()
    for transceiver in pc.getTransceivers():
        dtls = transceiver.receiver.transport
        connection = getattr(getattr(dtls, "transport", None), "_connection", None)
        protocols = getattr(connection, "_protocols", None)
        if protocols is None:
            raise HookBroken(HOOK_ICE_SOCKETS, "RTCIceTransport has no aioice connection with _protocols")
        for protocol in protocols:
            transport = getattr(protocol, "transport", None)
            sock = transport.get_extra_info("socket") if transport is not None else None
            if sock is not None and sock.fileno() not in done:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size)
                done.add(sock.fileno())
    return len(done)


class _FrameCounter:
    """Counts complete frames per SSRC from RTP headers alone, without re-assembling them.

    A video frame counts when its marker packet arrives and every packet since the packet that
    starts it (VP8 descriptor: S=1, partition 0) arrived in sequence; an audio packet is a frame.
    """

    def __init__(self, video: bool, on_frame: Callable[[int], None]) -> None:
        self._video = video
        self._on_frame = on_frame
        self._last_seq: dict[int, int] = {}
        self._whole: dict[int, bool] = {}

    async def __call__(self, packet: RtpPacket, arrival_time_ms: int) -> None:
        ssrc = packet.ssrc
        if not self._video:
            self._on_frame(ssrc)
            return
        last = self._last_seq.get(ssrc)
        in_sequence = last is None or packet.sequence_number == (last + 1) & 0xFFFF
        self._last_seq[ssrc] = packet.sequence_number
        payload = packet.payload
        if payload and payload[0] & 0x17 == 0x10:  # S bit set, partition index 0
            self._whole[ssrc] = True
        elif not in_sequence:
            self._whole[ssrc] = False
        if packet.marker:
            if self._whole.get(ssrc, False):
                self._on_frame(ssrc)
            self._whole[ssrc] = False


def count_frames(receiver: RTCRtpReceiver, kind: str, on_frame: Callable[[int], None]) -> None:
    """Make ``receiver`` only count complete frames (``on_frame(ssrc)``): for load generators.

    The receiver then sends no NACKs or receiver reports and yields no media; a lost packet
    loses its frame. Install before the connection starts.
    """
    handler = getattr(receiver, "_handle_rtp_packet", None)
    if handler is None or list(inspect.signature(handler).parameters) != ["packet", "arrival_time_ms"]:
        raise HookBroken(HOOK_RTP_HANDLER, "RTCRtpReceiver._handle_rtp_packet(packet, arrival_time_ms) changed")
    receiver._handle_rtp_packet = _FrameCounter(kind == "video", on_frame)  # type: ignore[method-assign]


def accept_transport_cc(transceiver: RTCRtpTransceiver, extension_id: int,
                        start_bitrate_kbps: int | None = None) -> None:
    """Answer a publish m-line with transport-cc: the extension (offer's id) and the feedback.

    Call after ``setRemoteDescription`` and before ``createAnswer``. ``start_bitrate_kbps``
    goes into VP8's fmtp as ``x-google-start-bitrate``: Chromium starts its estimate there.
    """
    codecs = getattr(transceiver, "_codecs", None)
    extensions = getattr(transceiver, "_headerExtensions", None)
    if not isinstance(codecs, list) or not isinstance(extensions, list):
        raise HookBroken(HOOK_NEGOTIATION, "RTCRtpTransceiver lost _codecs/_headerExtensions")
    if not 1 <= extension_id <= 255:
        raise ValueError(f"header extension id {extension_id} out of range")
    if not any(e.uri == TRANSPORT_CC_URI for e in extensions):
        extensions.append(RTCRtpHeaderExtensionParameters(id=extension_id, uri=TRANSPORT_CC_URI))
    for codec in codecs:
        if codec.mimeType.lower() == "video/rtx":
            continue
        if not any(f.type == "transport-cc" for f in codec.rtcpFeedback):
            codec.rtcpFeedback.append(RTCRtcpFeedback(type="transport-cc"))
        if start_bitrate_kbps is not None and codec.mimeType.lower() == "video/vp8":
            codec.parameters["x-google-start-bitrate"] = int(start_bitrate_kbps)


def disable_receiver_remb(receiver: RTCRtpReceiver) -> None:
    """Stop aiortc's receive-side bandwidth estimator (and so its REMB) on ``receiver``."""
    if not hasattr(receiver, _ESTIMATOR_ATTR):
        raise HookBroken(HOOK_RECEIVER_REMB, "RTCRtpReceiver has no __remote_bitrate_estimator")
    setattr(receiver, _ESTIMATOR_ATTR, None)


def on_rtp_arrival(receiver: RTCRtpReceiver, callback: Callable[[RtpPacket], None]) -> None:
    """Call ``callback(packet)`` for each RTP packet routed to ``receiver``, before aiortc handles it."""
    handler = getattr(receiver, "_handle_rtp_packet", None)
    if handler is None or list(inspect.signature(handler).parameters) != ["packet", "arrival_time_ms"]:
        raise HookBroken(HOOK_RTP_ARRIVAL, "RTCRtpReceiver._handle_rtp_packet(packet, arrival_time_ms) changed")

    async def handle(packet: RtpPacket, arrival_time_ms: int) -> None:
        callback(packet)
        await handler(packet, arrival_time_ms)

    receiver._handle_rtp_packet = handle  # type: ignore[method-assign]


def rtcp_ssrc(receiver: RTCRtpReceiver) -> int | None:
    """The SSRC the receiver's RTCP goes out under (set once the connection is up)."""
    if not hasattr(receiver, _RTCP_SSRC_ATTR):
        raise HookBroken(HOOK_SEND_RTCP, "RTCRtpReceiver has no __rtcp_ssrc")
    return getattr(receiver, _RTCP_SSRC_ATTR)


async def send_rtcp(receiver: RTCRtpReceiver, packet: bytes) -> bool:
    """Send a serialized RTCP packet on the receiver's transport; False if it is not connected."""
    send = getattr(receiver.transport, "_send_rtp", None)
    if send is None:
        raise HookBroken(HOOK_SEND_RTCP, "RTCDtlsTransport has no _send_rtp")
    try:
        await send(packet)
    except ConnectionError:
        return False
    return True


def on_remb(sender: RTCRtpSender, callback: Callable[[int], None]) -> None:
    """Call ``callback(bits per second)`` for each REMB the viewer behind ``sender`` sends for it."""
    handler = getattr(sender, "_handle_rtcp_packet", None)
    if handler is None or list(inspect.signature(handler).parameters) != ["packet"]:
        raise HookBroken(HOOK_SENDER_REMB, "RTCRtpSender._handle_rtcp_packet(packet) changed")

    async def handle(packet: Any) -> None:
        if isinstance(packet, RtcpPsfbPacket) and packet.fmt == RTCP_PSFB_APP:
            try:
                bitrate, ssrcs = unpack_remb_fci(packet.fci)
            except ValueError:
                bitrate, ssrcs = 0, []
            if sender._ssrc in ssrcs:
                callback(bitrate)
        await handler(packet)

    sender._handle_rtcp_packet = handle  # type: ignore[method-assign]


async def check_hooks() -> None:
    """Verify every hook against the installed aiortc; raise HookBroken naming the first broken one."""
    if aiortc.__version__ != PINNED_AIORTC:
        raise HookBroken(HOOK_VERSION, f"aiortc {aiortc.__version__} installed, hooks verified on {PINNED_AIORTC}")
    worker = getattr(_receiver_module, "decoder_worker", None)
    if worker is None or list(inspect.signature(worker).parameters)[:2] != ["loop", "input_q"]:
        raise HookBroken(HOOK_DECODER_WORKER, "decoder_worker(loop, input_q, ...) changed")
    if "self.__decoder_queue.put((codec, encoded_frame))" not in inspect.getsource(RTCRtpReceiver):
        raise HookBroken(HOOK_DECODER_QUEUE, "receiver no longer puts (codec, frame) on its decoder queue")
    if "self._run_rtp(parameters.codecs[0])" not in inspect.getsource(RTCRtpSender.send):
        raise HookBroken(HOOK_RTP_LOOP, "send() no longer starts _run_rtp(codec)")
    if "self.__rtp_history.get(sequence_number % RTP_HISTORY_SIZE)" not in inspect.getsource(RTCRtpSender):
        raise HookBroken(HOOK_RTP_LOOP, "NACKs are no longer answered from __rtp_history")
    if "self._send_keyframe()" not in inspect.getsource(RTCRtpSender._handle_rtcp_packet):
        raise HookBroken(HOOK_KEYFRAME_REQUEST, "sender no longer calls _send_keyframe on PLI/FIR")
    if "transceiver._headerExtensions = find_common_header_extensions(" not in inspect.getsource(
            RTCPeerConnection.setRemoteDescription):
        raise HookBroken(HOOK_NEGOTIATION, "setRemoteDescription no longer sets transceiver._headerExtensions")
    if "headerExtensions=transceiver._headerExtensions" not in inspect.getsource(RTCPeerConnection):
        raise HookBroken(HOOK_NEGOTIATION, "the answer no longer carries transceiver._headerExtensions")
    if TRANSPORT_CC_URI not in inspect.getsource(rtp.HeaderExtensionsMap.configure):
        raise HookBroken(HOOK_RTP_ARRIVAL, "aiortc no longer parses the transport-wide sequence number")
    if "self.__remote_bitrate_estimator is not None" not in inspect.getsource(RTCRtpReceiver._handle_rtp_packet):
        raise HookBroken(HOOK_RECEIVER_REMB, "the receiver's REMB no longer hangs on __remote_bitrate_estimator")
    pc = RTCPeerConnection()
    try:
        transceiver = pc.addTransceiver("video")
        receiver, sender = transceiver.receiver, transceiver.sender
        decoder_queue = getattr(receiver, _DECODER_QUEUE_ATTR, None)
        if decoder_queue is None or not hasattr(decoder_queue, "put"):
            raise HookBroken(HOOK_DECODER_QUEUE, "RTCRtpReceiver has no __decoder_queue")
        if not isinstance(getattr(receiver, _RTX_SSRC_ATTR, None), dict):
            raise HookBroken(HOOK_RTX_SSRC, "RTCRtpReceiver has no __rtx_ssrc mapping")
        pli = getattr(receiver, "_send_rtcp_pli", None)
        if pli is None or list(inspect.signature(pli).parameters) != ["media_ssrc"]:
            raise HookBroken(HOOK_SEND_PLI, "RTCRtpReceiver._send_rtcp_pli(media_ssrc) changed")
        if not callable(getattr(sender, "_send_keyframe", None)):
            raise HookBroken(HOOK_KEYFRAME_REQUEST, "RTCRtpSender has no _send_keyframe")
        install_frame_sender(sender, _never)
        accept_transport_cc(transceiver, 5)
        disable_receiver_remb(receiver)
        rtcp_ssrc(receiver)
        on_rtp_arrival(receiver, lambda packet: None)
        on_remb(sender, lambda bitrate: None)
    finally:
        await pc.close()


async def _never() -> tuple[bytes, int]:
    raise MediaStreamError
