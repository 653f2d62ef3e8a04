"""The hearing record: one WebM (VP8 + Opus) a person can play, composed from the sealed segments.

Every participant of the hearing gets a tile in a grid, in the manifest's order; each tile is
labelled with the person's name and role, in the hearing's language (its minutes'). Time runs from
the manifest's ``started_at`` to its ``ended_at`` (court time, shown as a clock in the corner): at
each output instant a tile shows the video frame of that person's segment covering the instant,
placed by the segment's anchored ``start`` — or, where no segment covers it, a grey tile that
*says* why (not joined yet, camera muted, hearing paused, recording paused, left): never a frozen
picture. Audio is every person's Opus decoded, placed at its anchor and mixed (clipped to 16 bits);
a gap is silence, and the tile says so.

Output: WebM VP8 + Opus, because browsers (Chromium, Firefox, Safari ≥ 14.1) play it natively and
both encoders ship in the ``av`` wheel; H.264 (libx264) is in the wheel too, but its licence
(GPL) and the patent pool make VP8 the safer default for a public court. Keyframe every 2 s
(seeking lands within 2 s), 15 frames per second (a courtroom is talk, not sport; it halves
the encoder's work).

The file is written to a name the caller chooses (the composition worker stages it under a name of
its own, see :class:`recordings.seal.Staged`) and fsynced; the caller puts it in place as
``composed.webm`` only once it holds the job, so a crash or a worker that lost its job mid-composition
never leaves or replaces a ``composed.webm``; composing again simply starts over.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from recordings.segments import file_sha256
from sessions.hearings import HearingRole
from sessions.labels import Language, role_label

logger = logging.getLogger(__name__)

COMPOSED = "composed.webm"
FPS = 15
KEYFRAME_S = 2
RATE = 48_000
AUDIO_FRAME = 960
GAP_TEXT: Mapping[str, Mapping[str | None, str]] = {
    "ru": {None: "не подключился", "muted": "камера выключена", "hearing_paused": "перерыв в заседании",
           "recording_paused": "запись приостановлена", "reconnected": "переподключение",
           "left": "покинул заседание", "no_video": "нет видео"},
    "kk": {None: "қосылмаған", "muted": "камера өшірулі", "hearing_paused": "отырыста үзіліс",
           "recording_paused": "жазба тоқтатылды", "reconnected": "қайта қосылуда",
           "left": "отырыстан шықты", "no_video": "бейне жоқ"},
    "en": {None: "not connected", "muted": "camera off", "hearing_paused": "recess",
           "recording_paused": "recording paused", "reconnected": "reconnecting",
           "left": "left the hearing", "no_video": "no video"},
}
"""What a grey tile says, in the hearing's language (the language of its minutes)."""
FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf",
              "/Library/Fonts/Arial Unicode.ttf")


@dataclass(frozen=True)
class Composed:
    file: str
    sha256: str
    size: int
    duration_s: float
    frames: int
    width: int
    height: int
    codec: str = "vp8+opus"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "sha256": self.sha256, "size": self.size, "duration_s": self.duration_s,
                "frames": self.frames, "width": self.width, "height": self.height, "codec": self.codec,
                "fps": FPS, "keyframe_interval_s": KEYFRAME_S}


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in FONT_FILES:
        if os.path.exists(name):
            return ImageFont.truetype(name, size)
    return ImageFont.load_default(size)


@lru_cache(maxsize=512)
def text_mask(text: str, size: int) -> np.ndarray:
    """A boolean mask of ``text`` drawn at ``size`` pixels (cached: labels repeat every frame)."""
    font = _font(size)
    left, top, right, bottom = (int(v) for v in font.getbbox(text))
    image = Image.new("L", (max(1, right - left + 2), max(1, bottom - top + 2)))
    ImageDraw.Draw(image).text((1 - left, 1 - top), text, fill=255, font=font)
    mask: np.ndarray = np.asarray(image) > 96
    return mask


