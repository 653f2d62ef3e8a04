"""Where equipment checks are kept: one row per person per hearing, the latest check replacing the earlier."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import insert_if_absent
from sessions.equipment import EquipmentCheck, Measurement
from sessions.models import EquipmentCheckRow


def _check(row: EquipmentCheckRow) -> EquipmentCheck:
    return EquipmentCheck(Measurement(row.rtt_ms, row.packet_loss, row.bitrate_kbps), row.camera, row.microphone,
                          row.checked_at)


class EquipmentCheckStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def put(self, hearing_id: int, user_id: int, check: EquipmentCheck) -> None:
        """Store ``check`` as the person's latest for the hearing (inside the caller's transaction)."""
        m = check.measurement
        # Two first checks of one person at once (two tabs) must not collide on the unique key: the
        # row is made if absent (ON CONFLICT DO NOTHING), then locked and written.
        await insert_if_absent(self.session, EquipmentCheckRow, {
            "hearing_id": hearing_id, "user_id": user_id, "verdict": check.verdict.value, "rtt_ms": m.rtt_ms,
            "packet_loss": m.packet_loss, "bitrate_kbps": m.bitrate_kbps, "camera": check.camera,
            "microphone": check.microphone, "checked_at": check.checked_at})
        row = await self.session.scalar(select(EquipmentCheckRow).where(
            EquipmentCheckRow.hearing_id == hearing_id, EquipmentCheckRow.user_id == user_id)
            .with_for_update().execution_options(populate_existing=True))
        assert row is not None
        row.verdict = check.verdict.value
        row.rtt_ms, row.packet_loss, row.bitrate_kbps = m.rtt_ms, m.packet_loss, m.bitrate_kbps
        row.camera, row.microphone, row.checked_at = check.camera, check.microphone, check.checked_at
        await self.session.flush()

    async def of_hearing(self, hearing_id: int) -> dict[int, EquipmentCheck]:
        """Every person's latest check for the hearing, by ``users.id``."""
        rows = await self.session.scalars(select(EquipmentCheckRow).where(EquipmentCheckRow.hearing_id == hearing_id)
                                          .order_by(EquipmentCheckRow.user_id))
        return {row.user_id: _check(row) for row in rows}
