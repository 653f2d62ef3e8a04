"""The case timeline: every status change goes through the state machine and leaves an event.

:meth:`Timeline.transition` is the only way a case's status changes — registration, acceptance,
leaving without motion, decisions, and later the hearings package's scheduling — so every change
is checked by :func:`cabinet.case_status.perform`, stored as a :class:`CaseEvent`, and appended to
the audit log, all in the caller's transaction. Facts that are not status changes (a judge
assigned, a document filed, an act issued) are events too, via :meth:`Timeline.fact`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.case_status import ActorRole, CaseAction, CaseState, CaseStatus, perform
from cabinet.filing.models import Case, CaseEvent
from core.clock import Clock

log = logging.getLogger(__name__)


class Timeline:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.audit = AuditLog(session, clock)

    async def transition(self, case: Case, action: CaseAction, *, actor_role: ActorRole, actor_id: int | None,
                         actor: str, reason: str | None = None, deadline: datetime | None = None,
                         details: dict[str, Any] | None = None) -> CaseEvent:
        state = CaseState(CaseStatus(case.status), case.motion_deadline)
        new_state, event = perform(state, action, actor=actor_role, clock=self.clock, reason=reason,
                                   deadline=deadline)
        case.status = new_state.status.value
        case.motion_deadline = new_state.motion_deadline
        row = CaseEvent(case_id=case.id, at=event.at, action=action.value, from_status=event.from_status.value,
                        to_status=event.to_status.value, actor_role=actor_role.value, actor_id=actor_id,
                        reason=event.reason, deadline=event.deadline, details=dict(details or {}))
        self.session.add(row)
        await self.session.flush()
        await self.audit.append(f"case.{action.value}", actor=actor, subject=f"case:{case.number}",
                                details={**event.to_json(), **(details or {})})
        log.info("case %s: %s -> %s", case.number, event.from_status.value, event.to_status.value)
        return row

    async def opened(self, case: Case, *, actor_id: int | None, actor: str, details: dict[str, Any]) -> CaseEvent:
        """The first event: a submitted filing registered as a new case (submitted -> registered)."""
        case.status = CaseStatus.SUBMITTED.value
        return await self.transition(case, CaseAction.REGISTER, actor_role=ActorRole.CLERK, actor_id=actor_id,
                                     actor=actor, details=details)

    async def fact(self, case: Case, action: str, *, actor_role: str, actor_id: int | None, actor: str,
                   details: dict[str, Any]) -> CaseEvent:
        row = CaseEvent(case_id=case.id, at=self.clock.now(), action=action, actor_role=actor_role,
                        actor_id=actor_id, details=details)
        self.session.add(row)
        await self.session.flush()
        await self.audit.append(f"case.{action}", actor=actor, subject=f"case:{case.number}", details=details)
        return row

    async def events(self, case_id: int) -> list[CaseEvent]:
        return list(await self.session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.at, CaseEvent.id)))
