"""The hearing lifecycle: which step may follow which, who may take it, and the log it leaves.

The lifecycle is a pure state machine over an immutable :class:`Hearing`. Every step and every
judge control appends a :class:`HearingEvent` to the hearing's log, because that log is what the
court's minutes (protocol) are later drawn from: nothing that happens in a hearing may go unrecorded.
Time comes from an injected clock, so the rules can stand at any instant in tests, and the two
things that happen *by themselves* — the lobby opening ahead of the start, and suspension when the
judge's connection is lost — are decided from that clock and last-seen times, not from timers.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from core.clock import Clock
from sessions.errors import IllegalHearingTransition, InvalidHearing, NotAllowed
from sessions.hearings import HearingPlan, HearingRole, Participant, as_utc

logger = logging.getLogger(__name__)


class HearingState(StrEnum):
    SCHEDULED = "scheduled"
    LOBBY_OPEN = "lobby_open"
    IN_SESSION = "in_session"
    PAUSED = "paused"
    SUSPENDED = "suspended"
    CLOSED = "closed"
    ADJOURNED = "adjourned"
    CANCELLED = "cancelled"

    @property
    def is_live(self) -> bool:
        """People may be connected and controls apply: from the lobby opening until the end."""
        return self in _LIVE

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_LIVE = frozenset(
    {HearingState.LOBBY_OPEN, HearingState.IN_SESSION, HearingState.PAUSED, HearingState.SUSPENDED}
)
_FINAL = frozenset({HearingState.CLOSED, HearingState.ADJOURNED, HearingState.CANCELLED})
RECORDING_STATES = frozenset({HearingState.IN_SESSION, HearingState.PAUSED, HearingState.SUSPENDED})
"""States in which the hearing is being recorded (unless the recording is paused)."""


def _invalid(name: str, message: str) -> InvalidHearing:
    return InvalidHearing(message, details={"field": name})


class PauseReason(StrEnum):
    RECESS = "recess"
    DELIBERATION = "deliberation"
    """The judge retired to the deliberation room to reach a decision."""


class SuspendReason(StrEnum):
    TECHNICAL_FAILURE = "technical_failure"
    JUDGE_CONNECTION_LOST = "judge_connection_lost"


class Action(StrEnum):
    OPEN_LOBBY = "open_lobby"
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    SUSPEND = "suspend"
    CLOSE = "close"
    ADJOURN = "adjourn"
    CANCEL = "cancel"
    ADMIT = "admit"
    CALL = "call"
    DISMISS = "dismiss"
    MUTE = "mute"
    UNMUTE = "unmute"
    REMOVE = "remove"
    RAISE_HAND = "raise_hand"
    LOWER_HAND = "lower_hand"
    RECORDING_PAUSE = "recording_pause"
    RECORDING_RESUME = "recording_resume"
    CHAT = "chat"


class MediaKind(StrEnum):
    AUDIO = "audio"
    VIDEO = "video"


class ChatChannel(StrEnum):
    ALL = "all"
    """Everyone in the hearing reads it; it belongs to the minutes."""
    STAFF = "staff"
    """A participant and the court staff only (the clerk's help line); kept out of the minutes."""


TRANSITIONS: Mapping[Action, tuple[frozenset[HearingState], HearingState]] = MappingProxyType(
    {
        Action.OPEN_LOBBY: (frozenset({HearingState.SCHEDULED}), HearingState.LOBBY_OPEN),
        Action.START: (frozenset({HearingState.LOBBY_OPEN}), HearingState.IN_SESSION),
        Action.PAUSE: (frozenset({HearingState.IN_SESSION}), HearingState.PAUSED),
        Action.RESUME: (frozenset({HearingState.PAUSED, HearingState.SUSPENDED}), HearingState.IN_SESSION),
        Action.SUSPEND: (frozenset({HearingState.IN_SESSION, HearingState.PAUSED}), HearingState.SUSPENDED),
        Action.CLOSE: (frozenset({HearingState.IN_SESSION, HearingState.PAUSED}), HearingState.CLOSED),
        Action.ADJOURN: (_LIVE, HearingState.ADJOURNED),
        Action.CANCEL: (frozenset({HearingState.SCHEDULED, HearingState.LOBBY_OPEN}), HearingState.CANCELLED),
    }
)
"""For each lifecycle action: the states it may be taken from, and the state it leads to."""

CLERK_ALWAYS = frozenset({Action.OPEN_LOBBY, Action.CANCEL, Action.SUSPEND})
"""What a clerk may do in every court: open the day's hearing, cancel a booking, call for technical help.

Everything else that steers the hearing is the judge's, shared with the clerk only where the court's
policy says so (:attr:`CourtPolicy.clerk_may_run_controls`).
"""


@dataclass(frozen=True)
class CourtPolicy:
    """Per-court settings of the hearing rules."""

    clerk_may_run_controls: bool = False
    judge_loss_timeout: timedelta = timedelta(seconds=60)
    max_chat_length: int = 2000

    def __post_init__(self) -> None:
        if not isinstance(self.judge_loss_timeout, timedelta) or self.judge_loss_timeout <= timedelta(0):
            raise _invalid("judge_loss_timeout", "judge_loss_timeout must be positive")
        if not isinstance(self.max_chat_length, int) or self.max_chat_length < 1:
            raise _invalid("max_chat_length", "max_chat_length must be positive")


@dataclass(frozen=True)
class HearingEvent:
    """One line of the hearing's log. ``actor`` is ``None`` when the system acted by itself."""

    seq: int
    at: datetime
    actor: str | None
    action: Action
    target: str | None = None
    details: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not isinstance(self.seq, int) or self.seq < 1:
            raise _invalid("seq", "event seq starts at 1")
        object.__setattr__(self, "at", as_utc(self.at, "at"))
        object.__setattr__(self, "action", Action(self.action))
        if any(not isinstance(k, str) or not isinstance(v, str) for k, v in self.details.items()):
            raise _invalid("details", "event details are text")
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))


