"""Transport-cc and REMB through the relay with aiortc peers (Chromium itself: test_browser_bwe.py).

aiortc neither offers transport-cc nor stamps transport-wide sequence numbers, so the publisher
here does what Chromium does: its offer carries the extension and ``a=rtcp-fb:* transport-cc``,
and its senders stamp one connection-wide counter on every packet. What comes back is parsed by
the independent parser of test_twcc.py.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from typing import Any

import pytest
from aiortc import RTCSessionDescription, sdp
from aiortc.rtp import RTCP_PSFB_APP, HeaderExtensionsMap, RtcpPsfbPacket, pack_remb_fci

from media import aiortc_hooks
from media.downlink import AUDIO_ALLOWANCE_BPS, DownlinkPolicy
from media.errors import InvalidOffer
from media.feeds import ViewerQuality
from media.relay import Relay
from media.twcc import EXTENSION_URI
from tests.media.media_peers import Peer, wait_for
from tests.media.test_twcc import parse

TWCC_ID = 5


def with_transport_cc(offer: str, extension_id: int = TWCC_ID) -> str:
    """Add the extension and the feedback to the offer's sendonly m-lines, as Chromium offers them."""
    sections = re.split(r"(?=^m=)", offer, flags=re.M)
    out = [sections[0]]
    for section in sections[1:]:
        if "a=sendonly" in section:
            section = section.replace("a=sendonly\r\n", f"a=sendonly\r\na=extmap:{extension_id} {EXTENSION_URI}\r\n")
            for pt in re.findall(r"^a=rtpmap:(\d+) (?:VP8|opus)/", section, flags=re.M):
                section = section.replace(f"a=rtpmap:{pt} ", f"a=rtcp-fb:{pt} transport-cc\r\na=rtpmap:{pt} ", 1)
        out.append(section)
    return "".join(out)


