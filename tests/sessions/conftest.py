"""A court with one hearing of every kind of participant, and a clock standing before it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.clock import FixedClock
from sessions.hearings import HearingFormat, HearingPlan, HearingRole, Participant

START = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)

JUDGE = "u-judge"
CLERK = "u-clerk"
PLAINTIFF = "u-plaintiff"
DEFENDANT = "u-defendant"
LAWYER = "u-lawyer"
PROSECUTOR = "u-prosecutor"
WITNESS = "u-witness"
EXPERT = "u-expert"
INTERPRETER = "u-interpreter"
OBSERVER = "u-observer"
STRANGER = "u-stranger"

EVERYONE = (
    Participant(JUDGE, HearingRole.JUDGE, "Айгерим Сатпаева"),
    Participant(CLERK, HearingRole.CLERK, "Данияр Омаров"),
    Participant(PLAINTIFF, HearingRole.PLAINTIFF, "Ivan Petrov"),
    Participant(DEFENDANT, HearingRole.DEFENDANT, "ТОО «Алма»"),
    Participant(LAWYER, HearingRole.REPRESENTATIVE, "Asel Nurlanova", represents=PLAINTIFF),
    Participant(PROSECUTOR, HearingRole.PROSECUTOR, "Berik Ali"),
    Participant(WITNESS, HearingRole.WITNESS, "Olga Kim"),
    Participant(EXPERT, HearingRole.EXPERT, "Marat Seitov"),
    Participant(INTERPRETER, HearingRole.INTERPRETER, "Gulnara Abenova", represents=DEFENDANT),
    Participant(OBSERVER, HearingRole.OBSERVER, "Trainee Judge"),
)
USER_OF_ROLE = {p.role: p.user_id for p in EVERYONE}


def build_plan(**overrides: Any) -> HearingPlan:
    fields: dict[str, Any] = {
        "case_id": "2-1234/2026",
        "courtroom_id": "room-7",
        "start": START,
        "duration": timedelta(hours=1),
        "format": HearingFormat.ONLINE,
        "is_open": False,
        "participants": EVERYONE,
        "auto_admit": False,
        "lobby_lead_time": timedelta(minutes=15),
    }
    fields.update(overrides)
    return HearingPlan(**fields)


@pytest.fixture
def make_plan() -> Callable[..., HearingPlan]:
    return build_plan


@pytest.fixture
def plan() -> HearingPlan:
    return build_plan()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START - timedelta(hours=1))
