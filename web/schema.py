"""Every table of the platform, gathered for Alembic and for schema tests.

Importing the model modules here (and only here) registers their tables on ``Base.metadata``.
"""

from __future__ import annotations

import cabinet.audit
import cabinet.courts
import cabinet.filing.models
import cabinet.identity.models
import cabinet.notifications.models
import cabinet.payments.models
import recordings.models
import sessions.models
from core.db import Base

metadata = Base.metadata
