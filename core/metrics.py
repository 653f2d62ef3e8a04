"""``GET /metrics``: what operators watch, in the Prometheus text exposition format (0.0.4).

Packages contribute collectors at setup (the media relay's per-participant figures, the
notification outbox's backlog); a scrape runs them all and renders one document. Nothing is
counted on the request path, so the endpoint costs nothing between scrapes.

Metrics name hearings and participants by internal ids only, but they are still operational
data: with ``metrics_token`` set, a scrape must present it as a bearer token; without one, only
direct loopback connections are served — not one relayed by a trusted proxy (``trusted_proxies``,
see :mod:`core.proxies`), and not one carrying any forwarding header (``Forwarded``,
``X-Forwarded-*``, ``X-Real-IP``), which marks a proxy we were not told about. A loopback proxy
that adds no header at all is indistinguishable from a local scraper: list it in
``trusted_proxies`` (or set the token).
"""

from __future__ import annotations

import hmac
import logging
import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from aiohttp import web

from core.errors import Forbidden
from core.proxies import FORWARDING_HEADERS, origin_of
from core.resources import CONFIG, DB

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_KINDS = ("gauge", "counter")


@dataclass(frozen=True)
class Sample:
    value: float
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Family:
    name: str
    help: str
    kind: str
    samples: tuple[Sample, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"metric kind must be one of {_KINDS}")
        if not self.name.replace("_", "a").isalnum() or not self.name[0].isalpha():
            raise ValueError(f"{self.name!r} is not a metric name")


Collector = Callable[[web.Application], Awaitable[Iterable[Family]]]
COLLECTORS = web.AppKey("metrics_collectors", list[Collector])


def register_collector(app: web.Application, collector: Collector) -> None:
    app[COLLECTORS].append(collector)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


def render(families: Iterable[Family]) -> str:
    lines: list[str] = []
    for family in families:
        lines.append(f"# HELP {family.name} {family.help.replace(chr(10), ' ')}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        for sample in family.samples:
            labels = ",".join(f'{key}="{_escape(value)}"' for key, value in sample.labels)
            lines.append(f"{family.name}{{{labels}}} {_number(sample.value)}" if labels
                         else f"{family.name} {_number(sample.value)}")
    return "\n".join(lines) + "\n"


def _authorized(request: web.Request) -> bool:
    token = request.app[CONFIG].metrics_token
    if token:
        presented = request.headers.get("Authorization", "")
        return hmac.compare_digest(presented.encode(), f"Bearer {token}".encode())
    origin = origin_of(request)
    if origin.via_proxy or origin.client is None or any(h in request.headers for h in FORWARDING_HEADERS):
        return False
    return origin.client.is_loopback


async def _database(app: web.Application) -> Iterable[Family]:
    up = await app[DB].ping()
    return [Family("sotkab_database_up", "1 when the database answers", "gauge", (Sample(1.0 if up else 0.0),))]


async def metrics(request: web.Request) -> web.Response:
    if not _authorized(request):
        raise Forbidden("metrics are served to loopback or with the metrics token", code="metrics_forbidden")
    families: list[Family] = []
    for collector in request.app[COLLECTORS]:
        try:
            families.extend(await collector(request.app))
        except Exception:
            log.exception("metrics collector %r failed; the rest are still served", collector)
    return web.Response(text=render(families), headers={"Content-Type": CONTENT_TYPE})


def setup(app: web.Application) -> None:
    collectors: list[Collector] = [_database]
    app[COLLECTORS] = collectors
    app.router.add_get("/metrics", metrics)
