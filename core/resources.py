"""Typed keys for the application-wide resources every package may read from ``request.app``."""

from __future__ import annotations

from aiohttp import web

from core.clock import Clock
from core.config import Config
from core.db import Database

CONFIG = web.AppKey("config", Config)
CLOCK = web.AppKey("clock", Clock)
DB = web.AppKey("db", Database)
