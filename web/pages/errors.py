"""Refusals on pages read as pages: the same typed errors, rendered in the person's language.

The API keeps its JSON shape (``core.middleware``); a request for a page (not ``/api/``, not a
static asset, and a browser that accepts HTML) gets an HTML page with the status, a heading and
what to do next, and never a traceback.
"""

from __future__ import annotations

import logging
import secrets

from aiohttp import web
from aiohttp.typedefs import Handler

from core.errors import SotkabError
from web.i18n import N_
from web.pages.error_messages import ERROR_MESSAGES
from web.pages.rendering import render

log = logging.getLogger(__name__)

_TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Log in to see this page"),
    403: N_("You cannot do this"),
    404: N_("Page not found"),
    405: N_("You cannot do this"),
    409: N_("This has already been done"),
    413: N_("The file is too large"),
    429: N_("Too many attempts"),
}
_EXPLANATIONS = {
    "csrf_token_invalid": N_("The form has expired or did not come from this site. Open the page again "
                             "and repeat what you did."),
    "cross_site_request": N_("The form has expired or did not come from this site. Open the page again "
                             "and repeat what you did."),
    "not_found": N_("If you typed the web address, check it is correct. If you pasted it, check you "
                    "copied the entire address."),
    "unauthenticated": N_("Log in with your EDS key to continue."),
    "language_unknown": N_("Choose Kazakh, Russian or English."),
}
_DEFAULT_EXPLANATION = N_("Go back and try again. If it happens again, contact the court's support.")
_SERVER_TITLE = N_("Sorry, there is a problem with the service")
_SERVER_EXPLANATION = N_("Try again later. If you contact the court's support, quote this reference: "
                         "%(reference)s.")


def wants_page(request: web.Request) -> bool:
    if request.path.startswith(("/api/", "/static/", "/socket.io", "/metrics", "/healthz")):
        return False
    return "text/html" in request.headers.get("Accept", "")


async def _page(request: web.Request, status: int, code: str) -> web.Response:
    return await render(request, "error.html", {
        "status": status,
        "title": _TITLES.get(status, _TITLES[400]),
        "explanation": _EXPLANATIONS.get(code) or ERROR_MESSAGES.get(code, _DEFAULT_EXPLANATION),
        "code": code,
    }, status=status)


@web.middleware
async def page_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except SotkabError as exc:
        if not wants_page(request) or exc.status >= 500:
            raise
        return await _page(request, exc.status, exc.code)
    except web.HTTPException as exc:
        if exc.status < 400 or not wants_page(request):
            raise
        code = {404: "not_found", 401: "unauthenticated"}.get(exc.status, "bad_request")
        return await _page(request, exc.status, code)
    except Exception:
        if not wants_page(request):
            raise
        reference = secrets.token_hex(6)
        log.exception("unhandled error in page %s %s (ref %s)", request.method, request.path, reference)
        return await render(request, "error.html", {
            "status": 500, "title": _SERVER_TITLE, "explanation": _SERVER_EXPLANATION,
            "reference": reference, "code": "internal_error"}, status=500)
