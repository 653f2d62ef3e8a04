"""Encoded frames as the relay moves them: bytes, an RTP timestamp and whether they start a picture.

The relay never decodes, so everything it needs to know about a frame — is it a VP8 keyframe
that a new or recovering viewer can start from — is read from the first payload byte.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

import av

VIDEO_CLOCK_RATE = 90_000
AUDIO_CLOCK_RATE = 48_000


class Kind(enum.Enum):
    AUDIO = "audio"
    VIDEO = "video"

    @property
    def clock_rate(self) -> int:
        return VIDEO_CLOCK_RATE if self is Kind.VIDEO else AUDIO_CLOCK_RATE


def is_vp8_keyframe(data: bytes) -> bool:
    """RFC 6386 §9.1: the low bit of the first frame-tag byte is 0 for a key frame."""
    return bool(data) and (data[0] & 0x01) == 0


@dataclass(frozen=True, slots=True)
class RelayedFrame:
    """One re-assembled encoded frame, shared read-only by every viewer it is forwarded to.

    ``packet`` is built once per frame so that n viewers cost n packetizations and no copies:
    aiortc's sender only packetizes an ``av.Packet`` (it never re-encodes one).
    """

    kind: Kind
    data: bytes
    rtp_timestamp: int
    keyframe: bool
    packet: av.Packet

    @classmethod
    def build(cls, kind: Kind, data: bytes, rtp_timestamp: int) -> RelayedFrame:
        packet = av.Packet(data)
        packet.pts = rtp_timestamp
        packet.dts = rtp_timestamp
        packet.time_base = _TIME_BASES[kind]
        keyframe = kind is Kind.AUDIO or is_vp8_keyframe(data)
        return cls(kind=kind, data=data, rtp_timestamp=rtp_timestamp, keyframe=keyframe, packet=packet)


@dataclass(frozen=True, slots=True)
class EncodedFrame:
    """What a recorder receives from a tap.

    ``rtp_timestamp`` counts from the track's first frame (unwrapped, in ``clock_rate`` units) and
    ``wall_clock_anchor`` is the UTC instant of that first frame, so frame time is
    ``anchor + rtp_timestamp / clock_rate`` and participants' tracks align. A frame with
    ``muted=True`` carries no data: it marks the instant forwarding of that track stopped (mute or
    pause); the next frame with ``muted=False`` marks the resumption (video resumes on a keyframe).
    """

    track_id: str
    participant_id: str
    kind: Kind
    rtp_timestamp: int
    clock_rate: int
    wall_clock_anchor: datetime
    keyframe: bool
    data: bytes
    muted: bool


_TIME_BASES = {Kind.VIDEO: Fraction(1, VIDEO_CLOCK_RATE), Kind.AUDIO: Fraction(1, AUDIO_CLOCK_RATE)}
