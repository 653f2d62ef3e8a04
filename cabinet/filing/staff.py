"""The court's side of a filing: the clerk registers or returns it, the judge accepts or leaves it without motion.

Registering a claim, application or complaint opens a case: the next case number of the court,
year and kind, the filing's parties joined to the case, the case assigned to the least-loaded judge
(with the basis recorded), and notices to the filer, the parties and the judge. Registering any
other filing attaches it (and its documents) to its case and tells the other parties a document
was received. Returning a filing needs a reason and refunds the state duty paid for it.
Every status change goes through :class:`~cabinet.filing.timeline.Timeline`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.case_numbers import CaseKind
from cabinet.case_status import ActorRole, CaseAction, CaseState, CaseStatus, perform
from cabinet.courts import Court
from cabinet.fee_refunds import Instance, RefundEvent
from cabinet.fees import FilingType
from cabinet.filing.access import Action, Actor, Resource, acting_as, caller_of, permits, relations_to
from cabinet.filing.assignment import METHOD, choose_judge, judge_loads
from cabinet.filing.cases import CaseStore, case_subject
from cabinet.filing.categories import category
from cabinet.filing.drafts import DRAFT, SUBMITTED, DraftService, fee_request
from cabinet.filing.errors import FilingForbidden, FilingNotFound, FilingStateConflict
from cabinet.filing.fee_checks import ExemptionStatus, require_paid
from cabinet.filing.forms import OPENING_TYPES, PartyRole
from cabinet.filing.models import Case, Document, Filing, JudgeAssignment
from cabinet.filing.notices import tell_parties, tell_user
from cabinet.filing.numbering import COURT_TIME, allocate_case_number
from cabinet.filing.refunding import refund_for_event, refund_overpayment
from cabinet.filing.timeline import Timeline
from cabinet.filing.tracking import filing_subject
from cabinet.identity.models import User
from cabinet.identity.principal import Principal
from cabinet.money import Money
from core.clock import Clock

log = logging.getLogger(__name__)

_ROLE_OF = {Actor.JUDGE_OF_CASE: ActorRole.JUDGE, Actor.CLERK: ActorRole.CLERK, Actor.PARTY: ActorRole.PARTY,
            Actor.OTHER_PARTY: ActorRole.PARTY, Actor.LAWYER: ActorRole.PARTY}


class StaffService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.cases = CaseStore(session)
        self.timeline = Timeline(session, clock)

    async def submitted_filing(self, filing_id: int, principal: Principal) -> tuple[Filing, Court]:
        filing = await DraftService(self.session, self.clock).load(filing_id, for_update=True)
        relations = relations_to(caller_of(principal), await filing_subject(self.session, filing))
        resource = Resource.FILING_DRAFT if filing.status == DRAFT else Resource.SUBMITTED_FILING
        if not permits(relations, resource, Action.VIEW):
            raise FilingNotFound(f"no filing {filing_id}")
        # Staff acts are always a clerk's acts on a sent filing: a draft's owner, whose relation lets them
        # act on the draft, must not reach the clerk's path through it.
        if not permits(relations, Resource.SUBMITTED_FILING, Action.ACT):
            raise FilingForbidden("only a clerk of the filing's court registers or returns it", code="not_court_clerk")
        court = await self.session.get(Court, filing.court_id)
        assert court is not None
        return filing, court

    def _decide(self, filing: Filing, action: CaseAction, reason: str | None) -> str | None:
        """The filing's own small life (submitted -> registered | returned) follows the same machine."""
        _, event = perform(CaseState(CaseStatus(filing.status)), action, actor=ActorRole.CLERK, clock=self.clock,
                           reason=reason)
        filing.status = event.to_status.value
        filing.decided_at = event.at
        return event.reason

    async def register(self, filing_id: int, principal: Principal) -> Filing:
        filing, court = await self.submitted_filing(filing_id, principal)
        await self._check_duty_settled(filing)
        self._decide(filing, CaseAction.REGISTER, None)
        filing.decided_by = principal.user_id
        assert filing.filing_type is not None
        if FilingType(filing.filing_type) in OPENING_TYPES:
            case = await self._open_case(filing, court, principal)
        else:
            case = await self._attach(filing, court, principal)
        await self.session.execute(update(Document).where(Document.filing_id == filing.id).values(case_id=case.id))
        if filing.fee_tiyn is not None:
            await refund_overpayment(self.session, self.clock, filing, Money(filing.fee_tiyn),
                                     actor=principal.audit_actor, court=court)
        await AuditLog(self.session, self.clock).append(
            "filing.registered", actor=principal.audit_actor, subject=f"filing:{filing.id}",
            details={"incoming_number": filing.incoming_number, "case_number": case.number})
        await tell_user(self.session, self.clock, user_id=filing.owner_id, kind="filing_registered",
                        facts={"incoming_number": filing.incoming_number, "case_number": case.number},
                        court=court, case=case)
        return filing

    async def _check_duty_settled(self, filing: Filing) -> None:
        """A claimed exemption must be decided first; a refused one leaves the duty to be paid."""
        if filing.status != SUBMITTED or filing.exemption_status is None:
            return
        if filing.exemption_status == ExemptionStatus.CLAIMED.value:
            raise FilingStateConflict(
                f"the filer claims the exemption {filing.exemption!r}: confirm or refuse it before registering",
                code="exemption_undecided", details={"exemption": filing.exemption})
        if filing.exemption_status == ExemptionStatus.REFUSED.value:
            request = fee_request(filing)
            assert request is not None
            fee, paid = await require_paid(self.session, filing, request, self.clock.now())
            filing.fee_quote = {**fee.to_json(), "paid": paid.to_json()}
            filing.fee_tiyn = fee.amount.tiyn

    async def _open_case(self, filing: Filing, court: Court, principal: Principal) -> Case:
        assert filing.case_kind is not None and filing.category is not None
        kind = CaseKind(filing.case_kind)
        now = self.clock.now()
        number = await allocate_case_number(self.session, court, kind, filing.category, now)
        case = Case(number=number, court_id=court.id, case_kind=kind.value, category=filing.category,
                    closed_category=category(kind, filing.category).closed, title=filing.title,
                    status=CaseStatus.SUBMITTED.value, opening_filing_id=filing.id, registered_at=now)
        case.parties = []
        self.cases.add_parties(case, filing.parties, filing.id, now=now,
                               authority=await self._authority(filing))
        self.session.add(case)
        await self.session.flush()
        filing.case_id = case.id
        await self.timeline.opened(case, actor_id=principal.user_id, actor=principal.audit_actor,
                                   details={"filing_id": filing.id, "incoming_number": filing.incoming_number})
        choice = choose_judge(await judge_loads(self.session, court))
        case.judge_id = choice.judge_id
        self.session.add(JudgeAssignment(case_id=case.id, judge_id=choice.judge_id, assigned_at=now, method=METHOD,
                                         basis=choice.basis))
        judge = await self.session.get(User, choice.judge_id)
        assert judge is not None
        await self.timeline.fact(case, "judge_assigned", actor_role="system", actor_id=None,
                                 actor="system:assignment",
                                 details={"judge_id": judge.id, "judge": judge.common_name, "basis": choice.basis})
        facts = {"case_number": case.number, "judge": judge.common_name}
        await tell_user(self.session, self.clock, user_id=judge.id, kind="judge_assigned", facts=facts,
                        court=court, case=case, capacity="judge")
        await tell_parties(self.session, self.clock, case, court, kind="judge_assigned", facts=facts)
        return case

    async def _authority(self, filing: Filing) -> dict[tuple[str, str], str]:
        documents = list(await self.session.scalars(select(Document).where(Document.filing_id == filing.id)))
        return await self.cases.representative_authority(filing.parties, documents)

    async def _attach(self, filing: Filing, court: Court, principal: Principal) -> Case:
        assert filing.case_id is not None
        case = await self.cases.by_id(filing.case_id, for_update=True)
        if case.court_id != court.id:  # drafts cannot get here any more; rows written before could
            raise FilingForbidden(f"this filing is for case {case.number} of another court; only that court "
                                  "registers it", code="case_of_another_court")
        represented = {p.iin or p.bin for p in case.parties if p.role != PartyRole.REPRESENTATIVE.value}
        newcomers = [p for p in filing.parties
                     if p.role == PartyRole.REPRESENTATIVE.value and p.represents in represented]
        if newcomers:  # a filing may bring a representative, or the authority of one already named
            self.cases.add_parties(case, newcomers, filing.id, now=self.clock.now(),
                                   authority=await self._authority(filing))
        await self.timeline.fact(case, "filing_registered", actor_role="clerk", actor_id=principal.user_id,
                                 actor=principal.audit_actor,
                                 details={"filing_id": filing.id, "incoming_number": filing.incoming_number,
                                          "filing_type": filing.filing_type})
        owner = await self.session.get(User, filing.owner_id)
        await tell_parties(self.session, self.clock, case, court, kind="document_received",
                           facts={"case_number": case.number, "incoming_number": filing.incoming_number,
                                  "filer": owner.common_name if owner else filing.incoming_number},
                           except_user=filing.owner_id)
        return case

    async def return_filing(self, filing_id: int, principal: Principal, reason: str) -> Filing:
        filing, court = await self.submitted_filing(filing_id, principal)
        filing.return_reason = self._decide(filing, CaseAction.RETURN, reason)
        filing.decided_by = principal.user_id
        cassation = filing.filing_type == FilingType.CASSATION.value
        event = RefundEvent.CASSATION_RETURNED if cassation else RefundEvent.CLAIM_RETURNED
        refunded = await refund_for_event(self.session, self.clock, filing, event,
                                          Instance.CASSATION if cassation else Instance.FIRST,
                                          actor=principal.audit_actor, court=court)
        await AuditLog(self.session, self.clock).append(
            "filing.returned", actor=principal.audit_actor, subject=f"filing:{filing.id}",
            details={"incoming_number": filing.incoming_number, "reason": filing.return_reason,
                     "refunded": refunded.to_json()})
        await tell_user(self.session, self.clock, user_id=filing.owner_id, kind="filing_returned",
                        facts={"incoming_number": filing.incoming_number, "reason": filing.return_reason or "",
                               **({"refunded": refunded.format()} if refunded else {})},
                        court=court)
        return filing

    async def case_for_step(self, number: str, principal: Principal, resource: Resource) -> tuple[Case, ActorRole]:
        """The case, and the role in which the caller may take a step in it (or a refusal)."""
        case = await self.cases.by_number(number, for_update=True)
        relations = relations_to(caller_of(principal), case_subject(case))
        view_resource = Resource.CLOSED_CASE if case.closed_category else Resource.CASE
        if not permits(relations, view_resource, Action.VIEW):
            raise FilingNotFound(f"no case {case.number}", code="case_not_found")
        if not permits(relations, resource if resource is not Resource.CASE else view_resource, Action.ACT):
            raise FilingForbidden(f"you may not do this in case {case.number}", code="not_judge_of_case")
        actor = acting_as(relations)
        if actor is None or actor not in _ROLE_OF:
            # A relation the policy lets act but that has no role in the state machine: refuse it
            # rather than fail on it (an assert here turned such a request into a 500).
            raise FilingForbidden(f"you may not do this in case {case.number}", code="not_judge_of_case")
        return case, _ROLE_OF[actor]

    async def accept(self, number: str, principal: Principal) -> Case:
        case, role = await self.case_for_step(number, principal, Resource.CASE)
        await self.timeline.transition(case, CaseAction.ACCEPT, actor_role=role, actor_id=principal.user_id,
                                       actor=principal.audit_actor)
        await tell_parties(self.session, self.clock, case, await self._court_of(case), kind="case_accepted",
                           facts={"case_number": case.number})
        return case

    async def leave_without_motion(self, number: str, principal: Principal, reason: str,
                                   deadline: datetime) -> Case:
        case, role = await self.case_for_step(number, principal, Resource.CASE)
        await self.timeline.transition(case, CaseAction.LEAVE_WITHOUT_MOTION, actor_role=role,
                                       actor_id=principal.user_id, actor=principal.audit_actor, reason=reason,
                                       deadline=deadline)
        await tell_parties(self.session, self.clock, case, await self._court_of(case), kind="left_without_motion",
                           facts={"case_number": case.number, "reason": reason,
                                  "deadline": f"{deadline.astimezone(COURT_TIME):%d.%m.%Y}"})
        return case

    async def _court_of(self, case: Case) -> Court:
        court = await self.session.get(Court, case.court_id)
        assert court is not None
        return court

