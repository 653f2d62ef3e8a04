"""The SANDBOX bank's hosted payment page: what the payer sees instead of a real bank's page.

``GET /sandbox/pay/{token}`` shows the order with Pay and Decline buttons under a banner that
says no money moves. ``POST`` of that form is the bank "processing" the card: the sandbox sends
its signed callback to the merchant over real HTTP and waits for the answer, as a bank's server
does, then redirects the payer to the return URL (303), or — if the merchant refused the
callback — shows the refusal. These handlers never touch our database: the sandbox is a
stranger to it, like a bank.
"""

from __future__ import annotations

import html
import logging
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from cabinet.payments.provider import CallbackStatus
from cabinet.payments.sandbox import SandboxPaymentProvider, SandboxSession
from core.errors import BadRequest

log = logging.getLogger(__name__)

SANDBOX_PROVIDER = web.AppKey("sandbox_payment_provider", SandboxPaymentProvider)
BANNER = "SANDBOX — no money moves"
_DECISIONS = {"pay": CallbackStatus.PAID, "decline": CallbackStatus.FAILED}

routes = web.RouteTableDef()


STYLESHEET = """body{font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}
.banner{background:#b00020;color:#fff;padding:.75rem 1rem;font-weight:bold;font-size:1.2rem}
dt{font-weight:bold} button{font-size:1.1rem;padding:.5rem 1.5rem;margin-right:1rem}
"""
"""The page's look, served as a file of its own: the site's Content-Security-Policy (``style-src
'self'``) blocks inline ``<style>``, and a bank's page would not rely on it either."""
STYLESHEET_PATH = "/sandbox/sandbox.css"


def _page(title: str, body: str, *, status: int = 200) -> web.Response:
    document = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} · {BANNER}</title>
<meta name="robots" content="noindex">
<link rel="stylesheet" href="{STYLESHEET_PATH}">
</head><body><p class="banner" role="alert">{BANNER}</p>
<h1>{html.escape(title)}</h1>
{body}
<p><small>This is the Sot Kabinet SANDBOX payment provider. It imitates a bank's hosted payment
page for testing and demonstrations; no card is charged and no money moves.</small></p>
</body></html>"""
    return web.Response(text=document, content_type="text/html", status=status,
                        headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})


def _order(session: SandboxSession) -> str:
    rows = (("Amount", session.amount.format()), ("Purpose", session.purpose),
            ("Reference", session.reference), ("Payment", session.payment_id))
    items = "".join(f"<dt>{name}</dt><dd>{html.escape(value)}</dd>" for name, value in rows)
    return f"<dl>{items}</dl>"


@routes.get(STYLESHEET_PATH)
async def stylesheet(request: web.Request) -> web.Response:
    return web.Response(text=STYLESHEET, content_type="text/css", headers={"Cache-Control": "public, max-age=86400"})


@routes.get("/sandbox/pay/{token}")
async def payment_page(request: web.Request) -> web.Response:
    session = request.app[SANDBOX_PROVIDER].open_session(request.match_info["token"])
    form = ('<form method="post"><button type="submit" name="decision" value="pay">Pay (sandbox)</button>'
            '<button type="submit" name="decision" value="decline">Decline</button></form>')
    return _page("Pay the state duty", _order(session) + form)


@routes.post("/sandbox/pay/{token}")
async def submit_payment(request: web.Request) -> web.Response:
    provider = request.app[SANDBOX_PROVIDER]
    token = request.match_info["token"]
    session = provider.open_session(token)
    form = await request.post()
    decision = _DECISIONS.get(str(form.get("decision", "")))
    if decision is None:
        raise BadRequest("choose Pay or Decline", code="sandbox_decision_invalid")
    callback = provider.callback_for(token, session, decision)
    try:
        status, answer = await provider.send_callback(session.callback_url, callback)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("sandbox could not deliver the callback for %s: %r", session.payment_id, exc)
        return _page("The court's site did not answer",
                     "<p>The sandbox could not deliver the payment notification. Nothing was paid.</p>",
                     status=502)
    if status == 200:
        query = urlencode({"payment_id": session.payment_id, "status": answer.get("status", decision.value)})
        raise web.HTTPSeeOther(f"{session.return_url}?{query}")
    raw = answer.get("error")
    error = raw if isinstance(raw, dict) else {}
    message = html.escape(str(error.get("message", "")))
    code = html.escape(str(error.get("code", "")))
    return _page("The court's site refused this payment",
                 f"<p>{message}</p><p><code>{code}</code></p>" + _order(session),
                 status=status if 400 <= status < 500 else 502)
