"""Every table of the platform, gathered for Alembic and for schema tests.

Each layer package names its own tables in its ``schema`` module; importing those (and only those)
registers them on ``Base.metadata``.
"""

from __future__ import annotations

import cabinet.schema
import core.leases
import recordings.schema
import sessions.schema
from core.db import Base

metadata = Base.metadata
