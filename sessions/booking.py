"""Booking hearings: schedule, reschedule and cancel, with clash checks, the case timeline and notices.

Only the judges and clerks of the case's court book its hearings. A booking is one transaction:
the courtroom's and the professionals' rows are locked first so two clerks booking the same slot
check for clashes one after the other (:mod:`sessions.scheduling` names every clash); the case
moves to ``scheduled`` through the filing package's :class:`~cabinet.filing.timeline.Timeline`
(which also writes the audit log); and every participant is summoned through the notices outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.case_status import ActorRole, CaseAction, CaseStatus
from cabinet.courts import Courtroom
from cabinet.filing.access import Action, Resource, caller_of, permits, relations_to
from cabinet.filing.cases import CaseStore, case_subject
from cabinet.filing.models import Case
from cabinet.filing.timeline import Timeline
from cabinet.identity.models import User
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Role
from cabinet.identity.users import PersonName, UserService
from core.clock import Clock
from core.config import Config
from core.errors import Conflict, Forbidden, NotFound
from sessions.errors import IllegalHearingTransition, InvalidHearing
from sessions.hearings import (
    DEFAULT_LOBBY_LEAD_TIME,
    HearingFormat,
    HearingPlan,
    HearingRole,
    Participant,
    as_utc,
)
from sessions.labels import Language
from sessions.lifecycle import Hearing, HearingState, Lifecycle
from sessions.models import HearingParticipantRow, HearingRow
from sessions.notices import HearingNotices, render_for
from sessions.scheduling import BLOCKING_ROLES, Booking, ensure_free
from sessions.store import HearingNotFound, HearingStore, Place, hearing_of, uid

logger = logging.getLogger(__name__)

SCHEDULABLE = frozenset({CaseStatus.ACCEPTED, CaseStatus.SCHEDULED, CaseStatus.HEARD})
"""An accepted case gets its first hearing (→ scheduled); a scheduled or heard one gets another."""


class Access(StrEnum):
    FULL = "full"
    PUBLIC = "public"


@dataclass(frozen=True)
class ParticipantSpec:
    iin: str
    role: HearingRole
    represents_iin: str | None = None


@dataclass(frozen=True)
class BookingRequest:
    """What a clerk asks for; parsed by :mod:`sessions.requests`."""

    case_number: str
    courtroom: str
    start: datetime
    duration: timedelta
    format: HearingFormat
    participants: tuple[ParticipantSpec, ...]
    is_open: bool | None = None
    auto_admit: bool = False
    lobby_lead_time: timedelta = DEFAULT_LOBBY_LEAD_TIME
    language: Language = Language.RU
    """The language of the proceedings; courts record none of their own, so Russian unless the clerk sets it."""


@dataclass(frozen=True)
class RescheduleRequest:
    start: datetime | None = None
    duration: timedelta | None = None
    courtroom: str | None = None
    reason: str | None = None


class StaffLifecycle(Lifecycle):
    """The lifecycle as the court's office applies it: any judge or clerk of the court may cancel a
    booking, listed on the hearing or not (the caller has checked they are court staff)."""

    def authorize(self, hearing: Hearing, actor: str, action: Any) -> Participant:
        listed = hearing.plan.participant(actor)
        return listed if listed is not None else Participant(actor, HearingRole.CLERK, actor)


class BookingService:
    def __init__(self, session: AsyncSession, clock: Clock, config: Config) -> None:
        self.session = session
        self.clock = clock
        self.config = config
        self.store = HearingStore(session)
        self.notices = HearingNotices(session, clock, config)

    # -- booking ------------------------------------------------------------------------------

    async def schedule(self, principal: Principal, request: BookingRequest) -> tuple[HearingRow, Place]:
        case = await CaseStore(self.session).by_number(request.case_number, for_update=True)
        role = _staff_role(principal, case.court_id)
        status = CaseStatus(case.status)
        if status not in SCHEDULABLE:
            raise Conflict(f"a case that is {status.value.replace('_', ' ')} gets no hearing",
                           code="case_not_schedulable", details={"status": status.value})
        room = await self._courtroom(case.court_id, request.courtroom)
        if request.is_open and case.closed_category:
            raise InvalidHearing("cases of this category are heard in closed session", code="closed_category",
                                 details={"field": "is_open"})
        is_open = (not case.closed_category) if request.is_open is None else request.is_open
        people = await self._participants(case, request.participants)
        self._future(request.start)
        plan = HearingPlan(case.number, str(room.id), request.start, request.duration, request.format, is_open,
                           tuple(p for p, _ in people), request.auto_admit, request.lobby_lead_time)
        await self._ensure_free("new", plan, case.number)
        now = self.clock.now()
        row = HearingRow(case_id=case.id, court_id=case.court_id, courtroom_id=room.id, start=plan.start,
                         end_at=plan.end, duration_minutes=int(plan.duration.total_seconds() // 60),
                         format=plan.format.value, is_open=is_open, auto_admit=plan.auto_admit,
                         language=Language(request.language).value,
                         lobby_lead_minutes=int(plan.lobby_lead_time.total_seconds() // 60),
                         state=HearingState.SCHEDULED.value, recording_paused=False, ics_sequence=0,
                         created_by=principal.user_id, created_at=now, updated_at=now, participants=[])
        for person, represents in people:
            row.participants.append(HearingParticipantRow(
                user_id=int(person.user_id), role=person.role.value, display_name=person.display_name,
                listed=True, represents_user_id=represents, presence="outside"))
        self.session.add(row)
        await self.session.flush()
        place = await self.store.place(row)
        details = {"hearing_id": row.id, "start": plan.start.isoformat(), "courtroom": room.name}
        timeline = Timeline(self.session, self.clock)
        if status is CaseStatus.ACCEPTED:
            await timeline.transition(case, CaseAction.SCHEDULE, actor_role=role, actor_id=principal.user_id,
                                      actor=principal.audit_actor, details=details)
        else:
            await timeline.fact(case, "hearing_scheduled", actor_role=role.value, actor_id=principal.user_id,
                                actor=principal.audit_actor, details=details)
        await self.notices.scheduled(row, place)
        logger.info("hearing %s booked for case %s at %s", row.id, case.number, plan.start)
        return row, place

    async def reschedule(self, principal: Principal, hearing_id: int,
                         request: RescheduleRequest) -> tuple[HearingRow, Place]:
        row = await self.store.get(hearing_id, for_update=True)
        role = _staff_role(principal, row.court_id)
        place = await self.store.place(row)
        hearing = hearing_of(row, place, await self.store.events(row.id))
        if hearing.effective_state(self.clock.now()) is not HearingState.SCHEDULED:
            state = hearing.effective_state(self.clock.now()).value
            raise IllegalHearingTransition(f"a hearing that is {state} is no longer moved; adjourn it instead",
                                           details={"state": state})
        if request.start is None and request.duration is None and request.courtroom is None:
            raise InvalidHearing("give a new start, duration or courtroom", details={"field": "start"})
        room = await self._courtroom(row.court_id, request.courtroom) if request.courtroom else None
        plan = hearing.plan.rescheduled(request.start or hearing.plan.start, request.duration)
        if room is not None:
            plan = replace(plan, courtroom_id=str(room.id))
        if request.start is not None:
            self._future(plan.start)
        await self._ensure_free(str(row.id), plan, place.case_number)
        row.start, row.end_at = plan.start, plan.end
        row.duration_minutes = int(plan.duration.total_seconds() // 60)
        if room is not None:
            row.courtroom_id = room.id
        row.ics_sequence += 1
        row.updated_at = self.clock.now()
        await self.session.flush()
        place = await self.store.place(row)
        reason = request.reason or f"заседание перенесено на {plan.start:%Y-%m-%d %H:%M} UTC"
        case = await CaseStore(self.session).by_id(row.case_id, for_update=True)
        details = {"hearing_id": row.id, "start": plan.start.isoformat(), "courtroom": place.courtroom_name}
        timeline = Timeline(self.session, self.clock)
        if case.status == CaseStatus.SCHEDULED.value:
            await timeline.transition(case, CaseAction.RESCHEDULE, actor_role=role, actor_id=principal.user_id,
                                      actor=principal.audit_actor, reason=reason, details=details)
        else:
            await timeline.fact(case, "hearing_moved", actor_role=role.value, actor_id=principal.user_id,
                                actor=principal.audit_actor, details={**details, "reason": reason})
        await self.notices.moved(row, place, reason)
        return row, place

    async def cancel(self, principal: Principal, hearing_id: int, reason: str) -> tuple[HearingRow, Place]:
        row = await self.store.get(hearing_id, for_update=True)
        _staff_role(principal, row.court_id)
        place = await self.store.place(row)
        before = hearing_of(row, place, await self.store.events(row.id))
        lifecycle = StaffLifecycle(self.clock)
        after = lifecycle.cancel(before, uid(principal.user_id), reason)
        row.state = after.state.value
        row.updated_at = self.clock.now()
        self.store.append_events(row.id, after.events[len(before.events):])
        for person in row.participants:
            if person.presence in ("waiting", "in_room", "reconnecting"):
                person.presence, person.resume_to, person.hand_raised = "outside", None, False
        await self.recorded_cancellation(principal, row, place, reason)
        return row, place

    async def recorded_cancellation(self, principal: Principal, row: HearingRow, place: Place,
                                    reason: str | None) -> None:
        """What follows a cancellation however it was made: a new SEQUENCE, the case timeline, notices."""
        row.ics_sequence += 1
        await self.session.flush()
        case = await CaseStore(self.session).by_id(row.case_id)
        role = ActorRole.JUDGE if principal.has_role(Role.JUDGE, row.court_id) else ActorRole.CLERK
        await Timeline(self.session, self.clock).fact(
            case, "hearing_cancelled", actor_role=role.value, actor_id=principal.user_id,
            actor=principal.audit_actor, details={"hearing_id": row.id, "reason": reason or ""})
        await self.notices.cancelled(row, place, principal, reason)

    # -- reading ------------------------------------------------------------------------------

    async def _case_view(self, principal: Principal, row: HearingRow) -> bool:
        """The case's own access rules (:mod:`cabinet.filing.access`): for a closed-category case only
        its judge, the court's clerks, its parties and their representatives; for others also the
        court's judges and administrators."""
        case = await CaseStore(self.session).by_id(row.case_id)
        resource = Resource.CLOSED_CASE if case.closed_category else Resource.CASE
        return permits(relations_to(caller_of(principal), case_subject(case)), resource, Action.VIEW)

    async def visible(self, principal: Principal, hearing_id: int) -> tuple[HearingRow, Place, Access]:
        """Whoever the case's access rules let see the case, and the hearing's listed participants,
        see all; the public sees an open hearing's public particulars. Anybody else is told there is
        no such hearing (404, as for an id that does not exist): a closed hearing's existence is
        itself not for outsiders."""
        row = await self.store.get(hearing_id)
        place = await self.store.place(row)
        if any(p.user_id == principal.user_id and p.listed for p in row.participants):
            return row, place, Access.FULL
        if await self._case_view(principal, row):
            return row, place, Access.FULL
        if row.is_open:
            return row, place, Access.PUBLIC
        raise HearingNotFound(f"no hearing {hearing_id}", details={"hearing_id": hearing_id})

    async def require_staff(self, principal: Principal, hearing_id: int) -> HearingRow:
        row = await self.store.get(hearing_id)
        if not row.is_open and not await self._case_view(principal, row):
            raise HearingNotFound(f"no hearing {hearing_id}", details={"hearing_id": hearing_id})
        _staff_role(principal, row.court_id)
        return row

    async def invitation(self, principal: Principal, hearing_id: int, language: Any) -> str:
        row = await self.store.get(hearing_id)
        person = next((p for p in row.participants if p.user_id == principal.user_id and p.listed), None)
        if person is None:
            raise NotFound("you are not summoned to this hearing", code="no_invitation")
        place = await self.store.place(row)
        email = await self.notices.email_of(principal.user_id)
        return render_for(self.config, row, place, person, email, self.clock.now(), language)

    # -- shared checks ------------------------------------------------------------------------

    async def _courtroom(self, court_id: int, name: str) -> Courtroom:
        room = await self.session.scalar(select(Courtroom).where(Courtroom.court_id == court_id,
                                                                 Courtroom.name == name.strip()))
        if room is None:
            raise NotFound(f"the court has no courtroom {name!r}", code="courtroom_not_found",
                           details={"courtroom": name})
        return room

    def _future(self, start: datetime) -> None:
        if as_utc(start, "start") <= self.clock.now():
            raise InvalidHearing("a hearing is booked for a time still to come", details={"field": "start"})

    async def _ensure_free(self, hearing_id: str, plan: HearingPlan, case_number: str) -> None:
        blocking = [int(p.user_id) for p in plan.participants if p.role in BLOCKING_ROLES]
        await self.store.lock_slot(int(plan.courtroom_id), blocking)
        ensure_free(Booking.of(hearing_id, plan), await self.store.live_bookings(plan.start, plan.end))

    async def _participants(self, case: Case, specs: tuple[ParticipantSpec, ...]
                            ) -> list[tuple[Participant, int | None]]:
        """Resolve IINs to users; a case party who never logged in gets an account under their case name."""
        users = UserService(self.session, self.clock)
        resolved: dict[str, User] = {}
        for spec in specs:
            iin = _iin(spec.iin)
            user = await users.find_by_iin(iin)
            if user is None:
                party = next((p for p in case.parties if p.iin == iin), None)
                if party is None:
                    raise InvalidHearing(f"nobody with IIN {iin} is known to the court or a party to the case",
                                         code="unknown_participant", details={"iin": iin})
                user, _ = await users.upsert(PersonName(iin, party.name))
            await self._check_staff_listing(user, spec.role, case.court_id)
            resolved[iin] = user
        specs_all = list(specs)
        if not any(s.role is HearingRole.JUDGE for s in specs) and case.judge_id is not None:
            judge = await self.session.get(User, case.judge_id)
            assert judge is not None
            resolved[judge.iin] = judge
            specs_all.append(ParticipantSpec(judge.iin, HearingRole.JUDGE))
        people = []
        for spec in specs_all:
            iin = _iin(spec.iin)
            user = resolved[iin]
            represents = None
            if spec.represents_iin is not None:
                other = resolved.get(_iin(spec.represents_iin))
                if other is None:
                    raise InvalidHearing("a representative acts for somebody listed on the hearing",
                                         details={"field": "represents_iin", "iin": iin})
                represents = other.id
            people.append((Participant(uid(user.id), spec.role, user.common_name,
                                       None if represents is None else uid(represents)), represents))
        return people

    async def _check_staff_listing(self, user: User, role: HearingRole, court_id: int) -> None:
        wanted = {HearingRole.JUDGE: Role.JUDGE, HearingRole.CLERK: Role.CLERK}.get(role)
        if wanted is None:
            return
        grants = await UserService(self.session, self.clock).grants_of(user.id)
        if not any(g.role is wanted and g.court_id == court_id for g in grants):
            raise InvalidHearing(f"{user.common_name} is not a {wanted.value} of this court",
                                 code="not_court_staff", details={"iin": user.iin, "role": role.value})


