"""What the bench may do now: the controls the hearing's state allows, and those each person allows.

The bench panel offers only these, so a judge is never shown a step the rules would refuse (open a
session already open, resume one not paused, admit somebody already in the room). They are drawn
from the same rules that decide the step (:data:`sessions.lifecycle.TRANSITIONS`,
:data:`sessions.lifecycle.RECORDING_STATES`, :mod:`sessions.controls`, :mod:`sessions.presence`)
and sent with every roster, so the panel changes the moment the hearing does. Who may take them
(the judge; the clerk where the court allows) is still decided when they are taken.
"""

from __future__ import annotations

from sessions.hearings import HearingRole
from sessions.lifecycle import RECORDING_STATES, TRANSITIONS, Action, HearingState
from sessions.presence import PresenceState

HEARING_CONTROLS = (Action.START, Action.PAUSE, Action.RESUME, Action.RECORDING_PAUSE, Action.RECORDING_RESUME,
                    Action.ADJOURN, Action.CLOSE)
"""The hearing-wide steps the bench offers, in its order (opening the lobby, cancelling and
suspending are the clerk's, elsewhere)."""

PERSON_CONTROLS = (Action.ADMIT, Action.CALL, Action.DISMISS, Action.MUTE, Action.UNMUTE, Action.REMOVE)
"""The controls the bench offers on one person, in its order."""

_PRESENT = frozenset({PresenceState.WAITING, PresenceState.IN_ROOM, PresenceState.RECONNECTING})


def hearing_controls(state: HearingState, recording_paused: bool) -> tuple[Action, ...]:
    """The bench's hearing-wide steps the lifecycle allows from ``state``."""
    allowed = []
    for action in HEARING_CONTROLS:
        if action is Action.RECORDING_PAUSE:
            ok = state in RECORDING_STATES and not recording_paused
        elif action is Action.RECORDING_RESUME:
            ok = state in RECORDING_STATES and recording_paused
        else:
            ok = state in TRANSITIONS[action][0]
        if ok:
            allowed.append(action)
    return tuple(allowed)


def person_controls(state: HearingState, role: HearingRole, presence: PresenceState, *, listed: bool = True,
                    muted_audio: bool = False) -> tuple[Action, ...]:
    """The bench's controls on one person the rules allow now.

    Nothing outside a live hearing, on the presiding judge, or on somebody removed. Admit and call
    move a waiting party in, dismiss sends one in the room back (never staff or observers); mute
    and unmute are for listed people who publish (one or the other, as their microphone is now);
    anybody present may be removed."""
    if not state.is_live or role is HearingRole.JUDGE or presence is PresenceState.REMOVED:
        return ()
    passes_waiting_room = listed and not role.is_staff and role is not HearingRole.OBSERVER
    allowed = set()
    if passes_waiting_room and presence is PresenceState.WAITING:
        allowed |= {Action.ADMIT, Action.CALL}
    if passes_waiting_room and presence is PresenceState.IN_ROOM:
        allowed.add(Action.DISMISS)
    if listed and role.may_publish:
        allowed.add(Action.UNMUTE if muted_audio else Action.MUTE)
    if presence in _PRESENT:
        allowed.add(Action.REMOVE)
    return tuple(a for a in PERSON_CONTROLS if a in allowed)
