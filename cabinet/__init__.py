"""The cabinet: EDS identity, e-filing, court fees, case tracking and notifications."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    from cabinet import checkpoints
    from cabinet.filing import setup as filing
    from cabinet.identity import setup as identity
    from cabinet.notifications import setup as notifications
    from cabinet.payments import setup as payments
    from cabinet.public import setup as public

    identity.setup(app)
    filing.setup(app)
    notifications.setup(app)
    payments.setup(app)
    public.setup(app)
    checkpoints.setup(app)
