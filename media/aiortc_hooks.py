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

- ``HOOK_ICE_SOCKETS``: ``RTCIceTransport._connection._protocols`` (aioice) hold the UDP sockets;
  :func:`enlarge_receive_buffers` raises their ``SO_RCVBUF`` so a burst that arrives while the
  event loop is busy waits in the kernel instead of being dropped there.
- ``HOOK_RTP_HANDLER``: ``RTCRtpReceiver._handle_rtp_packet(packet, arrival_time_ms)``;
  :func:`count_frames` replaces it for load generators that only count complete frames (no jitter
  buffer, no depacketization, no NACKs), so a generator can receive what a relay forwards to many.

NACKs need no hook: aiortc's sender answers them from its own packet history (with RTX).
"""

from __future__ import annotations

import inspect
import logging
import queue
import socket
from collections.abc import Callable
from typing import Any

import aiortc
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc import rtcrtpreceiver as _receiver_module
from aiortc.rtp import RtpPacket

from media.errors import HookBroken

logger = logging.getLogger(__name__)

PINNED_AIORTC = "1.16.0"
HOOK_VERSION = "aiortc.__version__"
HOOK_DECODER_QUEUE = "RTCRtpReceiver.__decoder_queue"
HOOK_DECODER_WORKER = "rtcrtpreceiver.decoder_worker"
HOOK_SEND_PLI = "RTCRtpReceiver._send_rtcp_pli"
HOOK_RTX_SSRC = "RTCRtpReceiver.__rtx_ssrc"
HOOK_KEYFRAME_REQUEST = "RTCRtpSender._send_keyframe"
HOOK_ICE_SOCKETS = "RTCIceTransport._connection._protocols"
HOOK_RTP_HANDLER = "RTCRtpReceiver._handle_rtp_packet"

_DECODER_QUEUE_ATTR = "_RTCRtpReceiver__decoder_queue"
_RTX_SSRC_ATTR = "_RTCRtpReceiver__rtx_ssrc"

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


async def check_hooks() -> None:
    """Verify every hook against the installed aiortc; raise HookBroken naming the first broken one."""
    if aiortc.__version__ != PINNED_AIORTC:
        raise HookBroken(HOOK_VERSION, f"aiortc {aiortc.__version__} installed, hooks verified on {PINNED_AIORTC}")
    worker = getattr(_receiver_module, "decoder_worker", None)
    if worker is None or list(inspect.signature(worker).parameters)[:2] != ["loop", "input_q"]:
        raise HookBroken(HOOK_DECODER_WORKER, "decoder_worker(loop, input_q, ...) changed")
    if "self.__decoder_queue.put((codec, encoded_frame))" not in inspect.getsource(RTCRtpReceiver):
        raise HookBroken(HOOK_DECODER_QUEUE, "receiver no longer puts (codec, frame) on its decoder queue")
    if "self._send_keyframe()" not in inspect.getsource(RTCRtpSender._handle_rtcp_packet):
        raise HookBroken(HOOK_KEYFRAME_REQUEST, "sender no longer calls _send_keyframe on PLI/FIR")
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
    finally:
        await pc.close()
