"""A court with an accepted case, and helpers to book its hearings over HTTP and act as its people."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from cabinet.identity.principal import Principal
from cabinet.identity.users import UserService
from core.clock import SystemClock
from core.db import Database
from sessions.resources import HEARINGS
from sessions.service import HearingService
from tests.cabinet.filing.conftest import Court, registered_case
from web.schema import metadata

IIN = {"alice": "900101400123", "bob": "850505300456", "judge": "700707300783", "judge2": "710808300123",
       "clerk": "920202400567", "admin": "750303300890", "lawyer": "880404300234", "carol": "950606400345"}


async def accepted_case(court: Court) -> tuple[str, str]:
    """Alice v. Bob registered and accepted by its judge; returns (case number, the judge's cast name)."""
    _, number = await registered_case(court)
    for who in ("judge", "judge2"):
        response = await court.post(who, f"/api/v1/staff/cases/{number}/accept")
        if response.status == 200:
            return number, who
    raise AssertionError("neither judge could accept the case")


def when(court: Court, days: int = 2, hour: int = 10) -> datetime:
    """A round time ``days`` from the app's clock."""
    now = court.app.clock.now()
    return (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def booking(number: str, start: datetime, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "case": number, "courtroom": "Зал 1", "start": start.isoformat(), "duration_minutes": 60,
        "format": "online", "is_open": False,
        "participants": [
            {"iin": IIN["alice"], "role": "plaintiff"},
            {"iin": IIN["bob"], "role": "defendant"},
            {"iin": IIN["lawyer"], "role": "representative", "represents_iin": IIN["alice"]},
            {"iin": IIN["clerk"], "role": "clerk"},
        ],
    }
    body.update(extra)
    return body


async def book(court: Court, body: dict[str, Any], who: str = "clerk") -> dict[str, Any]:
    response = await court.client.post("/api/v1/hearings", json=body, headers=await court.as_(who))
    assert response.status == 201, await response.text()
    return dict(await response.json())


async def principal(db: Database, name: str) -> Principal:
    """The principal a logged-in cast member is (as the signaling server would hold it)."""
    async with db.transaction() as session:
        users = UserService(session, SystemClock())
        user = await users.get_by_iin(IIN[name])
        grants = await users.grants_of(user.id)
        return Principal(user.id, user.iin, user.common_name, grants, 0)


def service(court: Court) -> HearingService:
    return court.client.app[HEARINGS]


async def count(db: Database, table: str) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(metadata.tables[table])) or 0)