def _iin(text: str) -> str:
    """Twelve digits; the check digit is not enforced, since accounts are keyed by the certificate's IIN."""
    iin = "".join(text.split())
    if len(iin) != 12 or not iin.isdigit():
        raise InvalidHearing(f"IIN must be 12 digits, got {text!r}", code="invalid_iin", details={"iin": text})
    return iin


def _staff_role(principal: Principal, court_id: int) -> ActorRole:
    if principal.has_role(Role.JUDGE, court_id):
        return ActorRole.JUDGE
    if principal.has_role(Role.CLERK, court_id):
        return ActorRole.CLERK
    raise Forbidden("hearings are booked by the judges and clerks of the case's court", code="not_court_staff")


def public_json(row: HearingRow, place: Place, state: HearingState) -> dict[str, Any]:
    """What anybody may know of an open hearing: the public calendar's line."""
    judge = next((p.display_name for p in row.participants if p.role == HearingRole.JUDGE.value), None)
    return {"id": row.id, "case_number": place.case_number, "court": place.court_code,
            "courtroom": place.courtroom_name, "start": row.start.isoformat(), "end": row.end_at.isoformat(),
            "duration_minutes": row.duration_minutes, "format": row.format, "is_open": row.is_open,
            "language": row.language, "state": state.value, "judge": judge}


def full_json(row: HearingRow, place: Place, hearing: Hearing, state: HearingState) -> dict[str, Any]:
    body = public_json(row, place, state)
    body.update({
        "auto_admit": row.auto_admit, "lobby_lead_minutes": row.lobby_lead_minutes, "sequence": row.ics_sequence,
        "pause_reason": row.pause_reason, "suspend_reason": row.suspend_reason,
        "adjourned_to": None if row.adjourned_to is None else row.adjourned_to.isoformat(),
        "recording_paused": row.recording_paused,
        "participants": [
            {"user_id": p.user_id, "role": p.role, "name": p.display_name, "represents_user_id": p.represents_user_id,
             "presence": p.presence, "muted_audio": p.muted_audio, "muted_video": p.muted_video,
             "hand_raised": p.hand_raised}
            for p in row.participants if p.listed
        ],
        "events": len(hearing.events),
    })
    return body
