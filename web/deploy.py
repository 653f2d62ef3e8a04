"""``sotkab deploy haproxy``: the router's configuration, generated from the settings.

A deployment of several worker processes (``sotkab serve --workers N``, on one machine or many)
sits behind Debian's HAProxy, which:

- terminates TLS (the certificate is the operator's PEM: key and chain in one file) and redirects
  plain HTTP to HTTPS;
- sends every ``/socket.io/`` request with ``balance url_param hearing`` and ``hash-type
  consistent``: all sockets of a hearing reach the worker whose relay mixes its media
  (:mod:`signaling.affinity`), and when that worker is taken out only *its* hearings move — the
  rest keep their worker; a socket without a hearing (``/cabinet``) falls back to round robin;
- sends everything else round robin;
- checks each worker's ``/healthz`` every second; a dead worker refuses the connection, which takes
  it out at once (``observe layer4``, ``on-error mark-down``) and re-dispatches the request to a live
  one (``option redispatch``), so a hearing's reconnecting sockets land on a live worker within a
  retry; a worker that is merely busy (the survivor of a failover, taking the dead one's hearings)
  has 5 s to answer its check and three chances, so it is not taken out as well;
- replaces whatever ``Forwarded``/``X-Forwarded-*``/``X-Real-IP`` a client sent with its own
  ``X-Forwarded-For``/``X-Forwarded-Proto``: the workers believe those only from addresses in
  ``trusted_proxies`` (:mod:`core.proxies`), so the router's address must be listed there.

Workers on several machines are the same configuration with more ``server`` lines (``--server``).
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from core.config import Config
from core.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_CERTIFICATE = Path("/etc/haproxy/certs/sotkab.pem")
DEFAULT_OUTPUT = Path("deploy/haproxy.cfg")
HEALTH_INTERVAL_MS = 1000
HEALTH_FALL = 3
HEALTH_TIMEOUT_S = 5
TLS12_CIPHERS = ":".join(f"ECDHE-{key}-{cipher}" for cipher in ("AES128-GCM-SHA256", "AES256-GCM-SHA384",
                                                                 "CHACHA20-POLY1305") for key in ("ECDSA", "RSA"))
"""Mozilla's "intermediate" TLS 1.2 suites (forward secrecy, AEAD only); TLS 1.3 has its own list."""
_HOST_PORT = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+):(?P<port>[0-9]{1,5})$")


@dataclass(frozen=True)
class Upstream:
    """One worker process the router sends to."""

    host: str
    port: int

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-]+", self.host):
            raise ConfigError(f"server: {self.host!r} is not a host name or address")
        if not 0 < self.port < 65536:
            raise ConfigError(f"server: {self.port} is not a TCP port (1-65535)")

    @classmethod
    def parse(cls, text: str) -> Upstream:
        match = _HOST_PORT.match(text.strip())
        if match is None:
            raise ConfigError(f"server: {text!r} is not HOST:PORT")
        return cls(match["host"], int(match["port"]))


@dataclass(frozen=True)
class RouterPlan:
    """What the configuration is made of: where it listens, with which certificate, to whom it sends."""

    upstreams: tuple[Upstream, ...]
    https_bind: str = ":443"
    http_bind: str = ":80"
    certificate: Path = DEFAULT_CERTIFICATE
    max_connections: int = 20000

    def __post_init__(self) -> None:
        if not self.upstreams:
            raise ConfigError("server: the router needs at least one worker")
        if len(set(self.upstreams)) != len(self.upstreams):
            raise ConfigError("server: a worker is listed twice")
        for bind in (self.https_bind, self.http_bind):
            if not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]*:[0-9]{1,5}", bind):
                raise ConfigError(f"bind: {bind!r} is not [ADDRESS]:PORT")
        if any(c in str(self.certificate) for c in " \n\t\"'"):
            raise ConfigError(f"certificate: {self.certificate} must be a path without spaces or quotes")

    @classmethod
    def from_settings(cls, config: Config, *, servers: tuple[str, ...] = (), **kw: object) -> RouterPlan:
        """The workers of ``sotkab serve`` with these settings (``host``, ``port``, ``workers``), or
        the ``servers`` given (workers on other machines)."""
        if servers:
            upstreams = tuple(Upstream.parse(s) for s in servers)
        else:
            wildcard = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104 (served on all)
            host = wildcard.get(config.host, config.host)
            upstreams = tuple(Upstream(host, config.port + i) for i in range(config.worker_count))
        return cls(upstreams, **kw)  # type: ignore[arg-type]


