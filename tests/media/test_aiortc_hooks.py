"""The aiortc internals the relay depends on still exist: an upgrade that breaks one fails here, by name."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender
from aiortc.rtp import RTP_HISTORY_SIZE, RtpPacket

from media import aiortc_hooks
from media.errors import HookBroken
from media.relay import Relay
from media.session import RECEIVE_BUFFER_BYTES
from tests.media.media_peers import Peer, wait_for


async def test_every_aiortc_hook_the_relay_uses_holds() -> None:
    try:
        await aiortc_hooks.check_hooks()
    except HookBroken as broken:
        pytest.fail(f"aiortc hook {broken.hook} is broken after an upgrade: {broken.message}")


async def test_a_missing_hook_is_reported_by_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(RTCRtpSender, "_send_keyframe")
    with pytest.raises(HookBroken) as caught:
        await aiortc_hooks.check_hooks()
    assert caught.value.hook == aiortc_hooks.HOOK_KEYFRAME_REQUEST


async def test_another_aiortc_version_is_refused_until_the_hooks_are_re_verified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(aiortc_hooks.aiortc, "__version__", "1.17.0")
    with pytest.raises(HookBroken) as caught:
        await aiortc_hooks.check_hooks()
    assert caught.value.hook == aiortc_hooks.HOOK_VERSION

RMEM_MAX = int(Path("/proc/sys/net/core/rmem_max").read_text())  # the kernel's cap on SO_RCVBUF


def _receive_buffers(pc: RTCPeerConnection) -> list[int]:
    connection = pc.getTransceivers()[0].receiver.transport.transport._connection
    return [p.transport.get_extra_info("socket").getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
            for p in connection._protocols]


async def test_the_relay_enlarges_the_receive_buffers_of_its_ice_sockets(relay: Relay) -> None:
    """HOOK_ICE_SOCKETS: a keyframe burst while the loop is busy must wait in the kernel, not be dropped."""
    granted = min(RECEIVE_BUFFER_BYTES, RMEM_MAX)
    speaker = Peer("speaker")
    await speaker.join(relay, "h-buffers")
    buffers = _receive_buffers(relay._hearings["h-buffers"].participants["speaker"].pc)
    assert buffers and all(size >= granted for size in buffers)  # Linux reports twice the request
    await speaker.close()


async def test_a_frame_counter_counts_whole_frames_from_rtp_headers_without_a_jitter_buffer(relay: Relay) -> None:
    """HOOK_RTP_HANDLER: what the benchmark's load generator receives through; nothing re-assembles."""
    speaker, viewer = Peer("speaker"), Peer("viewer", publish=False, slots=1)
    counted: dict[str, list[int]] = {"audio": [], "video": []}
    for transceiver in viewer.pc.getTransceivers():
        aiortc_hooks.count_frames(transceiver.receiver, transceiver.kind, counted[transceiver.kind].append)
    await speaker.join(relay, "h-count")
    await viewer.join(relay, "h-count", may_publish=False)
    await wait_for(lambda: len(counted["video"]) >= 30)
    sent_before, counted_before = speaker.video.seq, len(counted["video"])  # type: ignore[union-attr]
    await asyncio.sleep(1.0)
    sent, received = speaker.video.seq - sent_before, len(counted["video"]) - counted_before  # type: ignore[union-attr]
    assert abs(received - sent) <= 3  # every frame counted once: no loss on loopback, none counted twice
    assert len(set(counted["video"])) == 1 and len(counted["audio"]) >= 40
    assert viewer.inboxes[0].video == []  # the passthrough sink never saw a frame: no re-assembly
    await asyncio.gather(speaker.close(), viewer.close())


async def test_a_frame_counter_refuses_a_receiver_whose_rtp_handler_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    async def changed(self: RTCRtpReceiver, packet: object) -> None:
        return None

    monkeypatch.setattr(RTCRtpReceiver, "_handle_rtp_packet", changed)
    pc = RTCPeerConnection()
    try:
        with pytest.raises(HookBroken) as caught:
            aiortc_hooks.count_frames(pc.addTransceiver("video").receiver, "video", lambda ssrc: None)
        assert caught.value.hook == aiortc_hooks.HOOK_RTP_HANDLER
    finally:
        await pc.close()


