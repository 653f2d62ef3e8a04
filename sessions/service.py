"""The hearing service: the pure hearing rules, applied to hearings stored in the database.

Everything here is I/O around :mod:`sessions.lifecycle`, :mod:`sessions.controls`,
:mod:`sessions.admission` and :mod:`sessions.presence`. A hearing's state lives in the database
because several server processes share it, so every change is one transaction that first re-reads
the hearing row ``FOR UPDATE`` (PostgreSQL; SQLite transactions take the write lock up front):
two processes acting on one hearing line up, and its state never forks. The one exception is a
join that changes only the person's own row (:meth:`HearingService.join`): on PostgreSQL it is a
compare-and-set that share-locks the hearing row inside the statement, so joins do not queue
behind each other but still fall in line with controls.

User ids: the service speaks ``users.id`` (``int``) in and out; the pure rules use ``str`` ids,
and the conversion happens here and nowhere else (``str(user_id)`` in, ``int(...)`` out).

For the signaling server:

* the service is built once per app by :func:`sessions.setup.setup` and found at
  ``app[sessions.setup.HEARINGS]``;
* call :meth:`HearingService.heartbeat` for every connected participant at least every
  ``policy.judge_loss_timeout / 3`` (default 60 s / 3): a judge whose heartbeats stop counts as
  gone, which is what lets :meth:`HearingService.sweep` suspend a hearing whose server crashed;
* call :meth:`HearingService.sweep` periodically (every few seconds) for every live hearing
  (:mod:`sessions.sweep`);
* changes return an :class:`~sessions.views.Outcome`: the logged events and the hearing as it
  stands after them, so nobody reads the view again to broadcast it;
* a media session starts from :meth:`HearingService.media_grant` (the stored mute, pause and
  presence), and is checked against it again once the relay admitted it;
* every refusal is a :class:`sessions.errors.SessionsError` (``.code``, ``.status``, ``.details``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.case_status import ActorRole, CaseAction, CaseStatus
from cabinet.filing.cases import CaseStore
from cabinet.filing.timeline import Timeline
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Grant
from cabinet.identity.users import UserService
from core.clock import Clock
from core.config import Config
from core.db import Database, FastPath
from sessions.actions import apply_action
from sessions.admission import AdmissionGrant, Identity, StaffRole, decide_admission
from sessions.booking import BookingService
from sessions.checks import checked_stats, logged_events, staff_roles
from sessions.controls import Controls
from sessions.equipment_service import EquipmentCheckService
from sessions.errors import (
    AdmissionRefused,
    HearingChanged,
    IllegalControl,
    IllegalPresenceTransition,
    InvalidHearing,
    NotAllowed,
    NotAuthenticated,
    NotInHearingRoom,
)
from sessions.hearings import HearingRole
from sessions.joins import JoinCoalescer
from sessions.labels import Language
from sessions.lifecycle import (
    Action,
    ChatChannel,
    CourtPolicy,
    HearingState,
    Lifecycle,
    MediaKind,
)
from sessions.minutes import render_minutes
from sessions.presence import DEFAULT_RECONNECT_GRACE, Presence, PresenceState
from sessions.repository import HearingRepository
from sessions.stored import Attendee, StoredHearing, uid
from sessions.sweep import Sweeper, apply_time_rules
from sessions.views import HearingEvent, HearingView, JoinResult, MediaGrant, Outcome, ParticipantView

logger = logging.getLogger(__name__)

DEFAULT_POLICY = CourtPolicy()


class HearingService:
    """The hearings of one deployment: view, join, control, presence, time-driven rules, minutes.

    ``control`` takes these ``details`` per action: ``pause`` → ``reason`` (recess|deliberation,
    default recess); ``suspend`` → ``reason`` (technical_failure default); ``adjourn`` →
    ``new_start`` (ISO 8601 with zone, optional); ``cancel`` and ``remove`` → ``reason``
    (optional); ``mute``/``unmute`` → ``media`` (audio|video, default audio); ``chat`` → ``text``
    and ``channel`` (all|staff, default all). ``admit``, ``call``, ``dismiss``, ``mute``,
    ``unmute``, ``remove`` need ``target_user_id``; ``lower_hand`` takes one to lower somebody
    else's hand.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        policy: CourtPolicy = DEFAULT_POLICY,
        *,
        reconnect_grace: timedelta = DEFAULT_RECONNECT_GRACE,
        config: Config | None = None,
        fast: FastPath | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.policy = policy
        self.reconnect_grace = reconnect_grace
        self.config = config or Config()
        self.lifecycle = Lifecycle(clock, policy)
        self.controls = Controls(self.lifecycle)
        self._fast = fast
        """Reads and the unlocked join on the database's fast path (:meth:`core.db.Database.fast_path`)."""
        self._optimistic = db.dialect == "postgresql"
        """Joins without the hearing lock need a shared row lock inside one statement: PostgreSQL."""
        self._joins = JoinCoalescer()
        """Joins beside the one that logs a lobby opening wait for it (:mod:`sessions.joins`)."""
        self.sweeper = Sweeper(self)
        self.checks = EquipmentCheckService(db, clock, self.config, self.record)
        """People's equipment checks (:mod:`sessions.equipment_service`)."""

    async def _reads(self) -> HearingRepository:
        """The repository on the fast path: no transaction, the shared asyncpg pool on PostgreSQL."""
        if self._fast is None:
            self._fast = await self.db.fast_path()
        return HearingRepository(self._fast, self.clock)

    @asynccontextmanager
    async def _unit(self) -> AsyncIterator[tuple[AsyncSession, HearingRepository]]:
        """One unit of work: a transaction, and the repository on its connection."""
        async with self.db.transaction() as session:
            yield session, HearingRepository.within(session, self.clock)

    # -- reading ------------------------------------------------------------------------------

    async def view(self, hearing_id: int) -> HearingView:
        """The hearing as the room shows it: one read on the fast path, no event log."""
        return self.view_of(await self.record(hearing_id))

    async def record(self, hearing_id: int) -> StoredHearing:
        """The hearing and its people, unlocked (the fast path)."""
        return await (await self._reads()).load(hearing_id)

    async def records(self, hearing_ids: Iterable[int]) -> dict[int, StoredHearing]:
        """Several hearings in one unlocked statement; the ones that are gone are left out."""
        return await (await self._reads()).load_many(hearing_ids)

    def view_of(self, stored: StoredHearing) -> HearingView:
        hearing = stored.hearing
        people = tuple(
            ParticipantView(
                user_id=p.user_id, role=p.role, name=p.display_name, presence=p.presence.state,
                muted_audio=p.presence.audio_muted, muted_video=p.presence.video_muted,
                hand_raised=p.presence.hand_raised, listed=p.listed, represents_user_id=p.represents_user_id,
            )
            for p in stored.people
        )
        place = stored.place
        return HearingView(
            hearing_id=stored.id, plan=hearing.plan, state=hearing.effective_state(self.clock.now()),
            participants=people, case_id=place.case_id, case_number=place.case_number,
            court_code=place.court_code, courtroom_name=place.courtroom_name, is_open=stored.is_open,
            pause_reason=hearing.pause_reason, suspend_reason=hearing.suspend_reason,
            adjourned_to=hearing.adjourned_to, recording_paused=hearing.recording_paused,
            sequence=stored.ics_sequence,
        )

    async def minutes(self, hearing_id: int, language: str | None = None, *,
                      principal: Principal | None = None) -> str:
        """The minutes drawn from the stored log; private messages to the staff are left out.

        Written in the hearing's language unless ``language`` asks for another (a translation for a
        reader). With ``principal``, only the court's judges and clerks may read them (checked in the
        same transaction that reads the log)."""
        try:
            asked = None if language is None else Language(language)
        except ValueError:
            choices = ", ".join(x.value for x in Language)
            raise InvalidHearing(f"minutes are written in {choices}", code="unsupported_language",
                                 details={"field": "language"}) from None
        async with self._unit() as (session, hearings):
            if principal is not None:
                await BookingService(session, self.clock, self.config).require_staff(principal, hearing_id)
            stored = await hearings.load(hearing_id, log=True)
        place = stored.place
        lang = asked or stored.language
        court = place.court_name(lang)
        plan = replace(stored.plan, courtroom_id=f"{place.courtroom_name} ({court})")
        return render_minutes(replace(stored.hearing, plan=plan), lang)

    async def room_pass(self, principal: Principal | None, hearing_id: int) -> AdmissionGrant:
        """Whether ``principal`` may open the hearing room's page now: the join's own decision (and
        a removed person stays out), read without a lock and storing nothing — the page only shows
        what the socket's join will then decide again."""
        if principal is None:
            raise NotAuthenticated("log in with your electronic digital signature to join")
        record = await self.record(hearing_id)
        hearing = self.lifecycle.settle(record.hearing)
        person = record.person(principal.user_id)
        if person is not None and person.presence.state is PresenceState.REMOVED:
            raise AdmissionRefused("the judge removed you from this hearing", code="removed",
                                   details={"user_id": principal.user_id})
        identity = Identity(uid(principal.user_id), True, staff_roles(principal.grants, record.court_id))
        return decide_admission(identity, hearing.plan, hearing.state, self.clock.now())

    # -- entering and leaving -----------------------------------------------------------------

    async def join(self, principal: Principal | None, hearing_id: int) -> JoinResult:
        """Decide admission and move the person's presence; refusals raise AdmissionRefused(code).

        Joining again while already in the waiting or hearing room (a second tab, a restarted
        server) keeps where they are; a person reconnecting is treated as :meth:`reconnected`.

        Everybody of a hearing joins at once (10:00), and a join changes only the person's own row.
        On PostgreSQL it therefore reads on the fast path without a lock and saves with a
        compare-and-set (:meth:`sessions.repository.HearingRepository.save`): two statements, no
        transaction, no queue on the hearing row. The join that must log the lobby opening, a new
        observer, and a join whose compare-and-set found the hearing or the person changed run the
        locked path: one transaction that reads the hearing ``FOR UPDATE`` (SQLite: ``BEGIN IMMEDIATE``).
        """
        if principal is None:
            raise NotAuthenticated("log in with your electronic digital signature to join")
        if self._optimistic:
            return await self._joins.join(hearing_id, lambda: self._join_unlocked(principal, hearing_id),
                                          lambda: self._join_locked(principal, hearing_id))
        return await self._join_locked(principal, hearing_id)

    async def _join_locked(self, principal: Principal, hearing_id: int) -> JoinResult:
        async with self._unit() as (_, hearings):
            read = await hearings.load(hearing_id, lock=True)
            stored = read
            if self.lifecycle.settle(stored.hearing) is not stored.hearing:
                stored = await hearings.with_log(stored)
                read = stored
                stored = replace(stored, hearing=self.lifecycle.settle(stored.hearing))
            person = stored.person(principal.user_id) or Attendee.observer(principal.user_id, principal.name)
            admission, person = self._admit(stored, principal, person)
            await hearings.save(stored.with_person(person), read.version)
        return self._joined(hearing_id, principal.user_id, admission, person.presence, stored.court_id)

    async def _join_unlocked(self, principal: Principal, hearing_id: int) -> JoinResult | None:
        """The join without the hearing lock, or None when it must be taken under the lock: it must
        log something (the lobby opening) or add a row (an observer), or the compare-and-set failed."""
        hearings = await self._reads()
        stored = await hearings.load(hearing_id)
        person = stored.person(principal.user_id)
        if person is None or self.lifecycle.settle(stored.hearing) is not stored.hearing:
            return None
        admission, person = self._admit(stored, principal, person)
        try:
            await hearings.save(stored.with_person(person), stored.version, confirm=[principal.user_id])
        except HearingChanged:
            return None
        return self._joined(hearing_id, principal.user_id, admission, person.presence, stored.court_id)

    def _admit(self, stored: StoredHearing, principal: Principal,
               person: Attendee) -> tuple[AdmissionGrant, Attendee]:
        """The pure part of a join: the admission decision and where it puts ``person``."""
        identity = Identity(uid(principal.user_id), True, staff_roles(principal.grants, stored.court_id))
        admission = decide_admission(identity, stored.plan, stored.hearing.state, self.clock.now())
        presence = self._enter(person.presence, admission)
        return admission, replace(person, presence=presence, last_seen_at=self.clock.now())

    def _enter(self, presence: Presence, admission: AdmissionGrant) -> Presence:
        now = self.clock.now()
        if presence.state is PresenceState.REMOVED:
            raise AdmissionRefused("the judge removed you from this hearing", code="removed",
                                   details={"user_id": presence.user_id})
        if presence.state is PresenceState.RECONNECTING:
            presence = presence.expire(now, self.reconnect_grace)
            if presence.state is PresenceState.RECONNECTING:
                return presence.reconnect(now, self.reconnect_grace)
        if presence.state in (PresenceState.WAITING, PresenceState.IN_ROOM):
            return presence
        return presence.join(admission)

    @staticmethod
    def _joined(hearing_id: int, user: int, admission: AdmissionGrant, presence: Presence, court_id: int) -> JoinResult:
        return JoinResult(hearing_id=hearing_id, user_id=user, admission=admission, presence_state=presence.state,
                          capabilities=presence.capabilities, role=admission.role,
                          is_staff=admission.role.is_staff, court_id=court_id)

    @staticmethod
    def still_admitted(joined: JoinResult, grants: Iterable[Grant]) -> bool:
        """Whether ``grants`` (read again now) still carry what ``joined`` was admitted on: a judge
        or clerk entered as court staff, and stays staff only while the court's grant is live."""
        if not joined.is_staff:
            return True
        needed = StaffRole.JUDGE if joined.role is HearingRole.JUDGE else StaffRole.CLERK
        return needed in staff_roles(grants, joined.court_id)

    async def media_grant(self, user_id: int, hearing_id: int) -> MediaGrant:
        """Whether ``user_id`` may have a media session now, and in what state it must start.

        Only people in the hearing room get one (:class:`NotInHearingRoom` otherwise); what the
        judge muted stays muted and a paused hearing stays paused in every new session.
        """
        view = await self.view(hearing_id)
        me = view.participant(user_id)
        if me is None or me.presence is not PresenceState.IN_ROOM:
            raise NotInHearingRoom("media starts once you are admitted to the hearing room",
                                   details={"hearing_id": hearing_id})
        return MediaGrant(may_publish=me.role.may_publish, privileged=me.role.is_staff,
                          muted_audio=me.muted_audio, muted_video=me.muted_video,
                          paused=view.state is HearingState.PAUSED)

    async def disconnected(self, user_id: int, hearing_id: int) -> HearingView | None:
        """The connection dropped: hold the person's place for the reconnection grace period.

        Returns the hearing as it now stands, or None if the person is not in it.
        """
        async with self._unit() as (_, hearings):
            read, stored = await self._begin(hearings, hearing_id)
            person = stored.person(user_id)
            if person is None:
                return None
            if person.presence.state in (PresenceState.WAITING, PresenceState.IN_ROOM):
                stored = stored.with_person(replace(person, presence=person.presence.disconnect(self.clock.now()),
                                                    last_seen_at=self.clock.now()))
            return (await self._finish(hearings, read, stored)).view

    async def reconnected(self, user_id: int, hearing_id: int) -> JoinResult:
        """Back within the grace period: the same room, no new admission needed.

        Past the grace period the person has left (stored) and ``reconnect_grace_expired`` is
        raised: they join again through the waiting room.
        """
        expired: IllegalPresenceTransition | None = None
        async with self._unit() as (session, hearings):
            read, stored = await self._begin(hearings, hearing_id)
            grants = await UserService(session, self.clock).grants_of(user_id)
            identity = Identity(uid(user_id), True, staff_roles(grants, stored.court_id))
            admission = decide_admission(identity, stored.plan, stored.hearing.state, self.clock.now())
            person = stored.person(user_id)
            if person is None or person.presence.state is PresenceState.OUTSIDE:
                raise IllegalPresenceTransition(
                    "not in this hearing; join it first", code="reconnect_grace_expired",
                    details={"action": "reconnect", "grace_s": self.reconnect_grace.total_seconds()})
            presence = person.presence
            if presence.state is PresenceState.REMOVED:
                raise AdmissionRefused("the judge removed you from this hearing", code="removed",
                                       details={"user_id": uid(user_id)})
            if presence.state is PresenceState.RECONNECTING:
                try:
                    presence = presence.reconnect(self.clock.now(), self.reconnect_grace)
                except IllegalPresenceTransition as exc:
                    expired, presence = exc, presence.leave()
            stored = stored.with_person(replace(person, presence=presence, last_seen_at=self.clock.now()))
            await self._finish(hearings, read, stored)
        if expired is not None:
            raise expired
        return self._joined(hearing_id, user_id, admission, presence, stored.court_id)

    async def left(self, user_id: int, hearing_id: int) -> Outcome:
        """The person left; with what the clock made happen meanwhile (see :meth:`sweep`)."""
        async with self._unit() as (_, hearings):
            read, stored = await self._begin(hearings, hearing_id)
            person = stored.person(user_id)
            if person is not None and person.presence.state in (
                    PresenceState.WAITING, PresenceState.IN_ROOM, PresenceState.RECONNECTING):
                stored = stored.with_person(person.moved(person.presence.leave()))
            stored = self._time_rules(stored)
            return await self._finish(hearings, read, stored)

    async def heartbeat(self, user_id: int, hearing_id: int, stats: Mapping[str, float]) -> None:
        """Record that the person is still connected, with their latest connection figures.

        No hearing lock is taken: a heartbeat changes only the person's own row.
        """
        figures = checked_stats(stats)
        async with self._unit() as (_, hearings):
            state = await hearings.beat(hearing_id, user_id, {**figures, "at": self.clock.now().isoformat()})
            if state is None:
                await hearings.exists(hearing_id)
                raise IllegalPresenceTransition("not in this hearing; join it first", code="not_joined",
                                                details={"action": "heartbeat"})

    async def sweep(self, hearing_id: int) -> list[HearingEvent]:
        """The time-driven rules (:mod:`sessions.sweep`): the lobby opens at lead time, a hearing
        whose judge has been gone longer than ``policy.judge_loss_timeout`` is suspended, expired
        reconnections leave. Returns the logged events (presence changes are not events)."""
        return await self.sweeper.sweep(hearing_id)

    async def tick(self, hearing_ids: Iterable[int]) -> dict[int, Outcome]:
        """:meth:`sweep` for several hearings, each with the hearing as it then stands."""
        return await self.sweeper.tick(hearing_ids)

    async def watched(self, hearing_id: int) -> Outcome:
        """One locked transaction applying the time rules to the hearing."""
        async with self._unit() as (_, hearings):
            read, stored = await self._begin(hearings, hearing_id)
            return await self._finish(hearings, read, self._time_rules(stored))

    def _time_rules(self, stored: StoredHearing) -> StoredHearing:
        return apply_time_rules(stored, self.lifecycle, self.clock.now(), self.reconnect_grace)

    # -- controls -----------------------------------------------------------------------------

    async def control(
        self,
        principal: Principal,
        hearing_id: int,
        action: Action,
        *,
        target_user_id: int | None = None,
        details: Mapping[str, str] | None = None,
    ) -> Outcome:
        """Apply a lifecycle step or a control, authorized by the pure rules from the actor's listing;
        the logged events with the hearing as it stands after them."""
        try:
            action = Action(action)
        except ValueError:
            raise IllegalControl(f"unknown action {action!r}", code="unknown_action",
                                 details={"action": str(action)}) from None
        args = dict(details or {})
        async with self._unit() as (session, hearings):
            read, stored = await self._begin(hearings, hearing_id)
            actor = uid(principal.user_id)
            self._check_staff(principal, stored)
            target = None if target_user_id is None else uid(target_user_id)
            before = stored.hearing.state
            if action is Action.CHAT:
                self._check_chat(stored, principal.user_id, args)
            stored = replace(stored, hearing=apply_action(self.lifecycle, self.controls, stored.hearing, actor,
                                                          action, target, args))
            stored = self._move_people(stored, principal.user_id, action, target_user_id, args)
            if stored.hearing.state.is_final and not before.is_final:
                stored = self._everyone_out(stored)
            if action is Action.CLOSE:
                await self._case_heard(session, stored, principal)
            if action is Action.CANCEL:
                stored = replace(stored, ics_sequence=stored.ics_sequence + 1)
            saved = await hearings.save(stored, read.version)
            if action is Action.CANCEL:
                await BookingService(session, self.clock, self.config).recorded_cancellation(
                    principal, saved, args.get("reason"))
            return self._outcome(read, saved)

    def _check_chat(self, stored: StoredHearing, actor_id: int, args: Mapping[str, str]) -> None:
        """One writes to everybody from the hearing room, and to the staff from either room."""
        person = stored.person(actor_id)
        caps = person.presence.capabilities if person is not None else None
        to_staff = args.get("channel") == ChatChannel.STAFF.value
        if caps is None or not (caps.chat_staff if to_staff else caps.chat_all):
            raise IllegalControl("join the hearing room to write to everybody" if not to_staff
                                 else "join the hearing to write to the court staff",
                                 code="chat_not_allowed", details={"action": Action.CHAT.value})

    def _check_staff(self, principal: Principal, stored: StoredHearing) -> None:
        """A listed judge or clerk steers the hearing only while the court still has them as staff."""
        listing = stored.plan.participant(uid(principal.user_id))
        if listing is None or not listing.role.is_staff:
            return
        needed = StaffRole.JUDGE if listing.role is HearingRole.JUDGE else StaffRole.CLERK
        if needed not in staff_roles(principal.grants, stored.court_id):
            raise NotAllowed(f"the account listed as {listing.role.value} is not registered as court staff",
                             code="staff_role_required", details={"role": listing.role.value})

    def _move_people(self, stored: StoredHearing, actor_id: int, action: Action, target_id: int | None,
                     args: Mapping[str, str]) -> StoredHearing:
        """Where people are follows the control just logged (admit moves the target into the room...)."""
        if action in (Action.RAISE_HAND, Action.LOWER_HAND) and target_id is None:
            target_id = actor_id
        if action not in _PRESENCE_MOVES or target_id is None:
            return stored
        person = stored.person(target_id)
        if person is None:
            raise IllegalControl("that person is not in this hearing", code="target_not_present",
                                 details={"action": action.value, "target": uid(target_id)})
        presence = person.presence
        media = MediaKind(args.get("media", MediaKind.AUDIO.value))
        moves: dict[Action, Callable[[], Presence]] = {
            Action.ADMIT: presence.admit, Action.CALL: presence.call, Action.DISMISS: presence.dismiss,
            Action.REMOVE: presence.remove, Action.RAISE_HAND: presence.raise_hand,
            Action.LOWER_HAND: presence.lower_hand,
            Action.MUTE: lambda: presence.mute(media), Action.UNMUTE: lambda: presence.unmute(media),
        }
        return stored.with_person(person.moved(moves[action]()))

    @staticmethod
    def _everyone_out(stored: StoredHearing) -> StoredHearing:
        present = (PresenceState.WAITING, PresenceState.IN_ROOM, PresenceState.RECONNECTING)
        return stored.with_people(lambda p: p.moved(p.presence.leave()) if p.presence.state in present else p)

    async def _case_heard(self, session: AsyncSession, stored: StoredHearing, principal: Principal) -> None:
        """A closed hearing is a hearing held: the case moves scheduled → heard (the judge's step)."""
        case = await CaseStore(session).by_id(stored.case_id, for_update=True)
        listing = stored.plan.participant(uid(principal.user_id))
        if case.status != CaseStatus.SCHEDULED.value or listing is None or listing.role is not HearingRole.JUDGE:
            return
        await Timeline(session, self.clock).transition(
            case, CaseAction.HOLD_HEARING, actor_role=ActorRole.JUDGE, actor_id=principal.user_id,
            actor=principal.audit_actor, details={"hearing_id": stored.id})

    # -- the unit of work ---------------------------------------------------------------------

    async def _begin(self, hearings: HearingRepository, hearing_id: int) -> tuple[StoredHearing, StoredHearing]:
        """The hearing locked with its log, as read and as the clock has already settled it."""
        read = await hearings.load(hearing_id, lock=True, log=True)
        return read, replace(read, hearing=self.lifecycle.settle(read.hearing))

    async def _finish(self, hearings: HearingRepository, read: StoredHearing, stored: StoredHearing) -> Outcome:
        """Save the change; the events it logged, with the hearing as it now stands."""
        return self._outcome(read, await hearings.save(stored, read.version))

    def _outcome(self, read: StoredHearing, saved: StoredHearing) -> Outcome:
        return Outcome(logged_events(saved.id, read.hearing, saved.hearing), self.view_of(saved))


_PRESENCE_MOVES = frozenset({Action.ADMIT, Action.CALL, Action.DISMISS, Action.REMOVE, Action.RAISE_HAND,
                             Action.LOWER_HAND, Action.MUTE, Action.UNMUTE})
