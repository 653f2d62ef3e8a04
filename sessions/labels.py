"""Human words for hearing roles, states and actions, in the languages the minutes are written in.

Minutes and invitations are legal documents read by people, so codes such as ``in_session`` never
reach them raw. Kazakh joins English and Russian with the web package's translations.
"""

from __future__ import annotations

from enum import StrEnum

from sessions.hearings import HearingFormat, HearingRole
from sessions.lifecycle import Action, ChatChannel, HearingState, MediaKind, PauseReason, SuspendReason


class Language(StrEnum):
    EN = "en"
    RU = "ru"


_ROLES: dict[HearingRole, tuple[str, str]] = {
    HearingRole.JUDGE: ("judge", "судья"),
    HearingRole.CLERK: ("court clerk", "секретарь судебного заседания"),
    HearingRole.PLAINTIFF: ("plaintiff", "истец"),
    HearingRole.DEFENDANT: ("defendant", "ответчик"),
    HearingRole.REPRESENTATIVE: ("representative", "представитель"),
    HearingRole.PROSECUTOR: ("prosecutor", "прокурор"),
    HearingRole.WITNESS: ("witness", "свидетель"),
    HearingRole.EXPERT: ("expert", "эксперт"),
    HearingRole.INTERPRETER: ("interpreter", "переводчик"),
    HearingRole.OBSERVER: ("observer", "наблюдатель"),
}

_STATES: dict[HearingState, tuple[str, str]] = {
    HearingState.SCHEDULED: ("scheduled", "назначено"),
    HearingState.LOBBY_OPEN: ("waiting room open", "зал ожидания открыт"),
    HearingState.IN_SESSION: ("in session", "идёт заседание"),
    HearingState.PAUSED: ("paused", "перерыв"),
    HearingState.SUSPENDED: ("suspended", "приостановлено"),
    HearingState.CLOSED: ("closed", "закрыто"),
    HearingState.ADJOURNED: ("adjourned", "отложено"),
    HearingState.CANCELLED: ("cancelled", "отменено"),
}

_ACTIONS: dict[Action, tuple[str, str]] = {
    Action.OPEN_LOBBY: ("opened the waiting room", "открыл(а) зал ожидания"),
    Action.START: ("opened the hearing", "открыл(а) судебное заседание"),
    Action.PAUSE: ("paused the hearing", "объявил(а) перерыв"),
    Action.RESUME: ("resumed the hearing", "возобновил(а) заседание"),
    Action.SUSPEND: ("suspended the hearing", "приостановил(а) заседание"),
    Action.CLOSE: ("closed the hearing", "закрыл(а) судебное заседание"),
    Action.ADJOURN: ("adjourned the hearing", "отложил(а) судебное заседание"),
    Action.CANCEL: ("cancelled the hearing", "отменил(а) судебное заседание"),
    Action.ADMIT: ("admitted", "допустил(а) в зал"),
    Action.CALL: ("called in", "пригласил(а) в зал"),
    Action.DISMISS: ("sent to the waiting room", "удалил(а) в зал ожидания"),
    Action.MUTE: ("muted", "отключил(а) микрофон/камеру"),
    Action.UNMUTE: ("unmuted", "включил(а) микрофон/камеру"),
    Action.REMOVE: ("removed from the hearing", "удалил(а) из заседания"),
    Action.RAISE_HAND: ("raised a hand", "поднял(а) руку"),
    Action.LOWER_HAND: ("lowered the hand of", "опустил(а) руку"),
    Action.RECORDING_PAUSE: ("paused the recording", "приостановил(а) запись"),
    Action.RECORDING_RESUME: ("resumed the recording", "возобновил(а) запись"),
    Action.CHAT: ("wrote", "написал(а)"),
}

_OTHER: dict[StrEnum, tuple[str, str]] = {
    PauseReason.RECESS: ("recess", "перерыв"),
    PauseReason.DELIBERATION: ("the court retired to the deliberation room", "суд удалился в совещательную комнату"),
    SuspendReason.TECHNICAL_FAILURE: ("technical failure", "технический сбой"),
    SuspendReason.JUDGE_CONNECTION_LOST: ("the judge's connection was lost", "потеряна связь с судьёй"),
    MediaKind.AUDIO: ("audio", "звук"),
    MediaKind.VIDEO: ("video", "видео"),
    ChatChannel.ALL: ("to everyone", "всем"),
    ChatChannel.STAFF: ("to the court staff", "сотрудникам суда"),
    HearingFormat.ONLINE: ("online", "онлайн"),
    HearingFormat.IN_COURTROOM: ("in the courtroom", "в зале суда"),
    HearingFormat.MIXED: ("mixed (courtroom and online)", "смешанный (зал суда и онлайн)"),
}

_WORDS: dict[str, tuple[str, str]] = {
    "minutes": ("Minutes of the court hearing", "Протокол судебного заседания"),
    "case": ("Case", "Дело"),
    "courtroom": ("Courtroom", "Зал"),
    "scheduled": ("Scheduled", "Назначено на"),
    "format": ("Format", "Формат"),
    "open": ("open hearing", "открытое заседание"),
    "closed": ("closed hearing", "закрытое заседание"),
    "participants": ("Participants", "Участники"),
    "events": ("Course of the hearing", "Ход заседания"),
    "state": ("Final state", "Итоговое состояние"),
    "system": ("System", "Система"),
    "reason": ("reason", "причина"),
    "new_start": ("new date", "новая дата"),
    "automatic": ("automatically", "автоматически"),
    "acting_for": ("acting for", "в интересах"),
    "court": ("Court", "Суд"),
    "time": ("Time", "Время"),
    "place": ("Place", "Место"),
    "join": ("Join online", "Подключиться онлайн"),
    "summoned": ("Summoned", "Вызывается"),
    "capacity": ("in the capacity of", "в качестве"),
    "hearing_of_case": ("Court hearing, case", "Судебное заседание по делу"),
    "cancelled_notice": ("This hearing has been cancelled.", "Судебное заседание отменено."),
}


def _pick(pair: tuple[str, str], language: Language) -> str:
    return pair[0] if Language(language) is Language.EN else pair[1]


def role_label(role: HearingRole, language: Language) -> str:
    return _pick(_ROLES[HearingRole(role)], language)


def state_label(state: HearingState, language: Language) -> str:
    return _pick(_STATES[HearingState(state)], language)


def action_label(action: Action, language: Language) -> str:
    return _pick(_ACTIONS[Action(action)], language)


def value_label(value: StrEnum, language: Language) -> str:
    """A reason, media kind, chat channel or format in words."""
    return _pick(_OTHER[value], language)


def word(key: str, language: Language) -> str:
    return _pick(_WORDS[key], language)