@dataclass(frozen=True)
class Hearing:
    """A hearing's current lifecycle state together with everything that led to it."""

    hearing_id: str
    plan: HearingPlan
    state: HearingState = HearingState.SCHEDULED
    events: tuple[HearingEvent, ...] = ()
    pause_reason: PauseReason | None = None
    suspend_reason: SuspendReason | None = None
    adjourned_to: datetime | None = None
    recording_paused: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.hearing_id, str) or not self.hearing_id.strip():
            raise _invalid("hearing_id", "hearing_id must not be empty")
        object.__setattr__(self, "state", HearingState(self.state))
        object.__setattr__(self, "events", tuple(self.events))
        if [e.seq for e in self.events] != list(range(1, len(self.events) + 1)):
            raise _invalid("events", "the event log is numbered 1, 2, 3, ... without gaps")
        if (self.pause_reason is not None) != (self.state is HearingState.PAUSED):
            raise _invalid("pause_reason", "a pause reason goes with the paused state only")
        if (self.suspend_reason is not None) != (self.state is HearingState.SUSPENDED):
            raise _invalid("suspend_reason", "a suspension reason goes with the suspended state only")
        if self.adjourned_to is not None:
            if self.state is not HearingState.ADJOURNED:
                raise _invalid("adjourned_to", "only an adjourned hearing has a new date")
            object.__setattr__(self, "adjourned_to", as_utc(self.adjourned_to, "adjourned_to"))

    @property
    def state_since(self) -> datetime | None:
        """When the hearing entered its current state (``None`` while nothing has happened yet)."""
        for event in reversed(self.events):
            if event.action in TRANSITIONS:
                return event.at
        return None

    def effective_state(self, now: datetime) -> HearingState:
        """The state as the clock sees it: a scheduled hearing's lobby opens by itself at lead time."""
        if self.state is HearingState.SCHEDULED and as_utc(now, "now") >= self.plan.lobby_opens_at:
            return HearingState.LOBBY_OPEN
        return self.state

    def with_event(
        self,
        at: datetime,
        actor: str | None,
        action: Action,
        target: str | None = None,
        details: Mapping[str, str] | None = None,
        **changes: Any,
    ) -> Hearing:
        """This hearing with one more log entry (and any state ``changes`` it records).

        An entry is never dated before the last one: the minutes read in order of time."""
        if self.events and at < self.events[-1].at:
            at = self.events[-1].at
        event = HearingEvent(len(self.events) + 1, at, actor, action, target, details or {})
        return replace(self, events=(*self.events, event), **changes)


def judge_connection_lost(
    hearing: Hearing, last_seen: Mapping[str, datetime], now: datetime, timeout: timedelta
) -> bool:
    """Whether a hearing in session must be suspended because its judge has been gone too long.

    Only a hearing *in session* is suspended: a paused one may well have a judge who left for the
    deliberation room. A judge never seen since the session began counts from the moment it began.
    """
    if hearing.state is not HearingState.IN_SESSION:
        return False
    since = hearing.state_since
    seen = last_seen.get(hearing.plan.judge.user_id)
    known = [d for d in (since, None if seen is None else as_utc(seen, "last_seen")) if d is not None]
    if not known:
        return True
    return as_utc(now, "now") - max(known) > timeout


