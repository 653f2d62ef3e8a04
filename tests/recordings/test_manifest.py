"""The manifest's account of gaps, drawn from the journal and the hearing log only (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from recordings.manifest import segments_from
from recordings.segments import SegmentFacts
from sessions.lifecycle import Action, HearingEvent

T0 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


def opened(name: str, who: str, kind: str, start: float) -> dict[str, Any]:
    return {"op": "open", "file": name, "participant": who, "kind": kind, "start": at(start)}


def closed(name: str, reason: str, when: float) -> dict[str, Any]:
    return {"op": "close", "file": name, "reason": reason, "at": at(when)}


def facts(duration: float) -> SegmentFacts:
    return SegmentFacts(frames=int(duration * 30), duration_s=duration, payload_sha256="p", sha256="s", size=1)


def event(seq: int, when: float, action: Action, target: str | None = None, **details: str) -> HearingEvent:
    return HearingEvent(seq, T0 + timedelta(seconds=when), "1", action, target, details)


def test_each_gap_is_named_by_its_cause() -> None:
    journal = [
        opened("7-audio-001.webm", "7", "audio", 0.2), closed("7-audio-001.webm", "stopped", 10.1),
        opened("7-audio-002.webm", "7", "audio", 14.0), closed("7-audio-002.webm", "stopped", 20.0),
        {"op": "left", "participant": "7", "reason": "replaced", "at": at(20.0)},
        opened("7-audio-003.webm", "7", "audio", 21.0), closed("7-audio-003.webm", "stopped", 30.0),
        opened("7-audio-004.webm", "7", "audio", 40.0), closed("7-audio-004.webm", "stopped", 50.0),
        {"op": "left", "participant": "7", "reason": "removed", "at": at(50.1)},
        opened("8-video-001.webm", "8", "video", 9.0),
    ]
    durations = {"7-audio-001.webm": 10.0, "7-audio-002.webm": 6.0, "7-audio-003.webm": 9.0,
                 "7-audio-004.webm": 10.0, "8-video-001.webm": 3.0}
    log = [event(1, 0, Action.START), event(2, 10.0, Action.MUTE, "7", media="audio"),
           event(3, 14.0, Action.UNMUTE, "7", media="audio"), event(4, 30.0, Action.PAUSE, reason="recess"),
           event(5, 40.0, Action.RESUME)]
    segments = segments_from(journal, {k: facts(v) for k, v in durations.items()}, log, T0)
    reasons = [(s["file"], s["start_reason"], s["end_reason"]) for s in segments]
    assert reasons == [
        ("7-audio-001.webm", "joined", "muted"),
        ("7-audio-002.webm", "unmuted", "reconnected"),
        ("7-audio-003.webm", "reconnected", "hearing_paused"),
        ("7-audio-004.webm", "hearing_resumed", "left:removed"),
        ("8-video-001.webm", "late_join", "ended_abnormally"),  # no close: the process died
    ]
    assert segments[4]["joined_after_s"] == 9.0 and segments[0]["joined_after_s"] == 0.2
    assert datetime.fromisoformat(segments[0]["end"]) == T0 + timedelta(seconds=10.2)


def test_a_segment_whose_file_is_gone_is_left_out_rather_than_invented() -> None:
    journal = [opened("7-video-001.webm", "7", "video", 0.0), closed("7-video-001.webm", "closed", 5.0)]
    assert segments_from(journal, {"7-video-001.webm": None}, [], T0) == []
