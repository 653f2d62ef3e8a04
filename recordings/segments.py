"""One segment of one participant's track: encoded VP8 or Opus frames muxed as received into WebM.

No frame is decoded or encoded: each tap frame becomes an ``av.Packet`` with its bytes untouched,
its time from the RTP timestamp, and its keyframe flag, and PyAV's Matroska muxer writes it.
Crash safety comes from the muxer options ``flush_packets=1`` and ``cluster_time_limit=500``: a
cluster is closed and written at least every half second, so a process killed mid-hearing leaves a
file readable up to its last half second (``bench/compose.py`` measured ~0.5 s lost for audio and
~0.14 s for video; with 1000 ms clusters audio lost ~1.0 s, over the one-second budget).

A segment is written under ``NAME.webm.part`` and renamed to ``NAME.webm`` after an ``fsync`` once it
ends, so a ``.webm`` is always complete; a ``.part`` found after a crash is *salvaged*: every packet
that still demuxes is copied into a clean file, which is then renamed the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from media.frames import Kind

logger = logging.getLogger(__name__)

MUX_OPTIONS = {"flush_packets": "1", "cluster_time_limit": "500"}
PART = ".part"
CHUNK = 1 << 20


def opus_head(channels: int = 2, pre_skip: int = 312) -> bytes:
    """RFC 7845 §5.1 identification header, the CodecPrivate a WebM Opus track must carry."""
    return b"OpusHead" + struct.pack("<BBHIhB", 1, channels, pre_skip, 48_000, 0, 0)


def vp8_size(keyframe: bytes) -> tuple[int, int] | None:
    """Width and height from a VP8 keyframe header (RFC 6386 §9.1), or None if it is not one."""
    if len(keyframe) < 10 or keyframe[0] & 1 or keyframe[3:6] != b"\x9d\x01\x2a":
        return None
    width, height = struct.unpack("<HH", keyframe[6:10])
    return width & 0x3FFF, height & 0x3FFF


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class SegmentWriter:
    """Mux one track's frames into ``final`` (via ``final.part``) until :meth:`finish`."""

    def __init__(self, final: Path, kind: Kind, *, first_keyframe: bytes | None = None,
                 part: Path | None = None) -> None:
        self.final = final
        self.part = part or final.with_name(final.name + PART)
        self.kind = kind
        self.frames = 0
        self.first_pts: int | None = None
        self.last_pts = 0
        self._payload = hashlib.sha256()
        self._container = av.open(str(self.part), "w", format="webm", options=dict(MUX_OPTIONS))
        stream: av.VideoStream | av.AudioStream
        if kind is Kind.VIDEO:
            video = self._container.add_stream("libvpx", rate=30)
            video.width, video.height = vp8_size(first_keyframe or b"") or (640, 360)
            stream = video
        else:
            audio = self._container.add_stream("libopus", rate=48_000)
            audio.codec_context.extradata = opus_head()
            stream = audio
        self._time_base = Fraction(1, kind.clock_rate)
        stream.time_base = self._time_base
        self._stream = stream

    def write(self, data: bytes, rtp_timestamp: int, keyframe: bool) -> None:
        """Mux one encoded frame; ``rtp_timestamp`` is relative to the track, unwrapped."""
        if self.first_pts is None:
            self.first_pts = rtp_timestamp
        pts = max(rtp_timestamp - self.first_pts, self.last_pts if self.frames else 0)
        packet = av.Packet(data)
        packet.pts = packet.dts = pts
        packet.time_base = self._time_base
        packet.stream = self._stream
        packet.is_keyframe = keyframe
        self._container.mux(packet)
        self._payload.update(data)
        self.frames += 1
        self.last_pts = pts

    @property
    def payload_sha256(self) -> str:
        """SHA-256 over the frames' bytes in order: what a sender can check end to end."""
        return self._payload.hexdigest()

    @property
    def duration_s(self) -> float:
        return (self.last_pts + frame_ticks(self.kind)) / self.kind.clock_rate if self.frames else 0.0

    def finish(self) -> None:
        """Close the muxer, fsync, and rename the part file to its final name."""
        self._container.close()
        with open(self.part, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(self.part, self.final)
        _fsync_dir(self.final.parent)

    def abandon(self) -> None:
        with contextlib.suppress(Exception):
            self._container.close()


def frame_ticks(kind: Kind) -> int:
    """One frame's length in clock ticks (30 fps video, 20 ms Opus), for the last frame's duration."""
    return 3000 if kind is Kind.VIDEO else 960


@dataclass(frozen=True)
class SegmentFacts:
    """What a segment file holds, read back from its bytes."""

    frames: int
    duration_s: float
    payload_sha256: str
    sha256: str
    size: int


def inspect(path: Path) -> SegmentFacts:
    """Demux ``path`` (no decoding) and recompute its frame count, duration and hashes."""
    payload = hashlib.sha256()
    frames = 0
    first: int | None = None
    last = 0
    tick = 0.0
    with av.open(str(path)) as container:
        stream = container.streams[0]
        kind = Kind.VIDEO if stream.type == "video" else Kind.AUDIO
        base = stream.time_base or Fraction(1, 1000)
        for packet in container.demux(stream):
            if packet.size == 0 or packet.pts is None:
                continue
            payload.update(bytes(packet))
            frames += 1
            first = packet.pts if first is None else first
            last = packet.pts
        tick = frame_ticks(kind) / kind.clock_rate
        duration = float((last - (first or 0)) * base) + tick if frames else 0.0
    return SegmentFacts(frames, round(duration, 3), payload.hexdigest(), file_sha256(path), path.stat().st_size)


def salvage(part: Path, final: Path, kind: Kind) -> SegmentFacts | None:
    """Copy every packet of a crashed ``part`` that still demuxes into a clean ``final``.

    Returns None when nothing was readable (the part file is then removed: it held no media).
    """
    packets: list[tuple[bytes, int, bool]] = []
    try:
        with av.open(str(part)) as container:
            stream = container.streams[0]
            base = stream.time_base or Fraction(1, 1000)
            try:
                for packet in container.demux(stream):
                    if packet.size and packet.pts is not None:
                        ticks = int(packet.pts * base * kind.clock_rate)
                        packets.append((bytes(packet), ticks, bool(packet.is_keyframe)))
            except av.error.FFmpegError as exc:
                logger.info("salvaging %s: stopped at a damaged cluster (%s)", part.name, exc)
    except (av.error.FFmpegError, OSError) as exc:
        logger.warning("salvaging %s: unreadable (%s)", part.name, exc)
    if not packets:
        part.unlink(missing_ok=True)
        return None
    first_key = next((data for data, _, key in packets if key), None)
    writer = SegmentWriter(final, kind, first_keyframe=first_key, part=final.with_name(final.name + ".salvage"))
    for data, ticks, keyframe in packets:
        writer.write(data, ticks, keyframe)
    writer.finish()
    part.unlink(missing_ok=True)
    return inspect(final)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