class Lifecycle:
    """The lifecycle rules of one court (its :class:`CourtPolicy`) reading one clock."""

    def __init__(self, clock: Clock, policy: CourtPolicy | None = None) -> None:
        self.clock = clock
        self.policy = policy or CourtPolicy()

    def settle(self, hearing: Hearing) -> Hearing:
        """Record what the clock has already made true: the lobby opens at its lead time by itself."""
        if hearing.effective_state(self.clock.now()) is hearing.state:
            return hearing
        return hearing.with_event(
            hearing.plan.lobby_opens_at,
            None,
            Action.OPEN_LOBBY,
            details={"from": hearing.state.value, "to": HearingState.LOBBY_OPEN.value, "automatic": "yes"},
            state=HearingState.LOBBY_OPEN,
        )

    def watch(self, hearing: Hearing, last_seen: Mapping[str, datetime]) -> Hearing:
        """Apply everything automatic: lobby opening, and suspension when the judge's link is lost."""
        hearing = self.settle(hearing)
        now = self.clock.now()
        if not judge_connection_lost(hearing, last_seen, now, self.policy.judge_loss_timeout):
            return hearing
        seen = last_seen.get(hearing.plan.judge.user_id)
        logger.info("hearing %s suspended: judge connection lost", hearing.hearing_id)
        return hearing.with_event(
            now,
            None,
            Action.SUSPEND,
            target=hearing.plan.judge.user_id,
            details={
                "from": hearing.state.value,
                "to": HearingState.SUSPENDED.value,
                "reason": SuspendReason.JUDGE_CONNECTION_LOST.value,
                "judge_last_seen": "never" if seen is None else as_utc(seen, "last_seen").isoformat(),
            },
            state=HearingState.SUSPENDED,
            suspend_reason=SuspendReason.JUDGE_CONNECTION_LOST,
        )

    # -- lifecycle steps ---------------------------------------------------------------------

    def open_lobby(self, hearing: Hearing, actor: str) -> Hearing:
        return self._transition(hearing, actor, Action.OPEN_LOBBY)

    def start(self, hearing: Hearing, actor: str) -> Hearing:
        return self._transition(hearing, actor, Action.START)

    def pause(self, hearing: Hearing, actor: str, reason: PauseReason) -> Hearing:
        reason = PauseReason(reason)
        return self._transition(hearing, actor, Action.PAUSE, {"reason": reason.value}, pause_reason=reason)

    def resume(self, hearing: Hearing, actor: str) -> Hearing:
        return self._transition(hearing, actor, Action.RESUME, pause_reason=None, suspend_reason=None)

    def suspend(
        self, hearing: Hearing, actor: str, reason: SuspendReason = SuspendReason.TECHNICAL_FAILURE
    ) -> Hearing:
        reason = SuspendReason(reason)
        return self._transition(
            hearing, actor, Action.SUSPEND, {"reason": reason.value}, pause_reason=None, suspend_reason=reason
        )

    def close(self, hearing: Hearing, actor: str) -> Hearing:
        return self._transition(hearing, actor, Action.CLOSE, pause_reason=None)

    def adjourn(self, hearing: Hearing, actor: str, new_start: datetime | None = None) -> Hearing:
        """End today's hearing without a decision; a new date, if known, must lie in the future."""
        details = {}
        if new_start is not None:
            new_start = as_utc(new_start, "new_start")
            if new_start <= self.clock.now():
                raise _invalid("new_start", "a hearing is adjourned to a future date")
            details["new_start"] = new_start.isoformat()
        return self._transition(
            hearing,
            actor,
            Action.ADJOURN,
            details,
            pause_reason=None,
            suspend_reason=None,
            adjourned_to=new_start,
        )

    def cancel(self, hearing: Hearing, actor: str, reason: str | None = None) -> Hearing:
        details = {} if reason is None or not reason.strip() else {"reason": reason.strip()}
        return self._transition(hearing, actor, Action.CANCEL, details)

    def _transition(
        self,
        hearing: Hearing,
        actor: str,
        action: Action,
        details: Mapping[str, str] | None = None,
        **changes: Any,
    ) -> Hearing:
        hearing = self.settle(hearing)
        self.authorize(hearing, actor, action)
        sources, target = TRANSITIONS[action]
        if hearing.state not in sources:
            raise IllegalHearingTransition(
                f"cannot {action.value.replace('_', ' ')} a hearing that is {hearing.state.value}",
                details={"action": action.value, "state": hearing.state.value},
            )
        logger.info("hearing %s: %s -> %s by %s", hearing.hearing_id, hearing.state, target, actor)
        return hearing.with_event(
            self.clock.now(),
            actor,
            action,
            details={"from": hearing.state.value, "to": target.value, **(details or {})},
            state=target,
            **changes,
        )

    def authorize(self, hearing: Hearing, actor: str, action: Action) -> Participant:
        """The actor's listing, if their role may steer the hearing with ``action``; else not_allowed."""
        person = hearing.plan.participant(actor)
        if person is not None and (
            person.role is HearingRole.JUDGE
            or (
                person.role is HearingRole.CLERK
                and (action in CLERK_ALWAYS or self.policy.clerk_may_run_controls)
            )
        ):
            return person
        role = "not a participant" if person is None else f"a {person.role.value}"
        raise NotAllowed(
            f"{action.value.replace('_', ' ')} is for the judge; the actor is {role}",
            details={"action": action.value, "role": "none" if person is None else person.role.value},
        )
