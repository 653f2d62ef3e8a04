"""The one shape of a stored hearing: :meth:`HearingRepository.load` gives the pure values
(:class:`sessions.stored.StoredHearing`), and :meth:`HearingRepository.save` writes back what changed
if nobody changed the hearing meanwhile.

A hearing is one ``hearings`` row, its people (``hearing_participants``) and its log
(``hearing_events``). Only this module reads or writes those tables for hearings (the public
calendar, :mod:`sessions.public.store`, and the case file's hearings section,
:mod:`sessions.case_section`, read their own columns).

Two roads, chosen here and nowhere else:

* in a unit of work (``HearingRepository.within(session, clock)``) Core statements run on the
  transaction's connection; ``load(..., lock=True)`` holds the hearing row ``FOR UPDATE`` (PostgreSQL;
  SQLite's ``BEGIN IMMEDIATE`` already holds the write lock), and ``save`` may change anything;
* without one (``HearingRepository(fast_path, clock)``) statements run on the database's fast path
  (:meth:`core.db.Database.fast_path`: the shared asyncpg pool on PostgreSQL). That is the road of
  every join at 10:00 and every view: a hearing is read in one statement, and ``save`` stores people's
  presence only, each with a compare-and-set (a join changes only the person's own row; see
  ``_PERSON_IF_UNCHANGED``).

The version is the hearing's state, SEQUENCE and ``updated_at`` as read, and each person's guarded
columns as read: ``save`` refuses with :class:`~sessions.errors.HearingChanged` when they no longer match, so a change
computed on a stale hearing is never stored.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from cabinet.courts import Court, Courtroom
from cabinet.filing.models import Case
from cabinet.identity.models import User
from core.clock import Clock
from core.db import FastPath, table
from sessions.errors import HearingChanged, HearingNotFound
from sessions.hearings import HearingFormat, HearingPlan, HearingRole, Participant
from sessions.labels import Language
from sessions.lifecycle import Action, Hearing, HearingEvent, HearingState, PauseReason, SuspendReason
from sessions.models import HearingEventRow, HearingParticipantRow, HearingRow
from sessions.presence import Presence, PresenceState
from sessions.scheduling import NON_BLOCKING_STATES, Booking
from sessions.stored import Attendee, Place, StoredHearing, Version, booking_of, uid, user_id

logger = logging.getLogger(__name__)

Row = Mapping[Any, Any]
"""A row by column name: an asyncpg record on the fast path, a SQLAlchemy row mapping otherwise."""


# -- statements -------------------------------------------------------------------------------

_H, _P, _E = table(HearingRow), table(HearingParticipantRow), table(HearingEventRow)
_CASE, _COURT, _ROOM = table(Case), table(Court), table(Courtroom)
_PERSON_COLUMNS = ("id", "user_id", "role", "display_name", "listed", "represents_user_id", "presence",
                   "resume_to", "muted_audio", "muted_video", "hand_raised", "last_seen_at", "disconnected_at")
_HEARINGS = (select(_H, _CASE.c.number.label("p_case_number"), _CASE.c.title.label("p_case_title"),
                    _COURT.c.code.label("p_court_code"), _COURT.c.name_ru.label("p_name_ru"),
                    _COURT.c.name_kk.label("p_name_kk"), _COURT.c.name_en.label("p_name_en"),
                    _ROOM.c.name.label("p_room"), *(_P.c[name].label(f"pp_{name}") for name in _PERSON_COLUMNS))
             .join(_CASE, _CASE.c.id == _H.c.case_id)
             .join(_COURT, _COURT.c.id == _H.c.court_id)
             .join(_ROOM, _ROOM.c.id == _H.c.courtroom_id)
             .outerjoin(_P, _P.c.hearing_id == _H.c.id)
             .order_by(_H.c.id, _P.c.id))
"""Hearings with their place and people: one row per person (one with null people for nobody)."""
_HEARING = _HEARINGS.where(_H.c.id == bindparam("hearing_id"))
_LOCK = select(_H.c.id).where(_H.c.id == bindparam("hearing_id")).with_for_update()
"""The hearing row locked first, and only then read with its people: a ``FOR UPDATE`` that waited
re-reads the locked row but not the rows joined to it (READ COMMITTED), so one statement would
hand back the people as they were before the change it waited for."""
_SOME_HEARINGS = _HEARINGS.where(_H.c.id.in_(bindparam("hearing_ids", expanding=True)))
_LIVE_HEARINGS = _HEARINGS.where(_H.c.start < bindparam("until"), _H.c.end_at > bindparam("since"),
                                 _H.c.state.not_in([s.value for s in NON_BLOCKING_STATES]))
_EVENTS = select(_E).where(_E.c.hearing_id == bindparam("hearing_id")).order_by(_E.c.seq)
_EXISTS = select(_H.c.id).where(_H.c.id == bindparam("hearing_id"))

_HEARING_COLUMNS = ("state", "pause_reason", "suspend_reason", "adjourned_to", "recording_paused", "start",
                    "end_at", "duration_minutes", "courtroom_id", "ics_sequence")
_HEARING_IF_UNCHANGED = (update(_H)
                         .where(_H.c.id == bindparam("h_id"), _H.c.state == bindparam("h_state"),
                                _H.c.ics_sequence == bindparam("h_sequence"),
                                _H.c.updated_at == bindparam("h_updated_at"))
                         .values({name: bindparam(name) for name in (*_HEARING_COLUMNS, "updated_at")}))
"""The hearing's columns, if its state, SEQUENCE and ``updated_at`` are still as read."""

