"""The CA's HTTP endpoints, as any OCSP/CRL client sees them."""

from __future__ import annotations

import aiohttp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp


async def test_crl_and_ca_certificate_are_served_with_pkix_types(pki_env) -> None:
    base = pki_env.ca.base_url
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/pki/crl") as crl:
            assert crl.content_type == "application/pkix-crl"
            assert x509.load_der_x509_crl(await crl.read()).issuer == pki_env.ca.issuing_certificate.subject
        async with http.get(f"{base}/pki/ca.cer") as cer:
            assert cer.content_type == "application/pkix-cert"
            assert x509.load_der_x509_certificate(await cer.read()) == pki_env.ca.issuing_certificate


async def test_ocsp_post_answers_in_ocsp_response_format(pki_env) -> None:
    request = ocsp.OCSPRequestBuilder().add_certificate(
        pki_env.revoked.auth.certificate, pki_env.ca.issuing_certificate, hashes.SHA1()
    ).build().public_bytes(serialization.Encoding.DER)
    async with aiohttp.ClientSession() as http, http.post(
        f"{pki_env.ca.base_url}/pki/ocsp", data=request, headers={"Content-Type": "application/ocsp-request"}
    ) as answer:
        assert answer.content_type == "application/ocsp-response"
        assert ocsp.load_der_ocsp_response(await answer.read()).certificate_status is ocsp.OCSPCertStatus.REVOKED


async def test_a_malformed_ocsp_post_gets_malformed_request(pki_env) -> None:
    async with aiohttp.ClientSession() as http, http.post(
        f"{pki_env.ca.base_url}/pki/ocsp", data=b"nonsense", headers={"Content-Type": "application/ocsp-request"}
    ) as answer:
        assert answer.status == 200  # RFC 6960: the error is inside the OCSP response
        status = ocsp.load_der_ocsp_response(await answer.read()).response_status
        assert status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST


async def test_an_ocsp_post_of_the_wrong_media_type_is_415(pki_env) -> None:
    async with aiohttp.ClientSession() as http, http.post(
        f"{pki_env.ca.base_url}/pki/ocsp", data=b"{}", headers={"Content-Type": "application/json"}
    ) as answer:
        assert answer.status == 415
