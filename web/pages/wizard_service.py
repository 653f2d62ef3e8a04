"""The filing wizard's use cases over the filing and payments services: read, save, pay, submit.

Each method is one unit of work and calls the same services as the JSON API (``DraftService``,
``SubmissionService``, ``PaymentService``), so a page refuses what the API refuses, with the same
codes, and a refused step stores nothing. The one rule of its own is the payment's: the person
pays exactly the amount the page showed them, and if the duty changed in between (the MRP rose,
someone else paid part of it) the payment is not started and the page says so.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from aiohttp import web
from sqlalchemy import select

from cabinet.courts import Court
from cabinet.filing.access import caller_of
from cabinet.filing.deferrals import DeferralAsk, ask_deferral, deferral_json, deferral_of, withdraw_deferral
from cabinet.filing.drafts import DraftService, fee_request
from cabinet.filing.errors import FilingStateConflict
from cabinet.filing.fee_checks import duty_due, fee_reference
from cabinet.filing.fee_relief import claim_exemption
from cabinet.filing.forms import DraftChanges
from cabinet.filing.models import Case, Filing
from cabinet.filing.resources import COURT_KEYS
from cabinet.filing.submission import SubmissionService
from cabinet.filing.tracking import TrackingService
from cabinet.filing.views import filing_json
from cabinet.identity.models import User
from cabinet.identity.principal import Principal
from cabinet.money import Money
from cabinet.payments.ledger import paid_amount
from cabinet.payments.routes import PAYMENTS
from core.errors import Conflict
from core.resources import CLOCK, DB
from web.pages.wizard import Draft, url_of

log = logging.getLogger(__name__)


class FeeChanged(Conflict):
    """The duty to pay is no longer the amount the page showed: nothing is charged."""

    default_code = "fee_changed"


class NothingToPay(Conflict):
    default_code = "nothing_to_pay"


@dataclasses.dataclass(frozen=True)
class Duty:
    """The duty at the MRP of the payment date, what the ledger holds, and what is left."""

    owed: Money
    paid: Money

    @property
    def due(self) -> Money:
        return self.owed - self.paid if self.paid < self.owed else Money(0)


class FilingWizard:
    def __init__(self, app: web.Application) -> None:
        self.app = app

    async def draft(self, principal: Principal, draft_id: int) -> Draft:
        """The filing as its owner (or anyone the tracking rules let see it) reads it; 404 otherwise."""
        async with self.app[DB].sessions() as session:
            tracking = TrackingService(session)
            filing = await tracking.filing(draft_id, caller_of(principal))
            documents = await tracking.documents_of_filing(filing.id)
            court = await session.get(Court, filing.court_id) if filing.court_id else None
            number = (await session.scalar(select(Case.number).where(Case.id == filing.case_id))
                      if filing.case_id else None)
            paid = await paid_amount(session, fee_reference(filing.id))
            deferral = deferral_json(await deferral_of(session, filing.id))
        return Draft(filing_json(filing, court, documents, number), paid.tiyn, principal.iin, deferral)

    async def _user(self, session: Any, principal: Principal) -> User:
        user = await session.get(User, principal.user_id)
        assert user is not None
        return user

    async def create(self, principal: Principal, body: dict[str, Any]) -> int:
        changes = DraftChanges.parse(body)
        async with self.app[DB].transaction() as session:
            filing = await DraftService(session, self.app[CLOCK]).create(
                await self._user(session, principal), caller_of(principal), changes)
            return int(filing.id)

    async def save(self, principal: Principal, draft_id: int, body: dict[str, Any]) -> None:
        changes = DraftChanges.parse(body)
        async with self.app[DB].transaction() as session:
            await DraftService(session, self.app[CLOCK]).update(
                draft_id, await self._user(session, principal), caller_of(principal), changes)

    async def claim_exemption(self, principal: Principal, draft_id: int, code: str | None) -> None:
        """Claim the exemption (checked against its scope: refused unchanged when it does not cover the
        claim), or clear it with ``None``."""
        async with self.app[DB].transaction() as session:
            await claim_exemption(session, self.app[CLOCK], draft_id, await self._user(session, principal), code)

    async def ask_deferral(self, principal: Principal, draft_id: int, body: dict[str, Any]) -> None:
        ask = DeferralAsk.parse(body)
        async with self.app[DB].transaction() as session:
            await ask_deferral(session, self.app[CLOCK], draft_id, await self._user(session, principal), ask)

    async def withdraw_deferral(self, principal: Principal, draft_id: int) -> None:
        async with self.app[DB].transaction() as session:
            await withdraw_deferral(session, self.app[CLOCK], draft_id, await self._user(session, principal))

    async def pay_in_full(self, principal: Principal, draft_id: int) -> None:
        """No relief: the exemption claim and the deferral request, if any, are both withdrawn."""
        async with self.app[DB].transaction() as session:
            user = await self._user(session, principal)
            await withdraw_deferral(session, self.app[CLOCK], draft_id, user)
            await claim_exemption(session, self.app[CLOCK], draft_id, user, None)

    async def _duty(self, session: Any, filing: Filing) -> Duty:
        request = fee_request(filing)
        if request is None:
            raise FilingStateConflict("the duty cannot be quoted yet: finish the claim section first",
                                      code="filing_incomplete", details={"missing": ["claim_kind"]})
        fee, paid = await duty_due(session, filing, dataclasses.replace(request, exemption=None),
                                   self.app[CLOCK].now())
        return Duty(fee.amount, paid)

    async def duty(self, principal: Principal, draft_id: int) -> Duty:
        async with self.app[DB].sessions() as session:
            user = await self._user(session, principal)
            filing = await DraftService(session, self.app[CLOCK]).own_draft(draft_id, user, for_update=False)
            return await self._duty(session, filing)

    async def start_payment(self, principal: Principal, draft_id: int, shown: str, return_base: str) -> str:
        """Start paying what is due, provided it is the amount shown; the bank's page URL to send the payer to."""
        async with self.app[DB].sessions() as session:
            user = await self._user(session, principal)
            filing = await DraftService(session, self.app[CLOCK]).own_draft(draft_id, user, for_update=False)
            duty = await self._duty(session, filing)
        if not duty.due.is_positive():
            raise NothingToPay("the state duty of this filing is already paid")
        if shown != duty.due.to_json():
            log.info("payment of filing %s refused: shown %r, due %s", draft_id, shown[:40], duty.due.to_json())
            raise FeeChanged("the state duty changed since the page was opened; check the new amount",
                             details={"due": duty.due.to_json()})
        started = await self.app[PAYMENTS].start(
            principal, reference=fee_reference(draft_id), amount=duty.due,
            purpose=f"State duty, filing {draft_id}", return_path=return_base)
        return started.redirect_url

    async def submit(self, principal: Principal, draft_id: int) -> str:
        async with self.app[DB].transaction() as session:
            filing = await SubmissionService(session, self.app[CLOCK], self.app[COURT_KEYS]).submit(
                draft_id, await self._user(session, principal), principal)
            return url_of(filing.id, "receipt")