def untrusted_router(config: Config, router_addresses: tuple[str, ...] = ("127.0.0.1",)) -> list[str]:
    """Router addresses the workers would not believe (their forwarded headers ignored)."""
    return [a for a in router_addresses
            if not any(ipaddress.ip_address(a) in net for net in config.trusted_networks)]


def haproxy_config(plan: RouterPlan) -> str:
    """The HAProxy (2.6, Debian 12) configuration text for ``plan``."""
    def server_lines() -> str:
        return "\n".join(f"    server worker{i} {u.host}:{u.port}" for i, u in enumerate(plan.upstreams))

    health = (f"    option httpchk GET /healthz\n"
              f"    http-check expect status 200\n"
              f"    default-server check inter {HEALTH_INTERVAL_MS}ms fastinter {HEALTH_INTERVAL_MS // 2}ms "
              f"fall {HEALTH_FALL} rise 2 observe layer4 error-limit 1 on-error mark-down")
    return f"""\
# Generated by `sotkab deploy haproxy` from the Sot Kabinet settings; edit the settings, not this file.
# TLS ends here; each hearing's sockets go to one worker (url_param hearing, consistent hash).
global
    maxconn {plan.max_connections}
    log stdout format raw local0 info
    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
    ssl-default-bind-ciphers {TLS12_CIPHERS}
    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256

defaults
    mode http
    log global
    option httplog
    option dontlognull
    # A WebSocket is logged when it opens (which worker took which hearing), not an hour later.
    option logasap
    option http-server-close
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    # A worker busy taking over a dead one's hearings answers /healthz late, and is alive: only
    # silence this long fails a check. A dead worker refuses connections, which fails it at once.
    timeout check {HEALTH_TIMEOUT_S}s
    # socket.io's WebSockets: pings every 10 s keep a tunnel busy; an hour of silence ends it.
    timeout tunnel 1h
    # A worker that refuses the connection (it died) is left for another one on the first retry.
    retries 2
    option redispatch 1

frontend sotkab
    bind {plan.https_bind} ssl crt {plan.certificate} alpn http/1.1
    bind {plan.http_bind}
    http-request redirect scheme https code 301 unless {{ ssl_fc }}
    # Only this router says who the client is and over what: a client's own headers are dropped.
    http-request del-header Forwarded
    http-request del-header X-Forwarded-For
    http-request del-header X-Forwarded-Proto
    http-request del-header X-Forwarded-Host
    http-request del-header X-Real-IP
    option forwardfor
    http-request set-header X-Forwarded-Proto https if {{ ssl_fc }}
    http-response set-header Strict-Transport-Security "max-age=31536000"
    use_backend hearings if {{ path_beg /socket.io/ }}
    default_backend app

backend hearings
    # All sockets of a hearing on one worker (media mixes inside one relay); without the
    # parameter (/cabinet sockets) HAProxy falls back to round robin.
    balance url_param hearing
    hash-type consistent
{health}
{server_lines()}

backend app
    balance roundrobin
{health}
{server_lines()}
"""


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    deploy = subparsers.add_parser("deploy", help="deployment files").add_subparsers(dest="deploy_command",
                                                                                       required=True)
    haproxy = deploy.add_parser("haproxy", help="write the HAProxy router configuration from the settings")
    haproxy.add_argument("--output", "-o", type=Path, default=DEFAULT_OUTPUT,
                         help=f"where to write it ('-': standard output; default {DEFAULT_OUTPUT})")
    haproxy.add_argument("--certificate", type=Path, default=DEFAULT_CERTIFICATE,
                         help="the PEM (key and certificate chain) HAProxy terminates TLS with")
    haproxy.add_argument("--bind", default=":443", help="HTTPS [ADDRESS]:PORT (default :443)")
    haproxy.add_argument("--http-bind", default=":80", help="plain HTTP [ADDRESS]:PORT, redirected (default :80)")
    haproxy.add_argument("--server", action="append", default=[], metavar="HOST:PORT",
                         help="a worker on another machine (repeat); default: this machine's workers")
    haproxy.set_defaults(func=_haproxy)


async def _haproxy(args: argparse.Namespace, config: Config) -> int:
    plan = RouterPlan.from_settings(config, servers=tuple(args.server), https_bind=args.bind,
                                    http_bind=args.http_bind, certificate=args.certificate)
    text = haproxy_config(plan)
    if str(args.output) == "-":
        print(text, end="")
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}: {len(plan.upstreams)} worker(s), TLS with {plan.certificate}")
    if not args.server and untrusted_router(config):
        print("sotkab: warning: the workers do not trust the router's address 127.0.0.1; set "
              "SOTKAB_TRUSTED_PROXIES=127.0.0.1 or they will ignore its X-Forwarded-For/-Proto", flush=True)
    return 0
