"""The pages people use, rendered on the server: ``setup(app)`` adds them to the application.

Pages call the packages' services directly or the JSON API from small script modules. Everything
a page needs is made here: the template environment, the catalogs, the built assets, the CSRF
key, the security headers (for every response, on ``on_response_prepare``) and HTML error pages.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from cabinet.identity.challenges import load_or_create_key
from core.resources import CONFIG, DB
from web.i18n import LANGUAGES, translations
from web.pages import assets, headers
from web.pages.account import routes as account_routes
from web.pages.acts import routes as act_routes
from web.pages.bench_desk import routes as bench_routes
from web.pages.cabinet import routes as cabinet_routes
from web.pages.case_file import routes as case_file_routes
from web.pages.csrf import CSRF_KEY, set_seed_cookie
from web.pages.errors import page_errors
from web.pages.fee_relief_desk import routes as fee_relief_routes
from web.pages.filing_finish import routes as filing_finish_routes
from web.pages.filing_relief import routes as filing_relief_routes
from web.pages.filing_wizard import routes as filing_wizard_routes
from web.pages.grants import routes as grant_routes
from web.pages.hearing_room import routes as hearing_room_routes
from web.pages.language import PREFERENCES, PreferenceStore
from web.pages.notices import routes as notice_routes
from web.pages.public import routes as public_routes
from web.pages.recordings_desk import routes as recordings_routes
from web.pages.registry import routes as registry_routes
from web.pages.rendering import JINJA, build_environment
from web.pages.scheduling import routes as scheduling_routes

log = logging.getLogger(__name__)


async def _on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    headers.apply(request, response)
    set_seed_cookie(request, response, secure=headers.under_tls(request))


async def _preferences(app: web.Application) -> AsyncIterator[None]:
    app[PREFERENCES] = PreferenceStore(app[DB])
    yield


def setup(app: web.Application) -> None:
    for language in LANGUAGES:
        translations(language)  # fail at start-up, not on the first page, when catalogs are missing
    app[JINJA] = build_environment()
    app[CSRF_KEY] = load_or_create_key(app[CONFIG].data_dir / "secrets" / "csrf.key")
    app.cleanup_ctx.append(_preferences)
    app.middlewares.append(page_errors)
    app.on_response_prepare.append(_on_prepare)
    assets.setup(app)
    app.router.add_routes(account_routes)
    app.router.add_routes(public_routes)
    app.router.add_routes(cabinet_routes)
    app.router.add_routes(notice_routes)
    app.router.add_routes(case_file_routes)
    app.router.add_routes(registry_routes)
    app.router.add_routes(fee_relief_routes)
    app.router.add_routes(act_routes)
    app.router.add_routes(recordings_routes)
    app.router.add_routes(bench_routes)
    app.router.add_routes(scheduling_routes)
    app.router.add_routes(grant_routes)
    app.router.add_routes(filing_wizard_routes)
    app.router.add_routes(filing_finish_routes)
    app.router.add_routes(filing_relief_routes)
    app.router.add_routes(hearing_room_routes)
