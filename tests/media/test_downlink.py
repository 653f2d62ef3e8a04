"""The per-viewer downlink policy, driven second by second with an explicit clock."""

from __future__ import annotations

import pytest

from media.downlink import FLOOR_BPS, KEYFRAME_MIN_BPS, DownlinkPolicy, VideoMode, share_of

RATE = 1_200_000  # what the publisher's video sends


def run(policy: DownlinkPolicy, seconds: range, shares: dict[str, float | None], rate: float = RATE):
    decision = None
    for now in seconds:
        decision = policy.update(float(now), rate, shares)
    assert decision is not None
    return decision


def test_viewers_that_keep_up_leave_the_publisher_uncapped() -> None:
    decision = run(DownlinkPolicy(), range(10), {"a": 1_800_000, "b": 1_300_000, "new": None})
    assert decision.cap_bps is None
    assert set(decision.modes.values()) == {VideoMode.FULL}


def test_a_congested_viewer_above_the_floor_caps_the_publisher_at_its_share() -> None:
    decision = run(DownlinkPolicy(), range(10), {"a": 1_800_000, "b": 900_000})
    assert decision.cap_bps == 900_000
    assert decision.modes["b"] is VideoMode.FULL


def test_a_viewer_below_the_floor_is_thinned_and_never_drags_the_others_down() -> None:
    policy = DownlinkPolicy()
    first = policy.update(0.0, RATE, {"good": 2_000_000, "weak": 250_000})
    assert first.modes["weak"] is VideoMode.FULL and first.changed == {}  # one bad second is noise
    decision = run(policy, range(1, 4), {"good": 2_000_000, "weak": 250_000})
    assert decision.modes["weak"] is VideoMode.KEYFRAMES
    assert decision.cap_bps is None  # the weak one is not anybody's limit
    assert policy.mode("good") is VideoMode.FULL


def test_below_the_keyframe_minimum_only_audio_is_left() -> None:
    policy = DownlinkPolicy()
    decision = run(policy, range(4), {"weak": KEYFRAME_MIN_BPS - 1})
    assert decision.modes["weak"] is VideoMode.AUDIO_ONLY
    assert run(policy, range(4, 6), {"weak": KEYFRAME_MIN_BPS * 2}).modes["weak"] is VideoMode.KEYFRAMES


def test_a_viewer_on_keyframes_is_not_cut_to_audio_by_a_collapsed_estimate() -> None:
    policy = DownlinkPolicy()
    run(policy, range(4), {"weak": 250_000})
    decision = run(policy, range(4, 7), {"weak": 20_000})
    assert decision.modes["weak"] is VideoMode.KEYFRAMES


def test_two_congested_viewers_cap_the_publisher_no_lower_than_the_floor() -> None:
    policy = DownlinkPolicy()
    first = policy.update(0.0, RATE, {"a": FLOOR_BPS * 0.8, "b": FLOOR_BPS * 1.2})
    assert first.modes["a"] is VideoMode.FULL and first.cap_bps == int(FLOOR_BPS * 1.2)  # settling, not a limit
    decision = run(policy, range(1, 4), {"a": FLOOR_BPS * 0.8, "b": FLOOR_BPS * 1.2})
    assert decision.modes["a"] is not VideoMode.FULL
    assert decision.cap_bps == int(FLOOR_BPS * 1.2)


def test_a_low_rate_publisher_needs_no_more_than_it_sends() -> None:
    """A 100 kbps publisher's viewer at 150 kbps keeps up: it is not thinned for being under the floor."""
    decision = run(DownlinkPolicy(), range(10), {"v": 150_000}, rate=100_000)
    assert decision.modes["v"] is VideoMode.FULL and decision.cap_bps is None


def test_a_reduced_viewer_is_retried_with_backoff() -> None:
    policy = DownlinkPolicy(settle=1.0, retry=4.0, max_retry=8.0)
    weak = {"w": 300_000.0}
    changes = []
    for now in range(40):
        decision = policy.update(float(now), RATE, weak)
        if decision.changed:
            changes.append((now, decision.changed["w"]))
    # reduced at 1; retried at 5 (after 4 s); reduced again at 6; retried at 14 (8 s); then every 8 s at most
    assert changes[:6] == [(1, VideoMode.KEYFRAMES), (5, VideoMode.FULL), (6, VideoMode.KEYFRAMES),
                           (14, VideoMode.FULL), (15, VideoMode.KEYFRAMES), (23, VideoMode.FULL)]


def test_a_retry_that_holds_stays_full_and_forgets_the_backoff() -> None:
    policy = DownlinkPolicy(settle=1.0, retry=4.0, max_retry=32.0)
    run(policy, range(0, 6), {"w": 300_000})
    assert policy.mode("w") is VideoMode.FULL  # the retry at 5 s, 4 s after the reduction at 1 s
    decision = run(policy, range(6, 20), {"w": 2_000_000})
    assert decision.modes["w"] is VideoMode.FULL and decision.changed == {}


def test_viewers_that_left_are_forgotten() -> None:
    policy = DownlinkPolicy()
    run(policy, range(4), {"w": 100_000})
    decision = policy.update(5.0, RATE, {})
    assert decision.modes == {}


def test_audio_comes_off_the_estimate_first_and_the_rest_is_split() -> None:
    assert share_of(1_000_000, watched_videos=2, audio_bps=80_000) == 460_000
    assert share_of(50_000, watched_videos=1, audio_bps=80_000) == 0
    assert share_of(700_000, watched_videos=0, audio_bps=0) == 700_000


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        DownlinkPolicy(floor_bps=100_000, keyframe_min_bps=200_000)
    with pytest.raises(ValueError):
        DownlinkPolicy(retry=10, max_retry=5)
