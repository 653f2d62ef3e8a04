"""Is the state duty of a filing settled? Paid at the MRP of the payment date, or exempt with proof.

The MRP that applies is the one in force on the day the duty was paid (Tax Code No. 214-VIII,
art. 664(2)): what the ledger holds for ``filing:<id>`` is compared with the duty quoted for the
date of the latest payment still held (today if there is none). So a payment made in December at
December's MRP stays good in January, and a payment made after the MRP rose is checked against
the new amount. An exemption is only *claimed* by the filer: it needs a supporting document, and
the clerk confirms or refuses it before the filing is registered (:mod:`cabinet.filing.fee_decisions`).
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.fees import FeeQuote, FeeRequest, quote
from cabinet.filing.documents import DocumentKind
from cabinet.filing.errors import FeeNotPaid, FilingIncomplete
from cabinet.filing.models import Document, Filing
from cabinet.filing.numbering import COURT_TIME
from cabinet.money import Money
from cabinet.payments.ledger import last_payment_date, paid_amount

log = logging.getLogger(__name__)


class ExemptionStatus(enum.Enum):
    CLAIMED = "claimed"
    CONFIRMED = "confirmed"
    REFUSED = "refused"


def fee_reference(filing_id: int) -> str:
    return f"filing:{filing_id}"


def check_exemption_proof(filing: Filing, documents: Sequence[Document]) -> None:
    """A claimed exemption comes with the document that shows it (certificate, decision, contract…)."""
    if filing.exemption and not any(d.kind == DocumentKind.EXEMPTION_PROOF.value for d in documents):
        raise FilingIncomplete(
            f"the exemption {filing.exemption!r} is claimed without a supporting document: upload one with "
            "kind exemption_proof, or remove the exemption and pay the duty",
            code="exemption_document_required", details={"missing": ["documents.exemption_proof"]})


async def duty_due(session: AsyncSession, filing: Filing, request: FeeRequest, now: datetime) -> tuple[FeeQuote, Money]:
    """The duty at the MRP of the latest payment's date (or today), and what the ledger holds."""
    reference = fee_reference(filing.id)
    paid = await paid_amount(session, reference)
    paid_at = await last_payment_date(session, reference) if paid.is_positive() else None
    fee = quote(request, (paid_at or now).astimezone(COURT_TIME).date())
    return fee, paid


async def require_paid(session: AsyncSession, filing: Filing, request: FeeRequest, now: datetime) -> tuple[FeeQuote,
                                                                                                           Money]:
    """The duty without any exemption, paid in full at the MRP of its payment date, or ``fee_not_paid``."""
    fee, paid = await duty_due(session, filing, dataclasses.replace(request, exemption=None), now)
    if paid < fee.amount:
        raise FeeNotPaid(
            f"the state duty of {fee.amount.format()} (MRP {fee.mrp.amount.format()} of {fee.on.isoformat()}) is not "
            f"paid (paid {paid.format()}); pay it, claim an exemption or ask for a deferral",
            details={"owed": fee.amount.to_json(), "paid": paid.to_json(), "reference": fee_reference(filing.id),
                     "mrp": fee.mrp.amount.to_json(), "payment_date": fee.on.isoformat()})
    return fee, paid
