"""The language a person reads the court in: kept on the user, moved there from the pages' table
by migration 0075 without losing a choice, and read back as the state language when none was made."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from cabinet.identity.language import STATE_LANGUAGE, Language, LanguagePreferences
from cabinet.identity.models import User
from core.db import Database
from core.errors import BadRequest
from web.migrate import downgrade, upgrade

NOW = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)


async def test_the_choices_made_on_the_pages_survive_the_move_and_come_back_on_downgrade(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'move.db'}"
    await asyncio.to_thread(upgrade, url, "0040")
    db = Database(url)
    async with db.engine.begin() as conn:
        for user_id, iin in ((1, "900101400123"), (2, "850505300456")):
            await conn.execute(text("INSERT INTO users (id, iin, common_name, surname, given_name, patronymic, "
                                    "created_at) VALUES (:id, :iin, 'X', '', '', '', :now)"),
                               {"id": user_id, "iin": iin, "now": NOW})
        await conn.execute(text("INSERT INTO page_preferences (user_id, language, updated_at) "
                                "VALUES (1, 'ru', :now)"), {"now": NOW})
    await db.close()
    await asyncio.to_thread(upgrade, url, "0075")
    db = Database(url)
    async with db.sessions() as session:
        assert await LanguagePreferences(session).chosen(1) is Language.RU
        assert await LanguagePreferences(session).chosen(2) is None
        assert await LanguagePreferences(session).of(2) is STATE_LANGUAGE is Language.KK
    await db.close()
    await asyncio.to_thread(downgrade, url, "0040")
    db = Database(url)
    async with db.engine.connect() as conn:
        rows = (await conn.execute(text("SELECT user_id, language FROM page_preferences"))).all()
    await db.close()
    assert [tuple(row) for row in rows] == [(1, "ru")]


async def test_remembering_a_choice_overwrites_the_last_one(db: Database) -> None:
    async with db.transaction() as session:
        user = User(iin="900101400123", common_name="ӘЛИЕВА АЛИЯ", created_at=NOW)
        session.add(user)
        await session.flush()
        await LanguagePreferences(session).remember(user.id, Language.EN)
        await LanguagePreferences(session).remember(user.id, Language.RU)
    async with db.sessions() as session:
        assert await LanguagePreferences(session).of(user.id) is Language.RU


@pytest.mark.parametrize("value", ["de", "", None, "KK", "ru-RU"])
def test_only_the_courts_three_languages_parse(value: str | None) -> None:
    with pytest.raises(BadRequest) as refused:
        Language.parse(value)
    assert refused.value.code == "language_unknown"
