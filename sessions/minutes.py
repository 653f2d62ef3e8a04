"""Render a hearing's event log as the text of its minutes (protocol).

The minutes are drawn from the log and nothing else, so what the court certifies is exactly what
the system recorded. Messages people wrote to the court staff privately are not part of the record
unless asked for; everything else is, in order, with who did it and when (UTC).
"""

from __future__ import annotations

import logging
from datetime import datetime

from sessions.hearings import HearingRole
from sessions.labels import Language, action_label, phrase, role_label, state_label, value_label, word
from sessions.lifecycle import Action, ChatChannel, Hearing, HearingEvent, MediaKind, PauseReason, SuspendReason

logger = logging.getLogger(__name__)


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")


def _who(hearing: Hearing, user_id: str | None, language: Language) -> str:
    if user_id is None:
        return word("system", language)
    person = hearing.plan.participant(user_id)
    if person is None:
        return f"{user_id} ({role_label(HearingRole.OBSERVER, language)})"
    return f"{person.display_name} ({role_label(person.role, language)})"


def _describe(hearing: Hearing, event: HearingEvent, language: Language) -> str:
    text = f"{_who(hearing, event.actor, language)}: {action_label(event.action, language)}"
    details = event.details
    if event.action is Action.CHAT:
        channel = ChatChannel(details.get("channel", ChatChannel.ALL.value))
        return f"{text} {value_label(channel, language)}: «{details.get('text', '')}»"
    if event.target is not None and event.action not in (Action.RAISE_HAND, Action.SUSPEND):
        text += f" — {_who(hearing, event.target, language)}"
    if "media" in details:
        text += f" ({value_label(MediaKind(details['media']), language)})"
    if "reason" in details:
        reason = details["reason"]
        if event.action is Action.PAUSE:
            reason = value_label(PauseReason(reason), language)
        elif event.action is Action.SUSPEND:
            reason = value_label(SuspendReason(reason), language)
        text += f"; {word('reason', language)}: {reason}"
    if "new_start" in details:
        text += f"; {word('new_start', language)}: {_when(datetime.fromisoformat(details['new_start']))}"
    if details.get("automatic") == "yes":
        text += f" ({word('automatic', language)})"
    return text


def render_minutes(
    hearing: Hearing, language: Language = Language.EN, *, include_staff_chat: bool = False
) -> str:
    """The minutes of ``hearing`` as plain text, one numbered line per logged event."""
    language = Language(language)
    plan = hearing.plan
    publicity = word("open" if plan.is_open else "closed", language)
    minutes = int(plan.duration.total_seconds() // 60)
    lines = [
        word("minutes", language),
        f"{word('case', language)}: {plan.case_id}",
        f"{word('courtroom', language)}: {plan.courtroom_id}",
        f"{word('scheduled', language)}: {_when(plan.start)} ({minutes} min)",
        f"{word('format', language)}: {value_label(plan.format, language)}; {publicity}",
        f"{word('participants', language)}:",
    ]
    for person in plan.participants:
        line = f"  - {person.display_name} — {role_label(person.role, language)}"
        if person.represents is not None:
            line += f", {phrase('acting_for', _who(hearing, person.represents, language), language)}"
        lines.append(line)
    lines.append(f"{word('events', language)}:")
    for event in hearing.events:
        if (
            event.action is Action.CHAT
            and event.details.get("channel") == ChatChannel.STAFF.value
            and not include_staff_chat
        ):
            continue
        lines.append(f"  {event.seq}. {_when(event.at)} {_describe(hearing, event, language)}")
    lines.append(f"{word('state', language)}: {state_label(hearing.state, language)}")
    return "\n".join(lines) + "\n"
