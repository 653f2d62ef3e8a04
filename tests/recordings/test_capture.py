"""Capture: aiortc publishers through the real relay, the recorder on its lossless tap, WebM segments.

Every frame a publisher sent after the recording began is in the files byte for byte (the synthetic
VP8 frames carry their sender and sequence number, so each recorded frame is matched with the exact
bytes sent); mute, recording pause and reconnect each end a segment, and nothing stands in a gap.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from pathlib import Path

import av

from core.clock import SystemClock
from media.controls import Control
from media.relay import Relay
from recordings.capture import HearingRecorder, Journal
from recordings.segments import inspect
from tests.media.media_peers import Peer, SyntheticVideo, read_stamp, wait_for

H = "501"


class LoggingVideo(SyntheticVideo):
    """A synthetic camera that remembers the exact bytes of every frame it sent, by sequence number."""

    def __init__(self, sender: str) -> None:
        super().__init__(sender)
        self.sent: dict[int, bytes] = {}

    async def recv(self) -> av.Packet:  # type: ignore[override]
        packet = await super().recv()
        self.sent[self.seq - 1] = bytes(packet)
        return packet


class LoggingPeer(Peer):
    def __init__(self, name: str) -> None:
        super().__init__(name, slots=1)

    def _swap_video(self) -> LoggingVideo:
        video = LoggingVideo(self.name)
        for transceiver in self.pc.getTransceivers():
            if transceiver.sender.track is self.video:
                transceiver.sender.replaceTrack(video)
        self.video = video
        return video


def packets(path: Path) -> list[bytes]:
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(container.streams[0]) if p.size]


async def test_recorded_frames_are_the_bytes_sent_and_gaps_are_segments(relay: Relay, tmp_path: Path) -> None:
    alice = LoggingPeer("alice")
    camera = alice._swap_video()
    bob = Peer("bob", slots=1)
    recorder = HearingRecorder(tmp_path / "rec", SystemClock())
    tap = relay.subscribe_tap(H, lossless=True)
    consumer = asyncio.create_task(recorder.consume(tap))
    try:
        await alice.join(relay, H)
        await bob.join(relay, H)
        await wait_for(lambda: recorder.counters.written > 60, within=20)
        await asyncio.sleep(2.0)

        recorder.pause("judge", "a minor's testimony")
        await asyncio.sleep(0.5)
        recorder.resume("judge")
        await wait_for(lambda: len(recorder._open) >= 3, within=10)
        await asyncio.sleep(1.0)

        await relay.apply_control(H, "bob", Control.MUTE_AUDIO)
        await asyncio.sleep(0.5)
        await relay.apply_control(H, "bob", Control.UNMUTE_AUDIO)
        await asyncio.sleep(1.0)
    finally:
        await relay.close_hearing(H)
        await consumer
        recorder.close()
        await alice.close()
        await bob.close()

    files = sorted(p.name for p in (tmp_path / "rec").iterdir())
    assert not [f for f in files if f.endswith(".part")], files
    alice_video = sorted(f for f in files if f.startswith("alice-video"))
    assert len(alice_video) == 2, files  # before and after the recording pause
    bob_audio = sorted(f for f in files if f.startswith("bob-audio"))
    assert len(bob_audio) == 3, files  # before the pause, until the mute, after the unmute

    for name in alice_video:
        recorded = packets(tmp_path / "rec" / name)
        seqs = []
        for data in recorded:
            stamp = read_stamp(data)
            assert stamp is not None and stamp[0] == "alice"
            assert data == camera.sent[stamp[1]], f"frame {stamp[1]} differs from what was sent"
            seqs.append(stamp[1])
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "a frame is missing inside a segment"
        sent_hash = hashlib.sha256(b"".join(camera.sent[s] for s in seqs)).hexdigest()
        assert inspect(tmp_path / "rec" / name).payload_sha256 == sent_hash
        assert recorded[0][0] & 1 == 0, "a video segment starts on a keyframe"
    assert tap.dropped == 0
    assert recorder.counters.written > 200


async def test_a_reconnect_opens_a_new_segment(relay: Relay, tmp_path: Path) -> None:
    recorder = HearingRecorder(tmp_path / "rec", SystemClock())
    tap = relay.subscribe_tap(H, lossless=True)
    consumer = asyncio.create_task(recorder.consume(tap))
    first = Peer("carol", slots=1)
    second = Peer("carol", slots=1)
    try:
        await first.join(relay, H)
        await wait_for(lambda: recorder.counters.written > 30, within=20)
        await second.join(relay, H)  # the same person from a reloaded page replaces the old session
        await wait_for(lambda: recorder.counters.numbers.get("carol-video", 0) >= 2, within=20)
        await asyncio.sleep(0.5)
    finally:
        await relay.close_hearing(H)
        await consumer
        recorder.close()
        await first.close()
        await second.close()
    names = sorted(p.name for p in (tmp_path / "rec").iterdir() if p.name.startswith("carol-video"))
    assert names == ["carol-video-001.webm", "carol-video-002.webm"]
    journal = Journal.read(tmp_path / "rec" / "journal.jsonl")
    closes = {e["file"]: e["reason"] for e in journal if e["op"] == "close"}
    opens = {e["file"]: datetime.fromisoformat(e["start"]) for e in journal if e["op"] == "open"}
    # The relay ends the old session (media stops), then the new one starts with a new anchor; the
    # manifest names it a reconnect from the relay's "replaced" (tests/recordings/test_manifest.py).
    assert closes["carol-video-001.webm"] in ("stopped", "reconnected")
    anchors = [e["anchor"] for e in journal if e["op"] == "open" and e["file"].startswith("carol-video")]
    assert anchors[0] != anchors[1]
    assert opens["carol-video-002.webm"] > opens["carol-video-001.webm"]
    assert inspect(tmp_path / "rec" / names[1]).frames > 0
