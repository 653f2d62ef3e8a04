"""Benchmark: the court recorder's cost and losses, side by side with the bare relay.

1. The relay bench's K=12 load (bench/relay.py: 12 participants publishing VP8 640×360 30 fps +
   Opus, each receiving all others) against the passthrough relay, then against the same relay with
   the recorder on a lossless tap (``parts/relay_servers.py recorded``). For the recorder we report the
   event-loop thread's CPU spent writing frames per recorded track (24 tracks: 12 video, 12 audio)
   and the frames it lost: frames the relay received minus frames the recorder received (minus
   any still queued in the tap when the run stopped). The per-track figure is the measured CPU per
   frame at the tracks' full rates, so a host too busy to deliver the whole load (the relay's
   "delivered" column says how much arrived) still reports the whole load's cost.
2. SIGKILL: a child process records paced synthetic VP8/Opus for several seconds and is killed
   with SIGKILL; its part files are salvaged and the media recovered is compared with the time
   streamed — what a crash loses.
3. Composition (recordings/compose.py): a synthetic 4-party, 60 s, 640×360 30 fps recording (real
   VP8/Opus segments written by the recorder's SegmentWriter) is composed by a child process pinned
   to one core; ``compose_speed_x`` is media seconds per CPU second of that child (user + system,
   so other load on the shared host does not count against it); the wall-clock speed on the pinned
   core is printed beside it.

Run: ``.venv/bin/python bench/compose.py`` (``--duration 12``; ``--compose-only`` for part 3 alone).
Ends with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

K = 12


def relay_runs(duration: float, procs: int) -> tuple[dict[str, Any], dict[str, Any]]:
    sys.path.insert(0, str(REPO / "bench"))
    import relay as relay_bench  # bench/relay.py

    plain = relay_bench.run_one("passthrough", K, duration, procs, "count")
    recorded = relay_bench.run_one("recorded", K, duration, procs, "count")
    return plain, recorded


def child_record(directory: Path, seconds: float) -> None:
    """Record one participant's paced synthetic audio+video until killed (the SIGKILL child)."""
    from core.clock import SystemClock
    from media.frames import EncodedFrame, Kind
    from recordings.capture import HearingRecorder
    from tests.media.media_peers import OPUS_FRAMES, VP8_GOP

    recorder = HearingRecorder(directory, SystemClock())
    anchor = datetime.now(UTC)
    start = time.monotonic()
    video = audio = 0
    print("STARTED", anchor.isoformat(), flush=True)
    while time.monotonic() - start < seconds:
        now = time.monotonic() - start
        while video / 30 <= now:
            data = VP8_GOP[video % len(VP8_GOP)]
            recorder.on_frame(EncodedFrame("p/video", "p", Kind.VIDEO, video * 3000, 90_000, anchor,
                                           data[0] & 1 == 0, data, False))
            video += 1
        while audio / 50 <= now:
            recorder.on_frame(EncodedFrame("p/audio", "p", Kind.AUDIO, audio * 960, 48_000, anchor, True,
                                           OPUS_FRAMES[audio % len(OPUS_FRAMES)], False))
            audio += 1
        time.sleep(0.005)
    print("DONE", flush=True)
    time.sleep(60)


def sigkill_loss(stream_s: float) -> dict[str, float]:
    from recordings.seal import read_journal, segment_facts

    directory = Path(tempfile.mkdtemp(prefix="bench-sigkill-")) / "rec"
    child = subprocess.Popen([sys.executable, __file__, "--child-record", str(directory), "--seconds", "600"],
                             stdout=subprocess.PIPE, cwd=REPO, text=True)
    assert child.stdout is not None
    line = child.stdout.readline().split()
    assert line and line[0] == "STARTED", line
    anchor = datetime.fromisoformat(line[1])
    time.sleep(stream_s)
    child.send_signal(signal.SIGKILL)
    killed = datetime.now(UTC)
    child.wait()
    facts = segment_facts(directory, read_journal(directory))
    streamed = (killed - anchor).total_seconds()
    return {name: round(streamed - fact.duration_s, 3) for name, fact in facts.items() if fact is not None}


def child_compose(directory: Path) -> None:
    """Compose DIR on one core and print the CPU and wall seconds it took (the composition child)."""
    import os
    import resource

    from recordings.compose import COMPOSED, compose

    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    manifest = json.loads((directory / "manifest.json").read_text())
    wall = time.monotonic()
    composed = compose(directory, manifest, directory / COMPOSED)
    wall = time.monotonic() - wall
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall, "media_s": composed.duration_s,
                      "size": composed.size, "frames": composed.frames}))