class StampingPublisher(Peer):
    """A publisher whose packets carry transport-wide sequence numbers, and who keeps its feedback."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.stamped = 0
        self.feedback: list[bytes] = []
        self.rembs: list[int] = []
        counter = itertools.count()
        for transceiver in self.pc.getTransceivers():
            if transceiver.direction == "sendonly":
                self._stamp(transceiver.sender._RTCRtpSender__rtp_header_extensions_map, counter)

    def _stamp(self, extensions: HeaderExtensionsMap, counter: itertools.count) -> None:
        original = extensions.set

        def stamped(values: Any) -> tuple[int, bytes]:
            extensions._HeaderExtensionsMap__ids.transport_sequence_number = TWCC_ID  # type: ignore[attr-defined]
            values.transport_sequence_number = next(counter) & 0xFFFF
            self.stamped += 1
            return original(values)

        extensions.set = stamped  # type: ignore[method-assign]

    async def join(self, relay: Relay, hearing: str, **kwargs: Any) -> Any:
        offer = with_transport_cc(await self.offer())
        admission = await relay.admit(hearing, self.name, may_publish=True, privileged=False, offer_sdp=offer)
        dtls = self.pc.getTransceivers()[0].sender.transport
        original = dtls._handle_rtcp_data

        async def keep(data: bytes) -> None:
            if len(data) >= 2 and data[1] == 205 and data[0] & 0x1F == 15:
                self.feedback.append(data)
            elif len(data) >= 2 and data[1] == 206 and data[0] & 0x1F == RTCP_PSFB_APP:
                self.rembs.append(_remb_bitrate(data))
            await original(data)

        dtls._handle_rtcp_data = keep
        await self.pc.setRemoteDescription(RTCSessionDescription(admission.answer_sdp, "answer"))
        return admission


def _remb_bitrate(data: bytes) -> int:
    exponent, mantissa = data[17] >> 2, ((data[17] & 3) << 16) | int.from_bytes(data[18:20], "big")
    return mantissa << exponent


async def test_the_answer_gives_a_transport_cc_publisher_the_extension_feedback_and_start_bitrate() -> None:
    relay = Relay(start_bitrate_kbps=800)
    publisher, viewer = StampingPublisher("pub"), Peer("viewer", publish=False, slots=1)
    try:
        admission = await publisher.join(relay, "h-twcc-answer")
        answer = sdp.SessionDescription.parse(admission.answer_sdp)
        publish = [m for m in answer.media if m.direction == "recvonly"]
        slots = [m for m in answer.media if m.direction == "sendonly"]
        assert {m.kind for m in publish} == {"audio", "video"}
        for media in publish:
            assert any(e.uri == EXTENSION_URI and e.id == TWCC_ID for e in media.rtp.headerExtensions)
            main = next(c for c in media.rtp.codecs if c.mimeType.lower() in ("video/vp8", "audio/opus"))
            assert any(f.type == "transport-cc" for f in main.rtcpFeedback)
        vp8 = next(c for m in publish for c in m.rtp.codecs if c.mimeType.lower() == "video/vp8")
        assert str(vp8.parameters.get("x-google-start-bitrate")) == "800"
        assert all(not any(e.uri == EXTENSION_URI for e in m.rtp.headerExtensions) for m in slots)
        # a publisher that did not offer it gets no transport-cc, and aiortc's REMB as before
        plain = await viewer.join(relay, "h-twcc-answer", may_publish=False)
        assert EXTENSION_URI not in plain.answer_sdp and "transport-cc" not in plain.answer_sdp
    finally:
        await asyncio.gather(publisher.close(), viewer.close())
        await relay.close()


async def test_every_stamped_packet_is_reported_received_in_feedback_the_publisher_can_parse(relay: Relay) -> None:
    publisher = StampingPublisher("pub")
    try:
        await publisher.join(relay, "h-twcc-feedback")
        await wait_for(lambda: len(publisher.feedback) >= 20, within=15)
        reported: dict[int, int] = {}
        counts = []
        for packet in list(publisher.feedback):
            decoded = parse(packet)
            counts.append(decoded["fb_count"])
            for offset, arrival in enumerate(decoded["arrivals"]):
                if arrival is not None:
                    reported[(decoded["base"] + offset) & 0xFFFF] = arrival
        upto = max(reported)
        assert set(range(min(reported), upto + 1)) == set(reported), "loopback loses nothing: all reported"
        assert counts == [(counts[0] + i) & 0xFF for i in range(len(counts))]
        arrivals = [reported[s] for s in sorted(reported)]
        assert max(arrivals) - min(arrivals) > 0  # real, increasing times (250 us ticks)
        stats = (await relay.stats("h-twcc-feedback"))["pub"]
        assert stats.transport_cc_feedback >= len(counts)
        assert publisher.rembs == []  # aiortc's own REMB is off: it would cap Chromium's estimate
    finally:
        await publisher.close()


async def test_a_viewer_reporting_a_collapsed_downlink_is_thinned_alone_and_told(relay: Relay) -> None:
    """A weak (or lying) viewer's REMB only ever reduces what that viewer gets."""
    hearing = "h-weak"
    events = relay.subscribe_events(hearing)
    speaker = Peer("speaker")
    healthy, weak = Peer("healthy", publish=False, slots=1), Peer("weak", publish=False, slots=1)
    for transceiver in weak.pc.getTransceivers():
        aiortc_hooks.disable_receiver_remb(transceiver.receiver)  # only the forged estimate below
    try:
        await speaker.join(relay, hearing)
        await healthy.join(relay, hearing, may_publish=False)
        await weak.join(relay, hearing, may_publish=False)
        await wait_for(lambda: len(weak.inboxes[0].video) > 10)
        receiver = weak.pc.getTransceivers()[1].receiver
        ssrcs = [s.source for s in receiver.getSynchronizationSources()]

        async def forge() -> None:
            while True:
                packet = RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=aiortc_hooks.rtcp_ssrc(receiver) or 1,
                                        media_ssrc=0, fci=pack_remb_fci(5_000, ssrcs))
                await receiver._send_rtcp(packet)
                await asyncio.sleep(0.2)

        forger = asyncio.ensure_future(forge())
        quality: list[ViewerQuality] = []

        async def watch() -> None:
            async for event in events:
                if isinstance(event, ViewerQuality):
                    quality.append(event)

        watcher = asyncio.ensure_future(watch())
        await wait_for(lambda: any(q.viewer_id == "weak" for q in quality), within=15)
        told = next(q for q in quality if q.viewer_id == "weak")
        assert (told.publisher_id, told.slot, told.mode) == ("speaker", 0, "audio_only")
        stats = await relay.stats(hearing)
        assert stats["weak"].thinned_slots == 1 and stats["healthy"].thinned_slots == 0
        video_before, audio_before = len(weak.inboxes[0].video), len(weak.inboxes[0].audio)
        healthy_before = len(healthy.inboxes[0].video)
        await asyncio.sleep(2.0)
        assert len(weak.inboxes[0].video) - video_before <= 1  # at most one frame already in flight
        assert len(weak.inboxes[0].audio) - audio_before >= 50  # audio flows on, whatever video does
        assert len(healthy.inboxes[0].video) - healthy_before >= 30  # the others are untouched
        assert not any(q.viewer_id == "healthy" for q in quality)
        forger.cancel()
        watcher.cancel()
    finally:
        events.close()
        await asyncio.gather(speaker.close(), healthy.close(), weak.close())


