"""The hearing room shows court time, whatever zone the reader's computer is set to.

The footer promises court time and the header's hearing time is court time (the server writes it);
the times the page's own script writes — the bench's minutes and each person's equipment check —
must agree with them, or a judge abroad reads one hearing at two times. The server names the court's
zone on the page's root element and the script formats with it. The judge's Chromium is set to New
York (UTC−5): the bench shows the defendant's stored check and the minutes' line for opening the
session at the wall clock in Almaty (UTC+5), not New York's.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from core.clock import COURT_TIME, COURT_TIME_ZONE
from core.db import connect
from sessions.models import EquipmentCheckRow, HearingEventRow
from tests.web.pages.hearing_world import HearingWorld, hearing_world
from tests.web.pages.room_pages import dataset, until

pytestmark = pytest.mark.chromium
ABROAD = "America/New_York"
CLOCK = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[HearingWorld]:
    async with hearing_world(tmp_path) as hearing:
        yield hearing


def wall_clocks(moment: datetime, seconds: bool) -> tuple[str, str]:
    """``moment`` on the court's wall clock and on the judge's own (which the page must not show)."""
    shape = "%H:%M:%S" if seconds else "%H:%M"
    return moment.astimezone(COURT_TIME).strftime(shape), moment.astimezone(ZoneInfo(ABROAD)).strftime(shape)


def clock_in(text: str | None) -> str:
    found = CLOCK.findall(text or "")
    assert len(found) == 1, f"one time expected in {text!r}"
    return ":".join(f"{int(part):02}" for part in found[0].split(":"))


async def store_check(world: HearingWorld, key: str, checked_at: datetime) -> None:
    """An equipment check the person made before the judge opened the page (the bench loads it)."""
    async with connect(world.database_url) as db, db.transaction() as session:
        session.add(EquipmentCheckRow(hearing_id=world.hearing_id, user_id=world.user_ids[key], verdict="good",
                                      rtt_ms=20.0, packet_loss=0.0, bitrate_kbps=900.0, camera="Camera",
                                      microphone="Microphone", checked_at=checked_at))


async def logged_at(world: HearingWorld, action: str) -> datetime:
    async with connect(world.database_url) as db, db.sessions() as session:
        at = await session.scalar(select(HearingEventRow.at).where(HearingEventRow.hearing_id == world.hearing_id,
                                                                   HearingEventRow.action == action))
    assert at is not None, f"no {action} in the hearing's log"
    return at


async def test_a_judge_abroad_reads_the_bench_in_court_time(world: HearingWorld) -> None:
    checked_at = (datetime.now(UTC) - timedelta(minutes=3)).replace(microsecond=0)
    await store_check(world, "defendant", checked_at)
    judge = await world.open("judge", language="kk", time_zone=ABROAD)
    assert await judge.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == ABROAD
    await judge.goto(world.room_url("judge"))
    assert await judge.evaluate("document.documentElement.dataset.courtTimeZone") == COURT_TIME_ZONE

    check = f"#bench-people tr[data-user='{world.user_ids['defendant']}'] td[data-check]"
    await until(judge, f"document.querySelector(\"{check}\")?.dataset.check === 'good'")
    court, own = wall_clocks(checked_at, seconds=False)
    assert clock_in(await judge.text_content(check)) == court != own

    await judge.click("#check-done")
    await until(judge, dataset("phase", "room"))
    await judge.click("[data-control=start]")
    line = "#minutes li[data-action=start]"
    await until(judge, f"document.querySelector({line!r}) !== null")
    court, own = wall_clocks(await logged_at(world, "start"), seconds=True)
    assert clock_in(await judge.text_content(line)) == court != own
