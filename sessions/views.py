"""What the hearing service hands out: a hearing as the room shows it, how somebody joined, and
the logged events to broadcast. Plain frozen values (the service, :mod:`sessions.service`, builds
them; signaling serializes them in :mod:`signaling.wire`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from sessions.admission import AdmissionGrant
from sessions.hearings import HearingPlan, HearingRole
from sessions.lifecycle import Action, HearingState, PauseReason, SuspendReason
from sessions.presence import Capabilities, PresenceState


@dataclass(frozen=True)
class ParticipantView:
    """One person of a hearing as the room shows them.

    ``listed`` is False for a member of the public watching an open hearing (role ``observer``):
    they are in the room but not on the hearing's list of participants.
    """

    user_id: int
    role: HearingRole
    name: str
    presence: PresenceState
    muted_audio: bool = False
    muted_video: bool = False
    hand_raised: bool = False
    listed: bool = True
    represents_user_id: int | None = None


@dataclass(frozen=True)
class HearingView:
    """A hearing as it stands: its plan, lifecycle state and everybody's presence.

    ``plan`` is the pure :class:`~sessions.hearings.HearingPlan` (its participant ids are
    ``str(users.id)``, its ``case_id`` the case number and ``courtroom_id`` the courtroom's id).
    ``state`` is the *effective* state: a scheduled hearing whose lobby lead time has come reads
    ``lobby_open`` even before anybody acted.
    """

    hearing_id: int
    plan: HearingPlan
    state: HearingState
    participants: tuple[ParticipantView, ...]
    case_id: int
    case_number: str
    court_code: str
    courtroom_name: str
    is_open: bool
    pause_reason: PauseReason | None = None
    suspend_reason: SuspendReason | None = None
    adjourned_to: datetime | None = None
    recording_paused: bool = False
    sequence: int = 0

    def participant(self, user_id: int) -> ParticipantView | None:
        return next((p for p in self.participants if p.user_id == user_id), None)


@dataclass(frozen=True)
class JoinResult:
    """How a person entered (or re-entered) the hearing and what they may do now.

    ``admission`` is the pure decision (its ``user_id`` is ``str``); ``role`` is the capacity they
    are in the room in (``observer`` for the public); ``is_staff`` is True for the hearing's judge
    and clerk. ``capabilities`` tell the media relay whether to accept their audio/video.
    """

    hearing_id: int
    user_id: int
    admission: AdmissionGrant
    presence_state: PresenceState
    capabilities: Capabilities
    role: HearingRole
    is_staff: bool
    court_id: int = 0
    """The court whose staff grants a staff member's admission relied on (see
    :meth:`sessions.service.HearingService.still_admitted`)."""


@dataclass(frozen=True)
class HearingEvent:
    """One entry of a hearing's stored event log, for broadcast to the room.

    ``state`` is the hearing's lifecycle state right after the event. ``details`` carry what the
    pure rules recorded (``from``/``to`` for lifecycle steps, ``reason``, ``media``, ``channel`` and
    ``text`` for chat...). A chat with ``details["channel"] == "staff"`` goes to the sender and the
    court staff only.
    """

    hearing_id: int
    seq: int
    at: datetime
    action: Action
    actor_user_id: int | None
    target_user_id: int | None
    details: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    state: HearingState = HearingState.SCHEDULED


@dataclass(frozen=True)
class Outcome:
    """What a change did: the events it logged (for broadcast) and the hearing as it now stands,
    built in the change's own transaction, so callers do not read the hearing again."""

    events: tuple[HearingEvent, ...]
    view: HearingView


@dataclass(frozen=True)
class MediaGrant:
    """Whether and how a person's media session may run, from the hearing's stored state.

    Every media session starts from this (a new ``media_offer``, a reconnection, another
    process): who mutes, pauses or removes is never forgotten by opening a new session.
    """

    may_publish: bool
    privileged: bool
    muted_audio: bool
    muted_video: bool
    paused: bool
