"""Claiming an exemption from the state duty on a draft, checked against the exemption's scope first.

The draft API keeps whatever exemption code it is given and stores the quote's refusal, so a draft can
be saved half-done. Claiming one from the wizard is a decision the filer makes, so it is checked
before anything is kept: the code must be an exemption of art. 668 whose scope covers the draft's
case, claim and payer (:func:`cabinet.fee_exemptions.claimed_exemption`, which cites the article in
kk/ru/en when it refuses), and a draft that asks for a deferral cannot also claim an exemption.
Clearing the claim (``None``) is always allowed. The clerk still checks the proof before registering.
"""

from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.fee_exemptions import claimed_exemption
from cabinet.filing.drafts import DraftService, fee_request, requote
from cabinet.filing.errors import FilingStateConflict
from cabinet.filing.models import FeeDeferral, Filing
from cabinet.identity.models import User
from core.clock import Clock

log = logging.getLogger(__name__)


async def claim_exemption(session: AsyncSession, clock: Clock, filing_id: int, user: User,
                          code: str | None) -> Filing:
    """Set (or clear, with ``None``) the exemption the owner claims on their draft; refused unchanged
    when it does not exist, does not cover the draft, or the draft asks for a deferral."""
    drafts = DraftService(session, clock)
    filing = await drafts.own_draft(filing_id, user)
    if code is not None:
        request = fee_request(filing)
        if request is None:
            raise FilingStateConflict("the duty cannot be quoted yet: set the filing's kind, type, claim and payer",
                                      code="fee_not_quotable")
        claimed_exemption(dataclasses.replace(request, exemption=code))
        if await session.scalar(select(FeeDeferral.id).where(FeeDeferral.filing_id == filing.id)) is not None:
            raise FilingStateConflict("a filing either claims an exemption or asks for a deferral, not both; "
                                      "withdraw the deferral first", code="deferral_with_exemption")
    filing.exemption = code
    requote(filing, clock.now())
    filing.updated_at = clock.now()
    await session.flush()
    return filing
