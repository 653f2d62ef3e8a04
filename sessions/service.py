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

import asyncpg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from cabinet.case_status import ActorRole, CaseAction, CaseStatus
from cabinet.filing.cases import CaseStore
from cabinet.filing.timeline import Timeline
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Grant
from cabinet.identity.users import UserService
from core.clock import Clock
from core.config import Config
from core.db import Database
from sessions.actions import apply_action
from sessions.admission import AdmissionGrant, Identity, StaffRole, decide_admission
from sessions.booking import BookingService
from sessions.controls import Controls
from sessions.errors import (
    AdmissionRefused,
    IllegalControl,
    IllegalPresenceTransition,
    InvalidHearing,
    NotAllowed,
    NotAuthenticated,
    NotInHearingRoom,
)
from sessions.hearings import HearingRole
from sessions.hotpath import HotPath
from sessions.joins import JoinCoalescer
from sessions.labels import Language
from sessions.lifecycle import (
    Action,
    ChatChannel,
    CourtPolicy,
    Hearing,
    HearingState,
    Lifecycle,
    MediaKind,
)
from sessions.minutes import render_minutes
from sessions.models import HearingParticipantRow
from sessions.presence import DEFAULT_RECONNECT_GRACE, Presence, PresenceState
from sessions.snapshot import (
    HearingRecord,
    Person,
    add_observer,
    read_hearing,
    read_hearings,
    with_log,
    write_hearing,
    write_presence,
    write_presence_if_unchanged,
)
from sessions.steps import Step, checked_stats, staff_roles
from sessions.store import HearingFields, HearingStore, Place, hearing_of, presence_of, store_presence, uid
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
        hot_pool: asyncpg.Pool | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.policy = policy
        self.reconnect_grace = reconnect_grace
        self.config = config or Config()
        self.lifecycle = Lifecycle(clock, policy)
        self.controls = Controls(self.lifecycle)
        self._reads: AsyncEngine = db.engine
        if db.dialect == "postgresql":
            # Two SELECTs need no BEGIN/COMMIT around them; under READ COMMITTED a transaction
            # would not make them one snapshot anyway.
            self._reads = db.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._optimistic = db.dialect == "postgresql"
        """Joins without the hearing lock need a shared row lock inside one statement: PostgreSQL."""
        self._hot = None if hot_pool is None else HotPath(hot_pool)
        """Joins and roster reads on their own asyncpg pool (PostgreSQL, :mod:`sessions.hotpath`)."""
        self._joins = JoinCoalescer()
        """Joins beside the one that logs a lobby opening wait for it (:mod:`sessions.joins`)."""
        self.sweeper = Sweeper(self)

    @asynccontextmanager
    async def _reader(self) -> AsyncIterator[AsyncConnection]:
        async with self._reads.connect() as conn:
            yield conn

    # -- reading ------------------------------------------------------------------------------

    async def view(self, hearing_id: int) -> HearingView:
        """The hearing as the room shows it: one Core read, no event log (see :mod:`sessions.snapshot`)."""
        return self.view_of(await self.record(hearing_id))

    async def record(self, hearing_id: int) -> HearingRecord:
        """The hearing's columns and people, unlocked (the hot pool on PostgreSQL)."""
        if self._hot is not None:
            return await self._hot.read_hearing(hearing_id)
        async with self._reader() as conn:
            return await read_hearing(conn, hearing_id)

    async def records(self, hearing_ids: Iterable[int]) -> dict[int, HearingRecord]:
        """Several hearings in one unlocked statement; the ones that are gone are left out."""
        async with self._reader() as conn:
            return await read_hearings(conn, hearing_ids)

    def view_of(self, record: HearingRecord) -> HearingView:
        return self._view(record, record.place, hearing_of(record, record.place, ()))

    def _view(self, row: HearingFields, place: Place, hearing: Hearing) -> HearingView:
        people = tuple(
            ParticipantView(
                user_id=p.user_id, role=HearingRole(p.role), name=p.display_name,
                presence=PresenceState(p.presence), muted_audio=p.muted_audio, muted_video=p.muted_video,
                hand_raised=p.hand_raised, listed=p.listed, represents_user_id=p.represents_user_id,
            )
            for p in row.participants
        )
        return HearingView(
            hearing_id=row.id, plan=hearing.plan, state=hearing.effective_state(self.clock.now()),
            participants=people, case_id=place.case_id, case_number=place.case_number,
            court_code=place.court_code, courtroom_name=place.courtroom_name, is_open=row.is_open,
            pause_reason=hearing.pause_reason, suspend_reason=hearing.suspend_reason,
            adjourned_to=hearing.adjourned_to, recording_paused=hearing.recording_paused,
            sequence=row.ics_sequence,
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
        async with self.db.transaction() as session:
            if principal is not None:
                await BookingService(session, self.clock, self.config).require_staff(principal, hearing_id)
            store = HearingStore(session)
            row = await store.get(hearing_id)
            place = await store.place(row)
            hearing = hearing_of(row, place, await store.events(hearing_id))
        lang = asked or Language(row.language)
        court = place.court_name(lang)
        plan = replace(hearing.plan, courtroom_id=f"{place.courtroom_name} ({court})")
        return render_minutes(replace(hearing, plan=plan), lang)

    # -- entering and leaving -----------------------------------------------------------------

    async def join(self, principal: Principal | None, hearing_id: int) -> JoinResult:
        """Decide admission and move the person's presence; refusals raise AdmissionRefused(code).

        Joining again while already in the waiting or hearing room (a second tab, a restarted
        server) keeps where they are; a person reconnecting is treated as :meth:`reconnected`.

        Everybody of a hearing joins at once (10:00), and a join changes only the person's own row.
        On PostgreSQL it therefore reads without a lock and stores with a compare-and-set
        (:func:`sessions.snapshot.write_presence_if_unchanged`): two statements, no transaction, no
        queue on the hearing row. The join that must log the lobby opening, a new observer, and a
        join whose compare-and-set found the hearing or the person changed run the locked path:
        one transaction that reads the hearing ``FOR UPDATE`` (SQLite: ``BEGIN IMMEDIATE``).
        """
        if principal is None:
            raise NotAuthenticated("log in with your electronic digital signature to join")
        if self._optimistic:
            return await self._joins.join(hearing_id, lambda: self._join_unlocked(principal, hearing_id),
                                          lambda: self._join_locked(principal, hearing_id))
        return await self._join_locked(principal, hearing_id)

    async def _join_locked(self, principal: Principal, hearing_id: int) -> JoinResult:
        async with self.db.engine.begin() as conn:
            record = await read_hearing(conn, hearing_id, for_update=True)
            hearing = hearing_of(record, record.place, ())
            if self.lifecycle.settle(hearing) is not hearing:
                logged = await with_log(conn, record, hearing)
                hearing = self.lifecycle.settle(logged)
                await write_hearing(conn, logged, hearing, self.clock.now())
            person = record.person(principal.user_id)
            if person is None:
                person = await add_observer(conn, record, principal.user_id, principal.name)
            admission, presence = self._admit(record, hearing, principal, person)
            await write_presence(conn, [person])
        return self._joined(hearing_id, principal.user_id, admission, presence, record.court_id)

    async def _join_unlocked(self, principal: Principal, hearing_id: int) -> JoinResult | None:
        """The join without the hearing lock, or None when it must be taken under the lock."""
        hot = self._hot
        if hot is not None:
            record = await hot.read_hearing(hearing_id)
            seat = self._seat_unlocked(record, principal)
            if seat is None or not await hot.write_presence_if_unchanged(record, seat[2], seat[3]):
                return None
        else:
            async with self._reader() as conn:
                record = await read_hearing(conn, hearing_id)
                seat = self._seat_unlocked(record, principal)
                if seat is None or not await write_presence_if_unchanged(conn, record, seat[2], seat[3]):
                    return None
        return self._joined(hearing_id, principal.user_id, seat[0], seat[1], record.court_id)

    def _seat_unlocked(self, record: HearingRecord,
                       principal: Principal) -> tuple[AdmissionGrant, Presence, Person, Person] | None:
        """Admission and presence from an unlocked read, with the person's row before and after;
        None if the join must log something (the lobby opening) or add a row (an observer)."""
        hearing = hearing_of(record, record.place, ())
        person = record.person(principal.user_id)
        if person is None or self.lifecycle.settle(hearing) is not hearing:
            return None
        was = replace(person)
        admission, presence = self._admit(record, hearing, principal, person)
        return admission, presence, was, person

    def _admit(self, record: HearingRecord, hearing: Hearing, principal: Principal,
               person: Person) -> tuple[AdmissionGrant, Presence]:
        """The pure part of a join: the admission decision and where it puts ``person`` (updated)."""
        identity = Identity(uid(principal.user_id), True, staff_roles(principal.grants, record.court_id))
        admission = decide_admission(identity, hearing.plan, hearing.state, self.clock.now())
        presence = self._enter(presence_of(person), admission)
        store_presence(person, presence)
        person.last_seen_at = self.clock.now()
        return admission, presence

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
        async with self.db.transaction() as session:
            step = await self._begin(session, hearing_id)
            person = step.person(user_id)
            if person is None:
                return None
            presence = presence_of(person)
            if presence.state in (PresenceState.WAITING, PresenceState.IN_ROOM):
                store_presence(person, presence.disconnect(self.clock.now()))
                person.last_seen_at = self.clock.now()
            return (await self._finish(step)).view

    async def reconnected(self, user_id: int, hearing_id: int) -> JoinResult:
        """Back within the grace period: the same room, no new admission needed.

        Past the grace period the person has left (stored) and ``reconnect_grace_expired`` is
        raised: they join again through the waiting room.
        """
        expired: IllegalPresenceTransition | None = None
        async with self.db.transaction() as session:
            step = await self._begin(session, hearing_id)
            grants = await UserService(session, self.clock).grants_of(user_id)
            identity = Identity(uid(user_id), True, staff_roles(grants, step.row.court_id))
            admission = decide_admission(identity, step.hearing.plan, step.hearing.state, self.clock.now())
            person = step.person(user_id)
            if person is None or person.presence == PresenceState.OUTSIDE.value:
                raise IllegalPresenceTransition(
                    "not in this hearing; join it first", code="reconnect_grace_expired",
                    details={"action": "reconnect", "grace_s": self.reconnect_grace.total_seconds()})
            presence = presence_of(person)
            if presence.state is PresenceState.REMOVED:
                raise AdmissionRefused("the judge removed you from this hearing", code="removed",
                                       details={"user_id": uid(user_id)})
            if presence.state is PresenceState.RECONNECTING:
                try:
                    presence = presence.reconnect(self.clock.now(), self.reconnect_grace)
                except IllegalPresenceTransition as exc:
                    expired, presence = exc, presence.leave()
            store_presence(person, presence)
            person.last_seen_at = self.clock.now()
            await step.finish()
        if expired is not None:
            raise expired
        return self._joined(hearing_id, user_id, admission, presence, step.row.court_id)

    async def left(self, user_id: int, hearing_id: int) -> Outcome:
        """The person left; with what the clock made happen meanwhile (see :meth:`sweep`)."""
        async with self.db.transaction() as session:
            step = await self._begin(session, hearing_id)
            person = step.person(user_id)
            if person is not None:
                presence = presence_of(person)
                if presence.state in (PresenceState.WAITING, PresenceState.IN_ROOM, PresenceState.RECONNECTING):
                    store_presence(person, presence.leave())
                    person.disconnected_at = None
            self._time_rules(step)
            return await self._finish(step)

    async def heartbeat(self, user_id: int, hearing_id: int, stats: Mapping[str, float]) -> None:
        """Record that the person is still connected, with their latest connection figures.

        No hearing lock is taken: a heartbeat changes only the person's own row.
        """
        figures = checked_stats(stats)
        async with self.db.transaction() as session:
            person = await session.scalar(select(HearingParticipantRow).where(
                HearingParticipantRow.hearing_id == hearing_id, HearingParticipantRow.user_id == user_id))
            if person is None:
                await HearingStore(session).get(hearing_id)
                raise IllegalPresenceTransition("not in this hearing; join it first", code="not_joined",
                                                details={"action": "heartbeat"})
            if person.presence in (PresenceState.OUTSIDE.value, PresenceState.REMOVED.value):
                return
            person.last_seen_at = self.clock.now()
            person.last_stats = {**figures, "at": self.clock.now().isoformat()}

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
        async with self.db.transaction() as session:
            step = await self._begin(session, hearing_id)
            self._time_rules(step)
            return await self._finish(step)

    def _time_rules(self, step: Step) -> None:
        apply_time_rules(step, self.lifecycle, self.clock.now(), self.reconnect_grace)

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
        async with self.db.transaction() as session:
            step = await self._begin(session, hearing_id)
            actor = uid(principal.user_id)
            self._check_staff(principal, step)
            target = None if target_user_id is None else uid(target_user_id)
            before = step.hearing.state
            if action is Action.CHAT:
                self._check_chat(step, principal.user_id, args)
            step.hearing = apply_action(self.lifecycle, self.controls, step.hearing, actor, action, target, args)
            self._move_people(step, principal.user_id, action, target_user_id, args)
            if step.hearing.state.is_final and not before.is_final:
                self._everyone_out(step)
            if action is Action.CLOSE:
                await self._case_heard(session, step, principal)
            if action is Action.CANCEL:
                await BookingService(session, self.clock, self.config).recorded_cancellation(
                    principal, step.row, step.place, args.get("reason"))
            return await self._finish(step)

    def _check_chat(self, step: Step, actor_id: int, args: Mapping[str, str]) -> None:
        """One writes to everybody from the hearing room, and to the staff from either room."""
        person = step.person(actor_id)
        caps = presence_of(person).capabilities if person is not None else None
        to_staff = args.get("channel") == ChatChannel.STAFF.value
        if caps is None or not (caps.chat_staff if to_staff else caps.chat_all):
            raise IllegalControl("join the hearing room to write to everybody" if not to_staff
                                 else "join the hearing to write to the court staff",
                                 code="chat_not_allowed", details={"action": Action.CHAT.value})

    def _check_staff(self, principal: Principal, step: Step) -> None:
        """A listed judge or clerk steers the hearing only while the court still has them as staff."""
        listing = step.hearing.plan.participant(uid(principal.user_id))
        if listing is None or not listing.role.is_staff:
            return
        needed = StaffRole.JUDGE if listing.role is HearingRole.JUDGE else StaffRole.CLERK
        if needed not in staff_roles(principal.grants, step.row.court_id):
            raise NotAllowed(f"the account listed as {listing.role.value} is not registered as court staff",
                             code="staff_role_required", details={"role": listing.role.value})

    def _move_people(self, step: Step, actor_id: int, action: Action, target_id: int | None,
                     args: Mapping[str, str]) -> None:
        """Where people are follows the control just logged (admit moves the target into the room...)."""
        if action in (Action.RAISE_HAND, Action.LOWER_HAND) and target_id is None:
            target_id = actor_id
        if action not in _PRESENCE_MOVES or target_id is None:
            return
        person = step.person(target_id)
        if person is None:
            raise IllegalControl("that person is not in this hearing", code="target_not_present",
                                 details={"action": action.value, "target": uid(target_id)})
        presence = presence_of(person)
        media = MediaKind(args.get("media", MediaKind.AUDIO.value))
        moves: dict[Action, Callable[[], Presence]] = {
            Action.ADMIT: presence.admit, Action.CALL: presence.call, Action.DISMISS: presence.dismiss,
            Action.REMOVE: presence.remove, Action.RAISE_HAND: presence.raise_hand,
            Action.LOWER_HAND: presence.lower_hand,
            Action.MUTE: lambda: presence.mute(media), Action.UNMUTE: lambda: presence.unmute(media),
        }
        store_presence(person, moves[action]())
        if action is Action.REMOVE:
            person.disconnected_at = None

    def _everyone_out(self, step: Step) -> None:
        for row in step.row.participants:
            presence = presence_of(row)
            if presence.state in (PresenceState.WAITING, PresenceState.IN_ROOM, PresenceState.RECONNECTING):
                store_presence(row, presence.leave())
                row.disconnected_at = None

    async def _case_heard(self, session: AsyncSession, step: Step, principal: Principal) -> None:
        """A closed hearing is a hearing held: the case moves scheduled → heard (the judge's step)."""
        case = await CaseStore(session).by_id(step.row.case_id, for_update=True)
        listing = step.hearing.plan.participant(uid(principal.user_id))
        if case.status != CaseStatus.SCHEDULED.value or listing is None or listing.role is not HearingRole.JUDGE:
            return
        await Timeline(session, self.clock).transition(
            case, CaseAction.HOLD_HEARING, actor_role=ActorRole.JUDGE, actor_id=principal.user_id,
            actor=principal.audit_actor, details={"hearing_id": step.row.id})

    # -- the unit of work ---------------------------------------------------------------------

    async def _finish(self, step: Step) -> Outcome:
        events = await step.finish()
        return Outcome(tuple(events), self._view(step.row, step.place, step.hearing))

    async def _begin(self, session: AsyncSession, hearing_id: int) -> Step:
        store = HearingStore(session)
        row = await store.get(hearing_id, for_update=True)
        place = await store.place(row)
        hearing = hearing_of(row, place, await store.events(hearing_id))
        return Step(store, row, place, hearing, self.lifecycle.settle(hearing), self.clock)


_PRESENCE_MOVES = frozenset({Action.ADMIT, Action.CALL, Action.DISMISS, Action.REMOVE, Action.RAISE_HAND,
                             Action.LOWER_HAND, Action.MUTE, Action.UNMUTE})
