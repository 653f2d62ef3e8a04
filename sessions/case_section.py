"""The hearings of a case, as the case file in the cabinet shows them to the people who may see it.

The case file endpoint has already decided the caller may see the case; this only lists its
hearings (cancelled and adjourned ones too, with their state, so a party sees what changed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.courts import Courtroom
from cabinet.filing.models import Case
from core.config import Config
from sessions.hearings import HearingFormat
from sessions.models import HearingRow
from sessions.notices import invitation_path, join_url


def hearings_section(config: Config) -> Any:
    async def hearings_of_case(session: AsyncSession, case: Case) -> list[dict[str, Any]]:
        rows = await session.execute(
            select(HearingRow, Courtroom.name)
            .join(Courtroom, Courtroom.id == HearingRow.courtroom_id)
            .where(HearingRow.case_id == case.id)
            .order_by(HearingRow.start, HearingRow.id)
        )
        return [{
            "id": hearing.id,
            "start": hearing.start.isoformat(),
            "end": hearing.end_at.isoformat(),
            "duration_minutes": hearing.duration_minutes,
            "courtroom": room,
            "format": hearing.format,
            "open": hearing.is_open,
            "state": hearing.state,
            "invitation_url": invitation_path(hearing.id),
            "join_url": join_url(config, hearing.id) if HearingFormat(hearing.format).has_remote_link else None,
        } for hearing, room in rows]

    return hearings_of_case
