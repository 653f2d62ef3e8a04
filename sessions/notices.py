"""Court notices of a hearing: the summons in each participant's cabinet, and their .ics invitation.

Notices go through :func:`cabinet.notifications.outbox.notify` in the caller's transaction, so a
booking that rolls back summons nobody. Each notice carries the participant's own invitation as an
.ics attachment, rendered by :func:`render_for` exactly as ``/api/v1/hearings/{id}/invitation.ics``
serves it at that moment: ``METHOD:REQUEST`` with the hearing's current SEQUENCE when it is booked
or moved, ``METHOD:CANCEL`` once it is cancelled — so the e-mail updates the one calendar event.
The body still gives the invitation's address, which always serves the hearing as it now stands.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.identity.models import User
from cabinet.identity.principal import Principal
from cabinet.notifications.attachments import Attachment
from cabinet.notifications.notices import Names, NoticeKind
from cabinet.notifications.outbox import notify
from core.clock import COURT_TIME, Clock
from core.config import Config
from sessions.icalendar import CalendarMethod, Court, Invitation, render_invitation
from sessions.labels import Language, courtroom_place
from sessions.lifecycle import HearingState
from sessions.stored import Attendee, Place, StoredHearing, uid
from sessions.upcoming import room_path

logger = logging.getLogger(__name__)


def invitation_path(hearing_id: int) -> str:
    return f"/api/v1/hearings/{hearing_id}/invitation.ics"


def invitation_filename(hearing_id: int) -> str:
    return f"hearing-{hearing_id}.ics"


def join_url(config: Config, hearing_id: int) -> str:
    """The hearing room page, the same link as the cabinet's join button."""
    return f"{config.public_url.rstrip('/')}{room_path(hearing_id)}"


def court_of(config: Config, place: Place, language: Language) -> Court:
    name = place.court_name(language)
    domain = urlsplit(config.public_url).hostname or "sotkab.invalid"
    return Court(name=name, organizer_email=config.mail_from, uid_domain=domain, tz=COURT_TIME)


def render_for(config: Config, stored: StoredHearing, person: Attendee, email: str | None,
               now: datetime, language: Language = Language.RU) -> str:
    """The .ics of ``person``'s invitation to the hearing as it stands (a CANCEL once cancelled)."""
    plan, place = stored.plan, stored.place
    recipient = plan.participant(uid(person.user_id))
    assert recipient is not None
    cancelled = stored.hearing.state is HearingState.CANCELLED
    invitation = Invitation(
        hearing_id=str(stored.id), plan=plan, recipient=recipient, court=court_of(config, place, language),
        case_number=place.case_number, courtroom_name=place.courtroom_name,
        join_url=join_url(config, stored.id) if stored.format.has_remote_link else None,
        sequence=stored.ics_sequence, method=CalendarMethod.CANCEL if cancelled else CalendarMethod.REQUEST,
        recipient_email=email, language=language,
    )
    return render_invitation(invitation, now)


class HearingNotices:
    def __init__(self, session: AsyncSession, clock: Clock, config: Config) -> None:
        self.session = session
        self.clock = clock
        self.config = config

    async def scheduled(self, stored: StoredHearing) -> list[int]:
        return await self._each(stored, NoticeKind.HEARING_SCHEDULED.value)

    async def moved(self, stored: StoredHearing, reason: str) -> list[int]:
        return await self._each(stored, NoticeKind.HEARING_MOVED.value, reason)

    async def cancelled(self, stored: StoredHearing, principal: Principal,
                        reason: str | None = None) -> list[int]:
        """Tell everyone summoned that the hearing is off, and why."""
        return await self._each(stored, NoticeKind.HEARING_CANCELLED.value, reason)

    async def _each(self, stored: StoredHearing, kind: str, reason: str | None = None) -> list[int]:
        """Each listed participant's notice, written by the notifications package in their language."""
        place = stored.place
        listed = [p for p in stored.people if p.listed]
        facts: dict[str, object] = {
            "case_number": place.case_number,
            "invitation_url": f"{self.config.public_url.rstrip('/')}{invitation_path(stored.id)}"}
        if reason:
            facts["reason"] = reason
        if stored.format.has_remote_link:
            facts["join_url"] = join_url(self.config, stored.id)
        where = Names(**{language.value: courtroom_place(place.court_name(language), place.courtroom_name, language)
                         for language in Language})
        notices = []
        for person in listed:
            ics = render_for(self.config, stored, person, await self.email_of(person.user_id), self.clock.now())
            invitation = Attachment(invitation_filename(stored.id), "text/calendar", ics.encode("utf-8"))
            notices.append(await notify(
                self.session, self.clock, user_id=person.user_id, kind=kind, facts=facts,
                case_id=place.case_id,
                court=Names(kk=place.court_name_kk, ru=place.court_name_ru, en=place.court_name_en),
                case_number=place.case_number, capacity=person.role, when=stored.start.astimezone(UTC),
                place=where, attachments=[invitation]))
        logger.info("hearing %s: %d %s notices", stored.id, len(notices), kind)
        return notices

    async def email_of(self, user: int) -> str | None:
        return await self.session.scalar(select(User.email).where(User.id == user))