_PRESENCE_COLUMNS = ("presence", "resume_to", "muted_audio", "muted_video", "hand_raised", "last_seen_at",
                     "disconnected_at")
_GUARDED = ("role", "listed", "presence", "resume_to", "muted_audio", "muted_video", "hand_raised",
            "disconnected_at")
_WRITTEN = (*_GUARDED, "last_seen_at")
"""A person's columns a change may write, as :class:`Version` keeps them."""
_UPDATE_PERSON = update(_P).where(_P.c.id == bindparam("person_id")).values(
    {name: bindparam(name) for name in _PRESENCE_COLUMNS})
_HEARING_UNCHANGED = (select(_H.c.id)
                      .where(_H.c.id == bindparam("h_id"), _H.c.state == bindparam("h_state"),
                             _H.c.ics_sequence == bindparam("h_sequence"),
                             _H.c.updated_at == bindparam("h_updated_at"))
                      .with_for_update(read=True))
_PERSON_IF_UNCHANGED = (
    update(_P)
    .where(_P.c.id == bindparam("person_id"),
           *(_P.c[name].is_not_distinct_from(bindparam(f"was_{name}")) for name in _GUARDED),
           _HEARING_UNCHANGED.exists())
    .values({name: bindparam(name) for name in _PRESENCE_COLUMNS}))
"""Compare-and-set of one person's presence, for a join that did not lock the hearing.

It applies only if the person's row and the hearing's lifecycle columns are still as read. The
hearing row is share-locked inside the statement (PostgreSQL): joins do not wait for each other,
but one that meets a control holding the hearing ``FOR UPDATE`` waits for it to commit and then
sees the hearing's new state or version, so the update does not happen and the join is redone under
the lock. A control and a join therefore still take effect in one order."""

_BEAT = (update(_P).where(_P.c.hearing_id == bindparam("b_hearing_id"), _P.c.user_id == bindparam("b_user_id"))
         .values(last_seen_at=bindparam("at"), last_stats=bindparam("stats")))
_PRESENCE_OF = select(_P.c.presence).where(_P.c.hearing_id == bindparam("hearing_id"),
                                           _P.c.user_id == bindparam("user_id"))


# -- rows to values and back ------------------------------------------------------------------

