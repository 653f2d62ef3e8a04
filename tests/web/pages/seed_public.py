"""Seeds the browser tests' server database with a court, a judge, cases and hearings.

Run in a process of its own (``python -c ... URL DAY``): the browser tests hold Playwright's event
loop in their thread. Uses the same helpers as the public lookup's own tests.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, date, datetime, time, timedelta

from cabinet.courts import CourtSpec, CourtStore
from cabinet.identity.roles import Role
from cabinet.identity.users import PersonName, UserService
from core.clock import COURT_TIME, SystemClock
from core.db import connect
from tests.sessions.public.conftest import add_case, add_hearing

COURT = CourtSpec("7594", "Алматы", "Алматы қаласының Алмалы аудандық соты",
                  "Алмалинский районный суд города Алматы", "Almaly District Court of Almaty")
OPEN_CASE = "7594-26-00-2/000001"
CLOSED_CASE = "7594-26-00-2/000002"
CLERK_IIN = "920202400781"
JUDGE_IIN = "700707300783"


async def seed(url: str, day: date) -> None:
    async with connect(url) as db:
        async with db.transaction() as session:
            courts = CourtStore(session)
            await courts.add(COURT)
            for room in ("Зал 1", "Зал 2"):
                await courts.add_courtroom("7594", room)
            users = UserService(session, SystemClock())
            await users.grant(PersonName(JUDGE_IIN, "СУДЬЯЕВ САПАР"), Role.JUDGE, "7594", granter=None,
                              actor="test")
            await users.grant(PersonName(CLERK_IIN, "ХАТШЫ ХАДИША"), Role.CLERK, "7594", granter=None, actor="test")
            await users.grant(PersonName(CLERK_IIN, "ХАТШЫ ХАДИША"), Role.COURT_ADMIN, "7594", granter=None,
                              actor="test")
        case = await add_case(db, OPEN_CASE, status="scheduled")
        closed = await add_case(db, CLOSED_CASE, category="03", closed=True)
        at = datetime.combine(day, time(10, 0), COURT_TIME).astimezone(UTC)
        await add_hearing(db, case.id, at, room="Зал 1")
        await add_hearing(db, closed.id, at + timedelta(hours=2), room="Зал 2", is_open=False)


async def summon(url: str, iin: str) -> None:
    """A hearing notice for the person with ``iin``, issued as the hearings service would."""
    from sqlalchemy import select

    from cabinet.identity.models import User
    from cabinet.notifications.outbox import notify

    async with connect(url) as db, db.transaction() as session:
        user_id = await session.scalar(select(User.id).where(User.iin == iin))
        assert user_id is not None, iin
        await notify(session, SystemClock(), user_id=user_id, kind="hearing_scheduled",
                     facts={"case_number": OPEN_CASE}, case_number=OPEN_CASE, court=COURT.name_en,
                     capacity="plaintiff", when=datetime.now(UTC) + timedelta(days=2), place="Зал 1")


if __name__ == "__main__":
    if sys.argv[1] == "summon":
        asyncio.run(summon(sys.argv[2], sys.argv[3]))
    else:
        asyncio.run(seed(sys.argv[1], date.fromisoformat(sys.argv[2])))
