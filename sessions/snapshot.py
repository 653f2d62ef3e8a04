"""A hearing read with two Core statements, for the paths that run on every join and every sweep.

The ORM path (:class:`sessions.store.HearingStore`) loads a hearing as mapped objects with its
whole event log: right for controls, which append to the log, but a burst of joins (a hearing
starting at 10:00) pays for the identity map, the selectin loader and the unit-of-work flush on
every one of them, and the log read grows with every chat message. A join and a view need neither:
the lifecycle state, the plan and the people are columns. So here one statement reads the hearing
with its case, court and courtroom (locking the hearing row ``FOR UPDATE`` on PostgreSQL when
asked), one reads its people, and a presence change is one ``UPDATE``. The event log is read only
by the callers that append to it.

:class:`HearingRecord` and :class:`Person` carry the same attribute names as the mapped rows, so
:func:`sessions.store.plan_of`, :func:`~sessions.store.presence_of` and
:func:`~sessions.store.store_presence` work on either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from cabinet.courts import Court, Courtroom
from cabinet.filing.models import Case
from core.db import table
from sessions.lifecycle import Hearing
from sessions.models import HearingEventRow, HearingParticipantRow, HearingRow
from sessions.store import HearingNotFound, Place, event_of, user_id

_H, _P, _E = table(HearingRow), table(HearingParticipantRow), table(HearingEventRow)
_CASE, _COURT, _ROOM = table(Case), table(Court), table(Courtroom)

_PLACE_COLUMNS = (_CASE.c.id.label("p_case_id"), _CASE.c.number.label("p_case_number"),
                  _CASE.c.title.label("p_case_title"), _COURT.c.code.label("p_court_code"),
                  _COURT.c.name_ru.label("p_name_ru"), _COURT.c.name_kk.label("p_name_kk"),
                  _COURT.c.name_en.label("p_name_en"), _ROOM.c.name.label("p_room"))


@dataclass
class Person:
    """One ``hearing_participants`` row as plain values (``last_stats`` is left out: nobody here reads it)."""

    id: int
    hearing_id: int
    user_id: int
    role: str
    display_name: str
    listed: bool
    represents_user_id: int | None
    presence: str
    resume_to: str | None
    muted_audio: bool
    muted_video: bool
    hand_raised: bool
    last_seen_at: datetime | None
    disconnected_at: datetime | None


_PERSON_COLUMNS = tuple(f.name for f in fields(Person))
_HEARINGS = (select(_H, *_PLACE_COLUMNS, *(_P.c[name].label(f"pp_{name}") for name in _PERSON_COLUMNS))
             .join(_CASE, _CASE.c.id == _H.c.case_id)
             .join(_COURT, _COURT.c.id == _H.c.court_id)
             .join(_ROOM, _ROOM.c.id == _H.c.courtroom_id)
             .outerjoin(_P, _P.c.hearing_id == _H.c.id)
             .order_by(_H.c.id, _P.c.id))
"""Hearings with their place and people: one row per person (one with null people for nobody)."""
_HEARING = _HEARINGS.where(_H.c.id == bindparam("hearing_id"))
HEARING = _HEARING
"""One hearing with its place and people (parameter ``hearing_id``)."""
_HEARING_LOCKED = _HEARING.with_for_update(of=_H)
_SOME_HEARINGS = _HEARINGS.where(_H.c.id.in_(bindparam("hearing_ids", expanding=True)))
_EVENTS = select(_E).where(_E.c.hearing_id == bindparam("hearing_id")).order_by(_E.c.seq)
_PRESENCE_COLUMNS = ("presence", "resume_to", "muted_audio", "muted_video", "hand_raised", "last_seen_at",
                     "disconnected_at")
_UPDATE_PERSON = update(_P).where(_P.c.id == bindparam("person_id")).values(
    {name: bindparam(name) for name in _PRESENCE_COLUMNS})
_GUARDED = ("role", "listed", "presence", "resume_to", "muted_audio", "muted_video", "hand_raised",
            "disconnected_at")
_HEARING_UNCHANGED = (select(_H.c.id)
                      .where(_H.c.id == bindparam("h_id"), _H.c.state == bindparam("h_state"),
                             _H.c.ics_sequence == bindparam("h_sequence"), _H.c.updated_at == bindparam("h_updated_at"))
                      .with_for_update(read=True))
_UPDATE_PERSON_IF_UNCHANGED = (
    update(_P)
    .where(_P.c.id == bindparam("person_id"),
           *(_P.c[name].is_not_distinct_from(bindparam(f"was_{name}")) for name in _GUARDED),
           _HEARING_UNCHANGED.exists())
    .values({name: bindparam(name) for name in _PRESENCE_COLUMNS}))
PRESENCE_COMPARE_AND_SET = _UPDATE_PERSON_IF_UNCHANGED
"""Compare-and-set of one person's presence, for a join that did not lock the hearing.

