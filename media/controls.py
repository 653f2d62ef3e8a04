"""Judge and clerk controls as the relay understands them, and the one rule they feed.

The rule is pure so the hearing's forwarding decision can be tested without a connection:
a track is forwarded unless its owner muted it (or was muted), or the hearing is paused and
its owner is neither judge nor clerk (``privileged``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from media.frames import Kind


class Control(enum.Enum):
    MUTE_AUDIO = "mute_audio"
    UNMUTE_AUDIO = "unmute_audio"
    MUTE_VIDEO = "mute_video"
    UNMUTE_VIDEO = "unmute_video"
    REMOVE = "remove"
    PAUSE_HEARING = "pause_hearing"
    RESUME_HEARING = "resume_hearing"

    @property
    def hearing_wide(self) -> bool:
        return self in (Control.PAUSE_HEARING, Control.RESUME_HEARING)

    @property
    def mute_target(self) -> tuple[Kind, bool] | None:
        """(kind, muted) for the four mute controls, None for the others."""
        return _MUTES.get(self)


_MUTES = {
    Control.MUTE_AUDIO: (Kind.AUDIO, True),
    Control.UNMUTE_AUDIO: (Kind.AUDIO, False),
    Control.MUTE_VIDEO: (Kind.VIDEO, True),
    Control.UNMUTE_VIDEO: (Kind.VIDEO, False),
}


@dataclass(frozen=True)
class ForwardingRule:
    """Whether one participant's track of one kind reaches the others (and the recording)."""

    muted: frozenset[Kind]
    paused: bool
    privileged: bool

    def forwards(self, kind: Kind) -> bool:
        if kind in self.muted:
            return False
        return self.privileged or not self.paused


@dataclass(frozen=True)
class MediaAnswer:
    """What signaling sends back to the browser: the answer and the slots it will show others in.

    ``answer_sdp`` carries all the relay's ICE candidates (aiortc gathers before answering).
    """

    answer_sdp: str
    slots: tuple[int, ...]
    ice: dict[str, object]
