"""The cabinet: EDS identity, e-filing, court fees, case tracking and notifications.

What the cabinet brings to the platform, for the top layer to assemble without knowing its
sub-packages: :func:`setup` (routes, OpenAPI fragments, resources), :func:`add_commands` (the
``sotkab`` sub-commands) and :mod:`cabinet.schema` (its tables). The imports are inside the
functions so that importing any cabinet module does not import all of them.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web


def setup(app: web.Application) -> None:
    from cabinet import checkpoints
    from cabinet.filing import setup as filing
    from cabinet.identity import setup as identity
    from cabinet.notifications import setup as notifications
    from cabinet.payments import setup as payments

    identity.setup(app)
    filing.setup(app)
    notifications.setup(app)
    payments.setup(app)
    checkpoints.setup(app)


def add_commands(subparsers: Any) -> None:
    """``courts``, ``users``, ``audit``, ``demo``, ``pki``, ``sign``, ``verify`` and ``login``."""
    from cabinet import cli
    from cabinet.eds import cli as eds_cli
    from cabinet.identity import cli as identity_cli

    cli.add_commands(subparsers)
    eds_cli.add_commands(subparsers)
    identity_cli.add_commands(subparsers)
