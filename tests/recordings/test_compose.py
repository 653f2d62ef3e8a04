"""Composition of a synthetic sealed recording into one playable file, checked by decoding it back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from recordings.compose import COMPOSED, FPS, KEYFRAME_S, compose, grid
from recordings.segments import file_sha256
from tests.recordings.synthetic import Stretch, write_recording

PEOPLE = [("1", "Иванов И. И.", "judge"), ("2", "Alice", "plaintiff"), ("3", "Bob", "defendant")]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    directory = tmp_path_factory.mktemp("rec")
    manifest = write_recording(directory, PEOPLE, {
        "1": [Stretch(0, 6)],
        "2": [Stretch(0, 2, "muted"), Stretch(3, 6)],  # a gap 2..3 s
        "3": [Stretch(2.5, 6)],  # joins at 2.5 s
    }, seconds=6)
    return directory, manifest


def _tile_luma(frame: av.VideoFrame, index: int) -> float:
    cols, _, w, h = grid(len(PEOPLE), frame.width, frame.height)
    x, y = (index % cols) * w, (index // cols) * h
    luma = frame.to_ndarray()[: frame.height]
    return float(luma[y + h // 4:y + h // 3, x + w // 3:x + 2 * w // 3].mean())  # clear of bars and labels


def test_the_composed_file_plays_with_every_person_in_place_and_gaps_shown(
        recording: tuple[Path, dict[str, Any]]) -> None:
    directory, manifest = recording
    seen: list[float] = []
    composed = compose(directory, manifest, directory / COMPOSED, progress=seen.append)
    assert composed.file == COMPOSED and (directory / COMPOSED).is_file()
    assert composed.sha256 == file_sha256(directory / COMPOSED) and not list(directory.glob(".*"))
    assert seen[-1] == 100.0 and seen == sorted(seen)

    with av.open(str(directory / COMPOSED)) as container:
        assert container.format.name in ("matroska,webm", "webm")
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert video.codec_context.name == "vp8" and audio.codec_context.name == "opus"
        assert abs(float(container.duration or 0) / 1e6 - 6.0) < 0.2
        keyframes = [float(p.pts * p.time_base) for p in container.demux(video) if p.size and p.is_keyframe]
    assert keyframes[0] == 0.0 and max(np.diff(keyframes)) <= KEYFRAME_S + 0.01

    frames: dict[int, av.VideoFrame] = {}
    with av.open(str(directory / COMPOSED)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            assert (frame.width, frame.height) == (640, 360)
            frames[i] = frame
    assert len(frames) == 6 * FPS == composed.frames

    present = {0: 60, 1: 110, 2: 160}  # each person's own brightness
    at = {1.0: {0, 1}, 2.6: {0, 2}, 4.0: {0, 1, 2}}
    for t, who in at.items():
        frame = frames[round(t * FPS)]
        for index, luma in present.items():
            measured = _tile_luma(frame, index)
            if index in who:
                assert abs(measured - luma) < 12, (t, index, measured)
            else:  # the grey "absent" tile (luma 60), never the person's last picture
                assert abs(measured - 60) < 3, (t, index, measured)
    # Bob's absent tile at 1 s is not Alice's picture nor the judge's: grey with text
    assert abs(_tile_luma(frames[FPS], 2) - 60) < 3

    with av.open(str(directory / COMPOSED)) as container:
        chunks = [(float(f.time or 0), f.to_ndarray()) for f in container.decode(audio=0)]
    loud = [float(np.abs(samples).mean()) for t, samples in chunks if 0.5 < t < 5.5]
    assert min(loud) > 0.05  # float samples: the judge speaks throughout, the mix is never silent here


def test_a_composition_that_fails_midway_leaves_no_file(recording: tuple[Path, dict[str, Any]],
                                                         tmp_path: Path) -> None:
    directory, manifest = recording
    (directory / COMPOSED).unlink(missing_ok=True)

    def crash(percent: float) -> None:
        if percent > 40:
            raise RuntimeError("worker killed")

    staged = directory / f".{COMPOSED}.worker.staged"
    with pytest.raises(RuntimeError):
        compose(directory, manifest, staged, progress=crash)
    assert not (directory / COMPOSED).exists() and not staged.exists()


def test_a_recording_with_no_media_composes_to_labelled_tiles(tmp_path: Path) -> None:
    manifest = write_recording(tmp_path, PEOPLE[:2], {}, seconds=2)
    composed = compose(tmp_path, manifest, tmp_path / COMPOSED)
    with av.open(str(tmp_path / COMPOSED)) as container:
        count = sum(1 for _ in container.decode(video=0))
    with av.open(str(tmp_path / COMPOSED)) as container:
        peak = max(float(np.abs(f.to_ndarray()).max()) for f in container.decode(audio=0))
    assert count == composed.frames == 2 * FPS
    assert peak < 0.001  # nothing was recorded: silence, not invented sound
