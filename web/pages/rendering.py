"""Server-rendered pages: Jinja2 with autoescaping and the i18n extension.

Every page is rendered in the request's language (see :mod:`web.pages.language`) with the court's
time zone and tenge filters, the hashed asset URLs and the CSRF token of its forms; its root element
names the court's zone, so the times its scripts write are court time too. Rendering is
synchronous, so installing the language's gettext on the shared environment right before a render
cannot leak into another request's render.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from cabinet.identity.http import current_principal
from cabinet.identity.roles import Role
from cabinet.notifications.inbox import Inbox
from cabinet.notifications.notices import LANGUAGES as NOTICE_LANGUAGES
from cabinet.notifications.notices import NoticeKind, heading
from core.clock import COURT_TIME_ZONE
from core.resources import CLOCK, DB
from web.i18n import LANGUAGE_NAMES, LANGUAGES, translations
from web.i18n.formats import court_date, court_datetime, court_time, tenge
from web.pages.assets import ASSETS
from web.pages.csrf import csrf_token
from web.pages.language import request_language

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
JINJA = web.AppKey("jinja_environment", jinja2.Environment)


def build_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.policies["ext.i18n.trimmed"] = True
    return env


def _moment(value: datetime | str) -> datetime:
    """Times reach templates as datetimes or as the API's ISO strings."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _notice_headings(language: str) -> dict[str, str]:
    index = NOTICE_LANGUAGES.index(language)
    return {kind.value: heading(kind, index) for kind in NoticeKind}


async def _unread(request: web.Request, user_id: int) -> int:
    """The header's count of unread notices (kept live in the page by ``live.js``)."""
    async with request.app[DB].sessions() as session:
        return (await Inbox(session, request.app[CLOCK]).page(user_id, limit=1)).unread


async def render(request: web.Request, template: str, context: dict[str, Any] | None = None, *,
                 status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    language = await request_language(request)
    principal = await current_principal(request)
    env = request.app[JINJA]
    unread = await _unread(request, principal.user_id) if principal else 0
    values: dict[str, Any] = {
        "unread": unread,
        "is_clerk": bool(principal and principal.has_role(Role.CLERK)),
        "is_judge": bool(principal and principal.has_role(Role.JUDGE)),
        "is_court_admin": bool(principal and principal.has_role(Role.COURT_ADMIN)),
        "notice_headings": _notice_headings(language) if principal else {},
        "lang": language,
        "court_time_zone": COURT_TIME_ZONE,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "user": principal,
        "csrf_token": csrf_token(request),
        "asset": request.app[ASSETS].url,
        "path": request.path_qs,
        "datetime": lambda moment: court_datetime(_moment(moment), language),
        "date": lambda day: court_date(_moment(day) if isinstance(day, str) and "T" in day else _day(day), language),
        "time": lambda moment: court_time(_moment(moment), language),
        "tenge": lambda tiyn: tenge(tiyn, language),
    }
    values.update(context or {})
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    body = env.get_template(template).render(values)
    response = web.Response(text=body, content_type="text/html", status=status, headers=headers)
    response.headers["Content-Language"] = language
    response.headers.setdefault("Cache-Control", "no-store" if principal else "no-cache")
    response.headers["Vary"] = "Cookie, Accept-Language"
    response.enable_compression()  # only when the browser accepts it; pages are small text
    return response