async def test_the_relay_sender_loop_sends_what_aiortc_would_and_answers_nacks_from_its_history(
    relay: Relay,
) -> None:
    """HOOK_RTP_LOOP: each packet equals aiortc's own serialization of it (kept for NACKs), counters hold."""
    speaker, viewer = Peer("speaker"), Peer("viewer", publish=False, slots=1)
    await speaker.join(relay, "h-sender")
    await viewer.join(relay, "h-sender", may_publish=False)
    await wait_for(lambda: len(viewer.inboxes[0].video) >= 10)
    session = relay._hearings["h-sender"].participants["viewer"]
    sender = next(t.sender for t in session.pc.getTransceivers() if t.sender.track is session.slots[0].video)
    history = sender._RTCRtpSender__rtp_history  # type: ignore[attr-defined]
    extensions = sender._RTCRtpSender__rtp_header_extensions_map  # type: ignore[attr-defined]
    sent: list[bytes] = []
    srtp = sender.transport._tx_srtp

    class Recording:
        """Sees each RTP packet in clear just before encryption (the sender loop binds _send_rtp early)."""

        def protect(self, data: bytes) -> bytes:
            if RtpPacket.parse(data).ssrc in (sender._ssrc, sender._rtx_ssrc):
                sent.append(data)
            return srtp.protect(data)

        def protect_rtcp(self, data: bytes) -> bytes:
            return srtp.protect_rtcp(data)

    sender.transport._tx_srtp = Recording()  # type: ignore[assignment]
    await wait_for(lambda: len(sent) >= 20)
    parsed = [RtpPacket.parse(data) for data in sent[:20]]
    for data, packet in zip(sent[:20], parsed, strict=True):
        assert history[packet.sequence_number % RTP_HISTORY_SIZE].serialize(extensions) == data
    assert all(packet.extensions is not None for packet in parsed)
    nacked = parsed[-1].sequence_number
    sent.clear()
    await sender._retransmit(nacked)
    rtx = RtpPacket.parse(sent[0])
    assert rtx.ssrc == sender._rtx_ssrc and rtx.payload[:2] == nacked.to_bytes(2, "big")
    sender.transport._tx_srtp = srtp
    stats = [s for s in (await sender.getStats()).values() if s.type == "outbound-rtp"]
    assert stats[0].packetsSent >= len(viewer.inboxes[0].video) and stats[0].bytesSent > 0
    await asyncio.gather(speaker.close(), viewer.close())


@pytest.mark.parametrize(("install", "hook"), [
    (lambda: aiortc_hooks.disable_receiver_remb(object()), aiortc_hooks.HOOK_RECEIVER_REMB),  # type: ignore[arg-type]
    (lambda: aiortc_hooks.rtcp_ssrc(object()), aiortc_hooks.HOOK_SEND_RTCP),  # type: ignore[arg-type]
    (lambda: aiortc_hooks.on_rtp_arrival(object(), print), aiortc_hooks.HOOK_RTP_ARRIVAL),  # type: ignore[arg-type]
    (lambda: aiortc_hooks.on_remb(object(), print), aiortc_hooks.HOOK_SENDER_REMB),  # type: ignore[arg-type]
    (lambda: aiortc_hooks.accept_transport_cc(object(), 5), aiortc_hooks.HOOK_NEGOTIATION),  # type: ignore[arg-type]
])
def test_congestion_control_hooks_name_what_changed(install, hook) -> None:  # type: ignore[no-untyped-def]
    """Transport-cc and REMB hooks (exercised end to end in test_transport_cc.py) fail by name."""
    with pytest.raises(HookBroken) as caught:
        install()
    assert caught.value.hook == hook


async def test_the_transport_cc_negotiation_hook_is_checked_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aiortc_hooks, "TRANSPORT_CC_URI", "urn:example:renamed")
    with pytest.raises(HookBroken) as caught:
        await aiortc_hooks.check_hooks()
    assert caught.value.hook == aiortc_hooks.HOOK_RTP_ARRIVAL


async def test_a_paced_relay_sender_spreads_a_frame_over_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A keyframe for a viewer on a slow link leaves at the viewer's rate, not in one burst."""
    pauses: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(delay: float) -> None:
        pauses.append(delay)
        await real_sleep(0)

    frames = [(bytes(5000), 0)]

    async def next_frame() -> tuple[bytes, int]:
        if frames:
            return frames.pop()
        raise aiortc_hooks.MediaStreamError

    pc = RTCPeerConnection()
    sender = pc.addTransceiver("video").sender
    sent: list[bytes] = []

    class Transport:
        async def _send_rtp(self, data: bytes) -> None:
            sent.append(data)

    monkeypatch.setattr(aiortc_hooks.asyncio, "sleep", sleep)
    monkeypatch.setattr(type(sender), "transport", property(lambda self: Transport()))
    aiortc_hooks.install_frame_sender(sender, next_frame, lambda: 100_000.0)
    vp8 = aiortc_hooks.RTCRtpCodecParameters(mimeType="video/VP8", clockRate=90000, payloadType=97)
    await sender._run_rtp(vp8)
    await pc.close()
    assert len(sent) == 4 and len(pauses) == 4  # 5000 bytes in 1296-byte chunks, one pause per packet
    assert sum(pauses) == pytest.approx((5000 + 4 * 4 + 4 * 40) * 8 / 100_000, rel=0.01)
