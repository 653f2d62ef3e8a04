"""Reading a participant's SDP offer into the relay's plan for it, before aiortc touches it.

The browser offers one peer connection: its camera and microphone as ``sendonly`` (or
``sendrecv``) m-lines, and N ``recvonly`` audio+video pairs — the *slots* in which the relay
shows the other participants. Checking the shape here gives the browser a precise error instead
of a half-working connection, and lets the relay refuse an observer's attempt to publish.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiortc import sdp

from media.errors import InvalidOffer, PublishNotAllowed
from media.twcc import EXTENSION_URI as TRANSPORT_CC_URI

MAX_OFFER_BYTES = 64 * 1024
MAX_SLOTS = 32
_REQUIRED_CODEC = {"audio": "audio/opus", "video": "video/vp8"}


@dataclass(frozen=True)
class Slot:
    """One place a viewer shows another participant: a recvonly audio and video m-line (by mid)."""

    index: int
    audio_mid: str
    video_mid: str


@dataclass(frozen=True)
class MediaLine:
    """An audio/video m-line in offer order; ``role`` is publish, slot or inactive."""

    kind: str
    mid: str
    role: str
    transport_cc_id: int | None = None  # the offer's id for the transport-wide sequence number


@dataclass(frozen=True)
class OfferPlan:
    publish_audio_mid: str | None
    publish_video_mid: str | None
    slots: tuple[Slot, ...]
    lines: tuple[MediaLine, ...] = ()

    def __post_init__(self) -> None:
        if len(self.slots) > MAX_SLOTS:
            raise InvalidOffer(f"at most {MAX_SLOTS} receive slots per participant")

    @property
    def publishes(self) -> bool:
        return self.publish_audio_mid is not None or self.publish_video_mid is not None


def plan_offer(offer_sdp: str, *, may_publish: bool) -> OfferPlan:
    """Validate the offer's shape and codecs; raise InvalidOffer / PublishNotAllowed."""
    if not isinstance(offer_sdp, str) or not offer_sdp.strip():
        raise InvalidOffer("the offer is empty")
    if len(offer_sdp) > MAX_OFFER_BYTES:
        raise InvalidOffer("the offer is too large")
    try:
        description = sdp.SessionDescription.parse(offer_sdp)
    except Exception as exc:  # aiortc's parser raises assorted errors on malformed SDP
        raise InvalidOffer(f"the offer is not valid SDP: {exc}") from exc
    bundle = next((g for g in description.group if g.semantic == "BUNDLE"), None)
    if bundle is None or not bundle.items:
        raise InvalidOffer("the offer must BUNDLE its m-lines (every browser does by default)")
    if description.media and description.media[0].kind not in ("audio", "video"):
        raise InvalidOffer("the first m-line must be audio or video; the relay carries no data channels")
    publish: dict[str, str] = {}
    receive: dict[str, list[str]] = {"audio": [], "video": []}
    lines: list[MediaLine] = []
    for media in description.media:
        if media.kind not in ("audio", "video"):
            continue
        mid = media.rtp.muxId
        if not mid:
            raise InvalidOffer("every audio and video m-line needs an a=mid")
        if media.direction == "inactive" or media.port == 0:
            lines.append(MediaLine(media.kind, mid, "inactive"))
            continue
        if not any(c.mimeType.lower() == _REQUIRED_CODEC[media.kind] for c in media.rtp.codecs):
            raise InvalidOffer(f"{media.kind} m-line {mid!r} does not offer {_REQUIRED_CODEC[media.kind]}")
        if media.direction in ("sendonly", "sendrecv"):
            if not may_publish:
                raise PublishNotAllowed("an observer may receive but not send media")
            if media.direction == "sendrecv":
                raise InvalidOffer(
                    f"publish m-line {mid!r} must be sendonly; receive other participants in recvonly slots"
                )
            if media.kind in publish:
                raise InvalidOffer(f"at most one {media.kind} track may be published")
            publish[media.kind] = mid
            transport_cc = next((e.id for e in media.rtp.headerExtensions if e.uri == TRANSPORT_CC_URI), None)
            if transport_cc is not None and not 1 <= transport_cc <= 255:
                raise InvalidOffer(f"m-line {mid!r}: header extension id {transport_cc} is out of range")
            lines.append(MediaLine(media.kind, mid, "publish", transport_cc))
        else:
            receive[media.kind].append(mid)
            lines.append(MediaLine(media.kind, mid, "slot"))
    if len(receive["audio"]) != len(receive["video"]):
        raise InvalidOffer("receive slots come in pairs: as many recvonly audio as video m-lines")
    slots = tuple(
        Slot(index=i, audio_mid=a, video_mid=v)
        for i, (a, v) in enumerate(zip(receive["audio"], receive["video"], strict=True))
    )
    if not slots and not publish:
        raise InvalidOffer("the offer neither publishes nor receives any media")
    return OfferPlan(publish.get("audio"), publish.get("video"), slots, tuple(lines))