async def test_an_offer_with_an_impossible_transport_cc_id_is_refused(relay: Relay) -> None:
    publisher = Peer("pub")
    offer = with_transport_cc(await publisher.offer(), extension_id=300)
    try:
        with pytest.raises(InvalidOffer) as refused:
            await relay.admit("h-bad", "pub", may_publish=True, privileged=False, offer_sdp=offer)
        assert refused.value.status == 400 and "300" in refused.value.message
        assert "h-bad" not in relay.hearings()
    finally:
        await publisher.close()


async def test_a_congested_viewer_above_the_floor_caps_the_publisher_by_remb_and_the_cap_lifts(relay: Relay) -> None:
    """The cap path end to end, scaled down: the synthetic publisher sends tens of kbps, so the floor is too."""
    hearing = "h-cap"
    publisher, viewer = StampingPublisher("pub"), Peer("viewer", publish=False, slots=1)
    for transceiver in viewer.pc.getTransceivers():
        aiortc_hooks.disable_receiver_remb(transceiver.receiver)
    try:
        await publisher.join(relay, hearing)
        await viewer.join(relay, hearing, may_publish=False)
        session = relay._hearings[hearing].participants["pub"]
        session.policy = DownlinkPolicy(floor_bps=1_000, keyframe_min_bps=500)
        await wait_for(lambda: len(viewer.inboxes[0].video) > 30)
        receiver = viewer.pc.getTransceivers()[1].receiver
        ssrcs = [s.source for s in receiver.getSynchronizationSources()]
        claimed = {"bps": 6_000}  # it is sent ~19 kbps (~1 of them audio): far under, yet above the floor

        async def report() -> None:
            while True:
                packet = RtcpPsfbPacket(fmt=RTCP_PSFB_APP, ssrc=aiortc_hooks.rtcp_ssrc(receiver) or 1,
                                        media_ssrc=0, fci=pack_remb_fci(claimed["bps"], ssrcs))
                await receiver._send_rtcp(packet)
                await asyncio.sleep(0.2)

        reporter = asyncio.ensure_future(report())
        await wait_for(lambda: bool(publisher.rembs), within=15)
        stats = await relay.stats(hearing)
        assert 1_000 <= publisher.rembs[-1] - AUDIO_ALLOWANCE_BPS <= 6_000  # its share, plus the audio
        assert stats["viewer"].thinned_slots == 0  # above the floor: every frame, at a lower rate
        claimed["bps"] = 10_000_000  # the viewer's link recovered
        await wait_for(lambda: publisher.rembs[-1] >= 10_000_000, within=15)  # the cap is lifted
        reporter.cancel()
    finally:
        await asyncio.gather(publisher.close(), viewer.close())