@functools.lru_cache(maxsize=2048)
def _plan(case_number: str, courtroom_id: int, start: datetime, minutes: int, form: str, is_open: bool,
          listed: tuple[tuple[int, str, str, int | None], ...], auto_admit: bool, lead_minutes: int) -> HearingPlan:
    """Plans are frozen and a pure function of these columns, so the same columns share one plan:
    validating every name (each character's Unicode category) on every join and sweep is wasted."""
    return HearingPlan(
        case_id=case_number,
        courtroom_id=str(courtroom_id),
        start=start,
        duration=timedelta(minutes=minutes),
        format=HearingFormat(form),
        is_open=is_open,
        participants=tuple(
            Participant(uid(user), HearingRole(role), name, None if represents is None else uid(represents))
            for user, role, name, represents in listed
        ),
        auto_admit=auto_admit,
        lobby_lead_time=timedelta(minutes=lead_minutes),
    )


def _presence(row: Row) -> Presence:
    reconnecting = row["pp_presence"] == PresenceState.RECONNECTING.value
    return Presence(
        user_id=uid(row["pp_user_id"]), role=HearingRole(row["pp_role"]), state=PresenceState(row["pp_presence"]),
        resume_to=PresenceState(row["pp_resume_to"]) if reconnecting and row["pp_resume_to"] else None,
        dropped_at=row["pp_disconnected_at"] if reconnecting else None,
        audio_muted=row["pp_muted_audio"], video_muted=row["pp_muted_video"], hand_raised=row["pp_hand_raised"],
    )


def _person_columns(person: Attendee) -> dict[str, Any]:
    """The stored columns of ``person`` (``disconnected_at`` is kept only while reconnecting)."""
    presence = person.presence
    return {"role": person.role.value, "listed": person.listed, "presence": presence.state.value,
            "resume_to": None if presence.resume_to is None else presence.resume_to.value,
            "muted_audio": presence.audio_muted, "muted_video": presence.video_muted,
            "hand_raised": presence.hand_raised, "last_seen_at": person.last_seen_at,
            "disconnected_at": presence.dropped_at}


def _written(person: Attendee) -> tuple[Any, ...]:
    columns = _person_columns(person)
    return tuple(columns[name] for name in _WRITTEN)


def _hearing_columns(stored: StoredHearing) -> dict[str, Any]:
    hearing = stored.hearing
    return {"state": hearing.state.value,
            "pause_reason": None if hearing.pause_reason is None else hearing.pause_reason.value,
            "suspend_reason": None if hearing.suspend_reason is None else hearing.suspend_reason.value,
            "adjourned_to": hearing.adjourned_to, "recording_paused": hearing.recording_paused,
            "start": stored.start, "end_at": stored.end_at, "duration_minutes": stored.duration_minutes,
            "courtroom_id": stored.courtroom_id, "ics_sequence": stored.ics_sequence}


def _event(row: Row) -> HearingEvent:
    return HearingEvent(
        seq=row["seq"], at=row["at"], actor=None if row["actor_user_id"] is None else uid(row["actor_user_id"]),
        action=Action(row["action"]), target=None if row["target_user_id"] is None else uid(row["target_user_id"]),
        details={str(k): str(v) for k, v in (row["details"] or {}).items()},
    )


def _stored(rows: Sequence[Row], events: Sequence[HearingEvent] | None) -> StoredHearing:
    """The hearing from the rows of ``_HEARINGS`` (one per person) and its log, if it was read."""
    row = rows[0]
    place = Place(row["case_id"], row["p_case_number"], row["court_id"], row["p_court_code"], row["p_name_ru"],
                  row["p_name_kk"], row["p_name_en"], row["p_room"], row["p_case_title"])
    people = [r for r in rows if r["pp_id"] is not None]
    listed = tuple((r["pp_user_id"], r["pp_role"], r["pp_display_name"], r["pp_represents_user_id"])
                   for r in people if r["pp_listed"])
    plan = _plan(place.case_number, row["courtroom_id"], row["start"], row["duration_minutes"], row["format"],
                 row["is_open"], listed, row["auto_admit"], row["lobby_lead_minutes"])
    hearing = Hearing(
        hearing_id=str(row["id"]), plan=plan, state=HearingState(row["state"]), events=tuple(events or ()),
        pause_reason=None if row["pause_reason"] is None else PauseReason(row["pause_reason"]),
        suspend_reason=None if row["suspend_reason"] is None else SuspendReason(row["suspend_reason"]),
        adjourned_to=row["adjourned_to"], recording_paused=row["recording_paused"])
    attendees = tuple(
        Attendee(r["pp_id"], r["pp_user_id"], HearingRole(r["pp_role"]), r["pp_display_name"], r["pp_listed"],
                 r["pp_represents_user_id"], _presence(r), r["pp_last_seen_at"]) for r in people)
    version = Version(row["state"], row["ics_sequence"], row["updated_at"],
                      tuple(row[name] for name in _HEARING_COLUMNS),
                      {r["pp_id"]: tuple(r[f"pp_{name}"] for name in _WRITTEN) for r in people},
                      None if events is None else len(events))
    return StoredHearing(row["id"], row["court_id"], row["ics_sequence"], hearing, attendees, place, version,
                         Language(row["language"]))


