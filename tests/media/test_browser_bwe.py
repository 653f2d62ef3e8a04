"""Chromium's own bandwidth estimate, fed by the relay's transport-cc feedback, in shaped namespaces.

Each test builds its own network (tests/media/netlab.py) and runs Debian's Chromium through
Playwright (tests/media/browser_lab.py), every participant publishing a generated hard 640×360
clip. The machine is shared and noisy, so these assert behaviour within generous bounds; the
tight figures (time to 600 kbps, to full resolution, against Janus and a direct call) are
measured by bench/bwe.py.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from media.downlink import FLOOR_BPS
from tests.conftest import require
from tests.media.browser_lab import BrowserLab, Sampler, unavailable_reason

pytestmark = [pytest.mark.chromium, pytest.mark.timeout(240)]


@pytest.fixture
def lab_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = unavailable_reason()
    require(reason is None, reason or "")
    return tmp_path_factory.getbasetemp()


@pytest.fixture
async def lab(lab_dir: Path) -> AsyncIterator[BrowserLab]:
    async with BrowserLab(lab_dir) as running:
        yield running


async def _join_all(lab: BrowserLab, names: list[str], slots: int, **shaping: dict[str, int]) -> None:
    """``names[0]`` publishes; the others only watch (one encoder keeps a shared 2-core host honest)."""
    for name in names:
        await lab.open(name, **shaping.get(name, {}))
    for index, name in enumerate(names):
        publish = "true" if index == 0 else "false"
        await lab.pages[name].evaluate(f"lab.joinRelay('{name}', {publish}, {slots})")


def _sustained(flags: list[bool], run: int = 3) -> bool:
    streak = 0
    for flag in flags:
        streak = streak + 1 if flag else 0
        if streak >= run:
            return True
    return False


async def test_unconstrained_link_reaches_full_resolution_and_chromium_trusts_the_feedback(lab: BrowserLab) -> None:
    await _join_all(lab, ["a", "b"], slots=1)
    samplers = {"a": Sampler("a"), "b": Sampler("b")}
    await lab.sample_for(20, samplers)
    seen = samplers["b"].inbound_video()
    full = [i + 1 for i, s in enumerate(seen) if s["width"] >= 640 and s["fps"] >= 25]
    estimates = [row["estimate_kbps"] for row in samplers["a"].rows]
    print(f"b decodes a at 640x360 >=25 fps from second {full[:1]}; a's estimate per second {estimates}")
    assert full, f"the viewer never decoded 640x360 at 25 fps: {seen}"
    assert full[0] <= 15
    # Chromium's send-side estimate rose above what REMB alone allowed in the first seconds (~300 kbps)
    assert max(estimates[:10]) >= 600
    stats = await lab.relay_stats()
    assert stats["a"]["transport_cc_feedback"] > 50


async def test_publisher_on_a_500_kbps_uplink_settles_under_the_cap_without_sustained_loss(lab: BrowserLab) -> None:
    await _join_all(lab, ["a", "b"], slots=1, a={"up_kbps": 500})
    samplers = {"a": Sampler("a"), "b": Sampler("b")}
    uplink: list[tuple[int, int]] = []  # the relay's receivers: (received, lost) from a, cumulative

    async def relay_side(second: int) -> None:
        stats = (await lab.relay_stats())["a"]
        uplink.append((stats["packets_received"], stats["packets_lost"]))

    await lab.sample_for(22, samplers, relay_side)
    losses = []
    for (got0, lost0), (got1, lost1) in itertools.pairwise(uplink[9:]):
        got, lost = got1 - got0, max(lost1 - lost0, 0)
        losses.append(round(lost / (got + lost), 3) if got + lost else 0.0)
    estimates = [row["estimate_kbps"] for row in samplers["a"].rows[10:]]
    sent = [row["out_kbps"] for row in samplers["a"].rows[10:]]
    late = samplers["b"].inbound_video()[10:]
    print(f"after 10 s: uplink loss per second {losses}; estimate {estimates}; video sent {sent}")
    assert not _sustained([loss > 0.02 for loss in losses]), losses
    assert 0 < statistics.median(estimates) <= 550
    assert statistics.median(sent) <= 550
    assert all(s["frames"] > 0 for s in late)  # video kept flowing to the viewer


def _audio_flowing(sampler: Sampler) -> list[int]:
    packets = [sum(s["packets"] for s in row) for row in sampler.inbound("audio")]
    return [b - a for a, b in itertools.pairwise(packets)]


async def test_one_viewer_on_a_300_kbps_downlink_keeps_audio_and_some_video_and_spoils_nobody(lab: BrowserLab) -> None:
    await _join_all(lab, ["a", "b", "weak"], slots=1, weak={"down_kbps": 300})
    samplers = {name: Sampler(name) for name in ("a", "b", "weak")}
    caps: list[float] = []

    async def relay_side(second: int) -> None:
        caps.append((await lab.relay_stats())["a"]["publisher_cap_bps"])

    await lab.sample_for(30, samplers, relay_side)
    late = slice(12, None)
    b_video = samplers["b"].inbound_video()[late]
    a_sent = [row["out_kbps"] for row in samplers["a"].rows[late]]
    weak_frames = [sum(s["frames"] for s in row) for row in samplers["weak"].inbound("video")]
    weak_audio = _audio_flowing(samplers["weak"])[late]
    stats = await lab.relay_stats()
    sharp = [s["kbps"] >= 600 and s["width"] >= 640 for s in b_video]
    a_fps = [r["out_fps"] for r in samplers["a"].rows[late]]
    print(f"b gets a at {[round(s['kbps']) for s in b_video]} kbps, widths {[s['width'] for s in b_video]}; "
          f"a sends {[round(k) for k in a_sent]} at fps {a_fps}, estimate "
          f"{[round(r['estimate_kbps']) for r in samplers['a'].rows[late]]}; "
          f"caps sent to a {sorted(set(caps))}; weak decoded {weak_frames[-1]} video frames, audio packets/s "
          f"{weak_audio}; weak thinned {stats['weak']['video_frames_thinned']} frames")
    # the weak viewer never drags the publisher under the floor, and b gets what a sends
    assert all(cap == 0 or cap >= FLOOR_BPS for cap in caps), caps
    assert sum(s["kbps"] for s in b_video) >= 0.85 * sum(a_sent)
    assert stats["b"]["thinned_slots"] == 0
    # Whenever a sends >= 600 kbps at 640x360, b gets it so. (How often a does depends on this host:
    # starved of CPU, Chromium's own encoder and estimate sink whatever the relay does — the checks
    # above are what the weak viewer must not change.)
    a_rows = samplers["a"].rows[late]
    sharp_sent = [i for i, row in enumerate(a_rows) if row["out_kbps"] >= 700 and row["out_width"] >= 640]
    print(f"a sent sharp video in {len(sharp_sent)} of {len(a_rows)} s; b got it sharp in "
          f"{sum(sharp[i] for i in sharp_sent)} of them")
    assert sum(sharp[i] for i in sharp_sent) >= 0.8 * len(sharp_sent)
    # the weak one keeps its audio every second (Opus sends 50 packets/s; a retry at full rate may
    # cost a second of it), and still some video
    assert min(weak_audio) > 0 and sum(n < 20 for n in weak_audio) <= 2, weak_audio
    assert weak_frames[-1] > 0
    assert stats["b"]["video_frames_thinned"] == 0
    if statistics.median(a_sent) > 450:  # more than the weak link carries: it must have been thinned
        assert stats["weak"]["video_frames_thinned"] > 0
