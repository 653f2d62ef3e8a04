"""Which language a request is answered in, and remembering a person's choice.

In order: the choice stored for the logged-in person (it follows them to a new device), the
``sotkab_lang`` cookie (a choice made before logging in), the browser's ``Accept-Language``, and
Kazakh, the state language.
"""

from __future__ import annotations

import logging

from aiohttp import web
from babel import Locale, UnknownLocaleError

from cabinet.identity.http import current_principal
from cabinet.identity.language import Language, LanguagePreferences
from core.db import Database
from web.i18n import DEFAULT_LANGUAGE, LANGUAGES, is_language

log = logging.getLogger(__name__)

LANGUAGE_COOKIE = "sotkab_lang"
_CHOSEN = web.RequestKey("page_language", str)


class PreferenceStore:
    """The pages' side of ``cabinet.identity.language``: one place for the choice, which notices read."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def language_of(self, user_id: int) -> str | None:
        async with self.db.sessions() as session:
            chosen = await LanguagePreferences(session).chosen(user_id)
        return chosen.value if chosen is not None else None

    async def remember(self, user_id: int, language: str) -> None:
        if not is_language(language):
            raise ValueError(f"unknown language {language!r}")
        async with self.db.transaction() as session:
            await LanguagePreferences(session).remember(user_id, Language(language))


PREFERENCES = web.AppKey("page_preferences", PreferenceStore)


def from_accept_language(header: str) -> str | None:
    """The first of our languages in an ``Accept-Language`` header, by quality then order."""
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        try:
            language = Locale.parse(tag.strip().replace("-", "_")).language if tag.strip() not in ("", "*") else ""
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        if language in LANGUAGES and quality > 0:
            choices.append((-quality, position, language))
    return min(choices)[2] if choices else None


async def request_language(request: web.Request) -> str:
    if _CHOSEN in request:
        return request[_CHOSEN]
    language: str | None = None
    principal = await current_principal(request)
    if principal is not None:
        language = await request.app[PREFERENCES].language_of(principal.user_id)
    if language is None:
        cookie = request.cookies.get(LANGUAGE_COOKIE)
        language = cookie if is_language(cookie) else None
    if language is None:
        language = from_accept_language(request.headers.get("Accept-Language", ""))
    request[_CHOSEN] = language or DEFAULT_LANGUAGE
    return request[_CHOSEN]


def choose(request: web.Request, language: str) -> None:
    """Answer the rest of this request in ``language`` (after the person switched)."""
    request[_CHOSEN] = language
