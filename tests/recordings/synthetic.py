"""A synthetic sealed recording on disk: real VP8/Opus segments (PyAV encoders) and their manifest.

Each person's video is a looped one-second clip whose luma is the person's own brightness, and
their audio a looped one-second tone at the person's own pitch, so a composed file can be checked
for who appears where and for sound where sound was recorded. Segments are written by the
recorder's own :class:`~recordings.segments.SegmentWriter` and read back with ``inspect``.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from media.frames import Kind
from recordings.segments import SegmentWriter, inspect

STARTED = datetime(2026, 11, 30, 9, 0, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Stretch:
    """A person present from ``start`` to ``end`` seconds, the stretch ending for ``end_reason``."""

    start: float
    end: float
    end_reason: str = "closed"


def vp8_clip(luma: int, width: int, height: int, frames: int = 30) -> list[bytes]:
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = width, height, "yuv420p"
    codec.time_base, codec.framerate = Fraction(1, 30), Fraction(30, 1)
    codec.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
    codec.gop_size, codec.bit_rate = frames, 600_000
    out: list[bytes] = []
    for i in range(frames):
        picture = np.full((height * 3 // 2, width), 128, np.uint8)
        picture[:height] = luma
        picture[:16, :min(width, 8 * (i + 1))] = 255 - luma  # a bar grows across the top: the picture moves
        frame = av.VideoFrame.from_ndarray(picture, format="yuv420p")
        frame.pts = i
        out += [bytes(p) for p in codec.encode(frame)]
    out += [bytes(p) for p in codec.encode(None)]
    return out


def opus_clip(pitch: float, frames: int = 50) -> list[bytes]:
    codec = av.CodecContext.create("libopus", "w")
    codec.sample_rate, codec.layout, codec.format = 48000, "stereo", "s16"
    out: list[bytes] = []
    for i in range(frames):
        frame = av.AudioFrame(format="s16", layout="stereo", samples=960)
        frame.sample_rate, frame.pts = 48000, i * 960
        samples = b"".join(struct.pack("<hh", v, v) for v in (
            int(8000 * math.sin(2 * math.pi * pitch * (i * 960 + n) / 48000)) for n in range(960)))
        frame.planes[0].update(samples)
        out += [bytes(p) for p in codec.encode(frame)]
    return out


def write_recording(directory: Path, people: list[tuple[str, str, str]], stretches: dict[str, list[Stretch]],
                    *, seconds: float, width: int = 320, height: int = 180,
                    pauses: list[tuple[float, float]] | None = None) -> dict[str, Any]:
    """Write every person's segments into ``directory``; return the manifest a seal would hold."""
    directory.mkdir(parents=True, exist_ok=True)
    segments: list[dict[str, Any]] = []
    for n, (who, _, _) in enumerate(people):
        video, audio = vp8_clip(60 + 50 * n, width, height), opus_clip(220.0 * (n + 1))
        for index, stretch in enumerate(stretches.get(who, [])):
            for kind, clip, rate, step in ((Kind.VIDEO, video, 90_000, 3000), (Kind.AUDIO, audio, 48_000, 960)):
                name = f"{who}-{kind.value}-{index}.webm"
                writer = SegmentWriter(directory / name, kind, first_keyframe=clip[0] if kind is Kind.VIDEO else None)
                count = round((stretch.end - stretch.start) * rate / step)
                for i in range(count):
                    writer.write(clip[i % len(clip)], i * step, kind is Kind.VIDEO and i % len(clip) == 0)
                writer.finish()
                facts = inspect(directory / name)
                start = STARTED + timedelta(seconds=stretch.start)
                end = start + timedelta(seconds=facts.duration_s)
                segments.append({"file": name, "participant": who, "kind": kind.value,
                                 "start": start.isoformat(timespec="milliseconds"),
                                 "end": end.isoformat(timespec="milliseconds"),
                                 "duration_s": facts.duration_s, "frames": facts.frames, "size": facts.size,
                                 "sha256": facts.sha256, "payload_sha256": facts.payload_sha256,
                                 "start_reason": "joined", "end_reason": stretch.end_reason})
    return {
        "format": "sotkab-recording/1", "recording_id": 1, "hearing_id": 1,
        "participants": [{"id": who, "name": name, "role": role} for who, name, role in people],
        "started_at": STARTED.isoformat(timespec="milliseconds"),
        "ended_at": (STARTED + timedelta(seconds=seconds)).isoformat(timespec="milliseconds"),
        "recording_pauses": [{"from": (STARTED + timedelta(seconds=a)).isoformat(),
                              "to": (STARTED + timedelta(seconds=b)).isoformat(), "by": people[0][0],
                              "reason": "test"} for a, b in (pauses or [])],
        "segments": segments, "composed": None,
    }
