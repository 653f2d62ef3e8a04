"""Reading booking requests from JSON bodies: every malformed field is a 400 naming the field."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.requests import string_field
from sessions.booking import BookingRequest, ParticipantSpec, RescheduleRequest
from sessions.errors import InvalidHearing
from sessions.hearings import DEFAULT_LOBBY_LEAD_TIME, HearingFormat, HearingRole, as_utc
from sessions.labels import Language

MAX_PARTICIPANTS = 100


def _bad(field: str, message: str) -> InvalidHearing:
    return InvalidHearing(message, details={"field": field})


def _time(body: dict[str, Any], name: str) -> datetime:
    text = string_field(body, name, max_length=64)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise _bad(name, f"{name} is an ISO 8601 date and time with its zone, e.g. 2026-03-02T10:00:00+05:00") from None
    return as_utc(when, name)


def _minutes(body: dict[str, Any], name: str, default: timedelta | None = None) -> timedelta | None:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 24 * 60:
        raise _bad(name, f"{name} is a whole number of minutes")
    return timedelta(minutes=value)


def _flag(body: dict[str, Any], name: str, default: bool | None) -> bool | None:
    value = body.get(name, default)
    if value is not None and not isinstance(value, bool):
        raise _bad(name, f"{name} is true or false")
    return value


def _participant(item: object, index: int) -> ParticipantSpec:
    field = f"participants[{index}]"
    if not isinstance(item, dict):
        raise _bad(field, f"{field} is an object with iin and role")
    iin = item.get("iin")
    role = item.get("role")
    represents = item.get("represents_iin")
    if not isinstance(iin, str) or not isinstance(role, str) or not isinstance(represents, str | None):
        raise _bad(field, f"{field} has a text iin, a role and optionally represents_iin")
    try:
        parsed = HearingRole(role)
    except ValueError:
        choices = ", ".join(r.value for r in HearingRole)
        raise _bad(f"{field}.role", f"role is one of {choices}") from None
    return ParticipantSpec(iin, parsed, represents)


def booking_request(body: dict[str, Any]) -> BookingRequest:
    try:
        fmt = HearingFormat(string_field(body, "format", max_length=20))
    except ValueError:
        raise _bad("format", "format is one of " + ", ".join(f.value for f in HearingFormat)) from None
    people = body.get("participants")
    if not isinstance(people, list) or not people or len(people) > MAX_PARTICIPANTS:
        raise _bad("participants", f"participants is a list of 1 to {MAX_PARTICIPANTS} people")
    duration = _minutes(body, "duration_minutes")
    if duration is None:
        raise _bad("duration_minutes", "duration_minutes is required")
    lead = _minutes(body, "lobby_lead_minutes", DEFAULT_LOBBY_LEAD_TIME)
    assert lead is not None
    return BookingRequest(
        case_number=string_field(body, "case", max_length=64),
        courtroom=string_field(body, "courtroom", max_length=100),
        start=_time(body, "start"),
        duration=duration,
        format=fmt,
        participants=tuple(_participant(p, i) for i, p in enumerate(people)),
        is_open=_flag(body, "is_open", None),
        auto_admit=bool(_flag(body, "auto_admit", False)),
        lobby_lead_time=lead,
        language=_language(body),
    )


def _language(body: dict[str, Any]) -> Language:
    text = body.get("language", Language.RU.value)
    try:
        return Language(text) if isinstance(text, str) else Language("")
    except ValueError:
        raise _bad("language", "language is one of " + ", ".join(x.value for x in Language)) from None


def reschedule_request(body: dict[str, Any]) -> RescheduleRequest:
    return RescheduleRequest(
        start=_time(body, "start") if body.get("start") is not None else None,
        duration=_minutes(body, "duration_minutes"),
        courtroom=string_field(body, "courtroom", required=False, max_length=100) or None,
        reason=string_field(body, "reason", required=False, max_length=2000).strip() or None,
    )
