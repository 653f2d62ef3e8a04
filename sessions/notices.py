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
from cabinet.notifications.notices import NoticeKind
from cabinet.notifications.outbox import notify
from core.clock import COURT_TIME, Clock
from core.config import Config
from sessions.hearings import HearingFormat
from sessions.icalendar import CalendarMethod, Court, Invitation, render_invitation
from sessions.labels import Language
from sessions.models import HearingParticipantRow, HearingRow
from sessions.store import Place, plan_of, uid

logger = logging.getLogger(__name__)


def invitation_path(hearing_id: int) -> str:
    return f"/api/v1/hearings/{hearing_id}/invitation.ics"


def invitation_filename(hearing_id: int) -> str:
    return f"hearing-{hearing_id}.ics"


def join_url(config: Config, hearing_id: int) -> str:
    return f"{config.public_url.rstrip('/')}/hearings/{hearing_id}"


def court_of(config: Config, place: Place, language: Language) -> Court:
    name = place.court_name(language)
    domain = urlsplit(config.public_url).hostname or "sotkab.invalid"
    return Court(name=name, organizer_email=config.mail_from, uid_domain=domain, tz=COURT_TIME)


def render_for(config: Config, row: HearingRow, place: Place, person: HearingParticipantRow, email: str | None,
               now: datetime, language: Language = Language.RU) -> str:
    """The .ics of ``person``'s invitation to the hearing as it stands (a CANCEL once cancelled)."""
    plan = plan_of(row, place)
    recipient = plan.participant(uid(person.user_id))
    assert recipient is not None
    cancelled = row.state == "cancelled"
    invitation = Invitation(
        hearing_id=str(row.id), plan=plan, recipient=recipient, court=court_of(config, place, language),
        case_number=place.case_number, courtroom_name=place.courtroom_name,
        join_url=join_url(config, row.id) if HearingFormat(row.format).has_remote_link else None,
        sequence=row.ics_sequence, method=CalendarMethod.CANCEL if cancelled else CalendarMethod.REQUEST,
        recipient_email=email, language=language,
    )
    return render_invitation(invitation, now)


class HearingNotices:
    def __init__(self, session: AsyncSession, clock: Clock, config: Config) -> None:
        self.session = session
        self.clock = clock
        self.config = config

    async def scheduled(self, row: HearingRow, place: Place) -> list[int]:
        return await self._each(row, place, NoticeKind.HEARING_SCHEDULED.value, "Судебная повестка",
                                "Вы вызываетесь в судебное заседание.")

    async def moved(self, row: HearingRow, place: Place, reason: str) -> list[int]:
        return await self._each(row, place, NoticeKind.HEARING_MOVED.value, "Судебное заседание перенесено",
                                f"Судебное заседание перенесено. Причина: {reason}")

    async def cancelled(self, row: HearingRow, place: Place, principal: Principal,
                        reason: str | None = None) -> list[int]:
        """Tell everyone summoned that the hearing is off, and why."""
        text = "Судебное заседание отменено." + (f" Причина: {reason}" if reason else "")
        return await self._each(row, place, NoticeKind.HEARING_CANCELLED.value, "Судебное заседание отменено", text)

    async def _each(self, row: HearingRow, place: Place, kind: str, title: str, text: str) -> list[int]:
        listed = [p for p in row.participants if p.listed]
        notices = []
        for person in listed:
            body = (f"{text}\nДело {place.case_number}, {place.court_name_ru}, зал {place.courtroom_name}.\n"
                    f"Приглашение для календаря: {self.config.public_url.rstrip('/')}"
                    f"{invitation_path(row.id)}")
            if HearingFormat(row.format).has_remote_link:
                body += f"\nПодключение онлайн: {join_url(self.config, row.id)}"
            ics = render_for(self.config, row, place, person, await self.email_of(person.user_id),
                             self.clock.now())
            invitation = Attachment(invitation_filename(row.id), "text/calendar", ics.encode("utf-8"))
            notices.append(await notify(
                self.session, self.clock, user_id=person.user_id, kind=kind, title=title, body=body,
                case_id=place.case_id, court=place.court_name_ru, case_number=place.case_number,
                capacity=person.role, when=row.start.astimezone(UTC),
                place=f"{place.court_name_ru}, зал {place.courtroom_name}", attachments=[invitation]))
        logger.info("hearing %s: %d %s notices", row.id, len(notices), kind)
        return notices

    async def email_of(self, user: int) -> str | None:
        return await self.session.scalar(select(User.email).where(User.id == user))
