"""A person's equipment check before a hearing: what their connection to the court's relay measured,
which camera and microphone they chose, and the verdict the court draws from it.

The room page measures (a short loop through the court's TURN relay: round-trip time, packet loss,
bitrate) and sends the figures; the verdict is graded here, by one rule, so the page, the clerk and
the judge read the same word. A test that never reached the relay is ``failed``. The check is kept
per person per hearing (the latest replaces the earlier), for the clerk to see before admitting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sessions.errors import InvalidHearing
from sessions.hearings import as_utc

MAX_DEVICE_LABEL = 200
MAX_RTT_MS = 60_000
MAX_BITRATE_KBPS = 1_000_000


class Verdict(StrEnum):
    GOOD = "good"
    """Ready for the hearing."""
    OKAY = "okay"
    """Can take part; the picture may freeze."""
    BAD = "bad"
    """Too weak for video: a wired connection, mobile data or audio only."""
    FAILED = "failed"
    """The test did not reach the court's relay at all."""


@dataclass(frozen=True)
class Thresholds:
    """Where good ends and okay begins, and where okay ends (RTT in ms, loss 0..1, kbit/s)."""

    good_rtt_ms: float = 150
    good_loss: float = 0.02
    good_kbps: float = 500
    okay_rtt_ms: float = 400
    okay_loss: float = 0.05
    okay_kbps: float = 250


THRESHOLDS = Thresholds()


def grade(rtt_ms: float, packet_loss: float, bitrate_kbps: float, limits: Thresholds = THRESHOLDS) -> Verdict:
    """Good when all three figures are good, okay when all are at least okay, else bad."""
    if rtt_ms < limits.good_rtt_ms and packet_loss < limits.good_loss and bitrate_kbps >= limits.good_kbps:
        return Verdict.GOOD
    if rtt_ms < limits.okay_rtt_ms and packet_loss < limits.okay_loss and bitrate_kbps >= limits.okay_kbps:
        return Verdict.OKAY
    return Verdict.BAD


def _bad(field: str, message: str) -> InvalidHearing:
    return InvalidHearing(message, code="invalid_request", details={"field": field})


def _figure(name: str, value: object, top: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or not 0 <= value <= top:
        raise _bad(name, f"{name} is a number from 0 to {top:g}")
    return float(value)


def _label(name: str, value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_DEVICE_LABEL or not value.isprintable():
        raise _bad(name, f"{name} is the device's name, at most {MAX_DEVICE_LABEL} printable characters")
    return value.strip()


@dataclass(frozen=True)
class Measurement:
    """What the connection test measured; ``None`` figures when it never reached the relay."""

    rtt_ms: float | None
    packet_loss: float | None
    bitrate_kbps: float | None

    def __post_init__(self) -> None:
        figures = (self.rtt_ms, self.packet_loss, self.bitrate_kbps)
        if any(f is None for f in figures) and any(f is not None for f in figures):
            raise _bad("rtt_ms", "rtt_ms, packet_loss and bitrate_kbps come together, or none of them")
        if self.rtt_ms is not None:
            object.__setattr__(self, "rtt_ms", _figure("rtt_ms", self.rtt_ms, MAX_RTT_MS))
            object.__setattr__(self, "packet_loss", _figure("packet_loss", self.packet_loss, 1))
            object.__setattr__(self, "bitrate_kbps", _figure("bitrate_kbps", self.bitrate_kbps, MAX_BITRATE_KBPS))

    @property
    def verdict(self) -> Verdict:
        if self.rtt_ms is None or self.packet_loss is None or self.bitrate_kbps is None:
            return Verdict.FAILED
        return grade(self.rtt_ms, self.packet_loss, self.bitrate_kbps)


@dataclass(frozen=True)
class EquipmentCheck:
    """One person's check for one hearing, as stored and as the bench shows it."""

    measurement: Measurement
    camera: str
    microphone: str
    checked_at: datetime

    def __post_init__(self) -> None:
        if not isinstance(self.measurement, Measurement):
            raise _bad("measurement", "a check holds a measurement")
        object.__setattr__(self, "camera", _label("camera", self.camera))
        object.__setattr__(self, "microphone", _label("microphone", self.microphone))
        object.__setattr__(self, "checked_at", as_utc(self.checked_at, "checked_at"))

    @property
    def verdict(self) -> Verdict:
        return self.measurement.verdict

    def to_json(self) -> dict[str, Any]:
        m = self.measurement
        return {"verdict": self.verdict.value, "rtt_ms": m.rtt_ms, "packet_loss": m.packet_loss,
                "bitrate_kbps": m.bitrate_kbps, "camera": self.camera, "microphone": self.microphone,
                "checked_at": self.checked_at.isoformat()}


CHECK_FIELDS = frozenset({"rtt_ms", "packet_loss", "bitrate_kbps", "camera", "microphone"})


def check_of(body: dict[str, Any], now: datetime) -> EquipmentCheck:
    """A check from a request body: only the five fields (never a person or a verdict — the person is
    whoever is logged in, the verdict is graded here), the time is the server's."""
    unknown = sorted(set(body) - CHECK_FIELDS)
    if unknown:
        raise _bad(unknown[0], f"unknown field {unknown[0]!r}; a check sends {', '.join(sorted(CHECK_FIELDS))}")
    measurement = Measurement(body.get("rtt_ms"), body.get("packet_loss"), body.get("bitrate_kbps"))
    return EquipmentCheck(measurement, body.get("camera", ""), body.get("microphone", ""), now)