def grid(count: int, width: int, height: int) -> tuple[int, int, int, int]:
    """Columns, rows, and an even tile size (height a multiple of 4 for the chroma planes)."""
    cols = max(1, math.ceil(math.sqrt(count)))
    rows = max(1, math.ceil(count / cols))
    return cols, rows, (width // cols) & ~1, (height // rows) & ~3


class Canvas:
    """A YUV 4:2:0 picture drawn on with numpy."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.y = np.full((height, width), 16, np.uint8)
        self.u = np.full((height // 2, width // 2), 128, np.uint8)
        self.v = np.full((height // 2, width // 2), 128, np.uint8)

    def fill(self, x: int, y: int, w: int, h: int, luma: int) -> None:
        self.y[y:y + h, x:x + w] = luma
        self.u[y // 2:(y + h) // 2, x // 2:(x + w) // 2] = 128
        self.v[y // 2:(y + h) // 2, x // 2:(x + w) // 2] = 128

    def paste(self, x: int, y: int, frame: av.VideoFrame, w: int, h: int) -> None:
        planes = frame.reformat(w, h, "yuv420p").to_ndarray()
        self.y[y:y + h, x:x + w] = planes[:h]
        quarter = h // 4
        self.u[y // 2:y // 2 + h // 2, x // 2:x // 2 + w // 2] = planes[h:h + quarter].reshape(h // 2, w // 2)
        self.v[y // 2:y // 2 + h // 2, x // 2:x // 2 + w // 2] = planes[h + quarter:h + 2 * quarter].reshape(
            h // 2, w // 2)

    def text(self, x: int, y: int, text: str, size: int, max_width: int) -> None:
        """White text on a dark band, clipped to ``max_width``."""
        mask = text_mask(text, size)[:, :max(1, max_width - 4)]
        mh, mw = mask.shape
        mh, mw = min(mh, self.height - y - 2), min(mw, self.width - x - 4)
        if mh <= 0 or mw <= 0:
            return
        self.fill(x, y, (mw + 4) & ~1, (mh + 2) & ~1, 24)
        region = self.y[y + 1:y + 1 + mh, x + 2:x + 2 + mw]
        region[mask[:mh, :mw]] = 235

    def frame(self) -> av.VideoFrame:
        data = np.concatenate([self.y, self.u.reshape(-1, self.width), self.v.reshape(-1, self.width)])
        return av.VideoFrame.from_ndarray(data, format="yuv420p")


@dataclass(frozen=True)
class Piece:
    """One segment placed on the hearing's time line (seconds from ``started_at``)."""

    path: Path
    start: float
    end: float
    end_reason: str


class VideoTrack:
    """A person's video over time: the frame showing at ``t``, or None in a gap."""

    def __init__(self, pieces: Sequence[Piece]) -> None:
        self.pieces = sorted(pieces, key=lambda p: p.start)
        self._index = -1
        self._frames: Iterator[tuple[float, av.VideoFrame]] | None = None
        self._container: Any = None
        self._current: tuple[float, av.VideoFrame] | None = None
        self._next: tuple[float, av.VideoFrame] | None = None

    def _open(self, index: int) -> None:
        self.close()
        self._index = index
        piece = self.pieces[index]
        self._container = av.open(str(piece.path))
        stream = self._container.streams.video[0]
        stream.thread_type = "AUTO"

        def frames() -> Iterator[tuple[float, av.VideoFrame]]:
            first: float | None = None
            for frame in self._container.decode(stream):
                if frame.time is None:
                    continue
                first = frame.time if first is None else first
                yield piece.start + frame.time - first, frame

        self._frames = frames()
        self._current = self._next = None

    def at(self, t: float) -> av.VideoFrame | None:
        index = next((i for i, p in enumerate(self.pieces) if p.start <= t < p.end), None)
        if index is None:
            return None
        if index != self._index:
            self._open(index)
        assert self._frames is not None
        while True:
            if self._next is None:
                self._next = next(self._frames, None)
                if self._next is None:
                    break
            if self._next[0] > t and self._current is not None:
                break
            self._current, self._next = self._next, None
        return None if self._current is None else self._current[1]

    def gap_reason(self, t: float) -> str | None:
        before = [p for p in self.pieces if p.end <= t]
        return before[-1].end_reason if before else None

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container = self._frames = None


class AudioTrack:
    """A person's audio as 48 kHz stereo samples placed at the segments' anchors."""

    def __init__(self, pieces: Sequence[Piece]) -> None:
        self.pieces = sorted(pieces, key=lambda p: p.start)
        self._index = 0
        self._buffer = np.zeros((0, 2), np.int16)
        self._buffer_at = 0
        self._source: Iterator[np.ndarray] | None = None
        self._container: Any = None

    def _decode(self, piece: Piece) -> Iterator[np.ndarray]:
        self._container = av.open(str(piece.path))
        resampler = av.AudioResampler(format="s16", layout="stereo", rate=RATE)
        for frame in self._container.decode(audio=0):
            for out in resampler.resample(frame):
                yield out.to_ndarray().reshape(-1, 2)
        for out in resampler.resample(None):
            yield out.to_ndarray().reshape(-1, 2)
        self._container.close()
        self._container = None

    def take(self, start: int, count: int) -> np.ndarray:
        """Samples ``[start, start + count)`` of this person (zeros where nothing was recorded)."""
        out = np.zeros((count, 2), np.int32)
        end = start + count
        while self._index < len(self.pieces):
            piece = self.pieces[self._index]
            if self._source is None:
                if round(piece.start * RATE) >= end:
                    break
                self._source = self._decode(piece)
                self._buffer, self._buffer_at = np.zeros((0, 2), np.int16), round(piece.start * RATE)
            while self._buffer_at + len(self._buffer) < end:
                chunk = next(self._source, None)
                if chunk is None:
                    break
                self._buffer = np.concatenate([self._buffer, chunk])
            lo, hi = max(start, self._buffer_at), min(end, self._buffer_at + len(self._buffer))
            if hi > lo:
                out[lo - start:hi - start] += self._buffer[lo - self._buffer_at:hi - self._buffer_at]
            drop = max(0, min(len(self._buffer), end - self._buffer_at))
            self._buffer, self._buffer_at = self._buffer[drop:], self._buffer_at + drop
            if len(self._buffer) == 0 and self._buffer_at + len(self._buffer) < end:
                self._source, self._index = None, self._index + 1  # this segment is spent
                continue
            break
        return out


def _pieces(directory: Path, manifest: Mapping[str, Any], started: datetime, who: str, kind: str) -> list[Piece]:
    out = []
    for s in manifest.get("segments", []):
        if s["participant"] == who and s["kind"] == kind and (directory / s["file"]).exists():
            start = (datetime.fromisoformat(s["start"]) - started).total_seconds()
            out.append(Piece(directory / s["file"], start, start + float(s["duration_s"]), s["end_reason"]))
    return out


def hearing_language(manifest: Mapping[str, Any]) -> Language:
    """The hearing's language, as its minutes were written in (Russian for a record without minutes)."""
    minutes = manifest.get("minutes") or {}
    try:
        return Language(minutes.get("language") or Language.RU.value)
    except ValueError:
        return Language.RU


def tile_label(person: Mapping[str, Any], language: Language) -> str:
    role = str(person.get("role", ""))
    try:
        said = role_label(HearingRole(role), language)
    except ValueError:
        said = role
    return f"{person.get('name', '')} — {said}"


def leftovers(directory: Path) -> list[Path]:
    """Files of compositions that never finished: a worker that crashed, or lost its job to another."""
    return sorted(directory.glob(f".{COMPOSED}.*"))


def gap_text(reason: str | None, language: Language) -> str:
    words = GAP_TEXT[language.value]
    if reason is not None and reason.startswith("left:"):
        return words["left"]
    return words.get(reason, words["no_video"])


def compose(directory: Path, manifest: Mapping[str, Any], output: Path, *, width: int = 640, height: int = 360,
            progress: Callable[[float], None] | None = None) -> Composed:
    """Compose into ``output`` (fsynced) the record of the sealed recording in ``directory``; its facts
    name it ``composed.webm``, where the caller puts it. A failure removes what was written."""
    language = hearing_language(manifest)
    started = datetime.fromisoformat(manifest["started_at"])
    ended = datetime.fromisoformat(manifest["ended_at"])
    duration = max(0.0, (ended - started).total_seconds())
    people = [p for p in manifest.get("participants", [])
              if any(s["participant"] == p["id"] for s in manifest.get("segments", []))] \
        or list(manifest.get("participants", []))
    videos = [VideoTrack(_pieces(directory, manifest, started, p["id"], "video")) for p in people]
    audios = [AudioTrack(_pieces(directory, manifest, started, p["id"], "audio")) for p in people]
    pauses = [((datetime.fromisoformat(p["from"]) - started).total_seconds(),
               (datetime.fromisoformat(p["to"]) - started).total_seconds() if p.get("to") else duration)
              for p in manifest.get("recording_pauses", [])]
    cols, _, tile_w, tile_h = grid(len(people), width, height)
    label_size = max(10, tile_h // 12)
    total = max(1, round(duration * FPS))  # at least one picture: a muxer with no packet writes no file
    container = av.open(str(output), "w", format="webm")
    try:
        video = container.add_stream("libvpx", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.gop_size = FPS * KEYFRAME_S
        video.bit_rate = 900_000
        video.codec_context.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0"}
        audio = container.add_stream("libopus", rate=RATE)
        audio.layout, audio.format = "stereo", "s16"  # type: ignore[union-attr]
        audio.bit_rate = 64_000
        emitted = 0
        for i in range(total):
            t = i / FPS
            canvas = Canvas(width, height)
            for n, (person, track) in enumerate(zip(people, videos, strict=True)):
                x, y = (n % cols) * tile_w, (n // cols) * tile_h
                frame = track.at(t)
                if frame is not None:
                    canvas.paste(x, y, frame, tile_w, tile_h)
                else:
                    canvas.fill(x + 2, y + 2, tile_w - 4, tile_h - 4, 60)
                    paused = any(a <= t < b for a, b in pauses)
                    reason = "recording_paused" if paused else track.gap_reason(t)
                    canvas.text(x + 8, y + tile_h // 2 - label_size, gap_text(reason, language), label_size,
                                tile_w - 16)
                canvas.text(x + 4, y + tile_h - label_size - 8, tile_label(person, language), label_size, tile_w - 8)
            clock = (started.timestamp() + t)
            stamp = datetime.fromtimestamp(clock, started.tzinfo).strftime("%d.%m.%Y %H:%M:%S")
            canvas.text(width - label_size * 12, 2, stamp, label_size, label_size * 12)
            out = canvas.frame()
            out.pts, out.time_base = i, Fraction(1, FPS)
            for packet in video.encode(out):
                container.mux(packet)
            target = (i + 1) * RATE // FPS
            while emitted + AUDIO_FRAME <= target:
                mixed = sum((a.take(emitted, AUDIO_FRAME) for a in audios), np.zeros((AUDIO_FRAME, 2), np.int32))
                samples = np.clip(mixed, -32768, 32767).astype(np.int16).reshape(1, -1)
                chunk = av.AudioFrame.from_ndarray(samples, format="s16", layout="stereo")
                chunk.sample_rate, chunk.pts, chunk.time_base = RATE, emitted, Fraction(1, RATE)
                for packet in audio.encode(chunk):
                    container.mux(packet)
                emitted += AUDIO_FRAME
            if progress is not None and (i % FPS == 0 or i == total - 1):
                progress(100.0 * (i + 1) / total)
        for packet in video.encode(None):
            container.mux(packet)
        for packet in audio.encode(None):
            container.mux(packet)
    except BaseException:
        container.close()
        output.unlink(missing_ok=True)
        raise
    finally:
        for track in videos:
            track.close()
    container.close()
    with open(output, "rb+") as handle:
        os.fsync(handle.fileno())
    size = output.stat().st_size
    logger.info("composed %s: %d frames, %.1f s, %d bytes", output, total, duration, size)
    return Composed(COMPOSED, file_sha256(output), size, round(total / FPS, 3), total, width, height)
