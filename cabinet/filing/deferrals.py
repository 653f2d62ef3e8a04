"""Deferral of the state duty (Tax Code No. 214-VIII, art. 135): the filer asks, the judge decides.

A filer who cannot pay yet asks on the draft, giving the reason (a legal entity also declares it
is not a large business: art. 135 excludes large business). The filing is then submitted and
registered unpaid. Once registered, the judge of the case grants the deferral with a due date at
most a year after the decision, or refuses it with a reason (the duty is then due at once). The
due date is tracked: the filer is told :data:`REMIND_DAYS` days before it, and the judge once it
passes unpaid (the claim can then be left without motion). A deferral is never decided by the
filer, a clerk, or a judge of another case, and never on an exempt filing.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.case_status import ActorRole
from cabinet.courts import Court
from cabinet.fee_instalments import MAX_TERM, check_count, instalment_plan
from cabinet.fee_kinds import citation, cite
from cabinet.fees import PayerKind, quote
from cabinet.filing.access import Resource
from cabinet.filing.cases import CaseStore
from cabinet.filing.drafts import DraftService, fee_request
from cabinet.filing.errors import FilingForbidden, FilingInvalid, FilingNotFound, FilingStateConflict
from cabinet.filing.fee_checks import fee_reference
from cabinet.filing.models import Case, FeeDeferral, Filing
from cabinet.filing.notices import tell_user
from cabinet.filing.numbering import COURT_TIME
from cabinet.filing.staff import StaffService
from cabinet.identity.models import User
from cabinet.identity.principal import Principal
from cabinet.money import Money
from cabinet.payments.ledger import paid_amount
from core.clock import Clock
from core.db import Database

log = logging.getLogger(__name__)

ARTICLE = cite("135")
ARTICLE_REF = ARTICLE.rsplit("art. ", 1)[-1]
"""The bare article number, which a notice cites in the reader's language."""
CITATION = citation(ARTICLE)
"""The article as each language cites it: refusals carry it in ``details.citation``, people read it."""
REMIND_DAYS = 7
MAX_REASON = 2000
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class DeferralStatus(enum.Enum):
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"


class DeferralDecision(enum.Enum):
    GRANT = "grant"
    REFUSE = "refuse"


def parse_date(raw: object, field: str) -> date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise FilingInvalid(f"{field} must be a date YYYY-MM-DD", code="invalid_due_date", details={"field": field})


def _reason(raw: object, *, required: bool) -> str | None:
    if raw is not None and not isinstance(raw, str):
        raise FilingInvalid("reason must be text", code="invalid_field", details={"field": "reason"})
    text = (raw or "").strip()
    if len(text) > MAX_REASON:
        raise FilingInvalid(f"the reason is at most {MAX_REASON} characters", code="invalid_field",
                            details={"field": "reason"})
    if required and not text:
        raise FilingInvalid("a reason is required", code="reason_required", details={"field": "reason"})
    return text or None


@dataclass(frozen=True)
class DeferralAsk:
    """A deferral to one date (``until``, optional: the judge sets it) or ``instalments`` monthly parts."""

    reason: str
    until: date | None
    not_large_business: bool
    instalments: int | None = None

    def __post_init__(self) -> None:
        if self.instalments is not None:
            check_count(self.instalments)
            if self.until is not None:
                raise FilingInvalid("ask either to defer to one date (until) or to pay in instalments, not both",
                                    code="invalid_field", details={"field": "until", "citation": CITATION})

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> DeferralAsk:
        unknown = sorted(set(body) - {"reason", "until", "not_large_business", "instalments"})
        if unknown:
            raise FilingInvalid(f"unknown fields {unknown}", code="unknown_field", details={"fields": unknown})
        flag = body.get("not_large_business", False)
        if not isinstance(flag, bool):
            raise FilingInvalid("not_large_business must be true or false", code="invalid_field",
                                details={"field": "not_large_business"})
        reason = _reason(body.get("reason"), required=True)
        assert reason is not None
        instalments = body.get("instalments")
        return cls(reason, parse_date(body.get("until"), "until"), flag,
                   None if instalments is None else check_count(instalments))


