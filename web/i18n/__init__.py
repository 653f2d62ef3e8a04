"""The three languages of the pages: Kazakh (the state language), Russian and English.

Words people read live in gettext catalogs (``web/i18n/<lang>/LC_MESSAGES/messages.po``), kept by
Babel through the Makefile (``make i18n-extract``, ``i18n-update``, ``i18n-compile``; ``make install``
compiles). A test fails on any message left untranslated or fuzzy, and on any message in the code
that a catalog lacks.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from babel.support import Translations

log = logging.getLogger(__name__)

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"
CATALOG_DIR = Path(__file__).resolve().parent
DOMAIN = "messages"
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
"""Each language named in itself, as a switcher shows it."""


class CatalogMissing(RuntimeError):
    """The compiled catalog is absent: the install step (``make install``) was not run."""


def N_(message: str) -> str:
    """Mark a message for extraction where it is defined; it is translated where it is shown."""
    return message


def is_language(value: str | None) -> bool:
    return value in LANGUAGES


@functools.cache
def translations(language: str) -> Translations:
    """The compiled catalog of one language, loaded once per process."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    compiled = CATALOG_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not compiled.is_file():
        raise CatalogMissing(f"{compiled} is missing: run `make install` (it compiles the catalogs)")
    with compiled.open("rb") as fh:
        loaded = Translations(fh, domain=DOMAIN)
    log.debug("catalog %s loaded", language)
    return loaded


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)
