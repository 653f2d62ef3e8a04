"""notify(): a notice and its outbox rows live or die with the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from cabinet.identity.models import User
from cabinet.notifications.errors import NoticeInvalid
from cabinet.notifications.models import Delivery, Notice
from cabinet.notifications.outbox import install_nudge, notify
from core.clock import FixedClock
from core.db import Database

CLOCK = FixedClock(datetime(2026, 2, 2, 9, 0, tzinfo=UTC))
HEARING = datetime(2026, 2, 10, 5, 0, tzinfo=UTC)


async def add_user(db: Database, iin: str = "900101400123", *, email: str | None = None,
                   phone: str | None = None, language: str | None = None) -> int:
    async with db.transaction() as session:
        user = User(iin=iin, common_name="ӘЛИЕВА АЛИЯ", email=email, phone=phone, created_at=CLOCK.now(),
                    language=language)
        session.add(user)
        await session.flush()
        return user.id


async def summon(session: object, user: int, **overrides: object) -> int:
    values: dict[str, object] = dict(
        user_id=user, kind="hearing_scheduled", facts={"case_number": "7594-26-00-2/000017"}, case_id=17,
        court="Алмалинский районный суд города Алматы",
        case_number="7594-26-00-2/000017", capacity="defendant", when=HEARING, place="Зал 1")
    values.update(overrides)
    return await notify(session, CLOCK, **values)  # type: ignore[arg-type]


async def counts(db: Database) -> tuple[int, int]:
    async with db.transaction() as session:
        notices = await session.scalar(select(func.count()).select_from(Notice))
        deliveries = await session.scalar(select(func.count()).select_from(Delivery))
    return int(notices or 0), int(deliveries or 0)


async def test_a_notice_gets_one_pending_delivery_per_channel_the_person_has(db: Database) -> None:
    both = await add_user(db, email="aliya@example.kz", phone="+77012345678")
    email_only = await add_user(db, "850505300456", email="bolat@example.kz")
    neither = await add_user(db, "950606400345")
    async with db.transaction() as session:
        ids = [await summon(session, user) for user in (both, email_only, neither)]
    async with db.transaction() as session:
        rows = list(await session.scalars(select(Delivery).order_by(Delivery.id)))
        notice = await session.get(Notice, ids[0])
    assert [(r.notice_id, r.channel, r.address, r.state) for r in rows] == [
        (ids[0], "email", "aliya@example.kz", "pending"), (ids[0], "sms", "+77012345678", "pending"),
        (ids[1], "email", "bolat@example.kz", "pending")]
    assert all(r.next_attempt_at == CLOCK.now() and r.attempts == 0 for r in rows)
    assert notice is not None and notice.addressee == "ӘЛИЕВА АЛИЯ" and notice.event_at == HEARING
    assert notice.case_id == 17 and notice.served_at is None and notice.read_at is None


async def test_a_notice_issued_in_a_transaction_that_rolls_back_leaves_nothing(db: Database) -> None:
    user = await add_user(db, email="aliya@example.kz", phone="+77012345678")
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await summon(session, user)
            raise RuntimeError("the hearing could not be scheduled after all")
    assert await counts(db) == (0, 0)


async def test_the_sender_is_nudged_after_commit_and_not_after_rollback(db: Database) -> None:
    user = await add_user(db, email="aliya@example.kz")
    nudges: list[str] = []
    install_nudge(db, lambda: nudges.append("nudge"))
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await summon(session, user)
            raise RuntimeError("refused")
    assert nudges == []
    async with db.transaction() as session:
        await summon(session, user)
        await summon(session, user)
        assert nudges == []
    assert nudges == ["nudge"]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"kind": "weather_report"}, "kind"),
    ({"facts": {}}, "case_number"),
    ({"facts": {"case_number": "  "}}, "case_number"),
    ({"facts": {"case_number": "1", "weather": "fine"}}, "weather"),
    ({"facts": {"case_number": "1", "reason": "x" * 1001}}, "reason"),
    ({"when": datetime(2026, 2, 10, 10, 0)}, "when"),
    ({"when": None}, "when"),
    ({"place": None}, "place"),
    ({"case_number": "7" * 65}, "case_number"),
    ({"user_id": 999_999}, "user_id"),
])
async def test_a_malformed_notice_is_refused_and_stores_nothing(db: Database, overrides: dict[str, object],
                                                               field: str) -> None:
    user = await add_user(db, email="aliya@example.kz")
    with pytest.raises(NoticeInvalid) as refused:
        async with db.transaction() as session:
            await summon(session, user, **overrides)
    assert refused.value.code == "notice_invalid" and refused.value.details == {"field": field}
    assert await counts(db) == (0, 0)


async def test_an_informative_notice_needs_no_time_or_place(db: Database) -> None:
    user = await add_user(db)
    async with db.transaction() as session:
        notice_id = await notify(session, CLOCK, user_id=user, kind="filing_registered",
                                 facts={"incoming_number": "N-1", "case_number": "C-1"})
    assert notice_id > 0
    assert await counts(db) == (1, 0)
