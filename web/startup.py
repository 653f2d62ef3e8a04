"""What ``sotkab serve`` checks before it builds anything: fail fast, with one line an operator can act on.

Without these checks a server with an unreachable database printed "serving" and then a long
traceback every few seconds from each background job, a taken port was a traceback from deep in
asyncio, and an unwritable data directory surfaced at the first upload. Each check below is the
cheapest way to see one of those failures before the first request, and each failure is a
:class:`StartupError` whose message is one line and whose exit status says what kind of failure it
was (the BSD ``sysexits`` codes that init systems and scripts already know):

======================  =====  ============================================================
failure                 exit   what the operator does
======================  =====  ============================================================
data dir not writable    73    fix the directory's owner or mount (EX_CANTCREAT)
host is not this host    78    fix ``SOTKAB_HOST`` / ``--host`` (EX_CONFIG)
port already in use      71    stop the other listener or pick another port (EX_OSERR)
port needs privileges    77    use a port above 1023 behind HAProxy (EX_NOPERM)
database unreachable     69    start or reach the database (EX_UNAVAILABLE)
schema behind the code   69    run ``sotkab db upgrade`` (EX_UNAVAILABLE)
Redis unreachable        69    start or reach Redis (EX_UNAVAILABLE)
======================  =====  ============================================================

A database *ahead* of this code (a newer version already migrated it, as in an online upgrade
while the older workers still run) is allowed with a warning: migrations add before they remove.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket

from alembic.script import ScriptDirectory
from sqlalchemy import text

from core.config import Config
from core.db import create_engine
from core.errors import SotkabError
from core.health import redis_status, writable_error
from web.migrate import alembic_config

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10.0
EX_UNAVAILABLE, EX_OSERR, EX_CANTCREAT, EX_NOPERM, EX_CONFIG = 69, 71, 73, 77, 78


class StartupError(SotkabError):
    """The server cannot start; ``exit_code`` is the process's exit status."""

    status = 503
    default_code = "cannot_start"

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


async def preflight(config: Config, host: str, port: int) -> None:
    """Raise :class:`StartupError` for the first thing that would stop this server from serving."""
    for directory in (config.data_dir, config.storage_dir):
        error = await asyncio.to_thread(writable_error, directory)
        if error is not None:
            raise StartupError(f"the data directory {directory} is not writable: {error} (SOTKAB_DATA_DIR)",
                               EX_CANTCREAT)
    check_address(host, port)
    await check_database(config)
    if config.redis_url:
        status = await redis_status(config.redis_url)
        if not status.ok:
            raise StartupError(f"Redis at {safe_url(config.redis_url)} cannot be reached: "
                               f"{status.details.get('error')} (SOTKAB_REDIS_URL)", EX_UNAVAILABLE)


def check_address(host: str, port: int) -> None:
    """Bind every address ``host`` names, as the server will, and let go again at once."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise StartupError(f"host {host!r} is not a name or address of this machine: {exc.strerror} "
                           "(SOTKAB_HOST or --host)", EX_CONFIG) from None
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                raise bind_error(exc, host, port) from None


def bind_error(exc: OSError, host: str, port: int) -> StartupError:
    """The one line for a failed bind, here or in the server's own listen."""
    if exc.errno == errno.EADDRINUSE:
        return StartupError(f"port {port} on {host} is already in use by another process "
                            "(SOTKAB_PORT or --port)", EX_OSERR)
    if exc.errno == errno.EACCES:
        return StartupError(f"port {port} needs privileges this process does not have; serve on a port "
                            "above 1023 behind HAProxy (SOTKAB_PORT or --port)", EX_NOPERM)
    if exc.errno == errno.EADDRNOTAVAIL:
        return StartupError(f"host {host!r} is not an address of this machine (SOTKAB_HOST or --host)", EX_CONFIG)
    return StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EX_OSERR)


async def check_database(config: Config) -> None:
    """Connect, and compare the schema's migration with this code's."""
    engine = create_engine(config.database_url)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            async with engine.connect() as conn:
                has_version = await conn.run_sync(lambda sync: sync.dialect.has_table(sync, "alembic_version"))
                current = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar() \
                    if has_version else None
    except TimeoutError:
        raise StartupError(f"the database at {safe_url(config.database_url)} did not answer within "
                           f"{CONNECT_TIMEOUT_S:g} s (SOTKAB_DATABASE_URL)", EX_UNAVAILABLE) from None
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        raise StartupError(f"the database at {safe_url(config.database_url)} cannot be reached: {reason} "
                           "(SOTKAB_DATABASE_URL)", EX_UNAVAILABLE) from None
    finally:
        await engine.dispose()
    scripts = ScriptDirectory.from_config(alembic_config(config.database_url))
    head = scripts.get_current_head()
    if current is None:
        raise StartupError(f"the database at {safe_url(config.database_url)} has no schema yet: "
                           "run `sotkab db upgrade` first", EX_UNAVAILABLE)
    if current == head:
        return
    known = {script.revision for script in scripts.walk_revisions()}
    if current in known:
        raise StartupError(f"the database is at migration {current} and this version needs {head}: "
                           "run `sotkab db upgrade` first", EX_UNAVAILABLE)
    log.warning("the database is at migration %s, newer than this version's %s: serving on the newer schema "
                "(an online upgrade in progress?)", current, head)


def safe_url(url: str) -> str:
    """A database or Redis URL without its password, fit for a log line."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
    return url
