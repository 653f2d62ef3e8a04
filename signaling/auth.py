"""Who is connecting: a socket authenticates with the same session as the HTTP API.

The session token comes from the socket.io ``auth`` payload (``{"token": ...}``, what API clients
and the pages send) or, failing that, from the ``sotkab_session`` cookie of the handshake. Refusals
are ``ConnectionRefusedError`` with ``{"code", "message"}`` so the client's ``connect_error``
carries a stable code, exactly like the ``error`` object of an HTTP refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

from aiohttp import web
from socketio.exceptions import ConnectionRefusedError

from cabinet.identity.http import LOGIN, SESSION_COOKIE
from cabinet.identity.principal import Principal

log = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 200


def refuse(code: str, message: str, **details: Any) -> ConnectionRefusedError:
    """The refusal a client receives as ``connect_error`` data.

    python-socketio sends ``{"message": message, "data": {"code", "message", "details"?}}``: the
    ``data`` object has the same shape as the ``error`` object of an HTTP refusal.
    """
    payload: dict[str, Any] = {"code": code, "message": message}
    if details:
        payload["details"] = details
    return ConnectionRefusedError(message, payload)


def session_token(environ: Mapping[str, Any], auth: object) -> str:
    """The token from the auth payload, else from the session cookie; empty when there is none."""
    if isinstance(auth, Mapping):
        token = auth.get("token")
        if isinstance(token, str) and token.strip():
            return token.strip()
    header = environ.get("HTTP_COOKIE", "")
    if not isinstance(header, str) or not header:
        return ""
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(header)
    except CookieError:
        return ""
    morsel = cookies.get(SESSION_COOKIE)
    return morsel.value if morsel is not None else ""


async def authenticate(app: web.Application, environ: Mapping[str, Any], auth: object) -> tuple[Principal, str]:
    """The principal behind a handshake with its session token, or a refusal with code ``unauthenticated``.

    The token is kept with the socket: every later call re-checks it (:func:`recheck`).
    """
    token = session_token(environ, auth)
    if not token:
        raise refuse("unauthenticated", "log in with your EDS AUTH key first; no session token was sent")
    if len(token) > MAX_TOKEN_LENGTH:
        raise refuse("unauthenticated", "the session token is malformed")
    principal = await app[LOGIN].authenticate(token)
    if principal is None:
        raise refuse("unauthenticated", "the session has expired or was logged out; log in again")
    return principal, token


@dataclass(frozen=True)
class Lapse:
    """Why an open socket may no longer act: sent to it in ``ended`` and as the error of the call."""

    code: str
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


SESSION_ENDED = Lapse("session_ended", "your session ended (logged out, expired or revoked); log in again")
STAFF_GRANT_REVOKED = Lapse("staff_grant_revoked", "your court staff role was revoked; you can no longer act as staff")


async def recheck(app: web.Application, token: str) -> Principal | None:
    """The principal of ``token`` as it stands now (its grants read again), or None if the session
    is gone: logged out, expired, or ended with its certificate. One indexed read (on PostgreSQL
    on the shared asyncpg pool), so sockets afford it on every call."""
    return await app[LOGIN].authenticate(token)
