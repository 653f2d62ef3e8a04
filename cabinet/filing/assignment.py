"""Automatic assignment of a new case to the least-loaded judge of the court.

Load is the number of the judge's *open* cases — registered, accepted, left without motion,
scheduled or heard: work still on the judge's desk. The judge with the fewest gets the case; a tie
goes to the judge who has gone longest without a new case (never assigned counts as longest),
then to the lower user id, so the choice is deterministic and can be re-derived from the recorded
basis. Registrations at one court are serialised (the court row is locked) so two concurrent
registrations do not both see the same judge as least loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.case_status import CaseStatus
from cabinet.courts import Court
from cabinet.filing.errors import NoJudgeAvailable
from cabinet.filing.models import Case, JudgeAssignment
from cabinet.identity.models import RoleGrant
from cabinet.identity.roles import Role

log = logging.getLogger(__name__)

OPEN_STATUSES = frozenset({CaseStatus.REGISTERED, CaseStatus.ACCEPTED, CaseStatus.LEFT_WITHOUT_MOTION,
                           CaseStatus.SCHEDULED, CaseStatus.HEARD})
METHOD = "least_loaded"


@dataclass(frozen=True)
class JudgeLoad:
    judge_id: int
    open_cases: int
    last_assigned_at: datetime | None


@dataclass(frozen=True)
class Choice:
    judge_id: int
    basis: dict[str, Any]


def choose_judge(loads: Mapping[int, JudgeLoad]) -> Choice:
    """Fewest open cases, then longest without an assignment, then lowest id."""
    if not loads:
        raise NoJudgeAvailable("the court has no judge to assign the case to")

    def key(load: JudgeLoad) -> tuple[int, int, float, int]:
        never = load.last_assigned_at is None
        stamp = 0.0 if load.last_assigned_at is None else load.last_assigned_at.timestamp()
        return (load.open_cases, 0 if never else 1, stamp, load.judge_id)

    ordered = sorted(loads.values(), key=key)
    chosen = ordered[0]
    basis = {
        "method": METHOD,
        "rule": "fewest open cases, then longest since last assignment, then lowest id",
        "open_statuses": sorted(s.value for s in OPEN_STATUSES),
        "loads": [{"judge_id": load.judge_id, "open_cases": load.open_cases,
                   "last_assigned_at": load.last_assigned_at.isoformat() if load.last_assigned_at else None}
                  for load in ordered],
    }
    return Choice(chosen.judge_id, basis)


async def judge_loads(session: AsyncSession, court: Court) -> dict[int, JudgeLoad]:
    """The court's active judges and their loads, with the court row locked for the assignment."""
    await session.execute(select(Court.id).where(Court.id == court.id).with_for_update())
    judges = list(await session.scalars(
        select(RoleGrant.user_id).where(RoleGrant.role == Role.JUDGE.value, RoleGrant.court_id == court.id,
                                        RoleGrant.revoked_at.is_(None)).distinct()))
    if not judges:
        return {}
    counts: dict[int | None, int] = {judge: int(count) for judge, count in (await session.execute(
        select(Case.judge_id, func.count()).where(
            Case.court_id == court.id, Case.judge_id.in_(judges),
            Case.status.in_([s.value for s in OPEN_STATUSES])).group_by(Case.judge_id))).all()}
    last: dict[int, datetime | None] = {judge: when for judge, when in (await session.execute(
        select(JudgeAssignment.judge_id, func.max(JudgeAssignment.assigned_at))
        .where(JudgeAssignment.judge_id.in_(judges)).group_by(JudgeAssignment.judge_id))).all()}
    return {judge: JudgeLoad(judge, int(counts.get(judge, 0)), _aware(last.get(judge))) for judge in judges}


def _aware(value: datetime | None) -> datetime | None:
    from datetime import UTC

    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
