"""A failover: the recorder of the process that took a hearing over continues the dead one's recording
in the same directory — new segment numbers, the crash's part files salvaged, and the outage named
in the manifest (``interruptions``) from the last media kept to the first media written after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.clock import FixedClock
from media.frames import EncodedFrame, Kind
from recordings.capture import JOURNAL, HearingRecorder
from recordings.manifest import interruptions, segments_from
from recordings.seal import read_journal, segment_facts
from tests.recordings.synthetic import opus_clip

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _audio(track: str, who: str, anchor: datetime, index: int, data: bytes) -> EncodedFrame:
    return EncodedFrame(track_id=track, participant_id=who, kind=Kind.AUDIO, rtp_timestamp=index * 960,
                        clock_rate=48000, wall_clock_anchor=anchor, keyframe=True, data=data, muted=False)


def test_the_process_taking_over_continues_the_recording_and_names_the_outage(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    clip = opus_clip(440.0, frames=100)
    first = HearingRecorder(tmp_path, clock)
    for i in range(100):  # two seconds of the plaintiff, then the process dies (SIGKILL)
        first.on_frame(_audio("t1", "6", T0, i, clip[i]))
    first.abandon()
    with open(tmp_path / JOURNAL, "a", encoding="utf-8") as journal:
        journal.write('{"op": "open", "file": "torn')  # the kill tore the journal's last line

    clock.set(T0 + timedelta(seconds=3.5))
    second = HearingRecorder(tmp_path, clock)
    resumed = T0 + timedelta(seconds=4)
    for i in range(50):  # the plaintiff reconnected to the other process: new track, new anchor
        second.on_frame(_audio("t9", "6", resumed, i, clip[i]))
    second.close()

    journal = read_journal(tmp_path)
    assert [e["op"] for e in journal if e["op"] in ("start", "takeover", "end")] == ["start", "takeover", "end"]
    opened = [e["file"] for e in journal if e["op"] == "open"]
    assert opened == ["6-audio-001.webm", "6-audio-002.webm"], opened  # numbering went on, nothing overwritten
    facts = segment_facts(tmp_path, journal)
    assert all(facts[name] is not None for name in opened)
    segments = segments_from(journal, facts, [], T0)
    assert [(s["start_reason"], s["end_reason"]) for s in segments] == [("joined", "process_lost"),
                                                                        ("failover", "closed")]
    [outage] = interruptions(journal, facts)
    assert outage["reason"] == "process_lost" and outage["taken_over_at"].startswith("2026-11-30T09:00:03.500")
    kept = facts[opened[0]]
    assert kept is not None
    assert abs(outage["gap_s"] - (4.0 - kept.duration_s)) < 0.05, (outage, kept)
    assert outage["to"].startswith("2026-11-30T09:00:04.000")


def test_a_takeover_with_no_media_after_it_leaves_the_outage_open(tmp_path: Path) -> None:
    clock = FixedClock(T0)
    clip = opus_clip(440.0, frames=10)
    first = HearingRecorder(tmp_path, clock)
    for i in range(10):
        first.on_frame(_audio("t1", "6", T0, i, clip[i]))
    first.abandon()
    clock.set(T0 + timedelta(seconds=2))
    HearingRecorder(tmp_path, clock).close()
    journal = read_journal(tmp_path)
    [outage] = interruptions(journal, segment_facts(tmp_path, journal))
    assert outage["to"] is None and outage["gap_s"] is None
