"""The recorder of one hearing: tap frames in, one WebM segment per participant's track and stretch.

Frames are written synchronously as they come off the relay's lossless tap, so the recorder keeps
no queue of its own. A track's segment ends when its media stops (the relay's ``muted`` marker on
mute, hearing pause or leave), when the same person's new session starts (a reconnect: a new
wall-clock anchor), when the recording is paused, and at close; the next frame opens a new
segment — so a gap in the record is a gap between files, never silence or a frozen picture.

Every segment opening and closing, every recording pause/resume and every departure is appended
to ``journal.jsonl`` (fsynced) before anything else happens, so after a crash the journal says
which part files were being written and why each earlier one ended.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.clock import Clock
from media.frames import EncodedFrame, Kind
from recordings.segments import SegmentWriter

logger = logging.getLogger(__name__)

JOURNAL = "journal.jsonl"


def frame_time(frame: EncodedFrame) -> datetime:
    """The UTC instant of a tap frame: its track's anchor plus its RTP time."""
    return frame.wall_clock_anchor + timedelta(seconds=frame.rtp_timestamp / frame.clock_rate)


class Journal:
    """Append-only, fsynced JSON lines: what the recorder did, readable after a crash."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = open(path, "a", encoding="utf-8")

    def append(self, entry: dict[str, Any]) -> None:
        self._handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        self._handle.close()

    @staticmethod
    def read(path: Path) -> list[dict[str, Any]]:
        """Every complete line; a line torn by a crash (the last one) is skipped."""
        entries: list[dict[str, Any]] = []
        if not path.exists():
            return entries
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entries.append(json.loads(line))
            except ValueError:
                logger.warning("journal %s: skipped a torn line", path)
        return entries


@dataclass
class _OpenSegment:
    writer: SegmentWriter
    participant_id: str
    kind: Kind
    anchor: datetime
    start: datetime


@dataclass
class RecorderCounters:
    received: int = 0
    """Media frames (not the relay's stop markers) that arrived while recording."""
    stops: int = 0
    written: int = 0
    waited_for_keyframe: int = 0
    """Video frames before a segment's first keyframe: undecodable on their own, so not written."""
    segments: int = 0
    numbers: dict[str, int] = field(default_factory=dict)


class HearingRecorder:
    """Writes one hearing's tracks into ``directory``; drive it with :meth:`consume` or :meth:`on_frame`."""

    def __init__(self, directory: Path, clock: Clock) -> None:
        self.directory = directory
        self.clock = clock
        directory.mkdir(parents=True, exist_ok=True)
        self.counters = RecorderCounters()
        self.paused = False
        self.closed = False
        self._open: dict[str, _OpenSegment] = {}
        self._seen: set[str] = set()
        earlier = Journal.read(directory / JOURNAL)
        if earlier and not (directory / JOURNAL).read_bytes().endswith(b"\n"):
            with open(directory / JOURNAL, "a", encoding="utf-8") as torn:  # end a line the crash tore
                torn.write("\n")
        self.journal = Journal(directory / JOURNAL)
        if earlier:
            # A failover: the process recording this hearing died; new segments continue its
            # numbering, and the manifest names the outage from this entry (``interruptions``).
            for entry in earlier:
                if entry.get("op") == "open":
                    key, _, number = str(entry["file"]).removesuffix(".webm").rpartition("-")
                    if number.isdigit():
                        self.counters.numbers[key] = max(self.counters.numbers.get(key, 0), int(number))
            self.journal.append({"op": "takeover", "at": clock.now().isoformat()})
        else:
            self.journal.append({"op": "start", "at": clock.now().isoformat()})

    # ---- frames ------------------------------------------------------------------------------

    async def consume(self, frames: AsyncIterator[EncodedFrame]) -> None:
        """Write every frame of a tap until it ends; a slow disk shows as the tap's backlog."""
        count = 0
        async for frame in frames:
            self.on_frame(frame)
            count += 1
            if count % 256 == 0:
                await asyncio.sleep(0)  # a long backlog must not starve the relay's event loop

    def on_frame(self, frame: EncodedFrame) -> None:
        if self.closed or self.paused:
            return
        current = self._open.get(frame.track_id)
        if frame.muted:
            self.counters.stops += 1
            if current is not None:
                self._close(frame.track_id, "stopped", frame_time(frame))
            return
        self.counters.received += 1
        if current is not None and (current.anchor != frame.wall_clock_anchor
                                    or frame.rtp_timestamp < (current.writer.first_pts or 0)):
            self._close(frame.track_id, "reconnected", frame_time(frame))
            current = None
        if current is None:
            if frame.kind is Kind.VIDEO and not frame.keyframe:
                self.counters.waited_for_keyframe += 1
                return
            current = self._start(frame)
        current.writer.write(frame.data, frame.rtp_timestamp, frame.keyframe)
        self.counters.written += 1

    def _start(self, frame: EncodedFrame) -> _OpenSegment:
        key = f"{frame.participant_id}-{frame.kind.value}"
        number = self.counters.numbers.get(key, 0) + 1
        self.counters.numbers[key] = number
        name = f"{key}-{number:03d}.webm"
        start = frame_time(frame)
        writer = SegmentWriter(self.directory / name, frame.kind,
                               first_keyframe=frame.data if frame.kind is Kind.VIDEO else None)
        segment = _OpenSegment(writer, frame.participant_id, frame.kind, frame.wall_clock_anchor, start)
        self._open[frame.track_id] = segment
        self.counters.segments += 1
        self.journal.append({"op": "open", "file": name, "participant": frame.participant_id,
                             "kind": frame.kind.value, "start": start.isoformat(),
                             "anchor": frame.wall_clock_anchor.isoformat(),
                             "first_rtp": frame.rtp_timestamp})
        return segment

    def _close(self, track_id: str, reason: str, at: datetime | None = None) -> None:
        segment = self._open.pop(track_id)
        segment.writer.finish()
        self.journal.append({"op": "close", "file": segment.writer.final.name, "reason": reason,
                             "at": (at or self.clock.now()).isoformat(), "frames": segment.writer.frames,
                             "payload_sha256": segment.writer.payload_sha256})

    # ---- hearing-level changes --------------------------------------------------------------

    def left(self, participant_id: str, reason: str) -> None:
        """The relay ended this participant's session (removed, replaced, failed, closed)."""
        self.journal.append({"op": "left", "participant": participant_id, "reason": reason,
                             "at": self.clock.now().isoformat()})

    def pause(self, actor: str | None, reason: str | None) -> None:
        if self.paused or self.closed:
            return
        at = self.clock.now()
        for track_id in list(self._open):
            self._close(track_id, "recording_paused", at)
        self.paused = True
        self.journal.append({"op": "pause", "at": at.isoformat(), "by": actor, "reason": reason})

    def resume(self, actor: str | None) -> None:
        if not self.paused or self.closed:
            return
        self.paused = False
        self.journal.append({"op": "resume", "at": self.clock.now().isoformat(), "by": actor})

    def close(self, reason: str = "closed") -> None:
        """End every open segment and the journal; the directory is then ready to be sealed."""
        if self.closed:
            return
        at = self.clock.now()
        for track_id in list(self._open):
            self._close(track_id, reason, at)
        self.journal.append({"op": "end", "at": at.isoformat(), "reason": reason,
                             "frames_received": self.counters.received, "frames_written": self.counters.written,
                             "waited_for_keyframe": self.counters.waited_for_keyframe})
        self.journal.close()
        self.closed = True

    def abandon(self) -> None:
        """Drop the open writers without renaming (tests simulate a crash with this)."""
        for segment in self._open.values():
            segment.writer.abandon()
        self._open.clear()
        self.journal.close()
        self.closed = True
