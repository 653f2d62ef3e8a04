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
from sessions.errors import HearingNotFound, IllegalHearingTransition, InvalidHearing
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
from sessions.notices import HearingNotices, render_for
from sessions.presence import PresenceState
from sessions.repository import HearingRepository
from sessions.scheduling import BLOCKING_ROLES, Booking, ensure_free
from sessions.stored import StoredHearing, uid

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
        self.hearings = HearingRepository.within(session, clock)
        self.notices = HearingNotices(session, clock, config)

    # -- booking ------------------------------------------------------------------------------

    async def schedule(self, principal: Principal, request: BookingRequest) -> StoredHearing:
        """Book the hearing; it as stored, with its (empty) log."""
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
        hearing_id = await self.hearings.add(case_id=case.id, court_id=case.court_id, plan=plan,
                                             created_by=principal.user_id,
                                             language=Language(request.language))
        stored = await self.hearings.load(hearing_id, log=True)
        details = {"hearing_id": hearing_id, "start": plan.start.isoformat(), "courtroom": room.name}
        timeline = Timeline(self.session, self.clock)
        if status is CaseStatus.ACCEPTED:
            await timeline.transition(case, CaseAction.SCHEDULE, actor_role=role, actor_id=principal.user_id,
                                      actor=principal.audit_actor, details=details)
        else:
            await timeline.fact(case, "hearing_scheduled", actor_role=role.value, actor_id=principal.user_id,
                                actor=principal.audit_actor, details=details)
        await self.notices.scheduled(stored)
        logger.info("hearing %s booked for case %s at %s", hearing_id, case.number, plan.start)
        return stored

    async def reschedule(self, principal: Principal, hearing_id: int,
                         request: RescheduleRequest) -> StoredHearing:
        read = await self.hearings.load(hearing_id, lock=True, log=True)
        role = _staff_role(principal, read.court_id)
        hearing = read.hearing
        if hearing.effective_state(self.clock.now()) is not HearingState.SCHEDULED:
            state = hearing.effective_state(self.clock.now()).value
            raise IllegalHearingTransition(f"a hearing that is {state} is no longer moved; adjourn it instead",
                                           details={"state": state})
        if request.start is None and request.duration is None and request.courtroom is None:
            raise InvalidHearing("give a new start, duration or courtroom", details={"field": "start"})
        room = await self._courtroom(read.court_id, request.courtroom) if request.courtroom else None
        plan = hearing.plan.rescheduled(request.start or hearing.plan.start, request.duration)
        if room is not None:
            plan = replace(plan, courtroom_id=str(room.id))
        if request.start is not None:
            self._future(plan.start)
        await self._ensure_free(str(read.id), plan, read.place.case_number)
        moved = replace(read, hearing=replace(hearing, plan=plan), ics_sequence=read.ics_sequence + 1)
        if room is not None:
            moved = replace(moved, place=replace(moved.place, courtroom_name=room.name))
        stored = await self.hearings.save(moved, read.version)
        reason = request.reason or f"заседание перенесено на {plan.start:%Y-%m-%d %H:%M} UTC"
        case = await CaseStore(self.session).by_id(stored.case_id, for_update=True)
        details = {"hearing_id": stored.id, "start": plan.start.isoformat(), "courtroom": stored.place.courtroom_name}
        timeline = Timeline(self.session, self.clock)
        if case.status == CaseStatus.SCHEDULED.value:
            await timeline.transition(case, CaseAction.RESCHEDULE, actor_role=role, actor_id=principal.user_id,
                                      actor=principal.audit_actor, reason=reason, details=details)
        else:
            await timeline.fact(case, "hearing_moved", actor_role=role.value, actor_id=principal.user_id,
                                actor=principal.audit_actor, details={**details, "reason": reason})
        await self.notices.moved(stored, reason)
        return stored

    async def cancel(self, principal: Principal, hearing_id: int, reason: str) -> StoredHearing:
        read = await self.hearings.load(hearing_id, lock=True, log=True)
        _staff_role(principal, read.court_id)
        after = StaffLifecycle(self.clock).cancel(read.hearing, uid(principal.user_id), reason)
        present = (PresenceState.WAITING, PresenceState.IN_ROOM, PresenceState.RECONNECTING)
        cancelled = replace(read, hearing=after, ics_sequence=read.ics_sequence + 1).with_people(
            lambda p: p.moved(p.presence.leave()) if p.presence.state in present else p)
        stored = await self.hearings.save(cancelled, read.version)
        await self.recorded_cancellation(principal, stored, reason)
        return stored

    async def recorded_cancellation(self, principal: Principal, stored: StoredHearing, reason: str | None) -> None:
        """What follows a cancellation however it was made (saved with its new SEQUENCE): the case
        timeline and the notices."""
        case = await CaseStore(self.session).by_id(stored.case_id)
        role = ActorRole.JUDGE if principal.has_role(Role.JUDGE, stored.court_id) else ActorRole.CLERK
        await Timeline(self.session, self.clock).fact(
            case, "hearing_cancelled", actor_role=role.value, actor_id=principal.user_id,
            actor=principal.audit_actor, details={"hearing_id": stored.id, "reason": reason or ""})
        await self.notices.cancelled(stored, principal, reason)

    # -- reading ------------------------------------------------------------------------------

    async def _case_view(self, principal: Principal, stored: StoredHearing) -> bool:
        """The case's own access rules (:mod:`cabinet.filing.access`): for a closed-category case only
        its judge, the court's clerks, its parties and their representatives; for others also the
        court's judges and administrators."""
        case = await CaseStore(self.session).by_id(stored.case_id)
        resource = Resource.CLOSED_CASE if case.closed_category else Resource.CASE
        return permits(relations_to(caller_of(principal), case_subject(case)), resource, Action.VIEW)

    async def visible(self, principal: Principal, hearing_id: int) -> tuple[StoredHearing, Access]:
        """Whoever the case's access rules let see the case, and the hearing's listed participants,
        see all; the public sees an open hearing's public particulars. Anybody else is told there is
        no such hearing (404, as for an id that does not exist): a closed hearing's existence is
        itself not for outsiders."""
        stored = await self.hearings.load(hearing_id, log=True)
        if any(p.user_id == principal.user_id and p.listed for p in stored.people):
            return stored, Access.FULL
        if await self._case_view(principal, stored):
            return stored, Access.FULL
        if stored.is_open:
            return stored, Access.PUBLIC
        raise HearingNotFound(f"no hearing {hearing_id}", details={"hearing_id": hearing_id})

    async def require_staff(self, principal: Principal, hearing_id: int) -> StoredHearing:
        stored = await self.hearings.load(hearing_id)
        if not stored.is_open and not await self._case_view(principal, stored):
            raise HearingNotFound(f"no hearing {hearing_id}", details={"hearing_id": hearing_id})
        _staff_role(principal, stored.court_id)
        return stored

    async def invitation(self, principal: Principal, hearing_id: int, language: Any) -> str:
        stored = await self.hearings.load(hearing_id)
        person = next((p for p in stored.people if p.user_id == principal.user_id and p.listed), None)
        if person is None:
            raise NotFound("you are not summoned to this hearing", code="no_invitation")
        email = await self.notices.email_of(principal.user_id)
        return render_for(self.config, stored, person, email, self.clock.now(), language)

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
        await self.hearings.lock_slot(int(plan.courtroom_id), blocking)
        ensure_free(Booking.of(hearing_id, plan), await self.hearings.live_bookings(plan.start, plan.end))

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


