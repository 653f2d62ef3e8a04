"""Assembly of EDS identity: the built-in CA (when enabled), the verifier and the login service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
from aiohttp import web

from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.routes import CA_KEY, add_pki_routes
from cabinet.eds.transport import AiohttpTransport
from cabinet.eds.verifier import Verifier, build_verifier
from cabinet.identity import openapi
from cabinet.identity.challenges import ChallengeMinter, load_or_create_key
from cabinet.identity.http import LOGIN
from cabinet.identity.login import LoginService
from cabinet.identity.routes import routes
from core.clock import SystemClock
from core.config import Config
from core.leases import PeriodicJob, running
from core.metrics import COUNTERS
from core.openapi import register_fragment
from core.resources import CLOCK, CONFIG, DB

log = logging.getLogger(__name__)

VERIFIER = web.AppKey("verifier", Verifier)
PURGE_EVERY = timedelta(minutes=10)


def open_builtin_ca(config: Config) -> CertificateAuthority:
    """The built-in CA, created on first start so a laptop install works with no PKI at hand.

    It signs CRLs and OCSP answers with wall-clock time whatever clock the app is given.
    """
    clock = SystemClock()
    if (config.pki_dir / "ca.json").exists():
        return CertificateAuthority.open(config.pki_dir, clock)
    log.warning("creating a built-in test CA in %s: for demos and tests only; production sets "
                "SOTKAB_BUILTIN_CA=false and SOTKAB_TRUST_ROOTS to the NCA roots", config.pki_dir)
    return CertificateAuthority.init(config.pki_dir, base_url=config.public_url, clock=clock)


def setup(app: web.Application) -> None:
    config = app[CONFIG]
    if config.builtin_ca:
        add_pki_routes(app, open_builtin_ca(config))
    app.router.add_routes(routes)
    register_fragment(app, "cabinet.identity", openapi.PATHS, openapi.SCHEMAS)
    app.cleanup_ctx.append(_identity)


async def _identity(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    verifier = build_verifier(
        clock=app[CLOCK], trust_roots=config.trust_roots,
        transport=AiohttpTransport(timeout=aiohttp.ClientTimeout(total=config.revocation_timeout_s)),
        builtin_ca=app.get(CA_KEY), soft_fail=not config.revocation_hard_fail,
        good_ttl=timedelta(seconds=config.revocation_good_ttl_s),
    )
    app[VERIFIER] = verifier
    minter = ChallengeMinter(load_or_create_key(config.data_dir / "secrets" / "login-challenge.key"),
                             app[CLOCK], timedelta(seconds=config.nonce_ttl_s))
    login = LoginService(app[DB], verifier, app[CLOCK], minter, session_ttl=timedelta(seconds=config.session_ttl_s),
                         reads=await app[DB].fast_path(), counters=app[COUNTERS])
    app[LOGIN] = login
    purge = PeriodicJob(app[DB], "login_challenge_purge", login.purge_used_challenges, every=PURGE_EVERY,
                        first_after=PURGE_EVERY)
    async with running(purge):
        yield
    await verifier.close()
