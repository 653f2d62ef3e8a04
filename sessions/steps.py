"""One locked hearing inside one transaction, and the small checks the hearing service applies.

Split from :mod:`sessions.service` so the service reads as its public operations; everything
here is used only by it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from cabinet.identity.roles import Grant, Role
from core.clock import Clock
from sessions.admission import StaffRole
from sessions.errors import InvalidHearing
from sessions.lifecycle import TRANSITIONS, Hearing, HearingState
from sessions.models import HearingParticipantRow, HearingRow
from sessions.store import HearingStore, Place, user_id
from sessions.views import HearingEvent


class Step:
    """One locked hearing inside one transaction: the row, its place, and the pure hearing as it
    was read (``initial``) and as the rules have left it (``hearing``)."""

    def __init__(self, store: HearingStore, row: HearingRow, place: Place, initial: Hearing, hearing: Hearing,
                 clock: Clock) -> None:
        self.store, self.row, self.place, self.initial, self.hearing, self.clock = (
            store, row, place, initial, hearing, clock)

    def person(self, user: int) -> HearingParticipantRow | None:
        return next((p for p in self.row.participants if p.user_id == user), None)

    async def finish(self) -> list[HearingEvent]:
        """Store the new state and the new log entries; the events, for broadcast."""
        hearing, row = self.hearing, self.row
        new = hearing.events[len(self.initial.events):]
        row.state = hearing.state.value
        row.pause_reason = None if hearing.pause_reason is None else hearing.pause_reason.value
        row.suspend_reason = None if hearing.suspend_reason is None else hearing.suspend_reason.value
        row.adjourned_to = hearing.adjourned_to
        row.recording_paused = hearing.recording_paused
        if new:
            row.updated_at = self.clock.now()
            self.store.append_events(row.id, new)
        await self.store.session.flush()
        state = self.initial.state
        result = []
        for event in new:
            if event.action in TRANSITIONS:
                state = HearingState(event.details.get("to", TRANSITIONS[event.action][1].value))
            result.append(HearingEvent(
                hearing_id=row.id, seq=event.seq, at=event.at, action=event.action,
                actor_user_id=user_id(event.actor), target_user_id=user_id(event.target),
                details=event.details, state=state))
        return result


def staff_roles(grants: Iterable[Grant], court_id: int) -> frozenset[StaffRole]:
    roles = set()
    for grant in grants:
        if grant.court_id == court_id and grant.role is Role.JUDGE:
            roles.add(StaffRole.JUDGE)
        if grant.court_id == court_id and grant.role is Role.CLERK:
            roles.add(StaffRole.CLERK)
    return frozenset(roles)


MAX_STATS = 20


def checked_stats(stats: Mapping[str, float]) -> dict[str, float]:
    """Connection figures as stored: at most 20 named finite numbers."""
    if not isinstance(stats, Mapping) or len(stats) > MAX_STATS:
        raise InvalidHearing(f"stats are at most {MAX_STATS} named numbers", code="invalid_stats",
                             details={"field": "stats"})
    figures = {}
    for name, value in stats.items():
        if (not isinstance(name, str) or not 0 < len(name) <= 40 or isinstance(value, bool)
                or not isinstance(value, int | float) or not math.isfinite(value)):
            raise InvalidHearing(f"stat {name!r} must be a finite number", code="invalid_stats",
                                 details={"field": "stats"})
        figures[name] = float(value)
    return figures
