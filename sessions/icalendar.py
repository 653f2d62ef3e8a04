"""RFC 5545 iCalendar invitations to a hearing, and a strict little parser to read them back.

The Civil Procedure Code (art. 128(2)) fixes what a court notice must say: which court, which case,
when and where, who is summoned and in what capacity. The invitation carries all of it in its
DESCRIPTION, so a participant's calendar holds the notice itself. The UID is stable per hearing and
SEQUENCE grows with each reschedule, so calendars update the one event instead of piling up copies;
METHOD:CANCEL withdraws it. Output follows the RFC to the octet: CRLF line ends, TEXT escaping, and
folding at 75 octets without ever splitting a UTF-8 character (Kazakh and Russian names are long).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from types import MappingProxyType
from urllib.parse import urlsplit

from sessions.errors import InvalidCalendar, InvalidHearing
from sessions.hearings import HearingPlan, Participant, as_utc
from sessions.labels import Language, courtroom_place, phrase, role_label, value_label, word

logger = logging.getLogger(__name__)

CRLF = "\r\n"
MAX_LINE_OCTETS = 75
PRODID = "-//Sot Kabinet//Hearings 1.0//EN"


class CalendarMethod(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Court:
    """The court as it appears on its notices; ``tz`` is how times are shown to people."""

    name: str
    organizer_email: str
    uid_domain: str
    address: str | None = None
    tz: tzinfo = UTC

    def __post_init__(self) -> None:
        for name in ("name", "organizer_email", "uid_domain"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidHearing(f"{name} must not be empty", details={"field": name})
        if "@" not in self.organizer_email:
            raise InvalidHearing("organizer_email must be an e-mail address", details={"field": "organizer_email"})


@dataclass(frozen=True)
class Invitation:
    """Everything one participant's notice of one hearing says.

    ``sequence`` is the hearing's revision: 0 when first booked, one more on every reschedule and
    on cancellation, as RFC 5546 requires for the calendar to accept the update.
    """

    hearing_id: str
    plan: HearingPlan
    recipient: Participant
    court: Court
    case_number: str
    courtroom_name: str
    join_url: str | None = None
    sequence: int = 0
    method: CalendarMethod = CalendarMethod.REQUEST
    recipient_email: str | None = None
    language: Language = Language.EN

    def __post_init__(self) -> None:
        for name in ("hearing_id", "case_number", "courtroom_name"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidHearing(f"{name} must not be empty", details={"field": name})
        if self.plan.participant(self.recipient.user_id) != self.recipient:
            raise InvalidHearing("the recipient is not a participant of this hearing", details={"field": "recipient"})
        if not isinstance(self.sequence, int) or self.sequence < 0:
            raise InvalidHearing("sequence is a non-negative integer", details={"field": "sequence"})
        object.__setattr__(self, "method", CalendarMethod(self.method))
        object.__setattr__(self, "language", Language(self.language))
        if self.join_url is None:
            if self.plan.format.has_remote_link and self.method is CalendarMethod.REQUEST:
                raise InvalidHearing("an online or mixed hearing needs a join link", details={"field": "join_url"})
        elif urlsplit(self.join_url).scheme not in ("https", "http") or not urlsplit(self.join_url).netloc:
            raise InvalidHearing("the join link must be an http(s) URL", details={"field": "join_url"})
        if self.recipient_email is not None and "@" not in self.recipient_email:
            raise InvalidHearing("recipient_email must be an e-mail address", details={"field": "recipient_email"})


def hearing_uid(hearing_id: str, domain: str) -> str:
    """The one UID a hearing keeps across every notice, reschedule and cancellation."""
    return f"hearing-{hearing_id}@{domain}"


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def unescape_text(value: str) -> str:
    out: list[str] = []
    chars = iter(value)
    for ch in chars:
        if ch != "\\":
            out.append(ch)
            continue
        nxt = next(chars, "")
        if nxt in ("n", "N"):
            out.append("\n")
        elif nxt in ("\\", ";", ","):
            out.append(nxt)
        else:
            raise InvalidCalendar(f"bad escape \\{nxt} in a TEXT value", details={"escape": nxt})
    return "".join(out)


def _param_value(value: str) -> str:
    value = value.replace('"', "'").replace("\r", " ").replace("\n", " ")
    return f'"{value}"' if any(c in value for c in ":;,") else value


def fold(line: str) -> str:
    """Fold one content line into CRLF-separated pieces of at most 75 octets each (§3.1).

    Continuation pieces start with a space that counts toward their 75 octets, and a piece never
    ends inside a multi-octet UTF-8 character.
    """
    pieces: list[str] = []
    current = ""
    size = 0
    limit = MAX_LINE_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, MAX_LINE_OCTETS - 1
        current += ch
        size += width
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def _utc_stamp(when: datetime) -> str:
    return as_utc(when, "time").strftime("%Y%m%dT%H%M%SZ")


def _description(inv: Invitation, lang: Language) -> str:
    plan, court = inv.plan, inv.court
    start, end = plan.start.astimezone(court.tz), plan.end.astimezone(court.tz)
    offset = start.strftime("%z")
    place = courtroom_place(court.name, inv.courtroom_name, lang)
    if court.address:
        place += f", {court.address}"
    lines = []
    if inv.method is CalendarMethod.CANCEL:
        lines.append(word("cancelled_notice", lang))
    lines += [
        f"{word('court', lang)}: {court.name}",
        f"{word('case', lang)}: {inv.case_number}",
        f"{word('time', lang)}: {start:%Y-%m-%d %H:%M}–{end:%H:%M} (UTC{offset[:3]}:{offset[3:]})",
        f"{word('place', lang)}: {place}",
        f"{word('format', lang)}: {value_label(plan.format, lang)}",
    ]
    if inv.join_url and plan.format.has_remote_link:
        lines.append(f"{word('join', lang)}: {inv.join_url}")
    lines.append(
        f"{word('summoned', lang)}: {inv.recipient.display_name}, "
        f"{phrase('capacity', role_label(inv.recipient.role, lang), lang)}"
    )
    return "\n".join(lines)


def render_invitation(inv: Invitation, now: datetime) -> str:
    """The .ics text of one participant's invitation (or cancellation), stamped at ``now``."""
    lang, plan, court = inv.language, inv.plan, inv.court
    location = courtroom_place(court.name, inv.courtroom_name, lang)
    if court.address:
        location += f", {court.address}"
    if inv.join_url and plan.format.has_remote_link:
        location += f"; {inv.join_url}"
    props: list[str] = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{inv.method.value}",
        "BEGIN:VEVENT",
        f"UID:{hearing_uid(inv.hearing_id, court.uid_domain)}",
        f"SEQUENCE:{inv.sequence}",
        f"DTSTAMP:{_utc_stamp(now)}",
        f"DTSTART:{_utc_stamp(plan.start)}",
        f"DTEND:{_utc_stamp(plan.end)}",
        f"SUMMARY:{escape_text(word('hearing_of_case', lang) + ' ' + inv.case_number)}",
        f"LOCATION:{escape_text(location)}",
        f"DESCRIPTION:{escape_text(_description(inv, lang))}",
    ]
    if inv.join_url and plan.format.has_remote_link:
        props.append(f"URL:{inv.join_url}")
    props.append(f"ORGANIZER;CN={_param_value(court.name)}:mailto:{court.organizer_email}")
    if inv.recipient_email:
        props.append(
            f"ATTENDEE;CN={_param_value(inv.recipient.display_name)};ROLE=REQ-PARTICIPANT;"
            f"PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{inv.recipient_email}"
        )
    props += [
        f"STATUS:{'CANCELLED' if inv.method is CalendarMethod.CANCEL else 'CONFIRMED'}",
        f"CLASS:{'PUBLIC' if plan.is_open else 'CONFIDENTIAL'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(p) + CRLF for p in props)


# -- reading it back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentLine:
    name: str
    params: Mapping[str, str]
    value: str

    @property
    def text(self) -> str:
        """The value read as TEXT, escapes undone."""
        return unescape_text(self.value)


@dataclass(frozen=True)
class Component:
    name: str
    properties: tuple[ContentLine, ...] = ()
    components: tuple[Component, ...] = field(default=())

    def get(self, name: str) -> ContentLine:
        found = [p for p in self.properties if p.name == name.upper()]
        if len(found) != 1:
            raise InvalidCalendar(f"{self.name} has {len(found)} {name} properties, not one", details={"name": name})
        return found[0]

    def find(self, name: str) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.name == name.upper())


