"""The hearing service: the pure hearing rules, applied to hearings stored in the database.

Everything here is I/O around :mod:`sessions.lifecycle`, :mod:`sessions.controls`,
:mod:`sessions.admission` and :mod:`sessions.presence`. A hearing's state lives in the database
because several server processes share it, so every change is one transaction that first re-reads
the hearing row ``FOR UPDATE`` (PostgreSQL; SQLite transactions take the write lock up front):
two processes acting on one hearing line up, and its state never forks.

User ids: the service speaks ``users.id`` (``int``) in and out; the pure rules use ``str`` ids,
and the conversion happens here and nowhere else (``str(user_id)`` in, ``int(...)`` out).

For the signaling server:

* the service is built once per app by :func:`sessions.setup.setup` and found at
  ``app[sessions.setup.HEARINGS]``;
* call :meth:`HearingService.heartbeat` for every connected participant at least every
  ``policy.judge_loss_timeout / 3`` (default 60 s / 3): a judge whose heartbeats stop counts as
  gone, which is what lets :meth:`HearingService.sweep` suspend a hearing whose server crashed;
* call :meth:`HearingService.sweep` periodically (every few seconds) for every live hearing;
* every refusal is a :class:`sessions.errors.SessionsError` (``.code``, ``.status``, ``.details``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from cabinet.identity.principal import Principal
from sessions.admission import Admission
from sessions.hearings import HearingPlan, HearingRole
from sessions.lifecycle import Action, CourtPolicy, HearingState, PauseReason, SuspendReason
from sessions.presence import DEFAULT_RECONNECT_GRACE, Capabilities, PresenceState
from web.clock import Clock
from web.db import Database

logger = logging.getLogger(__name__)

DEFAULT_POLICY = CourtPolicy()


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
    admission: Admission
    presence_state: PresenceState
    capabilities: Capabilities
    role: HearingRole
    is_staff: bool


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


class HearingService:
    """The hearings of one deployment: view, join, control, presence, time-driven rules, minutes.

    ``control`` takes these ``details`` per action: ``pause`` → ``reason`` (recess|deliberation,
    default recess); ``suspend`` → ``reason`` (technical_failure default); ``adjourn`` →
    ``new_start`` (ISO 8601 with zone, optional); ``cancel`` and ``remove`` → ``reason``
    (optional); ``mute``/``unmute`` → ``media`` (audio|video, default audio); ``chat`` → ``text``
    and ``channel`` (all|staff, default all). ``admit``, ``call``, ``dismiss``, ``mute``,
    ``unmute``, ``remove`` need ``target_user_id``; ``lower_hand`` takes one to lower somebody
    else's hand.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        policy: CourtPolicy = DEFAULT_POLICY,
        *,
        reconnect_grace: timedelta = DEFAULT_RECONNECT_GRACE,
    ) -> None:
        self.db = db
        self.clock = clock
        self.policy = policy
        self.reconnect_grace = reconnect_grace

    async def view(self, hearing_id: int) -> HearingView:
        raise NotImplementedError

    async def join(self, principal: Principal | None, hearing_id: int) -> JoinResult:
        raise NotImplementedError

    async def control(
        self,
        principal: Principal,
        hearing_id: int,
        action: Action,
        *,
        target_user_id: int | None = None,
        details: Mapping[str, str] | None = None,
    ) -> list[HearingEvent]:
        raise NotImplementedError

    async def disconnected(self, user_id: int, hearing_id: int) -> None:
        raise NotImplementedError

    async def reconnected(self, user_id: int, hearing_id: int) -> JoinResult:
        raise NotImplementedError

    async def left(self, user_id: int, hearing_id: int) -> list[HearingEvent]:
        raise NotImplementedError

    async def heartbeat(self, user_id: int, hearing_id: int, stats: Mapping[str, float]) -> None:
        raise NotImplementedError

    async def sweep(self, hearing_id: int) -> list[HearingEvent]:
        raise NotImplementedError

    async def minutes(self, hearing_id: int, language: str = "ru") -> str:
        raise NotImplementedError
