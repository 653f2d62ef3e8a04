"""Equipment checks of a hearing: each person stores their own, the court's staff read them all.

The person is whoever is logged in, never a field of the request; they must be a person of the
hearing (listed, or a public observer who joined an open hearing) and not removed from it. Only the
judges and clerks of the hearing's court read the checks. Listeners (the signaling server) hear of
every stored check, to show it on the bench at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cabinet.identity.principal import Principal
from core.clock import Clock
from core.config import Config
from core.db import Database
from sessions.booking import BookingService
from sessions.equipment import EquipmentCheck
from sessions.equipment_store import EquipmentCheckStore
from sessions.errors import AdmissionRefused, NotAuthenticated
from sessions.hearings import HearingRole
from sessions.presence import PresenceState
from sessions.stored import StoredHearing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonCheck:
    """A person's check as the bench lists it: who they are in the hearing, and what they measured."""

    hearing_id: int
    user_id: int
    name: str
    role: HearingRole
    check: EquipmentCheck

    def to_json(self) -> dict[str, Any]:
        return {"hearing_id": self.hearing_id, "user_id": self.user_id, "name": self.name,
                "role": self.role.value, **self.check.to_json()}


Listener = Callable[[PersonCheck], Awaitable[None]]
Reader = Callable[[int], Awaitable[StoredHearing]]


class EquipmentCheckService:
    """``read`` is the hearing service's unlocked read of a stored hearing (its people)."""

    def __init__(self, db: Database, clock: Clock, config: Config, read: Reader) -> None:
        self.db, self.clock, self.config, self.read = db, clock, config, read
        self._listeners: list[Listener] = []

    def on_stored(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def store(self, principal: Principal | None, hearing_id: int, check: EquipmentCheck) -> PersonCheck:
        """Keep ``check`` as the caller's latest for the hearing."""
        if principal is None:
            raise NotAuthenticated("log in with your electronic digital signature first")
        record = await self.read(hearing_id)
        person = record.person(principal.user_id)
        if person is None:
            raise AdmissionRefused("you are not a participant of this hearing", code="not_a_participant",
                                   details={"hearing_id": hearing_id})
        if person.presence.state is PresenceState.REMOVED:
            raise AdmissionRefused("the judge removed you from this hearing", code="removed",
                                   details={"hearing_id": hearing_id})
        async with self.db.transaction() as session:
            await EquipmentCheckStore(session).put(hearing_id, principal.user_id, check)
        stored = PersonCheck(hearing_id, principal.user_id, person.display_name, person.role, check)
        log.info("user %s checked their equipment for hearing %s: %s", principal.user_id, hearing_id,
                 check.verdict.value)
        for listener in self._listeners:
            try:
                await listener(stored)
            except Exception:  # the check is stored; the bench reads it on its next load
                log.warning("telling the bench of a check failed", exc_info=True)
        return stored

    async def of_hearing(self, principal: Principal | None, hearing_id: int) -> list[PersonCheck]:
        """Every person's latest check, for the judges and clerks of the hearing's court."""
        if principal is None:
            raise NotAuthenticated("log in with your electronic digital signature first")
        async with self.db.transaction() as session:
            stored = await BookingService(session, self.clock, self.config).require_staff(principal, hearing_id)
            checks = await EquipmentCheckStore(session).of_hearing(hearing_id)
        return [PersonCheck(hearing_id, p.user_id, p.display_name, p.role, checks[p.user_id])
                for p in stored.people if p.user_id in checks]
