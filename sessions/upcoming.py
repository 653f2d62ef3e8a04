"""A person's hearings still to come, and whether the join button is live yet — for the cabinet.

The button goes live when the waiting room opens: at the hearing's lead time by the clock
(:meth:`sessions.lifecycle.Hearing.effective_state`), or earlier if the court opened it by hand,
and stays live until the hearing ends. A hearing held only in the courtroom has nothing to join.
The cabinet page renders the answer and its script asks again (``GET /api/v1/me/hearings``) so a
button lights up without a reload. The join link is the hearing room page, ``/hearings/{id}/room``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.courts import Court, Courtroom
from cabinet.filing.models import Case
from sessions.hearings import HearingFormat, as_utc
from sessions.lifecycle import HearingState
from sessions.models import HearingParticipantRow, HearingRow

log = logging.getLogger(__name__)

LISTED = 50
"""The most hearings the cabinet lists; nobody is summoned to more at once."""


def room_path(hearing_id: int) -> str:
    """The hearing room page (built with the room; agreed URL)."""
    return f"/hearings/{hearing_id}/room"


def state_now(stored: HearingState, lobby_opens_at: datetime, now: datetime) -> HearingState:
    """The state as the clock sees it (the same rule as :meth:`Hearing.effective_state`)."""
    if stored is HearingState.SCHEDULED and as_utc(now, "now") >= lobby_opens_at:
        return HearingState.LOBBY_OPEN
    return stored


def joinable(state: HearingState, form: HearingFormat) -> bool:
    return state.is_live and form.has_remote_link


@dataclass(frozen=True)
class Upcoming:
    hearing_id: int
    case_number: str
    court_kk: str
    court_ru: str
    court_en: str
    courtroom: str
    start: datetime
    end: datetime
    format: HearingFormat
    role: str
    state: HearingState
    lobby_opens_at: datetime

    @property
    def joinable(self) -> bool:
        return joinable(self.state, self.format)

    @property
    def remote(self) -> bool:
        return self.format.has_remote_link

    @property
    def join_url(self) -> str | None:
        return room_path(self.hearing_id) if self.remote else None

    def to_json(self) -> dict[str, object]:
        return {"hearing_id": self.hearing_id, "case_number": self.case_number, "courtroom": self.courtroom,
                "court": {"kk": self.court_kk, "ru": self.court_ru, "en": self.court_en},
                "start": self.start.isoformat(), "end": self.end.isoformat(), "format": self.format.value,
                "role": self.role, "state": self.state.value, "lobby_opens_at": self.lobby_opens_at.isoformat(),
                "joinable": self.joinable, "join_url": self.join_url}


async def upcoming_for(session: AsyncSession, user_id: int, now: datetime) -> list[Upcoming]:
    """The person's listed hearings that have not ended and were not called off, soonest first."""
    rows = await session.execute(
        select(HearingRow, HearingParticipantRow.role, Case.number, Court.name_kk, Court.name_ru, Court.name_en,
               Courtroom.name)
        .join(HearingParticipantRow, HearingParticipantRow.hearing_id == HearingRow.id)
        .join(Case, Case.id == HearingRow.case_id)
        .join(Court, Court.id == HearingRow.court_id)
        .join(Courtroom, Courtroom.id == HearingRow.courtroom_id)
        .where(HearingParticipantRow.user_id == user_id, HearingParticipantRow.listed.is_(True),
               HearingRow.end_at > now,
               HearingRow.state.notin_([s.value for s in HearingState if s.is_final]))
        .order_by(HearingRow.start, HearingRow.id).limit(LISTED))
    found = []
    for row, role, number, kk, ru, en, room in rows:
        opens = row.start - timedelta(minutes=row.lobby_lead_minutes)
        found.append(Upcoming(row.id, number, kk, ru, en, room, row.start, row.end_at, HearingFormat(row.format),
                              role, state_now(HearingState(row.state), opens, now), opens))
    return found


async def joinable_for(session: AsyncSession, user_ids: list[int], now: datetime) -> dict[int, frozenset[int]]:
    """For each of ``user_ids``: the hearings whose join button is live now (one query for them all),
    so the cabinet's socket can light a button up the moment the waiting room opens."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(HearingParticipantRow.user_id, HearingRow.id, HearingRow.state, HearingRow.start,
               HearingRow.lobby_lead_minutes, HearingRow.format)
        .join(HearingRow, HearingParticipantRow.hearing_id == HearingRow.id)
        .where(HearingParticipantRow.user_id.in_(user_ids), HearingParticipantRow.listed.is_(True),
               HearingRow.end_at > now, HearingRow.state.notin_([s.value for s in HearingState if s.is_final])))
    found: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    for user_id, hearing_id, state, start, lead, form in rows:
        opens = start - timedelta(minutes=lead)
        if joinable(state_now(HearingState(state), opens, now), HearingFormat(form)):
            found[user_id].add(hearing_id)
    return {user_id: frozenset(ids) for user_id, ids in found.items()}
