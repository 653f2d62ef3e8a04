"""Typed app keys of the recordings package."""

from __future__ import annotations

from aiohttp import web

from recordings.service import RecordingService

RECORDINGS = web.AppKey("recordings_service", RecordingService)
