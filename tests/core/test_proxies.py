"""Client address and scheme behind proxies: forwarding headers are believed only from the proxies
the operator named, and only as far as those proxies appended them."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDict, CIMultiDictProxy

from core.config import load_config
from core.errors import ConfigError
from core.proxies import resolve
from web.app import create_app

TRUSTED = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32"))


def _headers(**values: str) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict({k.replace("_", "-"): v for k, v in values.items()}))


@pytest.mark.parametrize(("peer", "headers", "client", "scheme"), [
    # a stranger's headers are ignored entirely
    ("203.0.113.7", {"X_Forwarded_For": "127.0.0.1", "X_Forwarded_Proto": "https"}, "203.0.113.7", "http"),
    ("203.0.113.7", {"Forwarded": "for=127.0.0.1;proto=https"}, "203.0.113.7", "http"),
    # our proxy appended the real client; what the client wrote on the left is ignored
    ("10.0.0.5", {"X_Forwarded_For": "127.0.0.1, 198.51.100.4", "X_Forwarded_Proto": "https"},
     "198.51.100.4", "https"),
    # two of our proxies in a row
    ("10.0.0.5", {"X_Forwarded_For": "198.51.100.4, 10.0.0.9"}, "198.51.100.4", "http"),
    # RFC 7239 wins over X-Forwarded-*; IPv6 with a port
    ("127.0.0.1", {"Forwarded": 'for="[2001:db8::1]:4711";proto=https', "X_Forwarded_For": "198.51.100.4"},
     "2001:db8::1", "https"),
    # a trusted proxy that names nobody, or an unreadable hop: the client is unknown
    ("127.0.0.1", {}, None, "http"),
    ("10.0.0.5", {"Forwarded": "for=unknown"}, None, "http"),
    ("10.0.0.5", {"X_Forwarded_Proto": "gopher", "X_Forwarded_For": "198.51.100.4"}, "198.51.100.4", "http"),
])
def test_resolution(peer: str, headers: dict[str, str], client: str | None, scheme: str) -> None:
    origin = resolve(peer, "http", _headers(**headers), TRUSTED)
    assert (str(origin.client) if origin.client else None, origin.scheme) == (client, scheme)


def test_a_bad_trusted_proxy_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match=r"SOTKAB_TRUSTED_PROXIES=10\.0\.0\.0/8, proxy\.example: "):
        load_config(environ={"SOTKAB_TRUSTED_PROXIES": "10.0.0.0/8, proxy.example"})
    assert len(load_config(environ={"SOTKAB_TRUSTED_PROXIES": "10.0.0.0/8,::1"}).trusted_networks) == 2


async def _client(make_config: Any, **overrides: Any) -> TestClient[Any, Any]:
    client = TestClient(TestServer(create_app(make_config(**overrides))))
    await client.start_server()
    return client


@pytest.mark.parametrize("headers", [{"Forwarded": "for=203.0.113.9"}, {"X-Real-IP": "203.0.113.9"},
                                     {"X-Forwarded-Proto": "https"}])
async def test_metrics_refuse_any_relayed_request_without_the_token(make_config: Any, db: Any,
                                                                    headers: dict[str, str]) -> None:
    client = await _client(make_config)
    try:
        assert (await client.get("/metrics", headers=headers)).status == 403
        assert (await client.get("/metrics")).status == 200
    finally:
        await client.close()


async def test_metrics_refuse_a_trusted_proxy_that_names_no_client(make_config: Any, db: Any) -> None:
    """The loopback proxy that adds no header: once the operator names it, it is not "local"."""
    client = await _client(make_config, trusted_proxies=("127.0.0.1",))
    try:
        assert (await client.get("/metrics")).status == 403
        assert (await client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})).status == 403
    finally:
        await client.close()
