"""Who may see a page: anyone, or a logged-in person (sent to log in first, then brought back);
and which row a page's address names."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from cabinet.identity.http import current_principal
from cabinet.identity.principal import Principal
from core.errors import NotFound

ROW_ID_MAX = 2**31 - 1
"""The largest id of a row (an ``INTEGER`` key on PostgreSQL)."""


async def logged_in(request: web.Request) -> Principal:
    """The person on the page; a visitor who is not logged in goes to the login page and back here.

    What the person may *do* there is the services' decision (a clerk of the court, the case's
    judge...), so their refusals read the same on a page as through the API."""
    principal = await current_principal(request)
    if principal is None:
        raise web.HTTPSeeOther("/login?next=" + quote(request.path_qs, safe=""))
    return principal


def row_id(request: web.Request, name: str = "id") -> int:
    """The row id in the address (its route allows digits only). One past any id a row can have is a
    page not found: PostgreSQL refuses to compare an ``INTEGER`` key with it, which was a 500."""
    value = int(request.match_info[name])
    if value > ROW_ID_MAX:
        raise NotFound(f"no {name} {value}", code="not_found")
    return value
