"""Joins that arrive together, from several server processes, and controls that race them.

On PostgreSQL a join does not lock the hearing (it stores the person's presence with a
compare-and-set), so these tests look for what a lost race would leave behind: a lobby opening
logged twice, an admission overwritten by the person's own re-join, somebody left in the waiting
room of a closed hearing. On SQLite the same scenarios run through the locked path.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.db import Database
from sessions.errors import AdmissionRefused
from sessions.lifecycle import Action, HearingState
from sessions.models import HearingEventRow
from sessions.presence import PresenceState
from sessions.repository import HearingRepository
from sessions.service import HearingService, JoinResult
from sessions.views import Outcome
from tests.cabinet.conftest import cabinet_app, cast  # noqa: F401
from tests.cabinet.filing.conftest import Court, court  # noqa: F401
from tests.sessions.hearing_world import IIN, accepted_case, book, booking, principal, service, when

PEOPLE = ("clerk", "alice", "lawyer", "carol")


async def _hearing(court: Court, **extra: Any) -> tuple[int, str]:  # noqa: F811
    number, judge = await accepted_case(court)
    start = when(court)
    body = booking(number, start, **extra)
    body["participants"] = [*body["participants"], {"iin": IIN["carol"], "role": "witness"}]
    hearing = await book(court, body)
    court.app.clock.set(start - timedelta(minutes=10))
    return int(hearing["id"]), judge


async def _processes(db: Database, court: Court, count: int = 3) -> list[HearingService]:  # noqa: F811
    """Server processes as deployed: each its own database, joining on its own fast path (the
    shared asyncpg pool on PostgreSQL), so their compare-and-sets race each other."""
    made = []
    for _ in range(count):
        process_db = Database(db.url)
        made.append(HearingService(process_db, court.app.clock, fast=await process_db.fast_path()))
    return made


async def _close(processes: list[HearingService]) -> None:
    for p in processes:
        await p.db.close()


async def _log(db: Database, hearing_id: int) -> list[str]:
    async with db.sessions() as session:
        rows = await session.scalars(select(HearingEventRow).where(HearingEventRow.hearing_id == hearing_id)
                                     .order_by(HearingEventRow.seq))
        logged = list(rows)
    assert [e.seq for e in logged] == list(range(1, len(logged) + 1))
    return [e.action for e in logged]


async def test_a_burst_at_the_lobby_opening_logs_it_once_and_seats_everybody(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id, judge = await _hearing(court)
    processes = await _processes(db, court)
    try:
        people = [await principal(db, name) for name in (judge, *PEOPLE)]
        joins = [processes[i % len(processes)].join(person, hearing_id)
                 for i, person in enumerate(people * 3)]
        results = await asyncio.gather(*joins)
    finally:
        await _close(processes)
    assert (await _log(db, hearing_id)).count(Action.OPEN_LOBBY.value) == 1
    view = await service(court).view(hearing_id)
    assert view.state is HearingState.LOBBY_OPEN
    seated = {r.user_id: r.presence_state for r in results}
    assert seated[people[0].user_id] is PresenceState.IN_ROOM and seated[people[2].user_id] is PresenceState.WAITING
    assert {p.user_id: p.presence for p in view.participants if p.user_id in seated} == seated


class HeldWrites:
    """Holds every unlocked join between its read and its compare-and-set until released, so a
    control can commit exactly inside that window (PostgreSQL; SQLite joins under the lock)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reached, self.release = asyncio.Event(), asyncio.Event()
        monkeypatch.setattr(HearingRepository, "save", self._held(HearingRepository.save))

    def _held(self, real: Any) -> Any:
        async def held(repository: HearingRepository, *args: Any, **kwargs: Any) -> Any:
            if repository.fast is not None:  # the unlocked join's compare-and-set
                self.reached.set()
                await self.release.wait()
            return await real(repository, *args, **kwargs)

        return held

    async def inside(self, join: asyncio.Task[Any]) -> None:
        """Wait until ``join`` has read and waits to write (or finished, on the locked path)."""
        reached = asyncio.ensure_future(self.reached.wait())
        await asyncio.wait([reached, join], return_when=asyncio.FIRST_COMPLETED)
        reached.cancel()