def deferral_json(deferral: FeeDeferral | None) -> dict[str, Any] | None:
    if deferral is None:
        return None
    return {"status": deferral.status, "reason": deferral.reason, "article": ARTICLE, "citation": CITATION,
            "requested_until": deferral.requested_until.isoformat() if deferral.requested_until else None,
            "instalments": deferral.instalments,
            "requested_at": deferral.requested_at.isoformat(),
            "decided_at": deferral.decided_at.isoformat() if deferral.decided_at else None,
            "decision_reason": deferral.decision_reason,
            "due_date": deferral.due_date.isoformat() if deferral.due_date else None}


async def deferral_of(session: AsyncSession, filing_id: int, *, for_update: bool = False) -> FeeDeferral | None:
    query = select(FeeDeferral).where(FeeDeferral.filing_id == filing_id)
    return await session.scalar(query.with_for_update() if for_update else query)


def _check_due(due: date, today: date, field: str) -> None:
    if not today < due <= today + MAX_TERM:
        raise FilingInvalid(f"{field} must be after today and at most a year ahead ({ARTICLE})",
                            code="invalid_due_date", details={"field": field, "latest": (today + MAX_TERM).isoformat(),
                                                              "citation": CITATION})


async def ask_deferral(session: AsyncSession, clock: Clock, filing_id: int, user: User,
                       ask: DeferralAsk) -> FeeDeferral:
    """The filer asks on their draft; asking again before submission replaces the request."""
    filing = await DraftService(session, clock).own_draft(filing_id, user)
    now = clock.now()
    today = now.astimezone(COURT_TIME).date()
    if filing.exemption:
        raise FilingStateConflict("an exempt filing owes nothing to defer; remove the exemption first",
                                  code="deferral_with_exemption")
    request = fee_request(filing)
    if request is None:
        raise FilingStateConflict("the duty cannot be quoted yet: set the filing's kind, type, claim and payer",
                                  code="fee_not_quotable")
    owed = quote(request, today).amount
    if not owed.is_positive():
        raise FilingStateConflict("this filing owes no state duty; there is nothing to defer", code="nothing_to_defer")
    if ask.instalments is not None:
        instalment_plan(owed, ask.instalments, today)
    if request.payer_kind is PayerKind.LEGAL_ENTITY and not ask.not_large_business:
        raise FilingInvalid(f"large business cannot have the duty deferred ({ARTICLE}); a legal entity must "
                            "declare not_large_business", code="not_eligible_for_deferral",
                            details={"field": "not_large_business", "citation": CITATION})
    if ask.until is not None:
        _check_due(ask.until, today, "until")
    deferral = await deferral_of(session, filing.id, for_update=True)
    if deferral is None:
        deferral = FeeDeferral(filing_id=filing.id, reason=ask.reason, requested_until=ask.until, requested_at=now,
                               status=DeferralStatus.REQUESTED.value, instalments=ask.instalments)
        session.add(deferral)
    else:
        deferral.reason, deferral.requested_until, deferral.requested_at = ask.reason, ask.until, now
        deferral.instalments = ask.instalments
    await session.flush()
    return deferral


async def withdraw_deferral(session: AsyncSession, clock: Clock, filing_id: int, user: User) -> bool:
    """The filer takes back the request on their draft (to pay after all, or to claim an exemption)."""
    filing = await DraftService(session, clock).own_draft(filing_id, user)
    deferral = await deferral_of(session, filing.id, for_update=True)
    if deferral is None:
        return False
    await session.delete(deferral)
    await session.flush()
    return True


async def judged_deferral(session: AsyncSession, clock: Clock, filing_id: int,
                          principal: Principal) -> tuple[Filing, Case, FeeDeferral]:
    """The filing, its case and the deferral request this judge may decide, or the refusal a decision
    would meet: the judge's decision page shows the request only to whom may decide it."""
    filing = await DraftService(session, clock).load(filing_id, for_update=True)
    if filing.case_id is None:  # the judge of the case decides once it is registered; before, nobody may
        raise FilingNotFound(f"no registered filing {filing_id}")
    case = await CaseStore(session).by_id(filing.case_id)
    _, role = await StaffService(session, clock).case_for_step(case.number, principal, Resource.CASE)
    if role is not ActorRole.JUDGE:
        raise FilingForbidden("only the judge of the case decides a deferral", code="not_judge_of_case")
    if principal.user_id == filing.owner_id:
        raise FilingForbidden("nobody decides on their own filing", code="own_filing")
    deferral = await deferral_of(session, filing.id, for_update=True)
    if deferral is None:
        raise FilingNotFound(f"filing {filing_id} has no deferral request", code="deferral_not_found")
    if deferral.status != DeferralStatus.REQUESTED.value:
        raise FilingStateConflict(f"the deferral was already {deferral.status}", code="deferral_decided")
    return filing, case, deferral


