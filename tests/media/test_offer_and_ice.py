"""What the relay accepts as an offer and as ICE configuration, and the errors for the rest."""

from __future__ import annotations

import pytest
from aiortc import RTCPeerConnection
from aiortc.rtcconfiguration import RTCIceTransportPolicy

from core.errors import ConfigError
from media.errors import InvalidOffer, PublishNotAllowed
from media.ice import IceConfig, IceServer
from media.offer import plan_offer


async def offer(*lines: tuple[str, str]) -> str:
    pc = RTCPeerConnection(IceConfig().rtc_configuration())
    for kind, direction in lines:
        pc.addTransceiver(kind, direction=direction)
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp


async def test_a_publisher_offer_has_one_send_pair_and_recvonly_slot_pairs() -> None:
    sdp = await offer(("audio", "sendonly"), ("video", "sendonly"), ("audio", "recvonly"), ("video", "recvonly"),
                      ("audio", "recvonly"), ("video", "recvonly"))
    plan = plan_offer(sdp, may_publish=True)
    assert plan.publish_audio_mid == "0" and plan.publish_video_mid == "1"
    assert [(s.audio_mid, s.video_mid) for s in plan.slots] == [("2", "3"), ("4", "5")]


async def test_an_observer_may_not_offer_to_send() -> None:
    sdp = await offer(("audio", "sendonly"), ("video", "recvonly"), ("audio", "recvonly"))
    with pytest.raises(PublishNotAllowed) as caught:
        plan_offer(sdp, may_publish=False)
    assert caught.value.status == 403


@pytest.mark.parametrize(
    "lines, message",
    [
        ((("audio", "recvonly"),), "pairs"),
        ((("video", "sendrecv"),), "sendonly"),
        ((("video", "sendonly"), ("video", "sendonly")), "at most one"),
    ],
)
async def test_malformed_offers_are_refused_with_the_reason(lines, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidOffer, match=message):
        plan_offer(await offer(*lines), may_publish=True)


def test_garbage_and_empty_offers_are_invalid() -> None:
    for bad in ("", "hello", "v=0\r\n"):
        with pytest.raises(InvalidOffer):
            plan_offer(bad, may_publish=True)


async def test_an_offer_without_vp8_is_refused() -> None:
    sdp = await offer(("video", "sendonly"))
    h264_only = "\r\n".join(line for line in sdp.split("\r\n") if "VP8" not in line and "rtx" not in line)
    h264_only = h264_only.replace(" 97 98 99 100 101 102", " 99 100 101 102")
    with pytest.raises(InvalidOffer):
        plan_offer(h264_only, may_publish=True)


def test_ice_defaults_to_no_servers_so_aiortc_never_calls_google_stun() -> None:
    config = IceConfig().rtc_configuration()
    assert config.iceServers == []
    assert IceConfig().browser_configuration() == {"ice_servers": [], "ice_transport_policy": "all"}


def test_relay_only_ice_needs_a_turn_server_with_credentials() -> None:
    with pytest.raises(ConfigError):
        IceConfig(relay_only=True)
    with pytest.raises(ConfigError):
        IceServer("turn:127.0.0.1:3478")
    with pytest.raises(ConfigError):
        IceServer("http://example.org")
    turn = IceServer("turn:127.0.0.1:3478?transport=udp", "court", "secret")
    config = IceConfig((turn,), relay_only=True)
    assert config.rtc_configuration().iceTransportPolicy is RTCIceTransportPolicy.RELAY
    assert config.browser_configuration()["ice_servers"][0]["username"] == "court"


def test_ice_refuses_servers_aiortc_would_silently_ignore() -> None:
    with pytest.raises(ConfigError):
        IceConfig((IceServer("stun:a.example:3478"), IceServer("stun:b.example:3478")))


def test_the_setting_carries_turn_credentials_in_the_urls_user_part() -> None:
    config = IceConfig.from_urls(["stun:stun.court.kz:3478", "turn:court:s3cr:et@10.0.0.1:3478?transport=udp"])

    assert config.servers == (IceServer("stun:stun.court.kz:3478"),
                              IceServer("turn:10.0.0.1:3478?transport=udp", "court", "s3cr:et"))
    assert IceConfig.from_urls([]) == IceConfig()


@pytest.mark.parametrize("url", ["turn:10.0.0.1:3478", "turn:@10.0.0.1:3478", "turn:court@10.0.0.1:3478",
                                 "http://court.kz", "stun.court.kz:3478"])
def test_a_turn_url_without_credentials_or_a_foreign_scheme_is_refused(url: str) -> None:
    with pytest.raises(ConfigError):
        IceConfig.from_urls([url])