@pytest.mark.parametrize("road", [0, 1], ids=["joins_on_first", "joins_on_second"])
async def test_an_admission_is_not_undone_by_the_person_joining_again_meanwhile(
        court: Court, db: Database, monkeypatch: pytest.MonkeyPatch, road: int) -> None:  # noqa: F811
    hearing_id, judge_name = await _hearing(court)
    judge, alice = await principal(db, judge_name), await principal(db, "alice")
    processes = await _processes(db, court, 2)
    try:
        await processes[0].join(judge, hearing_id)
        assert (await processes[0].join(alice, hearing_id)).presence_state is PresenceState.WAITING
        writes = HeldWrites(monkeypatch)
        rejoin = asyncio.ensure_future(processes[road].join(alice, hearing_id))
        await writes.inside(rejoin)
        await processes[1 - road].control(judge, hearing_id, Action.ADMIT, target_user_id=alice.user_id)
        writes.release.set()
        again = await rejoin
    finally:
        await _close(processes)
    me = (await service(court).view(hearing_id)).participant(alice.user_id)
    assert me is not None and me.presence is PresenceState.IN_ROOM
    if writes.reached.is_set():  # the re-join read before the admission and wrote after it
        assert again.presence_state is PresenceState.IN_ROOM, "the re-join is told where the person now is"


@pytest.mark.parametrize("road", [0, 1], ids=["joins_on_first", "joins_on_second"])
async def test_a_join_racing_the_close_leaves_nobody_inside_a_closed_hearing(
        court: Court, db: Database, monkeypatch: pytest.MonkeyPatch, road: int) -> None:  # noqa: F811
    hearing_id, judge_name = await _hearing(court, auto_admit=True)
    judge, alice = await principal(db, judge_name), await principal(db, "alice")
    processes = await _processes(db, court, 2)
    try:
        await processes[0].join(judge, hearing_id)
        await processes[0].control(judge, hearing_id, Action.START)
        writes = HeldWrites(monkeypatch)
        join = asyncio.ensure_future(processes[road].join(alice, hearing_id))
        await writes.inside(join)
        await processes[1 - road].control(judge, hearing_id, Action.CLOSE)
        writes.release.set()
        outcome = (await asyncio.gather(join, return_exceptions=True))[0]
    finally:
        await _close(processes)
    view = await service(court).view(hearing_id)
    assert view.state is HearingState.CLOSED
    inside = [p for p in view.participants if p.presence in (PresenceState.WAITING, PresenceState.IN_ROOM)]
    assert inside == [], "a join applied on top of the close"
    if not isinstance(outcome, JoinResult):  # the join came after the close
        assert isinstance(outcome, AdmissionRefused) and outcome.code == "hearing_closed", outcome


async def test_joins_and_a_close_at_once_keep_one_story(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id, judge_name = await _hearing(court, auto_admit=True)
    judge = await principal(db, judge_name)
    processes = await _processes(db, court)
    try:
        await processes[0].join(judge, hearing_id)
        await processes[0].control(judge, hearing_id, Action.START)
        people = [await principal(db, name) for name in PEOPLE]
        joins = [processes[i % len(processes)].join(person, hearing_id) for i, person in enumerate(people * 3)]
        close = processes[2].control(judge, hearing_id, Action.CLOSE)
        results = await asyncio.gather(*joins[:5], close, *joins[5:], return_exceptions=True)
    finally:
        await _close(processes)
    refused = [r for r in results if isinstance(r, AdmissionRefused)]
    assert all(isinstance(r, JoinResult | AdmissionRefused | Outcome) for r in results), results
    assert all(r.code == "hearing_closed" for r in refused)
    view = await service(court).view(hearing_id)
    assert view.state is HearingState.CLOSED
    assert not [p for p in view.participants if p.presence in (PresenceState.WAITING, PresenceState.IN_ROOM)]
    assert (await _log(db, hearing_id)).count(Action.CLOSE.value) == 1
