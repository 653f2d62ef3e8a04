"""A participant behind a relay-only ICE policy reaches the relay through a real coturn on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiortc import RTCSessionDescription

from media.ice import IceConfig, IceServer
from media.relay import Relay
from tests.media.coturn import coturn
from tests.media.media_peers import Peer, wait_for

pytestmark = pytest.mark.coturn


@pytest.fixture
def turn_server(tmp_path: Path) -> Iterator[IceServer]:
    with coturn(tmp_path, ["lt-cred-mech", "user=court:hearing-secret"]) as port:
        yield IceServer(f"turn:127.0.0.1:{port}?transport=udp", "court", "hearing-secret")


async def test_a_relay_only_participant_connects_through_coturn(turn_server: IceServer) -> None:
    ice = IceConfig((turn_server,), relay_only=True)
    relay = Relay(ice)
    try:
        behind_nat, other = Peer("behind-nat", ice=ice), Peer("other")
        offer = await behind_nat.offer()
        candidates = [line for line in offer.splitlines() if line.startswith("a=candidate:")]
        assert candidates and all(" typ relay " in line for line in candidates)
        await other.join(relay, "h")
        admission = await relay.admit("h", "behind-nat", may_publish=True, privileged=False, offer_sdp=offer)
        assert admission.ice["ice_transport_policy"] == "relay"
        await behind_nat.pc.setRemoteDescription(RTCSessionDescription(admission.answer_sdp, "answer"))
        await wait_for(lambda: len(behind_nat.frames_from(relay, "h", "other")) > 10
                       and len(other.frames_from(relay, "h", "behind-nat")) > 10, within=15)
        assert behind_nat.pc.connectionState == "connected"
        await behind_nat.close()
        await other.close()
    finally:
        await relay.close()
