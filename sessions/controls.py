"""Judge controls and participants' own actions inside a live hearing.

Each control is authorized server-side from the actor's listing in the hearing (never from what a
client claims), checked against the hearing's state and target, and logged as a
:class:`~sessions.lifecycle.HearingEvent` so the minutes show who was admitted, called, muted or
removed and when. Where a person *is* (waiting room or hearing room) is :mod:`sessions.presence`'s
business; this module decides whether the action may be taken at all and records it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sessions.errors import IllegalControl, NotAllowed
from sessions.hearings import HearingRole, Participant
from sessions.lifecycle import RECORDING_STATES, Action, ChatChannel, Hearing, HearingState, Lifecycle, MediaKind

logger = logging.getLogger(__name__)


class Controls:
    """The controls of one court, sharing its lifecycle's clock and policy."""

    def __init__(self, lifecycle: Lifecycle) -> None:
        self.lifecycle = lifecycle

    # -- the judge's (and, where the court allows, the clerk's) controls ----------------------

    def admit(self, hearing: Hearing, actor: str, target: str) -> Hearing:
        """Let a participant in from the waiting room."""
        return self._on_waiting_participant(hearing, actor, Action.ADMIT, target)

    def call(self, hearing: Hearing, actor: str, target: str) -> Hearing:
        """Call a participant (typically a witness) in from the waiting room to be heard."""
        return self._on_waiting_participant(hearing, actor, Action.CALL, target)

    def dismiss(self, hearing: Hearing, actor: str, target: str) -> Hearing:
        """Send a participant back to the waiting room (a witness after testifying)."""
        return self._on_waiting_participant(hearing, actor, Action.DISMISS, target)

    def mute(self, hearing: Hearing, actor: str, target: str, media: MediaKind = MediaKind.AUDIO) -> Hearing:
        return self._media(hearing, actor, Action.MUTE, target, media)

    def unmute(self, hearing: Hearing, actor: str, target: str, media: MediaKind = MediaKind.AUDIO) -> Hearing:
        return self._media(hearing, actor, Action.UNMUTE, target, media)

    def remove(self, hearing: Hearing, actor: str, target: str, reason: str | None = None) -> Hearing:
        """Put someone out of the hearing for good; observers who are not listed may be removed too."""
        hearing = self._live_control(hearing, actor, Action.REMOVE)
        target = self._target(hearing, actor, target, Action.REMOVE)
        details = {} if reason is None or not reason.strip() else {"reason": reason.strip()}
        return self._log(hearing, actor, Action.REMOVE, target, details)

    def pause_recording(self, hearing: Hearing, actor: str, reason: str | None = None) -> Hearing:
        """Pause the recording; the reason (why the court stops recording) goes into the log and the manifest."""
        return self._recording(hearing, actor, Action.RECORDING_PAUSE, paused=True, reason=reason)

    def resume_recording(self, hearing: Hearing, actor: str) -> Hearing:
        return self._recording(hearing, actor, Action.RECORDING_RESUME, paused=False)

    # -- what participants do for themselves --------------------------------------------------

    def raise_hand(self, hearing: Hearing, actor: str) -> Hearing:
        hearing = self._live(hearing, Action.RAISE_HAND)
        self._speaker(hearing, actor, Action.RAISE_HAND)
        return self._log(hearing, actor, Action.RAISE_HAND, actor)

    def lower_hand(self, hearing: Hearing, actor: str, target: str | None = None) -> Hearing:
        """Lower one's own hand, or (as a control) somebody else's."""
        if target is None or target == actor:
            hearing = self._live(hearing, Action.LOWER_HAND)
            self._speaker(hearing, actor, Action.LOWER_HAND)
            return self._log(hearing, actor, Action.LOWER_HAND, actor)
        hearing = self._live_control(hearing, actor, Action.LOWER_HAND)
        target = self._target(hearing, actor, target, Action.LOWER_HAND, listed=True)
        return self._log(hearing, actor, Action.LOWER_HAND, target)

    def chat(
        self, hearing: Hearing, actor: str, text: str, channel: ChatChannel = ChatChannel.ALL
    ) -> Hearing:
        """Post a message; ``ALL`` goes to every participant, ``STAFF`` to the judge and clerk only."""
        channel = ChatChannel(channel)
        hearing = self._live(hearing, Action.CHAT)
        person = hearing.plan.participant(actor)
        if person is None or person.role is HearingRole.OBSERVER:
            raise NotAllowed(
                "observers follow the hearing but do not write in it",
                details={"action": Action.CHAT.value},
            )
        body = text.strip() if isinstance(text, str) else ""
        if not body:
            raise IllegalControl("a chat message needs some text", details={"action": Action.CHAT.value})
        limit = self.lifecycle.policy.max_chat_length
        if len(body) > limit:
            raise IllegalControl(
                f"a chat message is at most {limit} characters",
                details={"action": Action.CHAT.value, "limit": limit},
            )
        return self._log(hearing, actor, Action.CHAT, None, {"channel": channel.value, "text": body})

    # -- shared checks ------------------------------------------------------------------------

    def _live(self, hearing: Hearing, action: Action, states: frozenset[HearingState] | None = None) -> Hearing:
        hearing = self.lifecycle.settle(hearing)
        if (states is None and not hearing.state.is_live) or (states is not None and hearing.state not in states):
            raise IllegalControl(
                f"{action.value.replace('_', ' ')} is not possible while the hearing is {hearing.state.value}",
                details={"action": action.value, "state": hearing.state.value},
            )
        return hearing

    def _live_control(
        self, hearing: Hearing, actor: str, action: Action, states: frozenset[HearingState] | None = None
    ) -> Hearing:
        self.lifecycle.authorize(self.lifecycle.settle(hearing), actor, action)
        return self._live(hearing, action, states)

    def _speaker(self, hearing: Hearing, actor: str, action: Action) -> Participant:
        person = hearing.plan.participant(actor)
        if person is None or person.role.is_staff or not person.role.may_publish:
            raise NotAllowed(
                "raising a hand is for participants who may speak and are not court staff",
                details={"action": action.value, "role": "none" if person is None else person.role.value},
            )
        return person

    def _target(
        self, hearing: Hearing, actor: str, target: str, action: Action, *, listed: bool = False
    ) -> str:
        target = target.strip() if isinstance(target, str) else ""
        if not target:
            raise IllegalControl(f"{action.value} needs a target", details={"action": action.value})
        if target == actor:
            raise IllegalControl(
                f"{action.value} is applied to somebody else", details={"action": action.value, "target": target}
            )
        person = hearing.plan.participant(target)
        if person is not None and person.role is HearingRole.JUDGE:
            raise NotAllowed(
                "the presiding judge is not subject to hearing controls",
                details={"action": action.value, "target": target},
            )
        if listed and person is None:
            raise IllegalControl(
                f"{target} is not a participant of this hearing",
                details={"action": action.value, "target": target},
            )
        return target

    def _on_waiting_participant(self, hearing: Hearing, actor: str, action: Action, target: str) -> Hearing:
        hearing = self._live_control(hearing, actor, action)
        target = self._target(hearing, actor, target, action, listed=True)
        person = hearing.plan.participant(target)
        if person is not None and (person.role.is_staff or person.role is HearingRole.OBSERVER):
            raise IllegalControl(
                f"a {person.role.value} does not pass through the waiting room",
                details={"action": action.value, "target": target},
            )
        return self._log(hearing, actor, action, target)

    def _media(self, hearing: Hearing, actor: str, action: Action, target: str, media: MediaKind) -> Hearing:
        media = MediaKind(media)
        hearing = self._live_control(hearing, actor, action)
        target = self._target(hearing, actor, target, action, listed=True)
        person = hearing.plan.participant(target)
        if person is not None and not person.role.may_publish:
            raise IllegalControl(
                "observers publish nothing to mute", details={"action": action.value, "target": target}
            )
        return self._log(hearing, actor, action, target, {"media": media.value})

    def _recording(self, hearing: Hearing, actor: str, action: Action, *, paused: bool,
                   reason: str | None = None) -> Hearing:
        hearing = self._live_control(hearing, actor, action, RECORDING_STATES)
        if hearing.recording_paused == paused:
            raise IllegalControl(
                "the recording is already paused" if paused else "the recording is not paused",
                details={"action": action.value},
            )
        details = {"reason": reason.strip()[:500]} if reason and reason.strip() else None
        return self._log(hearing, actor, action, None, details, recording_paused=paused)

    def _log(
        self,
        hearing: Hearing,
        actor: str,
        action: Action,
        target: str | None,
        details: Mapping[str, str] | None = None,
        *,
        recording_paused: bool | None = None,
    ) -> Hearing:
        logger.info("hearing %s: %s by %s on %s", hearing.hearing_id, action, actor, target)
        changes = {} if recording_paused is None else {"recording_paused": recording_paused}
        return hearing.with_event(self.lifecycle.clock.now(), actor, action, target, details, **changes)
