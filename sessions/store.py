"""Queries on the hearing tables, and the translation between rows and the pure rules' values.

The pure rules know users by ``str`` ids; rows by ``users.id``. :func:`uid` and :func:`user_id`
are the only two places that convert, so the conversion is the same everywhere.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from cabinet.courts import Court, Courtroom
from cabinet.filing.models import Case
from cabinet.identity.models import User
from sessions.errors import SessionsError
from sessions.hearings import HearingFormat, HearingPlan, HearingRole, Participant
from sessions.lifecycle import Action, Hearing, HearingEvent, HearingState, PauseReason, SuspendReason
from sessions.models import HearingEventRow, HearingRow
from sessions.presence import Presence, PresenceState
from sessions.scheduling import BLOCKING_ROLES, NON_BLOCKING_STATES, Booking

logger = logging.getLogger(__name__)


class HearingNotFound(SessionsError):
    status = 404
    default_code = "hearing_not_found"


def uid(user_id: int) -> str:
    """A ``users.id`` as the pure rules name it."""
    return str(user_id)


def user_id(pure_id: str | None) -> int | None:
    """A pure rules' user id back as ``users.id``."""
    return None if pure_id is None else int(pure_id)


@dataclass(frozen=True)
class Place:
    """Where a hearing belongs: its case, court and courtroom, as people read them."""

    case_id: int
    case_number: str
    court_id: int
    court_code: str
    court_name_ru: str
    court_name_kk: str
    court_name_en: str
    courtroom_name: str
    case_title: str = ""

    def court_name(self, language: str) -> str:
        """The court's name in ``language`` (kk, ru or en); Russian for anything else."""
        return {"kk": self.court_name_kk, "en": self.court_name_en}.get(str(language), self.court_name_ru)


class PersonFields(Protocol):
    """A hearing participant's columns: a mapped row, or :class:`sessions.snapshot.Person`."""

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
    disconnected_at: datetime | None


