"""Differential oracle: our hand-written path and revocation checks against pyhanko-certvalidator.

The verifier's checks are written by hand for speed (pyhanko's validator costs tens of ms a call);
here every case of the bad-input matrix — and the crafted attacks of issue 9 (a certificate the CA
never issued, a leaf signed straight by the root with another CA's CRL cached, a revoked
intermediate) — goes through both, over the same real HTTP responders, and the verdicts must agree.
pyhanko runs with the policy we document: an intermediate is checked when it declares where, and
the signer's certificate needs a revocation answer (hard fail) where *the OCSP responder's answer
decides when it gives one, and the CRL only when it gives none* — which is pyhanko's "OCSP
required" rule while the responder is up and "CRL required" while it is down. (pyhanko's own
"either" rule falls back to the CRL on an OCSP "unknown" and so accepts a certificate the CA never
issued: the very hole of issue 9 item 2.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError, ValidationError
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from cabinet.eds import pki
from cabinet.eds.keys import KeyFile
from cabinet.eds.profile import KeyType, Purpose, build_subject
from cabinet.eds.verifier import FailureCode, Verifier
from tests.cabinet.eds.test_revocation_policy import CraftedPki


def _policy(ocsp_up: bool) -> CertRevTrustPolicy:
    leaf_rule = RevocationCheckingRule.OCSP_REQUIRED if ocsp_up else RevocationCheckingRule.CRL_REQUIRED
    return CertRevTrustPolicy(RevocationCheckingPolicy(
        ee_certificate_rule=leaf_rule, intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED))


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


async def pyhanko_accepts(leaf: x509.Certificate, anchors: list[x509.Certificate],
                          intermediates: list[x509.Certificate], *, ocsp_up: bool = True, **context: Any) -> bool:
    backend = AIOHttpFetcherBackend(per_request_timeout=5)
    vc = ValidationContext(trust_roots=[_asn1(a) for a in anchors], other_certs=[_asn1(i) for i in intermediates],
                           revinfo_policy=_policy(ocsp_up), fetcher_backend=backend, **context)
    try:
        await CertificateValidator(_asn1(leaf), validation_context=vc).async_validate_path()
    except (PathBuildingError, PathValidationError, ValidationError):
        return False
    finally:
        await backend.close()
    return True


async def ours_accepts(verifier: Verifier, key: KeyFile) -> tuple[bool, FailureCode | None]:
    result = await verifier.verify_cms(key.sign(b"oracle"), content=b"oracle", purpose=Purpose.DOCUMENT)
    return result.valid, result.code


def _forged_leaf(pki_env: Any, *, by_root: bool) -> KeyFile:
    ca = pki_env.ca
    issuer = ca.root_certificate if by_root else ca.issuing_certificate
    issuer_key = pki.load_private_key(ca.directory / "root.key.pem") if by_root else ca._issuing_key
    key = pki.new_rsa_key()
    now = ca.clock.now()
    cert = pki.person_certificate(
        build_subject(iin="900101400099", surname="ОРАКУЛ", given_name="ОРАЗ", patronymic=None), key.public_key(),
        KeyType.SIGN, None, issuer=issuer, issuer_key=issuer_key, not_before=now - timedelta(minutes=1),
        not_after=now + timedelta(days=30), base_url=ca.base_url)
    return KeyFile(key, cert)


MATRIX = ["alice", "revoked", "expired", "future", "director", "outsider", "offline", "never_issued", "root_signed"]


@pytest.mark.parametrize("case", MATRIX)
async def test_both_validators_agree(pki_env: Any, verifier: Verifier, key_of: Any, case: str) -> None:
    if case == "never_issued":
        key = _forged_leaf(pki_env, by_root=False)
    elif case == "root_signed":
        pki_env.faults.ocsp = "down"  # and the issuing CA's CRL gets cached first
        await ours_accepts(verifier, key_of(pki_env.alice, "sign"))
        key = _forged_leaf(pki_env, by_root=True)
    else:
        key = key_of(getattr(pki_env, case), "sign")
    anchors = [pki_env.ca.root_certificate, pki_env.unreachable.root_certificate]
    intermediates = [pki_env.ca.issuing_certificate, pki_env.unreachable.issuing_certificate]

    ours, code = await ours_accepts(verifier, key)
    theirs = await pyhanko_accepts(key.certificate, anchors, intermediates, allow_fetching=True,
                                   ocsp_up=pki_env.faults.ocsp == "ok")

    assert ours == theirs, (case, code)
    assert ours == (case in ("alice", "director")), (case, code)


@pytest.mark.parametrize("intermediate_revoked", [False, True])
async def test_both_agree_on_an_ec_intermediate_and_its_revocation(clock: Any, intermediate_revoked: bool) -> None:
    crafted = CraftedPki(clock)
    if intermediate_revoked:
        crafted.revoked_by_root.add(crafted.intermediate.serial_number)
    leaf = crafted.person("900101400098")
    request = (x509.ocsp.OCSPRequestBuilder().add_certificate(leaf.certificate, crafted.intermediate,
                                                              pki.hashes.SHA1())
               .build().public_bytes(serialization.Encoding.DER))
    ocsp_der = await crafted.fetch_ocsp("", request)
    root_crl = await crafted.fetch_crl("http://pki.invalid/root.crl")

    ours, code = await ours_accepts(crafted.verifier(), leaf)
    theirs = await pyhanko_accepts(leaf.certificate, [crafted.root], [crafted.intermediate],
                                   ocsps=[ocsp_der], crls=[root_crl], allow_fetching=False)

    assert ours == theirs == (not intermediate_revoked), code
