"""The cabinet's tables: importing this module registers every one of them on ``core.db.Base.metadata``."""

from __future__ import annotations

import cabinet.audit
import cabinet.courts
import cabinet.filing.models
import cabinet.identity.models
import cabinet.notifications.models
import cabinet.payments.models