def compose_speed(seconds: float = 60.0) -> dict[str, float]:
    from tests.recordings.synthetic import Stretch, write_recording

    people = [(str(n), f"Participant {n}", role) for n, role in
              enumerate(("judge", "plaintiff", "defendant", "lawyer"), start=1)]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        manifest = write_recording(directory, people, {who: [Stretch(0, seconds)] for who, _, _ in people},
                                   seconds=seconds, width=640, height=360)
        (directory / "manifest.json").write_text(json.dumps(manifest))
        out = subprocess.run([sys.executable, __file__, "--child-compose", str(directory)], check=True,
                             capture_output=True, text=True, cwd=REPO).stdout
    facts: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=12.0)
    parser.add_argument("--procs", type=int, default=3)
    parser.add_argument("--sigkill-after", type=float, default=6.0)
    parser.add_argument("--compose-only", action="store_true", help="measure the composition alone")
    parser.add_argument("--child-record", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-compose", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=600, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_record:
        child_record(args.child_record, args.seconds)
        return
    if args.child_compose:
        child_compose(args.child_compose)
        return
    facts = compose_speed()
    speed = facts["media_s"] / facts["cpu_s"]
    print(f"composition of 4 parties x 60 s 640x360 30 fps -> {facts['frames']:.0f} frames 640x360 15 fps "
          f"VP8+Opus ({facts['size'] / 1e6:.1f} MB): {facts['cpu_s']:.1f} CPU s = {speed:.2f}x real time per core; "
          f"{facts['wall_s']:.1f} s wall on the pinned (shared) core = {facts['media_s'] / facts['wall_s']:.2f}x")
    composition = {"name": "compose_speed_x", "value": round(speed, 2), "unit": "x real time (one core)",
                   "target": ">= 3", "met": speed >= 3}
    if args.compose_only:
        print(json.dumps({"results": [composition]}))
        return

    losses = [sigkill_loss(args.sigkill_after) for _ in range(3)]
    worst_loss = max(v for run in losses for v in run.values())
    plain, recorded = relay_runs(args.duration, args.procs)
    counters = recorded["relay_counters"]
    seconds = args.duration
    tracks = 2 * K
    measured_pct = counters["recorder_cpu_s"] / seconds / tracks * 100
    per_frame_s = counters["recorder_cpu_s"] / max(counters["recorder_received"], 1)
    # Per track at the tracks' full rates (video 30 fps, audio 50 fps: 40 frames/s a track on average),
    # so a host too busy to deliver the whole load still gives the cost of the whole load.
    recorder_pct = per_frame_s * (30 + 50) / 2 * 100
    lost = counters["all_in"] - counters["recorder_received"] - counters.get("tap_backlog", 0)
    # Counters are differences over the measured window: what arrived = what the recorder took + backlog growth.
    print(f"{'K=12':>28} | {'relay alone':>12} | {'relay + recorder':>16}")
    print(f"{'relay cores':>28} | {plain['cores']:12.3f} | {recorded['cores']:16.3f}")
    print(f"{'frames delivered to viewers':>28} | {plain['delivered']:12.1%} | {recorded['delivered']:16.1%}")
    print(f"{'us CPU per forwarded frame':>28} | {plain['us_per_frame'] or 0:12.1f} | "
          f"{recorded['us_per_frame'] or 0:16.1f}")
    print(f"recorder: {counters['recorder_written']} frames written of {counters['recorder_received']} received "
          f"({counters['recorder_waited']} waited for a keyframe) of {counters['all_in']} the relay received; "
          f"tap dropped {counters['tap_dropped']}, peak backlog {counters['tap_peak']}")
    print(f"recorder CPU: {counters['recorder_cpu_s']:.3f} s over {seconds:.0f} s for {tracks} tracks = "
          f"{measured_pct:.3f} % of a core per track as delivered; {per_frame_s * 1e6:.1f} us per frame = "
          f"{recorder_pct:.3f} % per track at full rate (30 fps video, 50 fps audio)")
    print(f"SIGKILL after {args.sigkill_after:.0f} s of recording, media lost per track (3 runs): {losses}")
    results = [
        composition,
        {"name": "recorder_cpu_pct_per_track", "value": round(recorder_pct, 4), "unit": "% of a core",
         "target": "< 0.5 at K=12", "met": recorder_pct < 0.5},
        {"name": "recorder_frames_lost", "value": lost, "unit": "frames", "target": "0", "met": lost == 0},
        {"name": "sigkill_media_lost_s", "value": worst_loss, "unit": "s", "target": "<= 1", "met": worst_loss <= 1},
    ]
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
