"""The language a person reads the court in: chosen on the pages, read by whatever writes to them.

The pages' switcher writes it and the notice writer (``cabinet.notifications.outbox``) reads it, so
it lives here, below both: the notifications package may not import the pages. A person who never
chose is written to in Kazakh, the state language, as the pages also default to it.
"""

from __future__ import annotations

import enum
import logging

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.identity.models import User
from core.errors import BadRequest

log = logging.getLogger(__name__)


class Language(enum.Enum):
    KK = "kk"
    RU = "ru"
    EN = "en"

    @classmethod
    def parse(cls, value: str | None) -> Language:
        try:
            return cls(value)
        except ValueError:
            raise BadRequest("choose one of kk, ru, en", code="language_unknown",
                             details={"field": "language"}) from None


STATE_LANGUAGE = Language.KK


class LanguagePreferences:
    """Reads and writes ``users.language`` in the caller's session (the caller owns the transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def chosen(self, user_id: int) -> Language | None:
        stored = await self.session.scalar(select(User.language).where(User.id == user_id))
        return Language(stored) if stored in {language.value for language in Language} else None

    async def of(self, user_id: int) -> Language:
        """The language to write to this person in: their choice, else the state language."""
        return await self.chosen(user_id) or STATE_LANGUAGE

    async def remember(self, user_id: int, language: Language) -> None:
        await self.session.execute(update(User).where(User.id == user_id).values(language=language.value))
        log.info("user %s reads %s", user_id, language.value)
