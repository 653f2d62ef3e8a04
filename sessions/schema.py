"""The hearings' tables: importing this module registers them (and the cabinet's, which they refer to)
on ``core.db.Base.metadata``."""

from __future__ import annotations

import cabinet.schema
import sessions.models
