"""The per-process sweeper of ``/hearing``: liveness beats, the hearings' time rules, and sockets
whose login session or staff grant is gone.

* An open socket is proof of life even if its page sends no heartbeats: this process beats for it
  every ``liveness_s``. When the process dies its beats stop, which is how a judge on a crashed
  server counts as gone and the hearing gets suspended by another process.
* The time rules (:mod:`sessions.sweep`) run for the hearings this process has sockets in.
* Every ``recheck_s`` each socket's session is checked again, as every call already does: a
  session that expired, was logged out (another process's logout reaches this one on the bus, but
  a lost message must not keep a socket alive) or was ended with its revoked certificate, and a
  staff grant revoked, end the socket even if it never calls again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

from cabinet.identity.principal import Principal
from sessions.errors import SessionsError
from sessions.lifecycle import Action
from signaling.auth import recheck
from signaling.rooms import staff_room

if TYPE_CHECKING:
    from signaling.hearing import HearingNamespace

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, namespace: HearingNamespace, *, interval_s: float, liveness_s: float,
                 recheck_s: float) -> None:
        self.namespace = namespace
        self.interval_s = interval_s
        self.liveness_s = liveness_s
        self.recheck_s = recheck_s
        self._checked_at = time.monotonic()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.sweep()
            except Exception:
                log.exception("hearing sweep failed; retrying in %s s", self.interval_s)

    async def sweep(self) -> None:
        ns = self.namespace
        now = time.monotonic()
        if now - self._checked_at >= self.recheck_s:
            self._checked_at = now
            await self.recheck()
        for connection in ns.sockets.all():
            if connection.ended or now - connection.beat_at < self.liveness_s:
                continue
            connection.beat_at = now
            with contextlib.suppress(SessionsError):
                await ns.service.heartbeat(connection.user_id, connection.hearing_id, connection.stats)
        hearings = ns.sockets.hearings()
        ticked = await ns.service.tick(hearings) if hearings else {}
        for hearing_id, outcome in ticked.items():
            for event in outcome.events:
                if event.action is Action.SUSPEND and event.actor_user_id is None:
                    await ns.emit("alert", {"kind": "judge_connection_lost", "user_id": event.target_user_id},
                                  room=staff_room(hearing_id))
            if outcome.events or ns.roster.changed(outcome.view):
                await ns.broadcast(outcome)

    async def recheck(self) -> None:
        """End every socket whose session or staff grant is gone (one read per distinct session)."""
        ns = self.namespace
        principals: dict[str, Principal | None] = {}
        for connection in ns.sockets.all():
            if connection.ended:
                continue
            if connection.token not in principals:
                principals[connection.token] = await recheck(ns.app, connection.token)
            lapse = ns.verdict(connection, principals[connection.token])
            if lapse is not None:
                await ns.lapse(connection, lapse)
