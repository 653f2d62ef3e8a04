"""What the filing side tells people: one place that turns case events into outbox notices.

Notices are written through :func:`cabinet.notifications.outbox.notify` in the caller's
transaction, so a registration that rolls back notifies nobody. Parties who never logged in have
no cabinet to notify; they see everything the first time they log in (cases are found by IIN).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.courts import Court
from cabinet.filing.cases import CaseStore
from cabinet.filing.models import Case
from cabinet.notifications.notices import Names
from cabinet.notifications.outbox import notify
from core.clock import Clock

log = logging.getLogger(__name__)


async def tell_user(session: AsyncSession, clock: Clock, *, user_id: int, kind: str, facts: Mapping[str, object],
                    court: Court, case: Case | None = None, capacity: str | None = None) -> int:
    """``facts`` are what ``cabinet.notifications.wording`` writes the notice from, in the reader's language."""
    return await notify(session, clock, user_id=user_id, kind=kind, facts=facts,
                        case_id=case.id if case else None, court=Names(court.name_kk, court.name_ru, court.name_en),
                        case_number=case.number if case else None, capacity=capacity)


async def tell_parties(session: AsyncSession, clock: Clock, case: Case, court: Court, *, kind: str,
                       facts: Mapping[str, object], except_user: int | None = None) -> list[int]:
    """Notify every party and representative of ``case`` who has a cabinet, except ``except_user``."""
    sent = []
    for party, user in await CaseStore(session).party_users(case):
        if user.id == except_user:
            continue
        sent.append(await tell_user(session, clock, user_id=user.id, kind=kind, facts=facts,
                                    court=court, case=case, capacity=party.role))
    return sent
