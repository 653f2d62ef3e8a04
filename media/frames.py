"""Encoded frames as the relay moves them: bytes, an RTP timestamp and whether they start a picture.

The relay never decodes, so everything it needs to know about a frame — is it a VP8 keyframe
that a new or recovering viewer can start from — is read from the first payload byte.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

VIDEO_CLOCK_RATE = 90_000
AUDIO_CLOCK_RATE = 48_000


class Kind(enum.Enum):
    AUDIO = "audio"
    VIDEO = "video"

    @property
    def clock_rate(self) -> int:
        return VIDEO_CLOCK_RATE if self is Kind.VIDEO else AUDIO_CLOCK_RATE

    @property
    def time_base(self) -> Fraction:
        return Fraction(1, self.clock_rate)


def is_vp8_keyframe(data: bytes) -> bool:
    """RFC 6386 §9.1: the low bit of the first frame-tag byte is 0 for a key frame."""
    return bool(data) and (data[0] & 0x01) == 0


@dataclass(frozen=True, slots=True)
class RelayedFrame:
    """One re-assembled encoded frame, shared read-only (never copied) by every viewer it goes to."""

    kind: Kind
    data: bytes
    rtp_timestamp: int
    keyframe: bool

    @classmethod
    def build(cls, kind: Kind, data: bytes, rtp_timestamp: int) -> RelayedFrame:
        keyframe = kind is Kind.AUDIO or is_vp8_keyframe(data)
        return cls(kind=kind, data=data, rtp_timestamp=rtp_timestamp, keyframe=keyframe)


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

