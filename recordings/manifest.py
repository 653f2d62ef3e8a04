"""The manifest of a sealed recording: what was recorded, when, of whom, why each gap is there.

Pure functions: the manifest is drawn from the recorder's journal, the facts read back from each
segment file, and the hearing (plan and event log). Gaps are explained from what the system knows:
a track that stopped just after the judge muted it was *muted*, after a hearing pause *hearing
paused*, after the relay ended that person's session *left* (with the relay's reason); a new anchor
is a *reconnect*; a person's first segment that starts after the recording began is a *late join*.
Nothing is inferred from the media itself.

The manifest is serialized as canonical JSON (sorted keys, no spaces, UTF-8), so the bytes the
court signs are reproducible from the data and a verifier can compare it field by field.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from recordings.segments import SegmentFacts
from sessions.lifecycle import Action, Hearing, HearingEvent

logger = logging.getLogger(__name__)

FORMAT = "sotkab-recording/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.cms"
MINUTES = "minutes.txt"
EXPLAIN_WINDOW = timedelta(seconds=2)
"""A track stopping within this long after a mute or a pause was stopped by it."""
LATE_JOIN = timedelta(seconds=5)
"""A person whose media first arrives this long after the recording began joined late."""

_LOGGED = frozenset({Action.START, Action.PAUSE, Action.RESUME, Action.SUSPEND, Action.CLOSE, Action.ADJOURN,
                     Action.ADMIT, Action.CALL, Action.DISMISS, Action.MUTE, Action.UNMUTE, Action.REMOVE,
                     Action.RECORDING_PAUSE, Action.RECORDING_RESUME})


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Particulars:
    """Who and what the recording belongs to, as the court names them."""

    recording_id: int
    hearing_id: int
    court_code: str
    court_name: str
    case_number: str
    courtroom: str
    is_open: bool


def _explain_stop(events: Sequence[HearingEvent], participant: str, kind: str, at: datetime,
                  left: Mapping[str, list[tuple[datetime, str]]]) -> str:
    for when, reason in left.get(participant, []):
        if abs((when - at).total_seconds()) <= EXPLAIN_WINDOW.total_seconds():
            return "reconnected" if reason == "replaced" else f"left:{reason}"
    for event in reversed(events):
        if event.at > at + EXPLAIN_WINDOW:
            continue
        if at - event.at > EXPLAIN_WINDOW:
            break
        if event.action is Action.MUTE and event.target == participant and event.details.get("media", "audio") == kind:
            return "muted"
        if event.action is Action.PAUSE:
            return "hearing_paused"
        if event.action in (Action.REMOVE, Action.DISMISS) and event.target == participant:
            return f"left:{event.action.value}"
    return "stopped"


def _explain_start(previous_end: str | None) -> str:
    return {None: "joined", "muted": "unmuted", "hearing_paused": "hearing_resumed",
            "recording_paused": "recording_resumed", "reconnected": "reconnected", "process_lost": "failover"}.get(
        previous_end, "rejoined" if previous_end and previous_end.startswith("left:") else "resumed")


def segments_from(journal: Sequence[Mapping[str, Any]], facts: Mapping[str, SegmentFacts | None],
                  events: Sequence[HearingEvent], started_at: datetime) -> list[dict[str, Any]]:
    """One entry per segment file, in journal order, each with why it began and why it ended."""
    left: dict[str, list[tuple[datetime, str]]] = {}
    for entry in journal:
        if entry.get("op") == "left":
            left.setdefault(entry["participant"], []).append((datetime.fromisoformat(entry["at"]), entry["reason"]))
    closes = {e["file"]: e for e in journal if e.get("op") == "close"}
    takeovers = [i for i, e in enumerate(journal) if e.get("op") == "takeover"]
    last_end: dict[tuple[str, str], str] = {}
    out = []
    for index, entry in enumerate(journal):
        if entry.get("op") != "open":
            continue
        name, who, kind = entry["file"], entry["participant"], entry["kind"]
        fact = facts.get(name)
        if fact is None:
            continue
        start = datetime.fromisoformat(entry["start"])
        close = closes.get(name)
        end_at = start + timedelta(seconds=fact.duration_s)
        if close is None:
            end_reason = "process_lost" if any(t > index for t in takeovers) else "ended_abnormally"
        elif close["reason"] == "stopped":
            end_reason = _explain_stop(events, who, kind, end_at, left)
        else:
            end_reason = close["reason"]
        start_reason = _explain_start(last_end.get((who, kind)))
        extra: dict[str, Any] = {}
        if start_reason == "joined":
            extra["joined_after_s"] = round((start - started_at).total_seconds(), 3)
            if start - started_at > LATE_JOIN:
                start_reason = "late_join"
        last_end[(who, kind)] = end_reason
        out.append({**extra, "file": name, "participant": who, "kind": kind, "start": _iso(start), "end": _iso(end_at),
                    "duration_s": fact.duration_s, "frames": fact.frames, "size": fact.size,
                    "sha256": fact.sha256, "payload_sha256": fact.payload_sha256,
                    "start_reason": start_reason, "end_reason": end_reason})
    return out


def interruptions(journal: Sequence[Mapping[str, Any]],
                  facts: Mapping[str, SegmentFacts | None]) -> list[dict[str, Any]]:
    """Each outage of the recording process (a failover): from the moment the first track it was
    writing lost its media (the end of what the dead process's files kept; a track further ahead
    only says less was lost of it) to the first media the process that took the hearing over wrote
    (``to`` null if none came), with ``gap_s`` between them and when the takeover happened."""
    closed = {e["file"] for e in journal if e.get("op") == "close"}
    out: list[dict[str, Any]] = []
    cut_ends: list[datetime] = []
    last_end: datetime | None = None
    pending: dict[str, Any] | None = None
    for entry in journal:
        op = entry.get("op")
        if op == "open":
            start = datetime.fromisoformat(entry["start"])
            if pending is not None:
                pending["to"] = _iso(start)
                pending["gap_s"] = round((start - datetime.fromisoformat(pending["from"])).total_seconds(), 3)
                pending = None
            fact = facts.get(entry["file"])
            if fact is not None:
                end = start + timedelta(seconds=fact.duration_s)
                last_end = end if last_end is None else max(last_end, end)
                if entry["file"] not in closed:
                    cut_ends.append(end)
        elif op == "takeover":
            at = datetime.fromisoformat(entry["at"])
            begin = min(cut_ends) if cut_ends else last_end or at
            pending = {"from": _iso(begin), "to": None, "gap_s": None, "taken_over_at": _iso(at),
                       "reason": "process_lost"}
            out.append(pending)
            cut_ends = []
    return out


def recording_pauses(journal: Sequence[Mapping[str, Any]], events: Sequence[HearingEvent]) -> list[dict[str, Any]]:
    """Each pause of the recording: when the recorder stopped and resumed, and who asked why (log)."""
    asked = [e for e in events if e.action in (Action.RECORDING_PAUSE, Action.RECORDING_RESUME)]
    out: list[dict[str, Any]] = []
    for entry in journal:
        if entry.get("op") == "pause":
            logged = next((e for e in asked if e.action is Action.RECORDING_PAUSE
                           and abs((e.at - datetime.fromisoformat(entry["at"])).total_seconds()) < 60), None)
            out.append({"from": entry["at"], "to": None, "by": entry.get("by") or (logged and logged.actor),
                        "reason": entry.get("reason") or (logged and logged.details.get("reason"))})
        elif entry.get("op") == "resume" and out and out[-1]["to"] is None:
            out[-1]["to"] = entry["at"]
            out[-1]["resumed_by"] = entry.get("by")
    return out


def build_manifest(particulars: Particulars, hearing: Hearing, journal: Sequence[Mapping[str, Any]],
                   facts: Mapping[str, SegmentFacts | None], *, started_at: datetime, ended_at: datetime,
                   abnormal: str | None, minutes_sha256: str | None, language: str) -> dict[str, Any]:
    """The manifest the court signs (see recordings/API.md for every field)."""
    people = {p.user_id: p for p in hearing.plan.participants}
    judge = next((p for p in hearing.plan.participants if p.role.value == "judge"), None)
    end_entry: Mapping[str, Any] = next((e for e in reversed(journal) if e.get("op") == "end"), {})
    return {
        "format": FORMAT,
        "recording_id": particulars.recording_id,
        "hearing_id": particulars.hearing_id,
        "court": {"code": particulars.court_code, "name": particulars.court_name},
        "case_number": particulars.case_number,
        "courtroom": particulars.courtroom,
        "is_open": particulars.is_open,
        "judge": None if judge is None else {"id": judge.user_id, "name": judge.display_name},
        "participants": [{"id": p.user_id, "name": p.display_name, "role": p.role.value}
                         for p in people.values()],
        "started_at": _iso(started_at),
        "ended_at": _iso(ended_at),
        "ended_abnormally": abnormal is not None,
        "abnormal_end": abnormal,
        "recording_pauses": recording_pauses(journal, hearing.events),
        "interruptions": interruptions(journal, facts),
        "hearing_events": [{"seq": e.seq, "at": _iso(e.at), "actor": e.actor, "action": e.action.value,
                            "target": e.target, "details": dict(e.details)}
                           for e in hearing.events if e.action in _LOGGED],
        "segments": segments_from(journal, facts, hearing.events, started_at),
        "minutes": None if minutes_sha256 is None else {"file": MINUTES, "sha256": minutes_sha256,
                                                        "language": language},
        "composed": None,
        "frames": {"received": end_entry.get("frames_received"), "written": end_entry.get("frames_written"),
                   "waited_for_keyframe": end_entry.get("waited_for_keyframe")},
    }