def _grouped(rows: Iterable[Row]) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row["id"], []).append(row)
    return grouped


# -- the repository ---------------------------------------------------------------------------

class HearingRepository:
    """Load and save hearings, on a unit of work's connection or on the fast path (see the module)."""

    def __init__(self, fast: FastPath | None, clock: Clock, *, session: AsyncSession | None = None) -> None:
        if (fast is None) == (session is None):
            raise ValueError("a hearing repository runs either on the fast path or in a unit of work")
        self.fast, self.clock, self.session = fast, clock, session

    @classmethod
    def within(cls, session: AsyncSession, clock: Clock) -> HearingRepository:
        """The repository of one unit of work (``db.transaction()``)."""
        return cls(None, clock, session=session)

    async def _rows(self, statement: Executable, values: Mapping[str, Any]) -> Sequence[Row]:
        if self.session is not None:
            return [row._mapping for row in (await self.session.execute(statement, dict(values))).all()]
        assert self.fast is not None
        return await self.fast.fetch(statement, values)

    async def _run(self, statement: Executable, values: Mapping[str, Any]) -> int:
        if self.session is not None:
            result = await self.session.execute(statement, dict(values))
            return int(getattr(result, "rowcount", 0) or 0)
        assert self.fast is not None
        return await self.fast.execute(statement, values)

    # -- reading ----------------------------------------------------------------------------

    async def load(self, hearing_id: int, *, lock: bool = False, log: bool = False) -> StoredHearing:
        """The hearing with its people and place, read in one statement; ``lock`` holds its row
        ``FOR UPDATE`` until the unit of work ends, ``log`` reads its event log too (needed to
        append to it). Both only in a unit of work."""
        if (lock or log) and self.session is None:
            raise ValueError("a hearing is locked, or its log read, in a unit of work")
        if lock and self._row_locks:
            await self._rows(_LOCK, {"hearing_id": hearing_id})
        rows = await self._rows(_HEARING, {"hearing_id": hearing_id})
        if not rows:
            raise HearingNotFound(f"no hearing {hearing_id}", details={"hearing_id": hearing_id})
        stored = _stored(rows, await self._events(hearing_id) if log else None)
        return replace(stored, version=replace(stored.version, locked=True)) if lock else stored

    @property
    def _row_locks(self) -> bool:
        """Whether rows are locked one by one (PostgreSQL); SQLite's unit of work holds the write
        lock from ``BEGIN IMMEDIATE``, so a lock statement there is a wasted round trip."""
        return self.session is not None and self.session.get_bind().dialect.name == "postgresql"

    async def with_log(self, stored: StoredHearing) -> StoredHearing:
        """``stored`` (read without its log) with its log, for a change that appends to it."""
        if stored.version.logged is not None:
            return stored
        if self.session is None:
            raise ValueError("a hearing's log is read in a unit of work")
        events = await self._events(stored.id)
        return replace(stored, hearing=replace(stored.hearing, events=tuple(events)),
                       version=replace(stored.version, logged=len(events)))

    async def _events(self, hearing_id: int) -> list[HearingEvent]:
        return [_event(row) for row in await self._rows(_EVENTS, {"hearing_id": hearing_id})]

    async def load_many(self, hearing_ids: Iterable[int]) -> dict[int, StoredHearing]:
        """Several hearings in one statement, without locks or logs (the sweeper's look at its
        hearings); the ones that are gone are left out. An expanding ``IN`` list is not asyncpg
        text, so on the fast path it runs on the fast path's engine (autocommit on PostgreSQL)."""
        values = {"hearing_ids": sorted(set(hearing_ids))}
        if self.session is not None:
            rows = await self._rows(_SOME_HEARINGS, values)
        else:
            assert self.fast is not None
            async with self.fast.engine.connect() as conn:
                rows = [row._mapping for row in (await conn.execute(_SOME_HEARINGS, values)).all()]
        return {hearing_id: _stored(group, None) for hearing_id, group in _grouped(rows).items()}

    async def live_bookings(self, start: datetime, end: datetime) -> list[Booking]:
        """Bookings whose slot intersects [start, end) and that still hold it."""
        rows = await self._rows(_LIVE_HEARINGS, {"since": start, "until": end})
        return [booking_of(_stored(group, None)) for group in _grouped(rows).values()]

    async def exists(self, hearing_id: int) -> None:
        if not await self._rows(_EXISTS, {"hearing_id": hearing_id}):
            raise HearingNotFound(f"no hearing {hearing_id}", details={"hearing_id": hearing_id})

    # -- writing ----------------------------------------------------------------------------

    async def add(self, *, case_id: int, court_id: int, plan: HearingPlan, created_by: int,
                  language: Language = Language.RU) -> int:
        """Store a new booking (scheduled, SEQUENCE 0) with its listed people; its id."""
        now = self.clock.now()
        values = {"case_id": case_id, "court_id": court_id, "courtroom_id": int(plan.courtroom_id),
                  "start": plan.start, "end_at": plan.end, "duration_minutes": int(plan.duration.total_seconds() // 60),
                  "format": plan.format.value, "is_open": plan.is_open, "auto_admit": plan.auto_admit,
                  "language": language.value, "lobby_lead_minutes": int(plan.lobby_lead_time.total_seconds() // 60),
                  "state": HearingState.SCHEDULED.value, "recording_paused": False, "ics_sequence": 0,
                  "created_by": created_by, "created_at": now, "updated_at": now}
        rows = await self._rows(insert(_H).values(values).returning(_H.c.id), {})
        hearing_id = int(rows[0]["id"])
        for person in plan.participants:
            await self._run(insert(_P).values(
                hearing_id=hearing_id, user_id=int(person.user_id), role=person.role.value,
                display_name=person.display_name, listed=True, represents_user_id=user_id(person.represents),
                presence=PresenceState.OUTSIDE.value, muted_audio=False, muted_video=False, hand_raised=False), {})
        return hearing_id

    async def save(self, stored: StoredHearing, expected_version: Version, *,
                   confirm: Iterable[int] = ()) -> StoredHearing:
        """Store what changed in ``stored`` since ``expected_version`` was read, if the hearing is still
        at that version (:class:`~sessions.errors.HearingChanged` otherwise); the hearing as now stored.

        The hearing row is written (its ``updated_at`` moved on) when its columns changed or log
        entries were added; people's rows that changed are written after it. When only people changed,
        each is a compare-and-set against the version (the fast path's joins: no lock, no queue);
        ``confirm`` names users whose rows are compared-and-set even if unchanged (a join's answer
        relies on where the person was read to be)."""
        columns = _hearing_columns(stored)
        new_events = self._new_events(stored, expected_version)
        touch = new_events or tuple(columns.values()) != expected_version.columns
        confirmed = set(confirm)
        changed = {i for i, p in enumerate(stored.people)
                   if p.id is None or expected_version.people.get(p.id) != _written(p) or p.user_id in confirmed}
        version = expected_version
        if touch:
            if self.session is None:
                raise ValueError("a hearing's own columns and log are saved in a unit of work")
            now = self.clock.now()
            count = await self._run(_HEARING_IF_UNCHANGED, {**self._expected(stored.id, version), **columns,
                                                            "updated_at": now})
            if count != 1:
                raise HearingChanged("the hearing changed meanwhile; try again", details={"hearing_id": stored.id})
            for event in new_events:
                await self._run(insert(_E).values(
                    hearing_id=stored.id, seq=event.seq, at=event.at, actor_user_id=user_id(event.actor),
                    action=event.action.value, target_user_id=user_id(event.target), details=dict(event.details)), {})
            version = replace(version, state=columns["state"], ics_sequence=stored.ics_sequence, updated_at=now,
                              columns=tuple(columns.values()), logged=len(stored.hearing.events))
        people = list(stored.people)
        guarded = dict(version.people)
        for index in sorted(changed):
            person = people[index]
            if person.id is None:
                person = people[index] = await self._add_person(stored.id, person)
            else:
                await self._write_person(stored.id, person, expected_version,
                                         checked=not touch and not expected_version.locked)
            assert person.id is not None
            guarded[person.id] = _written(person)
        return replace(stored, people=tuple(people), version=replace(version, people=guarded))

    @staticmethod
    def _new_events(stored: StoredHearing, version: Version) -> tuple[HearingEvent, ...]:
        events = stored.hearing.events
        if version.logged is None:
            if events:
                raise ValueError("log entries are appended to a hearing read with its log")
            return ()
        return events[version.logged:]

    @staticmethod
    def _expected(hearing_id: int, version: Version) -> dict[str, Any]:
        return {"h_id": hearing_id, "h_state": version.state, "h_sequence": version.ics_sequence,
                "h_updated_at": version.updated_at}

    async def _add_person(self, hearing_id: int, person: Attendee) -> Attendee:
        if self.session is None:
            raise ValueError("a new person is added to a hearing in a unit of work")
        values = {"hearing_id": hearing_id, "user_id": person.user_id, "display_name": person.display_name,
                  "represents_user_id": person.represents_user_id, **_person_columns(person)}
        rows = await self._rows(insert(_P).values(values).returning(_P.c.id), {})
        return replace(person, id=int(rows[0]["id"]))

    async def _write_person(self, hearing_id: int, person: Attendee, version: Version, *, checked: bool) -> None:
        values = {"person_id": person.id, **{name: value for name, value in _person_columns(person).items()
                                             if name in _PRESENCE_COLUMNS}}
        if not checked:
            await self._run(_UPDATE_PERSON, values)
            return
        assert person.id is not None
        was = dict(zip(_WRITTEN, version.people[person.id], strict=True))
        values.update(self._expected(hearing_id, version))
        values.update({f"was_{name}": was[name] for name in _GUARDED})
        if await self._run(_PERSON_IF_UNCHANGED, values) != 1:
            raise HearingChanged("the hearing changed meanwhile; try again", details={"hearing_id": hearing_id})

    async def beat(self, hearing_id: int, user: int, stats: Mapping[str, Any]) -> PresenceState | None:
        """Stamp a connected person's ``last_seen_at`` and connection figures; their presence
        (``None`` if they are not a person of the hearing). Those outside or removed are not stamped."""
        rows = await self._rows(_PRESENCE_OF, {"hearing_id": hearing_id, "user_id": user})
        if not rows:
            return None
        state = PresenceState(rows[0]["presence"])
        if state not in (PresenceState.OUTSIDE, PresenceState.REMOVED):
            await self._run(_BEAT, {"b_hearing_id": hearing_id, "b_user_id": user, "at": self.clock.now(),
                                    "stats": dict(stats)})
        return state

    async def lock_slot(self, courtroom_id: int, user_ids: Iterable[int]) -> None:
        """Serialize bookings that could clash: lock the courtroom and the professionals' user rows.

        Two clerks booking the same room or the same judge at once then check for clashes one
        after the other (PostgreSQL row locks; SQLite already holds its write lock).
        """
        await self._rows(select(Courtroom.id).where(Courtroom.id == courtroom_id).with_for_update(), {})
        ids = sorted(set(user_ids))
        if ids:
            await self._rows(select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update(), {})
