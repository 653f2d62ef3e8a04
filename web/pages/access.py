"""Who may see a page: anyone, or a logged-in person (sent to log in first, then brought back)."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from cabinet.identity.http import current_principal
from cabinet.identity.principal import Principal


async def logged_in(request: web.Request) -> Principal:
    """The person on the page; a visitor who is not logged in goes to the login page and back here.

    What the person may *do* there is the services' decision (a clerk of the court, the case's
    judge...), so their refusals read the same on a page as through the API."""
    principal = await current_principal(request)
    if principal is None:
        raise web.HTTPSeeOther("/login?next=" + quote(request.path_qs, safe=""))
    return principal
