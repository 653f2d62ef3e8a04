"""The equipment check's rules: one grading of the connection test, and what a stored check may hold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sessions.equipment import EquipmentCheck, Measurement, Verdict, check_of, grade
from sessions.errors import InvalidHearing

NOW = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(("rtt", "loss", "kbps", "verdict"), [
    (20, 0.0, 1500, Verdict.GOOD),
    (149.9, 0.0199, 500, Verdict.GOOD),
    (150, 0.0, 1500, Verdict.OKAY),     # each figure alone moves the verdict down
    (20, 0.02, 1500, Verdict.OKAY),
    (20, 0.0, 499, Verdict.OKAY),
    (399, 0.049, 250, Verdict.OKAY),
    (400, 0.0, 1500, Verdict.BAD),
    (20, 0.05, 1500, Verdict.BAD),
    (20, 0.0, 249, Verdict.BAD),
])
def test_the_verdict_is_the_worst_of_the_three_figures(rtt: float, loss: float, kbps: float,
                                                       verdict: Verdict) -> None:
    assert grade(rtt, loss, kbps) is verdict
    assert Measurement(rtt, loss, kbps).verdict is verdict


def test_a_test_that_never_reached_the_relay_is_failed_and_says_so() -> None:
    check = check_of({"camera": "Integrated Camera", "microphone": "Headset"}, NOW)
    assert check.verdict is Verdict.FAILED
    assert check.to_json() == {"verdict": "failed", "rtt_ms": None, "packet_loss": None, "bitrate_kbps": None,
                               "camera": "Integrated Camera", "microphone": "Headset",
                               "checked_at": "2026-03-02T05:00:00+00:00"}


@pytest.mark.parametrize(("body", "field"), [
    ({"user_id": 7, "rtt_ms": 10, "packet_loss": 0, "bitrate_kbps": 900}, "user_id"),   # never somebody else
    ({"verdict": "good"}, "verdict"),                                                   # the server grades
    ({"rtt_ms": 10}, "rtt_ms"),                                                         # all three or none
    ({"rtt_ms": -1, "packet_loss": 0, "bitrate_kbps": 900}, "rtt_ms"),
    ({"rtt_ms": 10, "packet_loss": 1.5, "bitrate_kbps": 900}, "packet_loss"),
    ({"rtt_ms": 10, "packet_loss": 0, "bitrate_kbps": float("inf")}, "bitrate_kbps"),
    ({"rtt_ms": True, "packet_loss": 0, "bitrate_kbps": 900}, "rtt_ms"),
    ({"rtt_ms": "10", "packet_loss": 0, "bitrate_kbps": 900}, "rtt_ms"),
    ({"camera": "x" * 201}, "camera"),
    ({"microphone": 5}, "microphone"),
    ({"camera": "cam\u0000era"}, "camera"),
])
def test_a_bad_check_names_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidHearing) as refused:
        check_of(body, NOW)
    assert refused.value.code == "invalid_request" and refused.value.details["field"] == field


def test_a_check_keeps_the_time_in_utc_and_refuses_a_naive_one() -> None:
    with pytest.raises(InvalidHearing):
        EquipmentCheck(Measurement(None, None, None), "", "", datetime(2026, 3, 2, 10, 0))
