"""The pages of getting in and out: home, login (signing happens in the page), logout, language."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from aiohttp import web

from cabinet.identity.http import LOGIN, SESSION_COOKIE, current_principal
from core.errors import BadRequest
from core.resources import CONFIG
from web.i18n import is_language
from web.pages.csrf import check_csrf
from web.pages.headers import under_tls
from web.pages.language import LANGUAGE_COOKIE, PREFERENCES, choose
from web.pages.refusals import LOGIN_MESSAGES
from web.pages.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

_YEAR = 365 * 24 * 3600


def local_path(target: str | None, fallback: str = "/") -> str:
    """A same-site path to go back to; anything else (another host, a scheme) becomes ``fallback``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    return await render(request, "home.html")


@routes.get("/login")
async def login_page(request: web.Request) -> web.Response:
    target = local_path(request.query.get("next"), "/cabinet")
    if await current_principal(request) is not None:
        raise web.HTTPSeeOther(target)
    return await render(request, "login.html", {
        "next": target,
        "messages": LOGIN_MESSAGES,
        "ncalayer_url": request.app[CONFIG].ncalayer_url,
    })


@routes.post("/logout")
async def logout(request: web.Request) -> web.Response:
    form = await request.post()
    check_csrf(request, form.get("csrf_token"))
    principal = await current_principal(request)
    response = web.HTTPSeeOther("/")
    if principal is not None:
        await request.app[LOGIN].logout(principal)
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@routes.post("/language")
async def switch_language(request: web.Request) -> web.Response:
    form = await request.post()
    check_csrf(request, form.get("csrf_token"))
    language = form.get("language")
    if not isinstance(language, str) or not is_language(language):
        raise BadRequest("choose one of kk, ru, en", code="language_unknown")
    target = form.get("next")
    principal = await current_principal(request)
    if principal is not None:
        await request.app[PREFERENCES].remember(principal.user_id, language)
    choose(request, language)
    response = web.HTTPSeeOther(local_path(target if isinstance(target, str) else None))
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=_YEAR, path="/", samesite="Lax",
                        secure=under_tls(request), httponly=True)
    log.info("language switched to %s", language)
    raise response
