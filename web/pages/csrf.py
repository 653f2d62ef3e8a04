"""CSRF tokens for every form the pages post, on top of SameSite cookies and the Origin check.

A random ``sotkab_csrf`` cookie (HttpOnly, SameSite=Strict) is given with the first page; a form's
token is an HMAC, under the installation's secret key, of that cookie and the session cookie. A
site that cannot read our pages cannot know the token; one that manages to plant a cookie (a
sibling subdomain) still cannot compute it; and logging in or out changes every token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from http.cookies import SimpleCookie

from aiohttp import web

from cabinet.identity.http import SESSION_COOKIE
from core.errors import Forbidden

log = logging.getLogger(__name__)

CSRF_COOKIE = "sotkab_csrf"
CSRF_FIELD = "csrf_token"
CSRF_KEY = web.AppKey("csrf_key", bytes)
_FRESH_SEED = web.RequestKey("csrf_fresh_seed", str)
_SEED_LENGTH = 43  # secrets.token_urlsafe(32)


class CsrfRefused(Forbidden):
    default_code = "csrf_token_invalid"


def _seed(request: web.Request) -> str | None:
    seed = request.cookies.get(CSRF_COOKIE, "")
    return seed if len(seed) == _SEED_LENGTH else None


def _token(key: bytes, seed: str, session: str) -> str:
    return hmac.new(key, f"{seed}|{session}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: web.Request) -> str:
    """The token for forms on this page; gives the browser a seed cookie if it has none yet."""
    seed = _seed(request) or request.get(_FRESH_SEED)
    if seed is None:
        seed = secrets.token_urlsafe(32)
        request[_FRESH_SEED] = seed
    return _token(request.app[CSRF_KEY], seed, request.cookies.get(SESSION_COOKIE, ""))


def set_seed_cookie(request: web.Request, response: web.StreamResponse, *, secure: bool) -> None:
    """Give the seed minted while rendering; runs in ``on_response_prepare``, after aiohttp has turned
    the response's cookies into headers, so the header is added directly."""
    seed = request.get(_FRESH_SEED)
    if seed is None:
        return
    cookie: SimpleCookie = SimpleCookie()
    cookie[CSRF_COOKIE] = seed
    morsel = cookie[CSRF_COOKIE]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    if secure:
        morsel["secure"] = True
    response.headers.add("Set-Cookie", morsel.OutputString())


def check_csrf(request: web.Request, submitted: object) -> None:
    """Refuse a posted form whose token does not belong to this browser and session."""
    seed = _seed(request)
    if seed is None or not isinstance(submitted, str) or not submitted:
        log.info("form refused: no CSRF token or seed on %s", request.path)
        raise CsrfRefused("this form has expired or did not come from our pages; open the page again")
    expected = _token(request.app[CSRF_KEY], seed, request.cookies.get(SESSION_COOKIE, ""))
    if not hmac.compare_digest(expected, submitted):
        log.info("form refused: CSRF token mismatch on %s", request.path)
        raise CsrfRefused("this form has expired or did not come from our pages; open the page again")
