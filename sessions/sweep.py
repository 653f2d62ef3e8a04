"""The time-driven rules of hearings, and the periodic sweep that applies them.

Nobody acts when a lobby's lead time comes, when a judge's server dies or when a dropped person's
reconnection grace runs out: the clock does. Every signaling process sweeps the hearings it holds
sockets in every few seconds (:class:`Sweeper`), and nearly always nothing is due: so all of them
are read in one statement without a lock, and the locked transaction with the event log runs
only for a hearing where a rule may apply (:func:`due`, a superset; :func:`apply_time_rules`
decides).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from core.clock import Clock
from sessions.errors import SessionsError
from sessions.lifecycle import CourtPolicy, HearingState, Lifecycle
from sessions.stored import StoredHearing
from sessions.views import HearingEvent, HearingView, Outcome

logger = logging.getLogger(__name__)


def due(stored: StoredHearing, now: datetime, policy: CourtPolicy, grace: timedelta) -> bool:
    """Whether a time rule may change the hearing now (a superset: :func:`apply_time_rules` decides)."""
    hearing = stored.hearing
    if hearing.effective_state(now) is not hearing.state:
        return True
    if hearing.state is HearingState.IN_SESSION:
        judge = stored.person(int(hearing.plan.judge.user_id))
        seen = None if judge is None else judge.last_seen_at
        if seen is None or now - seen > policy.judge_loss_timeout:
            return True
    return any(p.presence.has_expired(now, grace) for p in stored.people)


def apply_time_rules(stored: StoredHearing, lifecycle: Lifecycle, now: datetime, grace: timedelta) -> StoredHearing:
    """The lobby opens, a hearing whose judge is gone is suspended, expired reconnections leave."""
    judge = stored.plan.judge.user_id
    person = stored.person(int(judge))
    seen = {} if person is None or person.last_seen_at is None else {judge: person.last_seen_at}
    stored = replace(stored, hearing=lifecycle.watch(stored.hearing, seen))
    return stored.with_people(
        lambda p: p.moved(p.presence.expire(now, grace)) if p.presence.has_expired(now, grace) else p)


class Hearings(Protocol):
    """What the sweep needs of :class:`sessions.service.HearingService` (which owns a :class:`Sweeper`)."""

    clock: Clock
    policy: CourtPolicy
    reconnect_grace: timedelta

    async def record(self, hearing_id: int) -> StoredHearing: ...
    async def records(self, hearing_ids: Iterable[int]) -> dict[int, StoredHearing]: ...
    async def watched(self, hearing_id: int) -> Outcome: ...
    def view_of(self, stored: StoredHearing) -> HearingView: ...


class Sweeper:
    """:meth:`HearingService.sweep` and :meth:`HearingService.tick`."""

    def __init__(self, service: Hearings) -> None:
        self.service = service

    def _due(self, stored: StoredHearing) -> bool:
        service = self.service
        return due(stored, service.clock.now(), service.policy, service.reconnect_grace)

    async def sweep(self, hearing_id: int) -> list[HearingEvent]:
        """Apply the rules to one hearing; the logged events (presence changes are not events)."""
        record = await self.service.record(hearing_id)
        if not self._due(record):
            return []
        return list((await self.service.watched(hearing_id)).events)

    async def tick(self, hearing_ids: Iterable[int]) -> dict[int, Outcome]:
        """:meth:`sweep` for several hearings, each with the hearing as it then stands.

        A hearing that is gone, or whose sweep is refused (logged), is left out.
        """
        ticked = {}
        for hearing_id, record in (await self.service.records(hearing_ids)).items():
            if not self._due(record):
                ticked[hearing_id] = Outcome((), self.service.view_of(record))
                continue
            try:
                ticked[hearing_id] = await self.service.watched(hearing_id)
            except SessionsError as exc:
                logger.info("sweep of hearing %s refused: %s", hearing_id, exc.code)
        return ticked