def public_json(stored: StoredHearing, state: HearingState) -> dict[str, Any]:
    """What anybody may know of an open hearing: the public calendar's line."""
    place = stored.place
    judge = next((p.display_name for p in stored.people if p.role is HearingRole.JUDGE), None)
    return {"id": stored.id, "case_number": place.case_number, "court": place.court_code,
            "courtroom": place.courtroom_name, "start": stored.start.isoformat(), "end": stored.end_at.isoformat(),
            "duration_minutes": stored.duration_minutes, "format": stored.format.value, "is_open": stored.is_open,
            "language": stored.language.value, "state": state.value, "judge": judge}


def full_json(stored: StoredHearing, state: HearingState) -> dict[str, Any]:
    """Everything of the hearing, for those who see it all (``events``: how long its log is)."""
    hearing = stored.hearing
    body = public_json(stored, state)
    body.update({
        "auto_admit": stored.plan.auto_admit,
        "lobby_lead_minutes": int(stored.plan.lobby_lead_time.total_seconds() // 60), "sequence": stored.ics_sequence,
        "pause_reason": None if hearing.pause_reason is None else hearing.pause_reason.value,
        "suspend_reason": None if hearing.suspend_reason is None else hearing.suspend_reason.value,
        "adjourned_to": None if hearing.adjourned_to is None else hearing.adjourned_to.isoformat(),
        "recording_paused": hearing.recording_paused,
        "participants": [
            {"user_id": p.user_id, "role": p.role.value, "name": p.display_name,
             "represents_user_id": p.represents_user_id, "presence": p.presence.state.value,
             "muted_audio": p.presence.audio_muted, "muted_video": p.presence.video_muted,
             "hand_raised": p.presence.hand_raised}
            for p in stored.people if p.listed
        ],
        "events": len(hearing.events),
    })
    return body
