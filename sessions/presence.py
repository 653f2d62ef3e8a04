"""Where one person is in a hearing, and what that lets them do.

A participant moves between outside, the waiting room and the hearing room; a witness goes in when
called and back when dismissed. Networks drop, so a lost connection first becomes *reconnecting*:
somebody who returns within the grace period gets back exactly where they were — nobody has to
admit them again, and the others see them as reconnecting rather than gone. Removal is final for
the hearing. What each state may do (publish audio or video, receive the hearing, chat) is decided
here so the signaling server and the media relay ask one place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sessions.admission import AdmissionDecision, AdmissionGrant
from sessions.errors import IllegalPresenceTransition, InvalidHearing
from sessions.hearings import HearingRole, as_utc
from sessions.lifecycle import MediaKind

logger = logging.getLogger(__name__)

DEFAULT_RECONNECT_GRACE = timedelta(seconds=30)


class PresenceState(StrEnum):
    OUTSIDE = "outside"
    WAITING = "waiting"
    IN_ROOM = "in_room"
    RECONNECTING = "reconnecting"
    REMOVED = "removed"


_ADMITTED = frozenset({PresenceState.WAITING, PresenceState.IN_ROOM})


@dataclass(frozen=True)
class Capabilities:
    publish_audio: bool = False
    publish_video: bool = False
    receive: bool = False
    chat_all: bool = False
    chat_staff: bool = False
    raise_hand: bool = False


NOTHING = Capabilities()


@dataclass(frozen=True)
class Presence:
    """One person's presence in one hearing.

    ``resume_to`` and ``dropped_at`` remember, while reconnecting, where the person was and since
    when they are gone. Mutes survive leaving and rejoining, so a muted participant cannot unmute
    themselves by reloading the page.
    """

    user_id: str
    role: HearingRole
    state: PresenceState = PresenceState.OUTSIDE
    resume_to: PresenceState | None = None
    dropped_at: datetime | None = None
    audio_muted: bool = False
    video_muted: bool = False
    hand_raised: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.user_id, str) or not self.user_id.strip():
            raise InvalidHearing("user_id must not be empty", details={"field": "user_id"})
        object.__setattr__(self, "role", HearingRole(self.role))
        object.__setattr__(self, "state", PresenceState(self.state))
        reconnecting = self.state is PresenceState.RECONNECTING
        if reconnecting != (self.resume_to is not None) or reconnecting != (self.dropped_at is not None):
            raise InvalidHearing(
                "resume_to and dropped_at are kept exactly while reconnecting", details={"field": "state"}
            )
        if self.resume_to is not None and PresenceState(self.resume_to) not in _ADMITTED:
            raise InvalidHearing("one reconnects to the waiting or hearing room", details={"field": "resume_to"})
        if self.dropped_at is not None:
            object.__setattr__(self, "dropped_at", as_utc(self.dropped_at, "dropped_at"))
        if self.hand_raised and PresenceState.IN_ROOM not in (self.state, self.resume_to):
            raise InvalidHearing("hands are raised in the hearing room", details={"field": "hand_raised"})

    @classmethod
    def of(cls, admission: AdmissionGrant) -> Presence:
        """A fresh presence, still outside, for somebody admission has let through."""
        return cls(admission.user_id, admission.role)

    # -- moving between rooms -------------------------------------------------------------------

    def join(self, admission: AdmissionGrant) -> Presence:
        """Enter through the door admission opened: the waiting room or straight into the hearing."""
        if admission.user_id != self.user_id:
            raise InvalidHearing("the admission is for somebody else", details={"field": "user_id"})
        self._require(PresenceState.OUTSIDE, action="join")
        waits = admission.decision is AdmissionDecision.WAIT_IN_WAITING_ROOM
        return replace(
            self, role=admission.role, state=PresenceState.WAITING if waits else PresenceState.IN_ROOM
        )

    def admit(self) -> Presence:
        self._require(PresenceState.WAITING, action="admit")
        return replace(self, state=PresenceState.IN_ROOM)

    def call(self) -> Presence:
        """A witness (or anyone waiting) is called into the hearing room."""
        self._require(PresenceState.WAITING, action="call")
        return replace(self, state=PresenceState.IN_ROOM)

    def dismiss(self) -> Presence:
        self._require(PresenceState.IN_ROOM, action="dismiss")
        if self.role.is_staff:
            raise IllegalPresenceTransition(
                "court staff are not sent to the waiting room", details={"action": "dismiss"}
            )
        return replace(self, state=PresenceState.WAITING, hand_raised=False)

    def leave(self) -> Presence:
        self._require(PresenceState.WAITING, PresenceState.IN_ROOM, PresenceState.RECONNECTING, action="leave")
        return replace(self, state=PresenceState.OUTSIDE, resume_to=None, dropped_at=None, hand_raised=False)

    def remove(self) -> Presence:
        if self.state is PresenceState.REMOVED:
            raise IllegalPresenceTransition("already removed", details={"action": "remove"})
        return replace(self, state=PresenceState.REMOVED, resume_to=None, dropped_at=None, hand_raised=False)

    # -- connection loss ------------------------------------------------------------------------

    def disconnect(self, now: datetime) -> Presence:
        """The connection dropped: hold the place for the grace period."""
        self._require(PresenceState.WAITING, PresenceState.IN_ROOM, action="disconnect")
        return replace(self, state=PresenceState.RECONNECTING, resume_to=self.state, dropped_at=as_utc(now, "now"))

    def reconnect(self, now: datetime, grace: timedelta = DEFAULT_RECONNECT_GRACE) -> Presence:
        """Back within the grace period: the same room, no new admission needed."""
        self._require(PresenceState.RECONNECTING, action="reconnect")
        if self.has_expired(now, grace):
            raise IllegalPresenceTransition(
                "the reconnection grace period is over; join again through the waiting room",
                code="reconnect_grace_expired",
                details={"action": "reconnect", "grace_s": grace.total_seconds()},
            )
        assert self.resume_to is not None
        return replace(self, state=self.resume_to, resume_to=None, dropped_at=None)

    def has_expired(self, now: datetime, grace: timedelta = DEFAULT_RECONNECT_GRACE) -> bool:
        if self.state is not PresenceState.RECONNECTING or self.dropped_at is None:
            return False
        return as_utc(now, "now") - self.dropped_at > grace

    def expire(self, now: datetime, grace: timedelta = DEFAULT_RECONNECT_GRACE) -> Presence:
        """Past the grace period a reconnecting person has left; otherwise nothing changes."""
        return self.leave() if self.has_expired(now, grace) else self

    # -- media and hands ------------------------------------------------------------------------

    def mute(self, media: MediaKind = MediaKind.AUDIO) -> Presence:
        return self._muted(MediaKind(media), True)

    def unmute(self, media: MediaKind = MediaKind.AUDIO) -> Presence:
        return self._muted(MediaKind(media), False)

    def _muted(self, media: MediaKind, muted: bool) -> Presence:
        if media is MediaKind.AUDIO:
            return replace(self, audio_muted=muted)
        return replace(self, video_muted=muted)

    def raise_hand(self) -> Presence:
        if not self.capabilities.raise_hand:
            raise IllegalPresenceTransition(
                "only a participant in the hearing room who may speak raises a hand",
                details={"action": "raise_hand", "state": self.state.value},
            )
        return replace(self, hand_raised=True)

    def lower_hand(self) -> Presence:
        return replace(self, hand_raised=False)

    @property
    def capabilities(self) -> Capabilities:
        """What this person may do right now; reconnecting people do nothing until they are back."""
        speaks = self.role.may_publish
        if self.state is PresenceState.IN_ROOM:
            return Capabilities(
                publish_audio=speaks and not self.audio_muted,
                publish_video=speaks and not self.video_muted,
                receive=True,
                chat_all=speaks,
                chat_staff=speaks,
                raise_hand=speaks and not self.role.is_staff,
            )
        if self.state is PresenceState.WAITING:
            return Capabilities(chat_staff=True)
        return NOTHING

    def _require(self, *states: PresenceState, action: str) -> None:
        if self.state not in states:
            raise IllegalPresenceTransition(
                f"cannot {action} somebody who is {self.state.value.replace('_', ' ')}",
                code="removed" if self.state is PresenceState.REMOVED else None,
                details={"action": action, "state": self.state.value},
            )
