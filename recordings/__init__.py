"""Sealed hearing recordings: capture from the relay's tap, the court's seal, access and retention (API.md).

What the layer brings: :func:`recordings.setup.setup` (routes, OpenAPI fragment, the service),
:func:`add_commands` (``sotkab recordings ...``) and :mod:`recordings.schema` (its tables).
"""

from __future__ import annotations

from typing import Any


def add_commands(subparsers: Any) -> None:
    from recordings import cli

    cli.add_commands(subparsers)
