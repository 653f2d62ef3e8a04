"""Who is really calling, and over what: the client address and scheme behind trusted proxies.

Behind a TLS-terminating proxy the socket's peer is the proxy and the scheme is plain HTTP, so
neither the client's address (rate limits, ``/metrics``) nor ``request.secure`` (the session
cookie's ``Secure`` flag) can be read off the connection. Proxies tell us in ``Forwarded``
(RFC 7239) or ``X-Forwarded-For``/``X-Forwarded-Proto`` — but so can anyone else, so the policy is:

- the headers are believed only when the connection's peer is in ``trusted_proxies``
  (``SOTKAB_TRUSTED_PROXIES``: IP addresses or CIDR networks); from anyone else they are ignored;
- the client is the right-most address of the chain that is not itself a trusted proxy (an
  attacker can prepend anything on the left; only what our proxies appended is true);
- ``Forwarded`` wins over the ``X-Forwarded-*`` pair when a trusted proxy sends both;
- a trusted proxy that names no client leaves the client *unknown* (``None``), which refuses
  anything that needs it (``/metrics`` without a token) rather than mistaking the proxy for it.

The middleware hands the rest of the app a clone of the request whose ``remote`` and ``scheme``
are the resolved ones, so handlers simply read ``request.remote`` and ``request.secure``.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler
from multidict import CIMultiDictProxy

from core.resources import CONFIG

log = logging.getLogger(__name__)

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-IP")


def _address(text: str) -> IpAddress | None:
    value = text.strip().strip('"')
    if value.startswith("["):  # Forwarded: for="[2001:db8::1]:4711"
        value = value[1:value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # 192.0.2.1:4711
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None  # "unknown", an obfuscated identifier, or garbage


def _forwarded(header: str) -> tuple[list[str], str | None]:
    """The ``for=`` values in order and the last ``proto=`` of an RFC 7239 ``Forwarded`` header."""
    chain: list[str] = []
    proto: str | None = None
    for element in header.split(","):
        for pair in element.split(";"):
            name, _, value = pair.partition("=")
            name = name.strip().lower()
            if name == "for":
                chain.append(value.strip())
            elif name == "proto":
                proto = value.strip().strip('"').lower()
    return chain, proto


@dataclass(frozen=True)
class Origin:
    """The resolved caller: ``client`` None when a trusted proxy did not say who it relays."""

    client: IpAddress | None
    scheme: str
    via_proxy: bool


def resolve(peer: str | None, scheme: str, headers: CIMultiDictProxy[str], trusted: Sequence[IpNetwork]) -> Origin:
    """Apply the policy above to one request's peer, transport scheme and headers."""
    peer_ip = _address(peer) if peer else None
    if peer_ip is None or not any(peer_ip in net for net in trusted):
        return Origin(peer_ip, scheme, via_proxy=False)
    if "Forwarded" in headers:
        raw_chain, proto = _forwarded(",".join(headers.getall("Forwarded")))
    else:
        raw_chain = [p for h in headers.getall("X-Forwarded-For", []) for p in h.split(",")]
        proto = headers.get("X-Forwarded-Proto", "").split(",")[-1].strip().lower() or None
    client: IpAddress | None = None
    for hop in reversed(raw_chain):
        client = _address(hop)
        if client is None or not any(client in net for net in trusted):
            break  # the first hop our proxies did not add is the client (unreadable: unknown)
    if proto not in ("http", "https"):
        proto = scheme
    return Origin(client, proto, via_proxy=True)


ORIGIN = web.RequestKey("origin", Origin)


@web.middleware
async def forwarded_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    origin = resolve(request.remote, request.scheme, request.headers, request.app[CONFIG].trusted_networks)
    if origin.via_proxy:
        request = request.clone(scheme=origin.scheme, remote=str(origin.client) if origin.client else "")
    request[ORIGIN] = origin
    return await handler(request)


def origin_of(request: web.Request) -> Origin:
    """The resolved origin (the middleware's), or the bare connection's for an app without it."""
    if ORIGIN in request:
        return request[ORIGIN]
    return resolve(request.remote, request.scheme, request.headers, ())