class HearingFields(Protocol):
    """A hearing's columns with its people: a mapped row, or :class:`sessions.snapshot.HearingRecord`."""

    @property
    def id(self) -> int: ...
    @property
    def courtroom_id(self) -> int: ...
    @property
    def start(self) -> datetime: ...
    @property
    def duration_minutes(self) -> int: ...
    @property
    def format(self) -> str: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def auto_admit(self) -> bool: ...
    @property
    def lobby_lead_minutes(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def pause_reason(self) -> str | None: ...
    @property
    def suspend_reason(self) -> str | None: ...
    @property
    def adjourned_to(self) -> datetime | None: ...
    @property
    def recording_paused(self) -> bool: ...
    @property
    def ics_sequence(self) -> int: ...
    @property
    def participants(self) -> Sequence[PersonFields]: ...


def plan_of(row: HearingFields, place: Place) -> HearingPlan:
    """The pure plan of a stored hearing: listed participants only, ids as ``str(users.id)``."""
    listed = tuple((p.user_id, p.role, p.display_name, p.represents_user_id) for p in row.participants if p.listed)
    return _plan(place.case_number, row.courtroom_id, row.start, row.duration_minutes, row.format, row.is_open,
                 listed, row.auto_admit, row.lobby_lead_minutes)


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


def event_of(row: HearingEventRow) -> HearingEvent:
    return HearingEvent(
        seq=row.seq, at=row.at, actor=None if row.actor_user_id is None else uid(row.actor_user_id),
        action=Action(row.action), target=None if row.target_user_id is None else uid(row.target_user_id),
        details={str(k): str(v) for k, v in (row.details or {}).items()},
    )


def hearing_of(row: HearingFields, place: Place, events: Sequence[HearingEventRow]) -> Hearing:
    state = HearingState(row.state)
    return Hearing(
        hearing_id=str(row.id),
        plan=plan_of(row, place),
        state=state,
        events=tuple(event_of(e) for e in events),
        pause_reason=None if row.pause_reason is None else PauseReason(row.pause_reason),
        suspend_reason=None if row.suspend_reason is None else SuspendReason(row.suspend_reason),
        adjourned_to=row.adjourned_to,
        recording_paused=row.recording_paused,
    )


def presence_of(row: PersonFields) -> Presence:
    reconnecting = row.presence == PresenceState.RECONNECTING.value
    return Presence(
        user_id=uid(row.user_id),
        role=HearingRole(row.role),
        state=PresenceState(row.presence),
        resume_to=PresenceState(row.resume_to) if reconnecting and row.resume_to else None,
        dropped_at=row.disconnected_at if reconnecting else None,
        audio_muted=row.muted_audio,
        video_muted=row.muted_video,
        hand_raised=row.hand_raised,
    )


def store_presence(row: PersonFields, presence: Presence) -> None:
    row.presence = presence.state.value
    row.resume_to = None if presence.resume_to is None else presence.resume_to.value
    if presence.state is PresenceState.RECONNECTING:
        row.disconnected_at = presence.dropped_at
    row.muted_audio = presence.audio_muted
    row.muted_video = presence.video_muted
    row.hand_raised = presence.hand_raised


def booking_of(row: HearingRow) -> Booking:
    people = {uid(p.user_id): HearingRole(p.role) for p in row.participants
              if p.listed and HearingRole(p.role) in BLOCKING_ROLES}
    return Booking(str(row.id), str(row.case_id), str(row.courtroom_id), row.start, row.end_at, people,
                   HearingState(row.state))


class HearingStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, hearing_id: int, *, for_update: bool = False) -> HearingRow:
        """The hearing with its participants; ``for_update`` locks the row (PostgreSQL) for the transaction."""
        query = select(HearingRow).where(HearingRow.id == hearing_id).options(selectinload(HearingRow.participants))
        if for_update:
            query = query.with_for_update(of=HearingRow)
        row = await self.session.scalar(query)
        if row is None:
            raise HearingNotFound(f"no hearing {hearing_id}", details={"hearing_id": hearing_id})
        return row

    async def events(self, hearing_id: int) -> list[HearingEventRow]:
        return list(await self.session.scalars(
            select(HearingEventRow).where(HearingEventRow.hearing_id == hearing_id).order_by(HearingEventRow.seq)))

    async def place(self, row: HearingRow) -> Place:
        found = (await self.session.execute(
            select(Case.id, Case.number, Case.title, Court.id, Court.code, Court.name_ru, Court.name_kk,
                   Court.name_en, Courtroom.name)
            .select_from(HearingRow)
            .join(Case, Case.id == HearingRow.case_id)
            .join(Court, Court.id == HearingRow.court_id)
            .join(Courtroom, Courtroom.id == HearingRow.courtroom_id)
            .where(HearingRow.id == row.id))).one()
        case_id, number, title, court_id, code, name_ru, name_kk, name_en, room = found
        return Place(case_id, number, court_id, code, name_ru, name_kk, name_en, room, title)

    def append_events(self, hearing_id: int, events: Iterable[HearingEvent]) -> list[HearingEventRow]:
        rows = [HearingEventRow(hearing_id=hearing_id, seq=e.seq, at=e.at, actor_user_id=user_id(e.actor),
                                action=e.action.value, target_user_id=user_id(e.target), details=dict(e.details))
                for e in events]
        self.session.add_all(rows)
        return rows

    async def live_bookings(self, start: datetime, end: datetime) -> list[Booking]:
        """Bookings whose slot intersects [start, end) and that still hold it."""
        rows = await self.session.scalars(
            select(HearingRow)
            .where(HearingRow.start < end, HearingRow.end_at > start,
                   HearingRow.state.not_in([s.value for s in NON_BLOCKING_STATES]))
            .options(selectinload(HearingRow.participants)))
        return [booking_of(r) for r in rows]

    async def lock_slot(self, courtroom_id: int, user_ids: Iterable[int]) -> None:
        """Serialize bookings that could clash: lock the courtroom and the professionals' user rows.

        Two clerks booking the same room or the same judge at once then check for clashes one
        after the other (PostgreSQL row locks; SQLite already holds its write lock).
        """
        await self.session.execute(select(Courtroom.id).where(Courtroom.id == courtroom_id).with_for_update())
        ids = sorted(set(user_ids))
        if ids:
            await self.session.execute(select(User.id).where(User.id.in_(ids)).order_by(User.id).with_for_update())

    async def for_case(self, case_id: int) -> list[HearingRow]:
        return list(await self.session.scalars(
            select(HearingRow).where(HearingRow.case_id == case_id).order_by(HearingRow.start)))
