"""The hearing media relay: an aiortc SFU forwarding encoded VP8/Opus frames (see README.md)."""

from media.controls import Control, MediaAnswer
from media.feeds import BoundedFeed, ParticipantLeft, RelayEvent, SlotAssigned, Tap, ViewerQuality
from media.frames import EncodedFrame, Kind
from media.ice import IceConfig, IceServer
from media.relay import Relay
from media.stats import ParticipantStats

__all__ = [
    "BoundedFeed",
    "Control",
    "EncodedFrame",
    "IceConfig",
    "IceServer",
    "Kind",
    "MediaAnswer",
    "ParticipantLeft",
    "ParticipantStats",
    "Relay",
    "RelayEvent",
    "SlotAssigned",
    "Tap",
    "ViewerQuality",
]
