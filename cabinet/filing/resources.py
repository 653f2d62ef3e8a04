"""Typed application keys of the filing package: the document storage and the courts' system keys."""

from __future__ import annotations

from aiohttp import web

from cabinet.filing.storage import FilesystemStorage
from cabinet.filing.systemkey import CourtKeys

STORAGE = web.AppKey("filing_storage", FilesystemStorage)
COURT_KEYS = web.AppKey("filing_court_keys", CourtKeys)
