"""The recordings' tables: importing this module registers them (and those of the layers below, which
they refer to) on ``core.db.Base.metadata``."""

from __future__ import annotations

import recordings.models
import sessions.schema
