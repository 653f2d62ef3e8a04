"""A small stand-in for NCALayer: a wss:// server on loopback that speaks its JSON protocol.

Like the real one it greets each connection with its version, takes ``kz.gov.pki.knca.basics``
``sign`` requests, signs with the key the person "chose" (here: the one the test gave it) and
answers ``{"status": true, "body": {"result": [CMS]}}``. It refuses a request that does not ask
for the right kind of key, so the test proves the page speaks the protocol, not just any JSON.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import ssl
import threading
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cabinet.eds.keys import KeyFile

CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "ncalayer.crt", directory / "ncalayer.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class NCALayerStandIn:
    def __init__(self, directory: Path, key: KeyFile) -> None:
        self.key = key
        self.requests: list[dict[str, Any]] = []
        self.cancel_next = False
        self._cert, self._key = _self_signed(directory)
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"wss://127.0.0.1:{self.port}"

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(json.dumps({"result": {"version": "1.4"}}))
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            await ws.send_str(json.dumps(self._answer(json.loads(message.data))))
        return ws

    def _answer(self, call: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(call)
        args = call.get("args") or {}
        if call.get("module") != "kz.gov.pki.knca.basics" or call.get("method") != "sign":
            return {"status": False, "code": "500", "message": "unknown module or method"}
        usages = (args.get("signerParams") or {}).get("extKeyUsageOids", [])
        if args.get("format") != "cms" or CLIENT_AUTH not in usages:
            return {"status": False, "code": "500", "message": "login needs a CMS with an AUTH (clientAuth) key"}
        if self.cancel_next:
            self.cancel_next = False
            return {"status": True, "body": {}}
        params = args.get("signingParams") or {}
        data = base64.b64decode(args["data"]) if params.get("decode") else str(args["data"]).encode()
        cms = self.key.sign(data, detached=not params.get("encapsulate", True))
        return {"status": True, "body": {"result": [base64.b64encode(cms).decode()]}}

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self._cert, self._key)
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def start(self) -> NCALayerStandIn:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
