"""A frozen viewer (its process stopped) neither grows the relay's memory nor delays other viewers."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import sys
from pathlib import Path

import psutil

from media.forwarding import AUDIO_QUEUE_FRAMES, VIDEO_QUEUE_FRAMES
from media.relay import Relay
from tests.media.media_peers import Peer

REPO = Path(__file__).resolve().parents[2]
H = "hearing-stall"


async def test_a_stalled_viewer_neither_grows_memory_nor_delays_the_others(relay: Relay) -> None:
    speaker, healthy = Peer("speaker"), Peer("healthy")
    await speaker.join(relay, H)
    await healthy.join(relay, H)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    viewer = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.media.viewer_process", "stalled", cwd=REPO, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    assert viewer.stdin is not None and viewer.stdout is not None
    try:
        offer = json.loads(await viewer.stdout.readline())["offer"]
        admission = await relay.admit(H, "stalled", may_publish=False, privileged=False, offer_sdp=offer)
        viewer.stdin.write((json.dumps({"answer": admission.answer_sdp}) + "\n").encode())
        await viewer.stdin.drain()
        while json.loads(await viewer.stdout.readline())["frames"] < 15:
            pass
        stalled = relay._hearings[H].participants["stalled"]
        process = psutil.Process()
        await asyncio.sleep(0.5)
        rss_before = process.memory_info().rss

        assert speaker.video is not None
        viewer.send_signal(signal.SIGSTOP)
        sent_from = speaker.video.seq
        await asyncio.sleep(4.0)
        sent_to = speaker.video.seq
        got = sorted(seq for f in healthy.frames_from(relay, H, "speaker")
                     if (stamped := f.stamp) is not None and sent_from <= (seq := stamped[1]) < sent_to)
        rss_growth = process.memory_info().rss - rss_before
        queued = [len(slot.video.queue) for slot in stalled.slots] + [len(slot.audio.queue) for slot in stalled.slots]

        assert max(queued[:2]) <= VIDEO_QUEUE_FRAMES and max(queued[2:]) <= AUDIO_QUEUE_FRAMES
        assert rss_growth < 20 * 1024 * 1024, f"relay process grew {rss_growth / 1e6:.1f} MB while a viewer stalled"
        # Counted in frames the speaker sent meanwhile, not seconds: a loaded machine slows both alike.
        sent = sent_to - sent_from
        assert sent > 30, "the speaker kept sending"
        assert len(got) >= 0.9 * sent, f"the healthy viewer got {len(got)} of {sent} frames while another stalled"
        assert got == sorted(set(got)), "no frame was delivered twice"
        worst_hole = max(b - a for a, b in itertools.pairwise([sent_from - 1, *got, sent_to]))
        assert worst_hole <= 8, f"the healthy viewer missed a run of {worst_hole - 1} consecutive frames"
    finally:
        viewer.send_signal(signal.SIGCONT)
        viewer.kill()
        await viewer.wait()
        await speaker.close()
        await healthy.close()
