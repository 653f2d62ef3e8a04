"""What goes over the socket: parsing client payloads strictly, and the JSON the server sends.

Client payloads are untrusted: every field is checked for type and size here, and a bad one is
answered with ``{"error": {"code": "invalid_payload", "message", "details": {"field"}}}`` before
any service is called, so a malformed event changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import SotkabError
from sessions.bench import hearing_controls, person_controls
from sessions.lifecycle import HearingState
from sessions.service import HearingEvent, HearingView, JoinResult, ParticipantView

MAX_ID = 2**53
MAX_TEXT = 8 * 1024
MAX_FIELDS = 32
HEARTBEAT_FIELDS = {"packet_loss": (0.0, 1.0), "rtt_ms": (0.0, 600_000.0), "bitrate_kbps": (0.0, 10_000_000.0),
                    "jitter_ms": (0.0, 600_000.0)}
"""Each statistic a heartbeat may carry, with its range; the name is the same on the wire and in ``stats``."""


class PayloadError(Exception):
    def __init__(self, message: str, field: str | None = None, code: str = "invalid_payload") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["details"] = {"field": self.field}
        return {"error": error}


@dataclass(frozen=True)
class Payload:
    fields: Mapping[str, Any]

    @classmethod
    def of(cls, data: object) -> Payload:
        if data is None:
            return cls({})
        if not isinstance(data, Mapping):
            raise PayloadError("the event payload must be a JSON object")
        if len(data) > MAX_FIELDS:
            raise PayloadError("the event payload has too many fields")
        return cls(data)

    def flag(self, name: str) -> bool:
        """The payload's one field ``name``, true or false (any other field is refused)."""
        unknown = sorted(str(key) for key in self.fields if key != name)
        if unknown:
            raise PayloadError(f"unknown field {unknown[0][:40]!r}; this event takes {name}", unknown[0][:40])
        value = self.fields.get(name)
        if not isinstance(value, bool):
            raise PayloadError(f"{name} is true or false", name)
        return value

    def text(self, name: str, *, max_length: int = MAX_TEXT) -> str:
        value = optional_text(self, name, max_length=max_length)
        if value is None:
            raise PayloadError(f"{name} is required", name)
        return value


def optional_text(payload: Payload, name: str, *, max_length: int = MAX_TEXT) -> str | None:
    value = payload.fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{name} must be text", name)
    if len(value) > max_length:
        raise PayloadError(f"{name} is longer than {max_length} characters", name)
    return value


def optional_int(payload: Payload, name: str) -> int | None:
    value = payload.fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_ID:
        raise PayloadError(f"{name} must be a non-negative integer", name)
    return value


def parse_hearing_id(value: object) -> int:
    """The hearing named in the handshake: a positive integer (or its decimal text)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 15:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < MAX_ID:
        raise PayloadError("name the hearing to join: auth = {\"token\": ..., \"hearing\": <id>}", "hearing",
                           code="invalid_hearing_id")
    return value


def heartbeat_stats(data: object) -> dict[str, float]:
    """Connection statistics from a heartbeat, each a finite number in its range."""
    payload = Payload.of(data)
    stats: dict[str, float] = {}
    for key, value in payload.fields.items():
        if key not in HEARTBEAT_FIELDS:
            raise PayloadError(f"unknown heartbeat field {key!r}; known: {', '.join(HEARTBEAT_FIELDS)}", key)
        low, high = HEARTBEAT_FIELDS[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise PayloadError(f"{key} must be a number", key)
        if not low <= value <= high:
            raise PayloadError(f"{key} must be between {low:g} and {high:g}", key)
        stats[key] = float(value)
    return stats


def error_json(exc: SotkabError) -> dict[str, Any]:
    error: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if exc.details:
        error["details"] = {str(k): v if isinstance(v, str | int | float | bool | None) else str(v)
                            for k, v in exc.details.items()}
    return {"error": error}


def event_json(event: HearingEvent) -> dict[str, Any]:
    return {"hearing_id": event.hearing_id, "seq": event.seq, "at": event.at.isoformat(),
            "action": event.action.value, "actor": event.actor_user_id, "target": event.target_user_id,
            "details": dict(event.details), "state": event.state.value}


def participant_json(person: ParticipantView, state: HearingState) -> dict[str, Any]:
    controls = person_controls(state, person.role, person.presence, listed=person.listed,
                               muted_audio=person.muted_audio)
    return {"user_id": person.user_id, "role": person.role.value, "name": person.name,
            "presence": person.presence.value, "muted_audio": person.muted_audio,
            "muted_video": person.muted_video, "hand_raised": person.hand_raised, "listed": person.listed,
            "represents": person.represents_user_id, "controls": [a.value for a in controls]}


def view_json(view: HearingView) -> dict[str, Any]:
    return {
        "hearing_id": view.hearing_id, "state": view.state.value, "case_id": view.case_id,
        "case_number": view.case_number, "court": view.court_code, "courtroom": view.courtroom_name,
        "is_open": view.is_open, "start": view.plan.start.isoformat(),
        "duration_min": int(view.plan.duration.total_seconds() // 60),
        "pause_reason": None if view.pause_reason is None else view.pause_reason.value,
        "suspend_reason": None if view.suspend_reason is None else view.suspend_reason.value,
        "recording_paused": view.recording_paused, "sequence": view.sequence,
        "controls": [a.value for a in hearing_controls(view.state, view.recording_paused)],
        "participants": [participant_json(p, view.state) for p in view.participants],
    }


def join_json(joined: JoinResult, view: HearingView, ice: dict[str, Any]) -> dict[str, Any]:
    caps = joined.capabilities
    return {
        "you": {"user_id": joined.user_id, "role": joined.role.value, "is_staff": joined.is_staff,
                "decision": joined.admission.decision.value, "presence": joined.presence_state.value,
                "capabilities": {"publish_audio": caps.publish_audio, "publish_video": caps.publish_video,
                                 "receive": caps.receive, "chat_all": caps.chat_all, "chat_staff": caps.chat_staff,
                                 "raise_hand": caps.raise_hand}},
        "hearing": view_json(view),
        "ice": ice,
    }
