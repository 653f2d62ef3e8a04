"""What a hearing is before it happens: its format, its people and their capacities, and its slot.

These value objects are the input to every other rule in :mod:`sessions` (lifecycle, admission,
scheduling, invitations), so they refuse to exist in a state those rules would have to second-guess:
exactly one judge, unique people, timezone-aware UTC times, sane durations, and representation links
that point at somebody actually listed.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sessions.errors import InvalidHearing

logger = logging.getLogger(__name__)

MIN_DURATION = timedelta(minutes=5)
MAX_DURATION = timedelta(hours=12)
DEFAULT_LOBBY_LEAD_TIME = timedelta(minutes=15)
MAX_LOBBY_LEAD_TIME = timedelta(hours=2)
MAX_ID_LENGTH = 128
MAX_DISPLAY_NAME_LENGTH = 200


class HearingFormat(StrEnum):
    ONLINE = "online"
    IN_COURTROOM = "in_courtroom"
    MIXED = "mixed"

    @property
    def has_remote_link(self) -> bool:
        """Whether people join over the video link (so invitations carry a join URL)."""
        return self is not HearingFormat.IN_COURTROOM


class HearingRole(StrEnum):
    JUDGE = "judge"
    CLERK = "clerk"
    PLAINTIFF = "plaintiff"
    DEFENDANT = "defendant"
    REPRESENTATIVE = "representative"
    PROSECUTOR = "prosecutor"
    WITNESS = "witness"
    EXPERT = "expert"
    INTERPRETER = "interpreter"
    OBSERVER = "observer"

    @property
    def is_staff(self) -> bool:
        """Court staff run the hearing and enter it directly."""
        return self in (HearingRole.JUDGE, HearingRole.CLERK)

    @property
    def may_publish(self) -> bool:
        """Observers watch; everybody else may be heard and seen once in the room."""
        return self is not HearingRole.OBSERVER

    @property
    def waits_to_be_called(self) -> bool:
        """A witness must not hear earlier testimony, so auto-admission never applies to them."""
        return self is HearingRole.WITNESS


_MAY_REPRESENT: dict[HearingRole, frozenset[HearingRole]] = {
    HearingRole.REPRESENTATIVE: frozenset(
        {HearingRole.PLAINTIFF, HearingRole.DEFENDANT, HearingRole.WITNESS}
    ),
    HearingRole.INTERPRETER: frozenset(
        {
            HearingRole.PLAINTIFF,
            HearingRole.DEFENDANT,
            HearingRole.REPRESENTATIVE,
            HearingRole.PROSECUTOR,
            HearingRole.WITNESS,
            HearingRole.EXPERT,
        }
    ),
}


def as_utc(when: datetime, what: str) -> datetime:
    """Refuse naive datetimes and normalise aware ones to UTC.

    A naive time in a court system is a bug waiting for the first participant in another time zone
    (Kazakhstan itself spans two), so it is rejected rather than guessed.
    """
    if not isinstance(when, datetime):
        raise InvalidHearing(f"{what} must be a datetime", details={"field": what})
    if when.tzinfo is None or when.utcoffset() is None:
        raise InvalidHearing(f"{what} must be timezone-aware", details={"field": what})
    return when.astimezone(UTC)


def _clean_text(value: object, what: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise InvalidHearing(f"{what} must be text", details={"field": what})
    text = value.strip()
    if not text:
        raise InvalidHearing(f"{what} must not be empty", details={"field": what})
    if len(text) > max_length:
        raise InvalidHearing(f"{what} is longer than {max_length} characters", details={"field": what})
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise InvalidHearing(f"{what} must not contain control characters", details={"field": what})
    return text


@dataclass(frozen=True)
class Participant:
    """A user bound to a hearing in one capacity.

    ``represents`` links a representative to the party they act for, or an interpreter to the
    person they interpret for; it is what lets a consultation room or screening find the pair.
    """

    user_id: str
    role: HearingRole
    display_name: str
    represents: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "user_id", _clean_text(self.user_id, "user_id", MAX_ID_LENGTH))
        try:
            object.__setattr__(self, "role", HearingRole(self.role))
        except ValueError:
            raise InvalidHearing(f"unknown hearing role {self.role!r}", details={"field": "role"}) from None
        object.__setattr__(
            self, "display_name", _clean_text(self.display_name, "display_name", MAX_DISPLAY_NAME_LENGTH)
        )
        if self.represents is not None:
            if self.role not in _MAY_REPRESENT:
                raise InvalidHearing(
                    f"a {self.role} does not represent anybody; only representatives and interpreters do",
                    details={"field": "represents", "user_id": self.user_id},
                )
            represents = _clean_text(self.represents, "represents", MAX_ID_LENGTH)
            if represents == self.user_id:
                raise InvalidHearing(
                    "a participant cannot represent themselves",
                    details={"field": "represents", "user_id": self.user_id},
                )
            object.__setattr__(self, "represents", represents)


@dataclass(frozen=True)
class HearingPlan:
    """A booked hearing of a case: where, when, how long, how, in public or not, and who.

    ``lobby_lead_time`` is how long before ``start`` the waiting room opens by itself, so
    participants can run their equipment check before the judge arrives.
    """

    case_id: str
    courtroom_id: str
    start: datetime
    duration: timedelta
    format: HearingFormat
    is_open: bool
    participants: tuple[Participant, ...]
    auto_admit: bool = False
    lobby_lead_time: timedelta = field(default=DEFAULT_LOBBY_LEAD_TIME)

    def __post_init__(self) -> None:
        object.__setattr__(self, "case_id", _clean_text(self.case_id, "case_id", MAX_ID_LENGTH))
        courtroom_id = _clean_text(self.courtroom_id, "courtroom_id", MAX_ID_LENGTH)
        object.__setattr__(self, "courtroom_id", courtroom_id)
        object.__setattr__(self, "start", as_utc(self.start, "start"))
        try:
            object.__setattr__(self, "format", HearingFormat(self.format))
        except ValueError:
            raise InvalidHearing(
                f"unknown hearing format {self.format!r}", details={"field": "format"}
            ) from None
        for flag in ("is_open", "auto_admit"):
            if not isinstance(getattr(self, flag), bool):
                raise InvalidHearing(f"{flag} must be true or false", details={"field": flag})
        self._check_durations()
        object.__setattr__(self, "participants", tuple(self.participants))
        self._check_participants()

    def _check_durations(self) -> None:
        if not isinstance(self.duration, timedelta) or not MIN_DURATION <= self.duration <= MAX_DURATION:
            raise InvalidHearing(
                f"a hearing lasts between {MIN_DURATION} and {MAX_DURATION}",
                details={"field": "duration"},
            )
        lead = self.lobby_lead_time
        if not isinstance(lead, timedelta) or not timedelta(0) <= lead <= MAX_LOBBY_LEAD_TIME:
            raise InvalidHearing(
                f"the lobby opens between 0 and {MAX_LOBBY_LEAD_TIME} before the start",
                details={"field": "lobby_lead_time"},
            )

    def _check_participants(self) -> None:
        by_user: dict[str, Participant] = {}
        for person in self.participants:
            if not isinstance(person, Participant):
                raise InvalidHearing(
                    "participants must be Participant values", details={"field": "participants"}
                )
            if person.user_id in by_user:
                raise InvalidHearing(
                    "a user takes part in a hearing in one capacity only",
                    details={"field": "participants", "user_id": person.user_id},
                )
            by_user[person.user_id] = person
        judges = [p for p in self.participants if p.role is HearingRole.JUDGE]
        if len(judges) != 1:
            raise InvalidHearing(
                f"a hearing has exactly one presiding judge, not {len(judges)}",
                details={"field": "participants", "judges": len(judges)},
            )
        for person in self.participants:
            if person.represents is None:
                continue
            principal = by_user.get(person.represents)
            if principal is None or principal.role not in _MAY_REPRESENT[person.role]:
                raise InvalidHearing(
                    f"{person.display_name} ({person.role}) must act for a listed "
                    + " or ".join(sorted(_MAY_REPRESENT[person.role])),
                    details={
                        "field": "represents",
                        "user_id": person.user_id,
                        "represents": person.represents,
                    },
                )

    @property
    def end(self) -> datetime:
        return self.start + self.duration

    @property
    def lobby_opens_at(self) -> datetime:
        return self.start - self.lobby_lead_time

    @property
    def judge(self) -> Participant:
        return next(p for p in self.participants if p.role is HearingRole.JUDGE)

    def participant(self, user_id: str | None) -> Participant | None:
        """The listing of ``user_id`` in this hearing, or ``None`` for anybody not listed."""
        if user_id is None:
            return None
        return next((p for p in self.participants if p.user_id == user_id), None)

    def with_role(self, *roles: HearingRole) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.role in roles)

    def rescheduled(self, start: datetime, duration: timedelta | None = None) -> HearingPlan:
        """The same hearing at another time; validation runs again on the new slot."""
        return replace(self, start=start, duration=self.duration if duration is None else duration)

    def with_participants(self, participants: Iterable[Participant]) -> HearingPlan:
        return replace(self, participants=tuple(participants))
