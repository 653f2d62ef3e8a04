"""How revocation evidence is fetched: a two-method protocol and its implementations.

The checker only needs "POST this OCSP request there" and "GET that CRL"; keeping that behind a
protocol lets the server reuse one aiohttp session (connection pooling matters at login rates),
and lets a process that *is* the CA answer itself without an HTTP round trip to its own port.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

import aiohttp

if TYPE_CHECKING:
    from cabinet.eds.ca import CertificateAuthority

logger = logging.getLogger(__name__)

OCSP_REQUEST_TYPE = "application/ocsp-request"
OCSP_RESPONSE_TYPE = "application/ocsp-response"
CRL_TYPE = "application/pkix-crl"


class FetchError(Exception):
    """The responder or distribution point did not give an answer (network, HTTP status, size)."""


class Transport(Protocol):
    async def fetch_ocsp(self, url: str, request_der: bytes) -> bytes: ...

    async def fetch_crl(self, url: str) -> bytes: ...


class AiohttpTransport:
    """Real HTTP with tight timeouts: a slow OCSP responder must not stall logins for long."""

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        timeout: aiohttp.ClientTimeout | None = None,
        max_ocsp_bytes: int = 256 * 1024,
        max_crl_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self._session = session
        self._owns_session = session is None
        self._timeout = timeout or aiohttp.ClientTimeout(total=5, connect=2)
        self._max_ocsp = max_ocsp_bytes
        self._max_crl = max_crl_bytes

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
            self._owns_session = True
        return self._session

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> AiohttpTransport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _read(self, response: aiohttp.ClientResponse, limit: int, url: str) -> bytes:
        if response.status != 200:
            raise FetchError(f"{url} answered HTTP {response.status}")
        body = bytearray()
        async for chunk in response.content.iter_chunked(65536):
            body += chunk
            if len(body) > limit:
                raise FetchError(f"{url} sent more than {limit} bytes")
        return bytes(body)

    async def fetch_ocsp(self, url: str, request_der: bytes) -> bytes:
        try:
            async with self._client().post(
                url, data=request_der, headers={"Content-Type": OCSP_REQUEST_TYPE}, timeout=self._timeout
            ) as response:
                return await self._read(response, self._max_ocsp, url)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise FetchError(f"OCSP responder {url} unreachable: {exc!r}") from exc

    async def fetch_crl(self, url: str) -> bytes:
        try:
            async with self._client().get(url, timeout=self._timeout) as response:
                return await self._read(response, self._max_crl, url)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise FetchError(f"CRL distribution point {url} unreachable: {exc!r}") from exc


class CaTransport:
    """Answers URLs of a local :class:`CertificateAuthority` directly; everything else goes on.

    The demo server and the CLI host the built-in CA themselves; asking it over HTTP would need the
    server to be running (CLI) or would call the server's own port (app). The answers are the same
    signed bytes, and the checker verifies them exactly as it would over the network.
    """

    def __init__(self, ca: CertificateAuthority, fallback: Transport | None = None) -> None:
        self._ca = ca
        self._fallback = fallback

    async def fetch_ocsp(self, url: str, request_der: bytes) -> bytes:
        if url == f"{self._ca.base_url}/pki/ocsp":
            return self._ca.ocsp_response(request_der)
        if self._fallback is None:
            raise FetchError(f"no route to OCSP responder {url}")
        return await self._fallback.fetch_ocsp(url, request_der)

    async def fetch_crl(self, url: str) -> bytes:
        if url == f"{self._ca.base_url}/pki/crl":
            return self._ca.crl()
        if self._fallback is None:
            raise FetchError(f"no route to CRL distribution point {url}")
        return await self._fallback.fetch_crl(url)

    async def close(self) -> None:
        close = getattr(self._fallback, "close", None)
        if close is not None:
            await close()
