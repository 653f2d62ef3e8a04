"""Refusals raised by the hearing rules.

Every rule in :mod:`sessions` refuses by raising one of these, so the signaling server can send
the ``code`` as a connect_error and the web middleware can map the HTTP status, without either
of them knowing which rule said no. Codes are stable strings that clients switch on.
"""

from __future__ import annotations

from core.errors import SotkabError


class SessionsError(SotkabError):
    status = 400
    default_code = "sessions_error"


class InvalidHearing(SessionsError):
    """A hearing plan, participant or argument is malformed (bad duration, naive time, two judges)."""

    status = 400
    default_code = "invalid_hearing"


class NotAllowed(SessionsError):
    """The actor's role in this hearing does not permit the action (a party trying judge controls)."""

    status = 403
    default_code = "not_allowed"


class IllegalHearingTransition(SessionsError):
    """The hearing's current state does not permit the lifecycle step (closing a scheduled hearing)."""

    status = 409
    default_code = "illegal_hearing_transition"


class IllegalControl(SessionsError):
    """A control that does not fit the moment: hearing not live, recording already paused, bad target."""

    status = 409
    default_code = "illegal_control"


class IllegalPresenceTransition(SessionsError):
    """A participant's presence cannot move that way (calling someone who is not waiting)."""

    status = 409
    default_code = "illegal_presence_transition"


class NotInHearingRoom(SessionsError):
    """Media (a relay session) is for the people in the hearing room only: not the waiting room,
    not somebody removed, dismissed or gone."""

    status = 409
    default_code = "not_in_hearing_room"


class AdmissionRefused(SessionsError):
    """Someone may not enter the hearing; ``code`` says why (not_a_participant, hearing_not_open, ...)."""

    status = 403
    default_code = "not_a_participant"


class NotAuthenticated(AdmissionRefused):
    """Nobody joins a hearing anonymously; participants must have logged in with EDS."""

    status = 401
    default_code = "unauthenticated"


class ScheduleConflict(SessionsError):
    """The slot clashes with another booking; ``details["conflicts"]`` names every clash."""

    status = 409
    default_code = "schedule_conflict"


class InvalidCalendar(SessionsError):
    """An iCalendar text could not be parsed."""

    status = 400
    default_code = "invalid_icalendar"


class HearingNotFound(SessionsError):
    """No hearing has that id (or the caller may not know it exists)."""

    status = 404
    default_code = "hearing_not_found"


class HearingChanged(SessionsError):
    """The hearing (or the person's row) is no longer as it was read: the change was computed on a
    stale hearing and is not stored. Read it again and decide again."""

    status = 409
    default_code = "hearing_changed"
