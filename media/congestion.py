"""The relay's side of congestion control on a publisher's connection (uplink).

The publisher's browser estimates its own uplink (Chromium's send-side GoogCC) from the
transport-wide feedback the relay returns: :class:`UplinkFeedback` records each packet's
transport-wide sequence number as it arrives and sends the feedback every ``interval``. The
relay may also cap the publisher with REMB (:meth:`UplinkFeedback.send_remb`) when its viewers
cannot take more — Chromium uses the lower of its own estimate and the REMB.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from aiortc import RTCRtpReceiver
from aiortc.rtp import RTCP_PSFB_APP, RtcpPsfbPacket, RtpPacket, pack_remb_fci

from media import aiortc_hooks
from media.twcc import ArrivalLog

logger = logging.getLogger(__name__)

FEEDBACK_INTERVAL = 0.05  # seconds; Chromium's receivers use 50-250 ms, Janus ~100 ms


def _monotonic_us() -> int:
    return time.monotonic_ns() // 1000


class UplinkFeedback:
    """Transport-cc feedback (and the relay's REMB) for one publisher's connection."""

    def __init__(self, receivers: list[RTCRtpReceiver], *, interval: float = FEEDBACK_INTERVAL,
                 now_us: Callable[[], int] = _monotonic_us) -> None:
        if interval <= 0:
            raise ValueError("the feedback interval must be positive")
        self.receivers = receivers
        self.interval = interval
        self.log = ArrivalLog()
        self.remb_sent = 0
        self.last_remb_bps: int | None = None
        self._now_us = now_us
        self._task: asyncio.Task[None] | None = None

    def on_packet(self, packet: RtpPacket) -> None:
        """What every packet routed to one of the publisher's receivers passes through."""
        sequence = packet.extensions.transport_sequence_number
        if sequence is not None:
            self.log.record(sequence, self._now_us())

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def flush(self) -> int:
        """Send the feedback due now; returns how many packets went out."""
        if not self.log.pending():
            return 0
        receiver = self.receivers[0]
        ssrc = aiortc_hooks.rtcp_ssrc(receiver)
        if ssrc is None:
            return 0
        media = next((s for r in self.receivers for s in aiortc_hooks.media_ssrcs(r)), 0)
        sent = 0
        for packet in self.log.feedback(ssrc, media):
            if await aiortc_hooks.send_rtcp(receiver, packet):
                sent += 1
        return sent

    async def send_remb(self, receiver: RTCRtpReceiver, bitrate_bps: int) -> bool:
        """Ask the publisher to send no more than ``bitrate_bps`` on ``receiver``'s streams."""
        ssrc = aiortc_hooks.rtcp_ssrc(receiver)
        media = aiortc_hooks.media_ssrcs(receiver)
        if ssrc is None or not media:
            return False
        packet = RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=ssrc, media_ssrc=0,
                                fci=pack_remb_fci(int(bitrate_bps), media))
        if await aiortc_hooks.send_rtcp(receiver, bytes(packet)):
            self.remb_sent += 1
            self.last_remb_bps = int(bitrate_bps)
            return True
        return False

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.flush()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("transport-cc feedback failed; the publisher falls back on loss reports")
