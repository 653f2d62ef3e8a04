"""Judicial acts: rulings and decisions, signed by the judge of the case and delivered to the parties.

The act is an uploaded document like any other, held to a stricter signer rule: the detached CMS
must be made with the SIGN key of the judge the case is assigned to. A decision moves the case
``heard -> decided``; a ruling either leaves the status as it is (a procedural ruling) or, with
outcome ``terminate`` and a reason, ends the case without a decision on the merits. The status
change is checked first, so an act that would be an illegal transition is refused before its bytes
are stored. Every party with a cabinet is notified; the registry records the act as sent.
"""

from __future__ import annotations

import enum
import logging

from cabinet.case_status import CaseAction
from cabinet.courts import Court
from cabinet.eds.verifier import Verifier
from cabinet.fee_refunds import Instance, RefundEvent
from cabinet.filing.access import Resource
from cabinet.filing.cases import CaseStore
from cabinet.filing.documents import Direction, DocumentKind, StoredDocument, check_signer, document_row, inspect
from cabinet.filing.errors import UploadInvalid
from cabinet.filing.models import Document, JudicialAct
from cabinet.filing.notices import tell_parties
from cabinet.filing.refunding import refund_for_event
from cabinet.filing.registry import register_document
from cabinet.filing.staff import StaffService
from cabinet.filing.storage import DocumentStorage
from cabinet.filing.timeline import Timeline
from cabinet.filing.uploads import ReceivedUpload
from cabinet.identity.principal import Principal
from core.clock import Clock
from core.db import Database

log = logging.getLogger(__name__)


class ActType(enum.Enum):
    RULING = "ruling"
    DECISION = "decision"


class Outcome(enum.Enum):
    NONE = "none"  # a procedural ruling: the status stays
    DECIDE = "decide"  # a decision on the merits after the hearing
    TERMINATE = "terminate"  # a ruling ending the case without a decision on the merits


#: Grounds of a terminating ruling that decide the state-duty refund (arts 120–121 of the Tax Code).
TERMINATION_GROUNDS = frozenset({RefundEvent.SETTLEMENT, RefundEvent.ARBITRATION, RefundEvent.NOT_FOR_COURT,
                                 RefundEvent.PRETRIAL_SKIPPED, RefundEvent.INCAPABLE_FILER, RefundEvent.WITHDRAWAL})
_ALLOWED = {ActType.DECISION: {Outcome.DECIDE}, ActType.RULING: {Outcome.NONE, Outcome.TERMINATE}}
_DEFAULT = {ActType.DECISION: Outcome.DECIDE, ActType.RULING: Outcome.NONE}
_ACTION = {Outcome.DECIDE: CaseAction.DECIDE, Outcome.TERMINATE: CaseAction.TERMINATE}


def parse_act(fields: dict[str, str]) -> tuple[ActType, Outcome, str, str | None]:
    try:
        act_type = ActType(fields.get("act_type", ""))
    except ValueError:
        raise UploadInvalid("act_type must be ruling or decision", code="invalid_act_type",
                            details={"field": "act_type"}) from None
    try:
        outcome = Outcome(fields["outcome"]) if fields.get("outcome") else _DEFAULT[act_type]
    except ValueError:
        outcome = None
    if outcome not in _ALLOWED[act_type]:
        allowed = sorted(o.value for o in _ALLOWED[act_type])
        raise UploadInvalid(f"a {act_type.value} has outcome {allowed}", code="invalid_outcome",
                            details={"field": "outcome", "allowed": allowed})
    title = (fields.get("title") or act_type.value.capitalize())[:300]
    return act_type, outcome, title, fields.get("reason") or None


def parse_ground(fields: dict[str, str], outcome: Outcome) -> RefundEvent | None:
    """The ground of a terminating ruling (``termination_ground``), which decides the duty refund."""
    raw = fields.get("termination_ground")
    if not raw:
        return None
    allowed = sorted(g.value for g in TERMINATION_GROUNDS)
    try:
        ground = RefundEvent(raw)
    except ValueError:
        ground = None
    if outcome is not Outcome.TERMINATE or ground not in TERMINATION_GROUNDS:
        raise UploadInvalid(f"termination_ground is one of {allowed}, for a ruling with outcome terminate",
                            code="invalid_termination_ground",
                            details={"field": "termination_ground", "allowed": allowed})
    return ground


async def authorize_act(db: Database, clock: Clock, *, number: str, principal: Principal) -> None:
    """Refuse anyone but the judge of the case *before* a byte of their upload is read or spooled.

    Otherwise anyone logged in could make the server write (and hash) up to the upload limit per
    request into the court's storage before being told no. :func:`issue_act` checks again inside
    its transaction, as the case may change while the upload streams.
    """
    async with db.transaction() as session:
        await StaffService(session, clock).case_for_step(number, principal, Resource.JUDICIAL_ACT)


async def issue_act(db: Database, clock: Clock, storage: DocumentStorage, verifier: Verifier, *, number: str,
                    principal: Principal, upload: ReceivedUpload) -> tuple[JudicialAct, Document]:
    try:
        act_type, outcome, title, reason = parse_act(upload.fields)
        ground = parse_ground(upload.fields, outcome)
    except BaseException:
        upload.discard()
        raise
    inspected = await inspect(upload, verifier)
    check_signer(inspected, frozenset({principal.iin}), who="the judge of the case with their SIGN key")
    async with StoredDocument(db, storage, inspected) as stored, db.transaction() as session:
        staff = StaffService(session, clock)
        case, role = await staff.case_for_step(number, principal, Resource.JUDICIAL_ACT)
        timeline = Timeline(session, clock)
        if outcome in _ACTION:
            await timeline.transition(case, _ACTION[outcome], actor_role=role, actor_id=principal.user_id,
                                      actor=principal.audit_actor, reason=reason,
                                      details={"act_type": act_type.value})
        await stored.promote()
        now = clock.now()
        document = document_row(inspected, filing_id=None, case_id=case.id, direction=Direction.OUTGOING.value,
                                kind=DocumentKind.JUDICIAL_ACT.value, title=title, uploaded_by=principal.user_id,
                                uploaded_at=now)
        session.add(document)
        await session.flush()
        act = JudicialAct(case_id=case.id, document_id=document.id, act_type=act_type.value, outcome=outcome.value,
                          title=title, judge_id=principal.user_id, issued_at=now)
        session.add(act)
        await session.flush()
        await timeline.fact(case, "act_issued", actor_role="judge", actor_id=principal.user_id,
                            actor=principal.audit_actor,
                            details={"act_id": act.id, "act_type": act_type.value, "outcome": outcome.value,
                                     "document_id": document.id, "sha256": document.sha256, "title": title})
        await register_document(session, clock, actor=principal.audit_actor, direction=Direction.OUTGOING.value,
                                sha256=document.sha256, kind=act_type.value, name=document.original_name,
                                filing_id=None, case_number=case.number, document_id=document.id)
        court = await session.get(Court, case.court_id)
        assert court is not None
        if ground is not None:
            for filing in await CaseStore(session).dutiable_filings(case):
                await refund_for_event(session, clock, filing, ground, Instance.FIRST, actor=principal.audit_actor,
                                       court=court, case=case)
        await tell_parties(session, clock, case, court, kind="judicial_act_issued",
                           facts={"case_number": case.number, "act_title": title})
        log.info("%s issued in case %s", act_type.value, case.number)
        return act, document
