"""``sotkab``: the operator's command line.

Each layer package adds its own sub-commands through ``add_commands(subparsers)`` (the CLI knows the
layers, not their sub-packages); a command's
handler is ``async def handler(args, config) -> int``. A typed error prints its message on
stderr and exits 2; a bad configuration exits 78 (EX_CONFIG) before any command runs; a server
that cannot start says why in one line and exits with the code :mod:`web.startup` gives it.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from core.config import Config, load_config
from core.errors import ConfigError, SotkabError
from core.logs import AccessLogger
from core.logs import configure as configure_logging
from web.startup import StartupError, safe_url

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    import cabinet
    import recordings
    from web import deploy

    parser = argparse.ArgumentParser(prog="sotkab", description="Sot Kabinet online court platform")
    parser.add_argument("--config", type=Path, help="TOML configuration file (SOTKAB_* variables override it)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="serve the web application")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, help="server processes on consecutive ports from --port "
                       "(default: SOTKAB_WORKERS, else one per core with Redis, else one)")
    serve.set_defaults(func=_serve)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    up = db.add_parser("upgrade", help="apply migrations up to REVISION (default: head)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(func=_db_upgrade)
    down = db.add_parser("downgrade", help="revert migrations down to REVISION")
    down.add_argument("revision")
    down.set_defaults(func=_db_downgrade)

    cabinet.add_commands(sub)
    recordings.add_commands(sub)
    deploy.add_commands(sub)
    return parser


async def _serve(args: argparse.Namespace, config: Config) -> int:
    from aiohttp import web

    from web.app import create_app
    from web.startup import bind_error, preflight

    host = args.host or config.host
    port = args.port or config.port
    count = args.workers or config.worker_count
    config = dataclasses.replace(config, host=host, port=port)  # the worker's name in logs and metrics
    if count != 1:
        from web.workers import Supervisor

        dataclasses.replace(config, workers=count)  # the settings' checks (Redis for several processes)
        await preflight(config, host, port)  # one clear line before any worker starts, not one per worker
        return await Supervisor(host=host, port=port, count=count, config_file=args.config).run()
    configure_logging(config)
    await preflight(config, host, port)
    access_log = logging.getLogger("sotkab.access") if config.access_log else None
    runner = web.AppRunner(create_app(config), access_log=access_log, access_log_class=AccessLogger)
    # Cleaned up however the start-up ends — a SIGINT while it runs (a worker stopped as it starts),
    # a set-up that fails: the app's set-ups entered so far are left again in order. Left to the
    # loop's shutdown they were closed all at once, each one's inner context after its outer one
    # had already closed it ("generator didn't stop after athrow()"), their tasks never stopped.
    try:
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as exc:  # taken between the preflight's probe and now
            raise bind_error(exc, host, port) from None
        print(f"Sot Kabinet is serving on http://{host}:{port}  (press Ctrl+C to stop)", flush=True)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
    return 0


async def _db_upgrade(args: argparse.Namespace, config: Config) -> int:
    from web.migrate import upgrade_async

    await upgrade_async(config.database_url, args.revision)
    print(f"database at {args.revision}: {safe_url(config.database_url)}")
    return 0


async def _db_downgrade(args: argparse.Namespace, config: Config) -> int:
    from web.migrate import downgrade

    await asyncio.to_thread(downgrade, config.database_url, args.revision)
    print(f"database at {args.revision}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"sotkab: {exc.message}", file=sys.stderr)
        return 78
    configure_logging(config)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        return int(asyncio.run(args.func(args, config)) or 0)
    except StartupError as exc:
        print(f"sotkab: cannot start: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except SotkabError as exc:
        print(f"sotkab: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
