"""The small checks and conversions the hearing service applies around the pure rules.

Split from :mod:`sessions.service` so the service reads as its public operations; everything
here is used only by it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from cabinet.identity.roles import Grant, Role
from sessions.admission import StaffRole
from sessions.errors import InvalidHearing
from sessions.lifecycle import TRANSITIONS, Hearing, HearingState
from sessions.stored import user_id
from sessions.views import HearingEvent


def logged_events(hearing_id: int, initial: Hearing, hearing: Hearing) -> tuple[HearingEvent, ...]:
    """The log entries ``hearing`` has beyond ``initial``, for broadcast, each with the state it left."""
    state = initial.state
    result = []
    for event in hearing.events[len(initial.events):]:
        if event.action in TRANSITIONS:
            state = HearingState(event.details.get("to", TRANSITIONS[event.action][1].value))
        result.append(HearingEvent(
            hearing_id=hearing_id, seq=event.seq, at=event.at, action=event.action,
            actor_user_id=user_id(event.actor), target_user_id=user_id(event.target),
            details=event.details, state=state))
    return tuple(result)


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
