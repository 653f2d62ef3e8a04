"""Bus commands are typed values: every command survives the JSON trip, and a malformed message
is refused whole (a process never acts on half a command)."""

from __future__ import annotations

import json

import pytest

from media import Control
from sessions.lifecycle import HearingState
from sessions.presence import PresenceState
from signaling.commands import (
    CommandInvalid,
    EndSession,
    MediaCommand,
    ReplaceSockets,
    SyncHearing,
    decode,
    encode,
)

COMMANDS = [
    ReplaceSockets(7, 42, "sid-1"),
    MediaCommand(7, 42, Control.MUTE_AUDIO),
    MediaCommand(7, None, Control.PAUSE_HEARING),
    SyncHearing(7, HearingState.IN_SESSION, {42: PresenceState.IN_ROOM, 43: PresenceState.REMOVED}),
    SyncHearing(7, HearingState.IN_SESSION, {}, recording_paused=True),
    EndSession(99, "session_ended", "you logged out"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: type(c).__name__)
def test_every_command_survives_the_json_trip(command: object) -> None:
    assert decode(json.loads(json.dumps(encode(command)))) == command  # type: ignore[arg-type]


@pytest.mark.parametrize("data", [
    None, [], "replace", {}, {"op": "explode"}, {"op": "replace", "hearing": "7", "user": 1, "sid": "x"},
    {"op": "replace", "hearing": True, "user": 1, "sid": "x"}, {"op": "replace", "hearing": 7, "user": 1},
    {"op": "media", "hearing": 7, "user": 1, "control": "self_destruct"},
    {"op": "sync", "hearing": 7, "state": "on_fire", "presence": {}},
    {"op": "sync", "hearing": 7, "state": "in_session", "presence": {"abc": "in_room"}},
    {"op": "sync", "hearing": 7, "state": "in_session", "presence": {"1": "invisible"}},
    {"op": "sync", "hearing": 7, "state": "in_session", "presence": ["1"]},
    {"op": "sync", "hearing": 7, "state": "in_session", "presence": {}, "recording_paused": "yes"},
    {"op": "end_session", "session": 1, "code": 5, "message": "x"},
])
def test_malformed_commands_are_refused_whole(data: object) -> None:
    with pytest.raises(CommandInvalid):
        decode(data)
