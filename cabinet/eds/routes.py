"""HTTP face of the built-in CA: the CRL, the OCSP responder and the CA certificate.

The URLs are the ones written into every certificate the CA issues (CDP, AIA), so any verifier —
ours, pyhanko, openssl — can check revocation against this server exactly as against NCA.
"""

from __future__ import annotations

import base64
import binascii
import logging

from aiohttp import web
from cryptography.hazmat.primitives import serialization

from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.transport import CRL_TYPE, OCSP_REQUEST_TYPE, OCSP_RESPONSE_TYPE

logger = logging.getLogger(__name__)

CA_KEY: web.AppKey[CertificateAuthority] = web.AppKey("eds_ca", CertificateAuthority)

_MAX_OCSP_REQUEST = 64 * 1024


def add_pki_routes(app: web.Application, ca: CertificateAuthority) -> None:
    """Register ``GET /pki/crl``, ``POST /pki/ocsp`` (and RFC 6960 GET form), ``GET /pki/ca.cer``."""
    app[CA_KEY] = ca
    app.router.add_get("/pki/crl", _crl)
    app.router.add_post("/pki/ocsp", _ocsp_post)
    app.router.add_get("/pki/ocsp/{request}", _ocsp_get)
    app.router.add_get("/pki/ca.cer", _ca_certificate)
    app.router.add_get("/pki/root.cer", _root_certificate)


async def _crl(request: web.Request) -> web.Response:
    return web.Response(
        body=request.app[CA_KEY].crl(), content_type=CRL_TYPE, headers={"Cache-Control": "max-age=60"}
    )


def _ocsp_answer(request: web.Request, der: bytes) -> web.Response:
    return web.Response(body=request.app[CA_KEY].ocsp_response(der), content_type=OCSP_RESPONSE_TYPE)


async def _ocsp_post(request: web.Request) -> web.Response:
    if request.content_type != OCSP_REQUEST_TYPE:
        raise web.HTTPUnsupportedMediaType(text=f"expected {OCSP_REQUEST_TYPE}")
    if request.content_length is not None and request.content_length > _MAX_OCSP_REQUEST:
        raise web.HTTPRequestEntityTooLarge(max_size=_MAX_OCSP_REQUEST, actual_size=request.content_length)
    body = await request.content.read(_MAX_OCSP_REQUEST + 1)
    if len(body) > _MAX_OCSP_REQUEST:
        raise web.HTTPRequestEntityTooLarge(max_size=_MAX_OCSP_REQUEST, actual_size=len(body))
    return _ocsp_answer(request, body)


async def _ocsp_get(request: web.Request) -> web.Response:
    try:
        der = base64.b64decode(request.match_info["request"], validate=False)
    except (binascii.Error, ValueError):
        der = b""
    return _ocsp_answer(request, der)


async def _ca_certificate(request: web.Request) -> web.Response:
    cert = request.app[CA_KEY].issuing_certificate
    return web.Response(body=cert.public_bytes(serialization.Encoding.DER), content_type="application/pkix-cert")


async def _root_certificate(request: web.Request) -> web.Response:
    cert = request.app[CA_KEY].root_certificate
    return web.Response(body=cert.public_bytes(serialization.Encoding.DER), content_type="application/pkix-cert")