It applies only if the person's row and the hearing's lifecycle columns are still as read. The
hearing row is share-locked inside the statement (PostgreSQL): joins do not wait for each other,
but one that meets a control holding the hearing ``FOR UPDATE`` waits for it to commit and then
sees the hearing's new state or version, so the update does not happen and the join is redone under
the lock. A control and a join therefore still take effect in one order."""


@dataclass(frozen=True)
class HearingRecord:
    """One ``hearings`` row as plain values, with its people and where it belongs."""

    id: int
    case_id: int
    court_id: int
    courtroom_id: int
    start: datetime
    duration_minutes: int
    format: str
    is_open: bool
    auto_admit: bool
    lobby_lead_minutes: int
    state: str
    pause_reason: str | None
    suspend_reason: str | None
    adjourned_to: datetime | None
    recording_paused: bool
    ics_sequence: int
    updated_at: datetime
    participants: list[Person]
    place: Place

    def person(self, user_id: int) -> Person | None:
        return next((p for p in self.participants if p.user_id == user_id), None)


_RECORD_FIELDS = tuple(f.name for f in fields(HearingRecord) if f.name not in ("participants", "place"))
_PERSON_INDEXES = tuple(list(_HEARINGS.selected_columns.keys()).index(f"pp_{name}") for name in _PERSON_COLUMNS)


async def read_hearing(conn: AsyncConnection, hearing_id: int, *, for_update: bool = False) -> HearingRecord:
    """The hearing, its place and its people (one statement); ``for_update`` locks the hearing row
    (PostgreSQL; SQLite's transactions hold the write lock from ``BEGIN IMMEDIATE``)."""
    rows = (await conn.execute(_HEARING_LOCKED if for_update else _HEARING, {"hearing_id": hearing_id})).all()
    if not rows:
        raise HearingNotFound(f"no hearing {hearing_id}", details={"hearing_id": hearing_id})
    return record_of(rows)


async def read_hearings(conn: AsyncConnection, hearing_ids: Iterable[int]) -> dict[int, HearingRecord]:
    """Several hearings in one statement, without locks (the sweeper's look at its hearings)."""
    rows = (await conn.execute(_SOME_HEARINGS, {"hearing_ids": sorted(set(hearing_ids))})).all()
    grouped: dict[int, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.id, []).append(row)
    return {hearing_id: record_of(group) for hearing_id, group in grouped.items()}


def record_of(rows: Sequence[Any]) -> HearingRecord:
    """The record from the rows of ``_HEARINGS`` (SQLAlchemy rows, or asyncpg records of its text)."""
    first = rows[0]
    row = getattr(first, "_mapping", first)
    place = Place(row["p_case_id"], row["p_case_number"], row["court_id"], row["p_court_code"], row["p_name_ru"],
                  row["p_name_kk"], row["p_name_en"], row["p_room"], row["p_case_title"])
    people = [Person(*(r[i] for i in _PERSON_INDEXES)) for r in rows if r[_PERSON_INDEXES[0]] is not None]
    return HearingRecord(**{name: row[name] for name in _RECORD_FIELDS}, participants=people, place=place)


async def write_presence(conn: AsyncConnection, people: Iterable[Person]) -> None:
    """Store the presence columns of ``people`` (one executemany ``UPDATE``)."""
    rows = [{"person_id": p.id, **{name: getattr(p, name) for name in _PRESENCE_COLUMNS}} for p in people]
    if rows:
        await conn.execute(_UPDATE_PERSON, rows)


async def write_presence_if_unchanged(conn: AsyncConnection, record: HearingRecord, was: Person,
                                      person: Person) -> bool:
    """Store ``person``'s presence if neither their row (as ``was``) nor the hearing changed since
    ``record`` was read; False when something did (see ``_UPDATE_PERSON_IF_UNCHANGED``)."""
    values = compare_and_set_values(record, was, person)
    result = await conn.execute(_UPDATE_PERSON_IF_UNCHANGED, values)
    return bool(result.rowcount == 1)


def compare_and_set_values(record: HearingRecord, was: Person, person: Person) -> dict[str, Any]:
    """The parameters of ``_UPDATE_PERSON_IF_UNCHANGED``."""
    return {"person_id": person.id, "h_id": record.id, "h_state": record.state,
            "h_sequence": record.ics_sequence, "h_updated_at": record.updated_at,
            **{f"was_{name}": getattr(was, name) for name in _GUARDED},
            **{name: getattr(person, name) for name in _PRESENCE_COLUMNS}}


async def add_observer(conn: AsyncConnection, record: HearingRecord, user_id: int, name: str) -> Person:
    """A member of the public entering an open hearing gets an unlisted ``observer`` row."""
    values: dict[str, Any] = {"hearing_id": record.id, "user_id": user_id, "role": "observer", "display_name": name,
                              "listed": False, "represents_user_id": None, "presence": "outside", "resume_to": None,
                              "muted_audio": False, "muted_video": False, "hand_raised": False,
                              "last_seen_at": None, "disconnected_at": None}
    person_id = (await conn.execute(insert(_P).values(values).returning(_P.c.id))).scalar_one()
    person = Person(id=person_id, **values)
    record.participants.append(person)
    return person


async def with_log(conn: AsyncConnection, record: HearingRecord, hearing: Hearing) -> Hearing:
    """``hearing`` (read without its log) with its event log, for a step that appends to it."""
    events = (await conn.execute(_EVENTS, {"hearing_id": record.id})).all()
    return replace(hearing, events=tuple(event_of(e) for e in events))  # type: ignore[arg-type]


async def write_hearing(conn: AsyncConnection, initial: Hearing, hearing: Hearing, now: datetime) -> None:
    """Store the lifecycle columns of ``hearing`` and the log entries it has beyond ``initial``."""
    new = hearing.events[len(initial.events):]
    values: dict[str, Any] = {
        "state": hearing.state.value, "recording_paused": hearing.recording_paused,
        "pause_reason": None if hearing.pause_reason is None else hearing.pause_reason.value,
        "suspend_reason": None if hearing.suspend_reason is None else hearing.suspend_reason.value,
        "adjourned_to": hearing.adjourned_to}
    if new:
        values["updated_at"] = now
    hearing_id = int(hearing.hearing_id)
    await conn.execute(update(_H).where(_H.c.id == hearing_id).values(values))
    if new:
        await conn.execute(insert(_E), [
            {"hearing_id": hearing_id, "seq": e.seq, "at": e.at, "actor_user_id": user_id(e.actor),
             "action": e.action.value, "target_user_id": user_id(e.target), "details": dict(e.details)}
            for e in new])
