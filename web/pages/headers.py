"""Security headers on every response, and the strict Content-Security-Policy on every page.

The policy allows scripts, styles, images and fonts from our own origin only: no inline script
or style, no ``eval``, no framing (``frame-ancestors 'none'``), forms posting only to us. Pages
connect only to us and, for signing, to NCALayer on the person's own machine. Camera and
microphone are off everywhere; the hearing room's handler grants them for itself by setting its
own ``Permissions-Policy`` (the middleware never overwrites a header a handler set).
"""

from __future__ import annotations

from aiohttp import web

from core.resources import CONFIG

HSTS = "max-age=63072000; includeSubDomains"
PERMISSIONS = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
               "display-capture=()")


def content_security_policy(ncalayer_url: str) -> str:
    connect = "'self'" + (f" {ncalayer_url}" if ncalayer_url else "")
    return "; ".join((
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        f"connect-src {connect}",
        "media-src 'self' blob:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "manifest-src 'self'",
    ))


def under_tls(request: web.Request) -> bool:
    return request.secure or request.app[CONFIG].public_url.startswith("https://")


def apply(request: web.Request, response: web.StreamResponse) -> None:
    """Called from ``on_response_prepare``, when the headers are final but not yet sent."""
    headers = response.headers
    config = request.app[CONFIG]
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if under_tls(request):
        headers.setdefault("Strict-Transport-Security", HSTS)
    if response.content_type == "text/html":
        headers.setdefault("Content-Security-Policy", content_security_policy(config.ncalayer_url))
    else:
        headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
