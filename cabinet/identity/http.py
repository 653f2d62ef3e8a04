"""Who is calling: resolves the session from a bearer token or the session cookie.

Cookie-authenticated requests that change state must come from our own origin: SameSite
already stops most cross-site posts, and the Origin check closes the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from cabinet.identity.login import LoginService
from cabinet.identity.principal import Principal
from core.errors import Forbidden, Unauthenticated
from core.resources import CONFIG

LOGIN = web.AppKey("login_service", LoginService)
SESSION_COOKIE = "sotkab_session"


@dataclass(frozen=True)
class _Resolved:
    principal: Principal | None


_PRINCIPAL = web.RequestKey("principal", _Resolved)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _token(request: web.Request) -> tuple[str, bool]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False
    return request.cookies.get(SESSION_COOKIE, ""), True


def _check_origin(request: web.Request) -> None:
    origin = request.headers.get("Origin")
    if origin is None:
        return
    allowed = {urlsplit(request.app[CONFIG].public_url).netloc, request.host}
    if urlsplit(origin).netloc not in allowed:
        raise Forbidden("cross-site request refused", code="cross_site_request")


async def current_principal(request: web.Request) -> Principal | None:
    if _PRINCIPAL in request:
        return request[_PRINCIPAL].principal
    token, from_cookie = _token(request)
    principal = await request.app[LOGIN].authenticate(token) if token else None
    if principal is not None and from_cookie and request.method not in _SAFE_METHODS:
        _check_origin(request)
    request[_PRINCIPAL] = _Resolved(principal)
    return principal


async def require_principal(request: web.Request) -> Principal:
    principal = await current_principal(request)
    if principal is None:
        raise Unauthenticated("log in with your EDS AUTH key first", code="unauthenticated")
    return principal
