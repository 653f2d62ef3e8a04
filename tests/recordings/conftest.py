"""Fixtures for the recordings tests: the signaling courthouse (a live app on a real port) and a relay."""

from __future__ import annotations

from tests.media.conftest import relay  # noqa: F401
from tests.signaling.conftest import app_overrides, cast, courthouse, live  # noqa: F401
