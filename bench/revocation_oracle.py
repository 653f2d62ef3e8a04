"""Why the path and revocation checks stay hand-written: our verifier vs pyhanko-certvalidator.

Side by side, in one run, for the same leaf of the built-in CA with its revocation answer at hand:

* ``ours, cached``: :meth:`Verifier.verify_cms` (CMS signature, path, usage, policy, revocation
  served from the cache — the steady state of logins within ``revocation_good_ttl_s``);
* ``ours, fresh OCSP``: the same with the revocation cache emptied before each call (an in-process
  signed OCSP answer, verified);
* ``pyhanko, path only``: ``CertificateValidator.async_validate_path`` with the same OCSP answer
  supplied (no network), i.e. less work than ours (no CMS) and still the figure to beat.

pyhanko is a dev dependency (the tests' differential oracle); run with ``.venv/bin/python``.
Ends with one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.keys import KeyFile
from cabinet.eds.profile import Purpose
from cabinet.eds.verifier import build_verifier
from core.clock import SystemClock

ROUNDS = 200


async def main() -> None:
    clock = SystemClock()
    with tempfile.TemporaryDirectory() as tmp:
        ca = CertificateAuthority.init(Path(tmp) / "pki", base_url="http://127.0.0.1:9", clock=clock)
        person = ca.issue_person(iin="900101400123", surname="ТЕСТ", given_name="ТЕСТ", patronymic=None,
                                 password=b"p")
        key = KeyFile(person.sign.private_key, person.sign.certificate)
        cms = key.sign(b"bench")
        verifier = build_verifier(clock=clock, builtin_ca=ca)

        async def ours(fresh: bool) -> float:
            await verifier.verify_cms(cms, content=b"bench", purpose=Purpose.DOCUMENT)
            start = time.process_time()
            for _ in range(ROUNDS):
                if fresh:
                    verifier.revocation.forget()
                result = await verifier.verify_cms(cms, content=b"bench", purpose=Purpose.DOCUMENT)
                assert result.valid, result.message
            return (time.process_time() - start) * 1000 / ROUNDS

        cached_ms, fresh_ms = await ours(False), await ours(True)
        request = (ocsp.OCSPRequestBuilder().add_certificate(person.sign.certificate, ca.issuing_certificate,
                                                             hashes.SHA1()).build()
                   .public_bytes(serialization.Encoding.DER))
        answer = ca.ocsp_response(request)
        der = person.sign.certificate.public_bytes(serialization.Encoding.DER)
        policy = CertRevTrustPolicy(RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.OCSP_REQUIRED,
            intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED))
        roots = [asn1_x509.Certificate.load(ca.root_certificate.public_bytes(serialization.Encoding.DER))]
        others = [asn1_x509.Certificate.load(ca.issuing_certificate.public_bytes(serialization.Encoding.DER))]
        start = time.process_time()
        for _ in range(ROUNDS // 4):
            context = ValidationContext(trust_roots=roots, other_certs=others, ocsps=[answer], revinfo_policy=policy)
            await CertificateValidator(asn1_x509.Certificate.load(der), validation_context=context) \
                .async_validate_path()
        pyhanko_ms = (time.process_time() - start) * 1000 / (ROUNDS // 4)
        await verifier.close()

    print(f"{'check':<34}{'CPU ms/call':>12}")
    print(f"{'ours, cached revocation':<34}{cached_ms:>12.3f}")
    print(f"{'ours, fresh signed OCSP':<34}{fresh_ms:>12.3f}")
    print(f"{'pyhanko, path + OCSP only':<34}{pyhanko_ms:>12.3f}")
    print(f"pyhanko / ours (cached): {pyhanko_ms / cached_ms:.1f}x; "
          f"pyhanko / ours (fresh): {pyhanko_ms / fresh_ms:.1f}x")
    print(json.dumps({"results": [
        {"name": "verify_cms_cached_ms", "value": round(cached_ms, 3), "unit": "CPU ms/call", "target": 2.0,
         "met": cached_ms <= 2.0},
        {"name": "verify_cms_fresh_ocsp_ms", "value": round(fresh_ms, 3), "unit": "CPU ms/call", "target": 5.0,
         "met": fresh_ms <= 5.0},
        {"name": "pyhanko_over_ours_cached", "value": round(pyhanko_ms / cached_ms, 1), "unit": "x",
         "target": 1.0, "met": pyhanko_ms / cached_ms >= 1.0},
    ]}))


if __name__ == "__main__":
    asyncio.run(main())