async def decide_deferral(session: AsyncSession, clock: Clock, filing_id: int, principal: Principal,
                          decision: DeferralDecision, due: date | None, reason: str | None) -> FeeDeferral:
    filing, case, deferral = await judged_deferral(session, clock, filing_id, principal)
    now = clock.now()
    today = now.astimezone(COURT_TIME).date()
    if decision is DeferralDecision.GRANT:
        if due is None:
            raise FilingInvalid("granting a deferral needs its due_date", code="invalid_due_date",
                                details={"field": "due_date"})
        _check_due(due, today, "due_date")
    elif reason is None:
        raise FilingInvalid("refusing a deferral needs the reason the filer will read", code="reason_required",
                            details={"field": "reason"})
    deferral.status = (DeferralStatus.GRANTED if decision is DeferralDecision.GRANT else DeferralStatus.REFUSED).value
    deferral.decided_by, deferral.decided_at, deferral.decision_reason = principal.user_id, now, reason
    deferral.due_date = due_date = due if due is not None and decision is DeferralDecision.GRANT else today
    owed = Money(filing.fee_tiyn or 0)
    court = await session.get(Court, case.court_id)
    assert court is not None
    facts = {"incoming_number": filing.incoming_number, "amount": owed.format(), "article": ARTICLE_REF,
             "reference": fee_reference(filing.id), "due_date": f"{due_date:%d.%m.%Y}", "reason": reason or ""}
    await AuditLog(session, clock).append(f"filing.deferral_{deferral.status}", actor=principal.audit_actor,
                                          subject=f"filing:{filing.id}",
                                          details={"due_date": due_date.isoformat(), "reason": reason})
    await tell_user(session, clock, user_id=filing.owner_id, kind=f"deferral_{deferral.status}",
                    facts=facts, court=court, case=case)
    return deferral


async def remind_due(db: Database, clock: Clock) -> int:
    """Tell filers of unpaid deferred duties before the due date, and judges once it passed; once each."""
    now = clock.now()
    today = now.astimezone(COURT_TIME).date()
    sent = 0
    async with db.transaction() as session:
        rows = list(await session.execute(
            select(FeeDeferral, Filing).join(Filing, Filing.id == FeeDeferral.filing_id)
            .where(FeeDeferral.status.in_([DeferralStatus.GRANTED.value, DeferralStatus.REFUSED.value]),
                   FeeDeferral.overdue_at.is_(None), FeeDeferral.due_date <= today + timedelta(days=REMIND_DAYS))
            .order_by(FeeDeferral.id).with_for_update()))
        for deferral, filing in rows:
            owed = Money(filing.fee_tiyn or 0)
            if await paid_amount(session, fee_reference(filing.id)) >= owed or filing.case_id is None:
                continue
            assert deferral.due_date is not None
            case = await CaseStore(session).by_id(filing.case_id)
            court = await session.get(Court, case.court_id)
            assert court is not None
            if today <= deferral.due_date and deferral.reminded_at is None:
                deferral.reminded_at = now
                await tell_user(session, clock, user_id=filing.owner_id, kind="fee_due_soon",
                                facts={"incoming_number": filing.incoming_number, "amount": owed.format(),
                                       "reference": fee_reference(filing.id), "article": ARTICLE_REF,
                                       "due_date": f"{deferral.due_date:%d.%m.%Y}"}, court=court, case=case)
                sent += 1
            elif today > deferral.due_date and case.judge_id is not None:
                deferral.overdue_at = now
                await tell_user(session, clock, user_id=case.judge_id, kind="fee_overdue",
                                facts={"incoming_number": filing.incoming_number, "amount": owed.format(),
                                       "case_number": case.number, "due_date": f"{deferral.due_date:%d.%m.%Y}"},
                                court=court, case=case, capacity="judge")
                sent += 1
    if sent:
        log.info("%d deferral notices sent", sent)
    return sent
