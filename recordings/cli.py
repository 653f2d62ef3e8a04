"""``sotkab recordings verify DIR``: check a recording directory (an export, or the server's copy).

Offline by design: the hashes and the court's signature need only the files. With the platform's
configuration at hand the signature's chain is also checked against the trusted roots (and the
built-in CA, in demos), and when the database knows the directory its sealed copy of the manifest
is compared field by field. Prints a JSON report; exits 0 when everything matches, 1 when anything
does not, 2 when the directory cannot be read at all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.verifier import build_verifier
from core.clock import SystemClock
from core.config import Config
from core.db import connect
from recordings.models import RecordingRow
from recordings.verify import check_files, check_trust

logger = logging.getLogger(__name__)


def add_commands(subparsers: Any) -> None:
    recordings = subparsers.add_parser("recordings", help="sealed hearing recordings").add_subparsers(
        dest="recordings_command", required=True)
    verify = recordings.add_parser("verify", help="recompute every hash and the court's signature of DIR")
    verify.add_argument("directory", type=Path)
    verify.add_argument("--offline", action="store_true",
                        help="do not consult the database's sealed copy of the manifest")
    verify.set_defaults(func=_verify)
    worker = recordings.add_parser("worker", help="compose sealed recordings into their hearing record, until stopped")
    worker.add_argument("--once", action="store_true", help="compose every queued recording, then exit")
    worker.add_argument("--poll", type=float, default=5.0, help="seconds between looks for new jobs")
    worker.set_defaults(func=_worker)


async def _stored_manifest(config: Config, directory: str) -> dict[str, Any] | None:
    try:
        async with connect(config.database_url) as db, db.transaction() as session:
            manifest = await session.scalar(select(RecordingRow.manifest).where(
                RecordingRow.directory == directory))
            return dict(manifest) if manifest else None
    except (SQLAlchemyError, OSError) as exc:
        logger.info("no database copy of the manifest to compare with: %s", exc)
        return None


async def _verify(args: argparse.Namespace, config: Config) -> int:
    directory: Path = args.directory
    if not await asyncio.to_thread(directory.is_dir):
        print(f"sotkab: {directory} is not a directory", file=sys.stderr)
        return 2
    resolved = str(await asyncio.to_thread(directory.resolve))
    stored = None if args.offline else await _stored_manifest(config, resolved)
    report, _ = await asyncio.to_thread(check_files, directory, stored)
    builtin = None
    ca_dir = config.pki_dir
    if config.builtin_ca and (ca_dir / "ca.json").exists():
        builtin = CertificateAuthority.open(ca_dir, SystemClock())
    verifier = build_verifier(clock=SystemClock(), trust_roots=tuple(config.trust_roots), builtin_ca=builtin)
    try:
        await check_trust(report, directory, verifier)
    finally:
        await verifier.close()
    print(json.dumps({**report.to_json(), "compared_with_database": stored is not None}, ensure_ascii=False,
                     indent=2))
    return 0 if report.ok else 1


async def _worker(args: argparse.Namespace, config: Config) -> int:
    """Compose sealed recordings until interrupted (deployments that keep it out of the web process)."""
    from cabinet.filing.systemkey import CourtKeys
    from recordings.composition import Compositor

    ca = None
    if config.builtin_ca and (config.pki_dir / "ca.json").exists():
        ca = CertificateAuthority.open(config.pki_dir, SystemClock())
    stop = asyncio.Event()
    async with connect(config.database_url) as db:
        compositor = Compositor(db, SystemClock(), CourtKeys(config, ca))
        if args.once:
            while await compositor.run_once():
                pass
            return 0
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        logger.info("composition worker %s started", compositor.owner)
        await compositor.run(stop, poll_s=args.poll)
    return 0