def unfold(text: str) -> list[str]:
    """Undo folding: content lines end in CRLF, and a line starting with a space or tab continues the last."""
    if not text.endswith(CRLF):
        raise InvalidCalendar("iCalendar text ends with CRLF")
    raw = text[: -len(CRLF)].split(CRLF)
    if any("\n" in line or "\r" in line for line in raw):
        raise InvalidCalendar("iCalendar lines end with CRLF, never a bare LF or CR")
    lines: list[str] = []
    for line in raw:
        if line[:1] in (" ", "\t"):
            if not lines:
                raise InvalidCalendar("a continuation line with nothing to continue")
            lines[-1] += line[1:]
        elif line:
            lines.append(line)
    return lines


def parse_line(line: str) -> ContentLine:
    """Split ``NAME;PARAM=value;PARAM="quoted:value":VALUE`` respecting quoted parameter values."""
    i, n = 0, len(line)
    while i < n and line[i] not in ";:":
        i += 1
    name = line[:i].upper()
    if not name or i == n:
        raise InvalidCalendar(f"not a content line: {line[:40]!r}")
    params: dict[str, str] = {}
    while line[i] == ";":
        eq = line.find("=", i)
        if eq < 0:
            raise InvalidCalendar(f"parameter without a value in {name}")
        key = line[i + 1 : eq].upper()
        i = eq + 1
        if i < n and line[i] == '"':
            close = line.find('"', i + 1)
            if close < 0:
                raise InvalidCalendar(f"unterminated quoted parameter in {name}")
            params[key] = line[i + 1 : close]
            i = close + 1
        else:
            start = i
            while i < n and line[i] not in ";:":
                i += 1
            params[key] = line[start:i]
        if i >= n:
            raise InvalidCalendar(f"{name} has no value")
    return ContentLine(name, MappingProxyType(params), line[i + 1 :])


def parse_calendar(text: str) -> Component:
    """Parse iCalendar text into its single top-level VCALENDAR component."""
    stack: list[tuple[str, list[ContentLine], list[Component]]] = []
    result: Component | None = None
    for line in unfold(text):
        prop = parse_line(line)
        if prop.name == "BEGIN":
            stack.append((prop.value.upper(), [], []))
        elif prop.name == "END":
            if not stack or stack[-1][0] != prop.value.upper():
                raise InvalidCalendar(f"END:{prop.value} does not close the open component")
            name, props, children = stack.pop()
            component = Component(name, tuple(props), tuple(children))
            if stack:
                stack[-1][2].append(component)
            elif result is None:
                result = component
            else:
                raise InvalidCalendar("more than one top-level component")
        elif not stack:
            raise InvalidCalendar(f"{prop.name} outside any component")
        else:
            stack[-1][1].append(prop)
    if stack or result is None or result.name != "VCALENDAR":
        raise InvalidCalendar("the text is not one complete VCALENDAR")
    return result


def parse_utc(value: str) -> datetime:
    """Read a DATE-TIME in UTC form (``19970714T173000Z``), the only form these invitations use."""
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidCalendar(f"not a UTC DATE-TIME: {value!r}") from None
