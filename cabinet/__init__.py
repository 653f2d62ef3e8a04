"""The cabinet: EDS identity, e-filing, court fees, case tracking and notifications."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    from cabinet.identity import setup as identity

    identity.setup(app)
