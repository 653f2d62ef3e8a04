"""Assembly of e-filing: the storage backend (chosen here), the courts' system keys and the routes."""

from __future__ import annotations

from aiohttp import web

from cabinet.eds.routes import CA_KEY
from cabinet.filing import openapi
from cabinet.filing.resources import COURT_KEYS, STORAGE
from cabinet.filing.routes import routes
from cabinet.filing.sections import CASE_SECTIONS
from cabinet.filing.storage import FilesystemStorage
from cabinet.filing.systemkey import CourtKeys
from core.openapi import register_fragment
from core.resources import CONFIG


def setup(app: web.Application) -> None:
    config = app[CONFIG]
    app[STORAGE] = FilesystemStorage(config.storage_dir)
    app[COURT_KEYS] = CourtKeys(config, app.get(CA_KEY))
    app[CASE_SECTIONS] = {}
    app.router.add_routes(routes)
    register_fragment(app, "cabinet.filing", openapi.PATHS, openapi.SCHEMAS)
