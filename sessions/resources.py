"""Typed keys for what the hearings package keeps on the application."""

from __future__ import annotations

from aiohttp import web

from sessions.service import HearingService

HEARINGS = web.AppKey("hearings", HearingService)
"""The app's one :class:`HearingService` (the signaling server uses it too)."""
