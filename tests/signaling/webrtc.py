"""aiortc participants that negotiate with the relay through signaling, as a browser page would."""

from __future__ import annotations

from typing import Any

from aiortc import RTCSessionDescription

from tests.media.media_peers import Peer
from tests.signaling.conftest import Socket


async def offer_sdp(*, publish: bool, slots: int = 2) -> str:
    """A complete offer (candidates gathered) from a throw-away peer."""
    peer = Peer("probe", publish=publish, slots=slots)
    try:
        return await peer.offer()
    finally:
        await peer.close()


class SignaledPeer(Peer):
    """A :class:`Peer` whose offer goes through the /hearing socket instead of straight to the relay."""

    slot_of: dict[int, int]

    async def negotiate(self, socket: Socket) -> dict[str, Any]:
        reply = await socket.call("media_offer", {"sdp": await self.offer()})
        assert reply.get("ok"), reply
        await self.pc.setRemoteDescription(RTCSessionDescription(reply["answer"]["sdp"], "answer"))
        return dict(reply)

    @staticmethod
    def slot_showing(socket: Socket, user_id: int) -> int | None:
        """The receive slot that the relay last said shows ``user_id`` (from media_slot events)."""
        slot = None
        for event in socket.received.get("media_slot", []):
            if event["user_id"] == user_id:
                slot = event["slot"]
            elif slot is not None and event["slot"] == slot:
                slot = None
        return slot
