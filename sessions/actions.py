"""One entry point to every lifecycle step and control, by :class:`~sessions.lifecycle.Action`.

The signaling server and the HTTP API both hand over an action name, an optional target and a
few text arguments; this turns them into the call of the pure rule that decides it, refusing
malformed arguments with the same typed errors the rules use.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TypeVar

from sessions.controls import Controls
from sessions.errors import IllegalControl, InvalidHearing
from sessions.lifecycle import Action, ChatChannel, Hearing, Lifecycle, MediaKind, PauseReason, SuspendReason

logger = logging.getLogger(__name__)

TARGETED = frozenset({Action.ADMIT, Action.CALL, Action.DISMISS, Action.MUTE, Action.UNMUTE, Action.REMOVE})


E = TypeVar("E", PauseReason, SuspendReason, MediaKind, ChatChannel)


def _choice(kind: type[E], args: Mapping[str, str], name: str, default: E) -> E:
    value = args.get(name)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(str(x.value) for x in kind)
        raise InvalidHearing(f"{name} is one of {choices}", details={"field": name}) from None


def _new_start(args: Mapping[str, str]) -> datetime | None:
    text = args.get("new_start")
    if text is None or not str(text).strip():
        return None
    try:
        return datetime.fromisoformat(str(text))
    except ValueError:
        raise InvalidHearing("new_start is an ISO 8601 date and time with its zone",
                             details={"field": "new_start"}) from None


def apply_action(lifecycle: Lifecycle, controls: Controls, hearing: Hearing, actor: str, action: Action,
                 target: str | None, args: Mapping[str, str]) -> Hearing:
    """``hearing`` after ``actor`` took ``action``; every refusal is the pure rules' own."""
    if action in TARGETED and target is None:
        raise IllegalControl(f"{action.value} needs a target", code="target_required",
                             details={"action": action.value})
    reason = args.get("reason")
    match action:
        case Action.OPEN_LOBBY:
            return lifecycle.open_lobby(hearing, actor)
        case Action.START:
            return lifecycle.start(hearing, actor)
        case Action.PAUSE:
            return lifecycle.pause(hearing, actor, _choice(PauseReason, args, "reason", PauseReason.RECESS))
        case Action.RESUME:
            return lifecycle.resume(hearing, actor)
        case Action.SUSPEND:
            return lifecycle.suspend(
                hearing, actor, _choice(SuspendReason, args, "reason", SuspendReason.TECHNICAL_FAILURE))
        case Action.CLOSE:
            return lifecycle.close(hearing, actor)
        case Action.ADJOURN:
            return lifecycle.adjourn(hearing, actor, _new_start(args))
        case Action.CANCEL:
            return lifecycle.cancel(hearing, actor, reason)
        case Action.ADMIT:
            return controls.admit(hearing, actor, str(target))
        case Action.CALL:
            return controls.call(hearing, actor, str(target))
        case Action.DISMISS:
            return controls.dismiss(hearing, actor, str(target))
        case Action.MUTE:
            return controls.mute(hearing, actor, str(target), _choice(MediaKind, args, "media", MediaKind.AUDIO))
        case Action.UNMUTE:
            return controls.unmute(hearing, actor, str(target), _choice(MediaKind, args, "media", MediaKind.AUDIO))
        case Action.REMOVE:
            return controls.remove(hearing, actor, str(target), reason)
        case Action.RAISE_HAND:
            return controls.raise_hand(hearing, actor)
        case Action.LOWER_HAND:
            return controls.lower_hand(hearing, actor, target)
        case Action.RECORDING_PAUSE:
            return controls.pause_recording(hearing, actor, reason)
        case Action.RECORDING_RESUME:
            return controls.resume_recording(hearing, actor)
        case Action.CHAT:
            return controls.chat(hearing, actor, args.get("text", ""),
                                 _choice(ChatChannel, args, "channel", ChatChannel.ALL))
    raise IllegalControl(f"unknown action {action!r}", code="unknown_action")  # pragma: no cover
