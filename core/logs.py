"""Log lines an operator can follow across workers: JSON lines with a request id, on request.

With ``log_format = "json"`` (``SOTKAB_LOG_FORMAT=json``) every line is one JSON object —
``ts`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``worker``, and ``request_id`` /
``socket_id`` when the line was written on behalf of one — so a log shipper needs no parser and
one query finds everything a request caused, in every process.

The request id is a context variable: set by :func:`request_id_middleware` for an HTTP request
(the client's ``X-Request-Id`` when a trusted proxy relays it — HAProxy's ``unique-id`` — else a
fresh one, echoed in the response), inherited by every task the request starts (socket.io runs
each event in a task created inside the handshake's request), and carried on the signaling bus so
the process that acts on a command logs under the id of the request that sent it.
"""

from __future__ import annotations

import contextvars
import ipaddress
import json
import logging
import re
import secrets
from datetime import UTC, datetime

from aiohttp import web
from aiohttp import web_log as aiohttp_log
from aiohttp.typedefs import Handler

from core.config import Config
from core.resources import CONFIG

log = logging.getLogger(__name__)

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
SOCKET_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("socket_id", default=None)
HEADER = "X-Request-Id"
REQUEST_KEY = web.RequestKey("request_id", str)
_OURS = "sotkab_handler"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:+=/-]{1,64}")


def new_request_id() -> str:
    return secrets.token_hex(8)


def accepted_request_id(value: str | None) -> str | None:
    """A relayed id we may log as is: short and plain, so nobody can forge log lines or fields through it."""
    return value if value is not None and _WELL_FORMED.fullmatch(value) else None


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bind the request's id for everything it logs and starts, and answer with it."""
    relayed = None
    peer = request.remote
    try:
        trusted = peer is not None and any(ipaddress.ip_address(peer) in net
                                           for net in request.app[CONFIG].trusted_networks)
    except ValueError:
        trusted = False
    if trusted:
        relayed = accepted_request_id(request.headers.get(HEADER))
    request_id = relayed or new_request_id()
    request[REQUEST_KEY] = request_id
    token = REQUEST_ID.set(request_id)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers[HEADER] = request_id
        raise
    finally:
        REQUEST_ID.reset(token)
    if not response.prepared:
        response.headers[HEADER] = request_id
    return response


class AccessLogger(aiohttp_log.AccessLogger):
    """aiohttp's access log, written under the request's id (it runs after the handler has returned)."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        token = REQUEST_ID.set(request.get(REQUEST_KEY))
        try:
            super().log(request, response, time)
        finally:
            REQUEST_ID.reset(token)


class ContextFilter(logging.Filter):
    """Stamp each record with this worker and the request and socket it was written for."""

    def __init__(self, worker: str) -> None:
        super().__init__()
        self.worker = worker

    def filter(self, record: logging.LogRecord) -> bool:
        record.worker = self.worker
        record.request_id = REQUEST_ID.get()
        record.socket_id = SOCKET_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line; a traceback is a field, never extra lines."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
            "worker": getattr(record, "worker", None)}
        for key in ("request_id", "socket_id"):
            if getattr(record, key, None):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(config: Config) -> None:
    """The process's logging, from the configuration (the CLI calls this before any command, and
    ``serve`` again once it knows its port).

    Like :func:`logging.basicConfig`, it leaves alone a root logger that somebody else already
    set up (a test runner, a program embedding the CLI), and replaces only its own handler.
    """
    root = logging.getLogger()
    if any(not getattr(existing, _OURS, False) for existing in root.handlers):
        return
    handler = logging.StreamHandler()
    setattr(handler, _OURS, True)
    handler.addFilter(ContextFilter(config.worker))
    if config.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(config.log_level.upper())
    logging.captureWarnings(True)  # a Python warning is a log line too (one JSON object, not free text)
