"""The hearing repository: one shape of a stored hearing, saved only at the version it was read at.

A change computed on a hearing somebody changed meanwhile is refused (``hearing_changed``, 409) and
stores nothing; what was read is what comes back; the fast path (no transaction) may store people's
presence only. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import Database
from sessions.errors import HearingChanged, HearingNotFound
from sessions.lifecycle import Action, Lifecycle
from sessions.models import HearingEventRow
from sessions.presence import PresenceState
from sessions.repository import HearingRepository
from sessions.stored import StoredHearing
from tests.cabinet.conftest import cabinet_app, cast  # noqa: F401
from tests.cabinet.filing.conftest import Court, court  # noqa: F401
from tests.sessions.hearing_world import accepted_case, book, booking, when


async def _hearing(court: Court, **extra: Any) -> int:  # noqa: F811
    number, _ = await accepted_case(court)
    start = when(court)
    hearing = await book(court, booking(number, start, **extra))
    court.app.clock.set(start - timedelta(minutes=10))
    return int(hearing["id"])


async def _load(db: Database, court: Court, hearing_id: int) -> StoredHearing:  # noqa: F811
    async with db.transaction() as session:
        return await HearingRepository.within(session, court.app.clock).load(hearing_id, log=True)


async def _events(db: Database, hearing_id: int) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(HearingEventRow)
                                        .where(HearingEventRow.hearing_id == hearing_id)) or 0)


async def test_a_hearing_reads_back_as_booked(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id = await _hearing(court)
    stored = await _load(db, court, hearing_id)
    assert stored.id == hearing_id and stored.place.courtroom_name == "Зал 1"
    assert {p.role.value for p in stored.people} >= {"plaintiff", "defendant", "representative", "clerk", "judge"}
    assert all(p.presence.state is PresenceState.OUTSIDE and p.listed for p in stored.people)
    fast = HearingRepository(await db.fast_path(), court.app.clock)
    assert (await fast.load(hearing_id)).people == stored.people, "the fast path reads the same hearing"


async def test_a_change_computed_on_a_stale_hearing_is_refused_and_stores_nothing(
        court: Court, db: Database) -> None:  # noqa: F811
    """Two changes read the same version; the second one to save is refused, the first one stays."""
    hearing_id = await _hearing(court)
    lifecycle = Lifecycle(court.app.clock)
    first, second = await _load(db, court, hearing_id), await _load(db, court, hearing_id)
    async with db.transaction() as session:
        await HearingRepository.within(session, court.app.clock).save(
            replace(first, hearing=lifecycle.settle(first.hearing)), first.version)
    logged = await _events(db, hearing_id)
    assert logged == 1, "the lobby opening is logged"
    with pytest.raises(HearingChanged) as refused:
        async with db.transaction() as session:
            await HearingRepository.within(session, court.app.clock).save(
                replace(second, hearing=lifecycle.settle(second.hearing)), second.version)
    assert refused.value.code == "hearing_changed" and refused.value.status == 409
    assert await _events(db, hearing_id) == logged


async def test_a_presence_saved_on_a_stale_read_of_the_person_is_refused(
        court: Court, db: Database) -> None:  # noqa: F811
    """The fast path's compare-and-set: somebody moved the person since the read, so the join's
    write (computed from where they were) is refused and the stored presence stays."""
    hearing_id = await _hearing(court)
    fast = HearingRepository(await db.fast_path(), court.app.clock)
    read = await fast.load(hearing_id)
    alice = next(p for p in read.people if p.role.value == "plaintiff")
    waiting = alice.moved(replace(alice.presence, state=PresenceState.WAITING))
    async with db.transaction() as session:
        await HearingRepository.within(session, court.app.clock).save(read.with_person(waiting), read.version)
    removed = alice.moved(alice.presence.remove())
    with pytest.raises(HearingChanged):
        await fast.save(read.with_person(removed), read.version)
    with pytest.raises(HearingChanged):
        await fast.save(read, read.version, confirm=[alice.user_id])
    again = (await fast.load(hearing_id)).person(alice.user_id)
    assert again is not None and again.presence.state is PresenceState.WAITING


async def test_the_fast_path_stores_presence_only(court: Court, db: Database) -> None:  # noqa: F811
    """No transaction, no lock: a hearing's own columns and log are changed in a unit of work."""
    hearing_id = await _hearing(court)
    fast = HearingRepository(await db.fast_path(), court.app.clock)
    read = await fast.load(hearing_id)
    with pytest.raises(ValueError):
        await fast.load(hearing_id, lock=True)
    with pytest.raises(ValueError):
        await fast.save(replace(read, ics_sequence=read.ics_sequence + 1), read.version)
    with pytest.raises(ValueError):
        await fast.save(replace(read, hearing=Lifecycle(court.app.clock).settle(read.hearing)), read.version)
    assert (await fast.load(hearing_id)).ics_sequence == read.ics_sequence
    assert await _events(db, hearing_id) == 0


async def test_a_hearing_that_does_not_exist_is_not_found(court: Court, db: Database) -> None:  # noqa: F811
    async with db.transaction() as session:
        with pytest.raises(HearingNotFound):
            await HearingRepository.within(session, court.app.clock).load(2**31 - 1, lock=True)


async def test_the_log_read_is_the_log_the_rules_wrote(court: Court, db: Database) -> None:  # noqa: F811
    hearing_id = await _hearing(court, auto_admit=True)
    read = await _load(db, court, hearing_id)
    settled = replace(read, hearing=Lifecycle(court.app.clock).settle(read.hearing))
    async with db.transaction() as session:
        saved = await HearingRepository.within(session, court.app.clock).save(settled, read.version)
    again = await _load(db, court, hearing_id)
    assert again.hearing == saved.hearing == settled.hearing
    assert [e.action for e in again.hearing.events] == [Action.OPEN_LOBBY]
    assert again.version == saved.version, "save hands back the version it stored"
