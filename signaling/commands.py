"""The commands signaling processes send each other over :mod:`signaling.bus`, as typed values.

Each is a frozen dataclass; :func:`encode` and :func:`decode` are the only places that know the
JSON shape they travel in (``{"op": ..., ...}``). A message that does not decode is refused as a
whole (:class:`CommandInvalid`): a process never acts on half a command.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from media import Control
from sessions.lifecycle import HearingState
from sessions.presence import PresenceState

logger = logging.getLogger(__name__)


class Op(enum.StrEnum):
    REPLACE = "replace"
    MEDIA = "media"
    SYNC = "sync"
    END_SESSION = "end_session"


@dataclass(frozen=True)
class ReplaceSockets:
    """A person's newer socket in a hearing was admitted: their other sockets there end ("replaced")."""

    hearing_id: int
    user_id: int
    keep_sid: str


@dataclass(frozen=True)
class MediaCommand:
    """Apply a relay control to a media session (``user_id`` None: the whole hearing)."""

    hearing_id: int
    user_id: int | None
    control: Control


@dataclass(frozen=True)
class SyncHearing:
    """The hearing as it now stands: sockets follow its state and everybody's presence."""

    hearing_id: int
    state: HearingState
    presence: Mapping[int, PresenceState]
    recording_paused: bool = False


@dataclass(frozen=True)
class EndSession:
    """A login session ended (logout, expiry, revocation): every socket opened with it ends."""

    session_id: int
    code: str
    message: str


Command = ReplaceSockets | MediaCommand | SyncHearing | EndSession


class CommandInvalid(ValueError):
    """A bus message that is not one of the commands (its reason in the message)."""


def encode(command: Command) -> dict[str, Any]:
    if isinstance(command, ReplaceSockets):
        return {"op": Op.REPLACE.value, "hearing": command.hearing_id, "user": command.user_id,
                "sid": command.keep_sid}
    if isinstance(command, MediaCommand):
        return {"op": Op.MEDIA.value, "hearing": command.hearing_id, "user": command.user_id,
                "control": command.control.value}
    if isinstance(command, SyncHearing):
        return {"op": Op.SYNC.value, "hearing": command.hearing_id, "state": command.state.value,
                "presence": {str(user): where.value for user, where in command.presence.items()},
                "recording_paused": command.recording_paused}
    return {"op": Op.END_SESSION.value, "session": command.session_id, "code": command.code,
            "message": command.message}


def decode(data: object) -> Command:
    """The command in ``data`` (a decoded JSON object), or :class:`CommandInvalid`."""
    if not isinstance(data, Mapping):
        raise CommandInvalid("a command is a JSON object")
    try:
        op = Op(str(data.get("op")))
        if op is Op.REPLACE:
            return ReplaceSockets(_int(data, "hearing"), _int(data, "user"), _text(data, "sid"))
        if op is Op.MEDIA:
            user = data.get("user")
            return MediaCommand(_int(data, "hearing"), None if user is None else _int(data, "user"),
                                Control(data.get("control")))
        if op is Op.SYNC:
            presence = data.get("presence")
            if not isinstance(presence, Mapping):
                raise CommandInvalid("sync: presence must be an object")
            paused = data.get("recording_paused", False)
            if not isinstance(paused, bool):
                raise CommandInvalid("sync: recording_paused must be true or false")
            return SyncHearing(_int(data, "hearing"), HearingState(str(data.get("state"))),
                               {int(user): PresenceState(where) for user, where in presence.items()}, paused)
        return EndSession(_int(data, "session"), _text(data, "code"), _text(data, "message"))
    except (ValueError, TypeError) as exc:
        if isinstance(exc, CommandInvalid):
            raise
        raise CommandInvalid(f"malformed command: {exc}") from None


def _int(data: Mapping[str, Any], name: str) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CommandInvalid(f"{name} must be an integer")
    return value


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise CommandInvalid(f"{name} must be text")
    return value
