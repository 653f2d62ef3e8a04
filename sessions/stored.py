"""A stored hearing as pure values: what :class:`sessions.repository.HearingRepository` loads and saves.

:class:`StoredHearing` is the pure :class:`~sessions.lifecycle.Hearing` (plan, state, log), each
person's pure :class:`~sessions.presence.Presence` (:class:`Attendee`), where the hearing belongs
(:class:`Place`) and the :class:`Version` it was read at. Services change it with
:func:`dataclasses.replace` and hand it back to the repository; no row object leaves it.

The pure rules know users by ``str`` ids; rows by ``users.id``. :func:`uid` and :func:`user_id`
are the only two places that convert.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sessions.hearings import HearingFormat, HearingPlan, HearingRole
from sessions.labels import Language
from sessions.lifecycle import Hearing
from sessions.presence import Presence
from sessions.scheduling import BLOCKING_ROLES, Booking


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


@dataclass(frozen=True)
class Attendee:
    """One person of a hearing: their listing and their pure presence. ``id`` is the row's
    (``None`` for a member of the public not stored yet); ``listed`` is False for an observer."""

    id: int | None
    user_id: int
    role: HearingRole
    display_name: str
    listed: bool
    represents_user_id: int | None
    presence: Presence
    last_seen_at: datetime | None = None

    @classmethod
    def observer(cls, user: int, name: str) -> Attendee:
        """A member of the public entering an open hearing: an unlisted ``observer``, outside so far."""
        return cls(None, user, HearingRole.OBSERVER, name, False, None, Presence(uid(user), HearingRole.OBSERVER))

    def moved(self, presence: Presence) -> Attendee:
        return replace(self, presence=presence)


@dataclass(frozen=True)
class Version:
    """What a hearing was read as: the columns a compare-and-set checks (``state``, ``ics_sequence``,
    ``updated_at``), the other changeable columns, each person's stored columns by row id, and how
    many log entries were read (``None``: the log was not read, so nothing may be appended)."""

    state: str
    ics_sequence: int
    updated_at: datetime
    columns: tuple[Any, ...]
    people: Mapping[int, tuple[Any, ...]]
    logged: int | None
    locked: bool = False
    """Read under the hearing's lock in this unit of work: people's rows are then written plainly."""


@dataclass(frozen=True)
class StoredHearing:
    """A hearing as stored, as pure values: change it with :func:`dataclasses.replace` (or
    :meth:`with_person`) and hand it to :meth:`HearingRepository.save` with the version it was read at."""

    id: int
    court_id: int
    ics_sequence: int
    hearing: Hearing
    people: tuple[Attendee, ...]
    place: Place
    version: Version = field(compare=False, repr=False)
    language: Language = Language.RU
    """The language of the proceedings: the minutes are written in it."""

    @property
    def case_id(self) -> int:
        return self.place.case_id

    @property
    def plan(self) -> HearingPlan:
        return self.hearing.plan

    @property
    def courtroom_id(self) -> int:
        return int(self.plan.courtroom_id)

    @property
    def start(self) -> datetime:
        return self.plan.start

    @property
    def end_at(self) -> datetime:
        return self.plan.end

    @property
    def duration_minutes(self) -> int:
        return int(self.plan.duration.total_seconds() // 60)

    @property
    def format(self) -> HearingFormat:
        return self.plan.format

    @property
    def is_open(self) -> bool:
        return self.plan.is_open

    def person(self, user: int) -> Attendee | None:
        return next((p for p in self.people if p.user_id == user), None)

    def with_person(self, attendee: Attendee) -> StoredHearing:
        """``attendee`` in place of the stored person with the same user (added if there is none)."""
        people = tuple(attendee if p.user_id == attendee.user_id else p for p in self.people)
        if self.person(attendee.user_id) is None:
            people = (*people, attendee)
        return replace(self, people=people)

    def with_people(self, change: Callable[[Attendee], Attendee]) -> StoredHearing:
        """Every person through ``change(attendee) -> attendee``."""
        return replace(self, people=tuple(change(p) for p in self.people))


def booking_of(stored: StoredHearing) -> Booking:
    people = {uid(p.user_id): p.role for p in stored.people if p.listed and p.role in BLOCKING_ROLES}
    return Booking(str(stored.id), str(stored.case_id), str(stored.courtroom_id), stored.start, stored.end_at,
                   people, stored.hearing.state)
