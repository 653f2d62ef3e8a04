"""What a judge reads before deciding a deferral of the duty (art. 135): the requests of their cases
that await a decision, each with the filer's reason, what was asked and what is owed.

A request asks for one date or for N monthly instalments; the plan is drawn from the court's today,
the day the judge would grant it, by the same :func:`~cabinet.fee_instalments.instalment_plan` the
filer read, so the date the judge is offered (the asked date, or the last instalment's) is one the
grant accepts. Only the judge of the case sees a request here; the checks are those of the decision.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.fee_instalments import Instalment, instalment_plan
from cabinet.filing.access import caller_of
from cabinet.filing.deferrals import DeferralStatus, judged_deferral
from cabinet.filing.models import Case, FeeDeferral, Filing
from cabinet.filing.numbering import COURT_TIME
from cabinet.identity.models import User
from cabinet.identity.principal import Principal
from cabinet.money import Money
from core.clock import Clock

log = logging.getLogger(__name__)

QUEUE = 100


@dataclass(frozen=True)
class PendingDeferral:
    filing_id: int
    incoming_number: str | None
    case_number: str
    title: str | None
    filer: str
    reason: str
    requested_until: date | None
    instalments: int | None
    owed: Money
    plan: tuple[Instalment, ...]
    requested_at: datetime

    @property
    def suggested_due(self) -> date | None:
        """The due date a grant of what was asked would set: the asked date, or the last instalment's."""
        return self.requested_until or (self.plan[-1].due if self.plan else None)


def _plan(owed: Money, count: int | None, today: date) -> tuple[Instalment, ...]:
    if count is None or owed.tiyn < count:  # nothing owed to split: the judge still decides, on the date
        return ()
    return instalment_plan(owed, count, today)


def _pending(deferral: FeeDeferral, filing: Filing, case: Case, filer: str, today: date) -> PendingDeferral:
    owed = Money(filing.fee_tiyn or 0)
    return PendingDeferral(filing.id, filing.incoming_number, case.number, filing.title, filer, deferral.reason,
                           deferral.requested_until, deferral.instalments, owed,
                           _plan(owed, deferral.instalments, today), deferral.requested_at)


async def pending_deferrals(session: AsyncSession, clock: Clock, principal: Principal) -> list[PendingDeferral]:
    """The requests awaiting this judge's decision, in the cases assigned to them, oldest first."""
    courts = caller_of(principal).judge_courts
    if not courts:
        return []
    today = clock.now().astimezone(COURT_TIME).date()
    rows = await session.execute(
        select(FeeDeferral, Filing, Case, User.common_name)
        .join(Filing, Filing.id == FeeDeferral.filing_id).join(Case, Case.id == Filing.case_id)
        .join(User, User.id == Filing.owner_id)
        .where(FeeDeferral.status == DeferralStatus.REQUESTED.value, Case.judge_id == principal.user_id,
               Case.court_id.in_(courts), Filing.owner_id != principal.user_id)
        .order_by(FeeDeferral.requested_at, FeeDeferral.id).limit(QUEUE))
    return [_pending(deferral, filing, case, filer, today) for deferral, filing, case, filer in rows]


async def deferral_to_decide(session: AsyncSession, clock: Clock, filing_id: int,
                             principal: Principal) -> PendingDeferral:
    """One request as its decision page shows it, refused exactly as deciding it would be."""
    filing, case, deferral = await judged_deferral(session, clock, filing_id, principal)
    owner = await session.get(User, filing.owner_id)
    return _pending(deferral, filing, case, owner.common_name if owner else "",
                    clock.now().astimezone(COURT_TIME).date())
