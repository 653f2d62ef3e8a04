"""``GET /metrics``: what operators watch, in the Prometheus text exposition format (0.0.4).

Packages contribute collectors at setup (the media relay's per-participant figures, the
notification outbox's backlog); a scrape runs them all and renders one document. Events that a
scrape cannot look up afterwards — HTTP requests by route and status, logins by result — are
counted as they happen in :class:`Counters` (a dict increment: no lock, no I/O). Every sample
carries a ``worker`` label (host:port, :attr:`core.config.Config.worker`): each process is
scraped on its own, and the labels keep the workers of one machine apart once aggregated.

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
from aiohttp.typedefs import Handler

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
Labels = tuple[tuple[str, str], ...]


class Counters:
    """Monotonic counters of this process's events, rendered as ``counter`` families on a scrape."""

    def __init__(self) -> None:
        self._help: dict[str, str] = {}
        self._values: dict[str, dict[Labels, float]] = {}

    def declare(self, name: str, help: str) -> None:
        Family(name, help, "counter")  # validates the name
        self._help.setdefault(name, help)
        self._values.setdefault(name, {})

    def inc(self, name: str, amount: float = 1.0, **labels: str) -> None:
        if name not in self._help:
            raise KeyError(f"counter {name!r} was not declared")
        key = tuple(sorted(labels.items()))
        values = self._values[name]
        values[key] = values.get(key, 0.0) + amount

    def value(self, name: str, **labels: str) -> float:
        return self._values.get(name, {}).get(tuple(sorted(labels.items())), 0.0)

    def families(self) -> list[Family]:
        return [Family(name, self._help[name], "counter", tuple(Sample(v, labels) for labels, v in values.items()))
                for name, values in self._values.items()]


COUNTERS = web.AppKey("metrics_counters", Counters)
HTTP_REQUESTS = "sotkab_http_requests_total"


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


async def _counted(app: web.Application) -> Iterable[Family]:
    return app[COUNTERS].families()


def _route(request: web.Request) -> str:
    """The route's template (``/api/v1/cases/{id}``), never the raw path: a client must not be able to
    mint a time series per URL it makes up."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def http_metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count each request by route, method and final status (outside the error middleware, so a
    refused request is counted with the status its client saw)."""
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        request.app[COUNTERS].inc(HTTP_REQUESTS, route=_route(request), method=request.method, status=str(status))


def _with_worker(family: Family, worker: str) -> Family:
    samples = tuple(Sample(s.value, (*s.labels, ("worker", worker))) for s in family.samples)
    return Family(family.name, family.help, family.kind, samples)


async def metrics(request: web.Request) -> web.Response:
    if not _authorized(request):
        raise Forbidden("metrics are served to loopback or with the metrics token", code="metrics_forbidden")
    worker = request.app[CONFIG].worker
    families: list[Family] = []
    for collector in request.app[COLLECTORS]:
        try:
            families.extend(_with_worker(family, worker) for family in await collector(request.app))
        except Exception:
            log.exception("metrics collector %r failed; the rest are still served", collector)
    return web.Response(text=render(families), headers={"Content-Type": CONTENT_TYPE})


def setup(app: web.Application) -> None:
    collectors: list[Collector] = [_database, _counted]
    app[COLLECTORS] = collectors
    counters = Counters()
    counters.declare(HTTP_REQUESTS, "HTTP requests this worker answered, by route template, method and status")
    app[COUNTERS] = counters
    app.router.add_get("/metrics", metrics)
