"""Human words for hearing roles, states and actions, in the languages the minutes are written in.

Minutes and invitations are legal documents read by people, so codes such as ``in_session`` never
reach them raw. Each entry is (English, Russian, Kazakh): Kazakh is the state language and Russian
is used officially beside it (Constitution of the RK, art. 7; proceedings are in the language the
court sets, CPC art. 14), so a hearing's minutes are written in the hearing's language.
Kazakh verbs carry no gender, so its actions need no "(а)".
"""

from __future__ import annotations

from enum import StrEnum

from sessions.hearings import HearingFormat, HearingRole
from sessions.lifecycle import Action, ChatChannel, HearingState, MediaKind, PauseReason, SuspendReason


class Language(StrEnum):
    EN = "en"
    RU = "ru"
    KK = "kk"


_INDEX = {Language.EN: 0, Language.RU: 1, Language.KK: 2}


_ROLES: dict[HearingRole, tuple[str, str, str]] = {
    HearingRole.JUDGE: ("judge", "судья", "судья"),
    HearingRole.CLERK: ("court clerk", "секретарь судебного заседания", "сот отырысының хатшысы"),
    HearingRole.PLAINTIFF: ("plaintiff", "истец", "талапкер"),
    HearingRole.DEFENDANT: ("defendant", "ответчик", "жауапкер"),
    HearingRole.REPRESENTATIVE: ("representative", "представитель", "өкіл"),
    HearingRole.PROSECUTOR: ("prosecutor", "прокурор", "прокурор"),
    HearingRole.WITNESS: ("witness", "свидетель", "куә"),
    HearingRole.EXPERT: ("expert", "эксперт", "сарапшы"),
    HearingRole.INTERPRETER: ("interpreter", "переводчик", "аудармашы"),
    HearingRole.OBSERVER: ("observer", "наблюдатель", "бақылаушы"),
}

_STATES: dict[HearingState, tuple[str, str, str]] = {
    HearingState.SCHEDULED: ("scheduled", "назначено", "тағайындалды"),
    HearingState.LOBBY_OPEN: ("waiting room open", "зал ожидания открыт", "күту залы ашық"),
    HearingState.IN_SESSION: ("in session", "идёт заседание", "отырыс жүріп жатыр"),
    HearingState.PAUSED: ("paused", "перерыв", "үзіліс"),
    HearingState.SUSPENDED: ("suspended", "приостановлено", "тоқтатыла тұрды"),
    HearingState.CLOSED: ("closed", "закрыто", "жабылды"),
    HearingState.ADJOURNED: ("adjourned", "отложено", "кейінге қалдырылды"),
    HearingState.CANCELLED: ("cancelled", "отменено", "болдырылмады"),
}

_ACTIONS: dict[Action, tuple[str, str, str]] = {
    Action.OPEN_LOBBY: ("opened the waiting room", "открыл(а) зал ожидания", "күту залын ашты"),
    Action.START: ("opened the hearing", "открыл(а) судебное заседание", "сот отырысын ашты"),
    Action.PAUSE: ("paused the hearing", "объявил(а) перерыв", "үзіліс жариялады"),
    Action.RESUME: ("resumed the hearing", "возобновил(а) заседание", "отырысты жалғастырды"),
    Action.SUSPEND: ("suspended the hearing", "приостановил(а) заседание", "отырысты тоқтата тұрды"),
    Action.CLOSE: ("closed the hearing", "закрыл(а) судебное заседание", "сот отырысын жапты"),
    Action.ADJOURN: ("adjourned the hearing", "отложил(а) судебное заседание", "сот отырысын кейінге қалдырды"),
    Action.CANCEL: ("cancelled the hearing", "отменил(а) судебное заседание", "сот отырысын болдырмады"),
    Action.ADMIT: ("admitted", "допустил(а) в зал", "залға кіргізді"),
    Action.CALL: ("called in", "пригласил(а) в зал", "залға шақырды"),
    Action.DISMISS: ("sent to the waiting room", "удалил(а) в зал ожидания", "күту залына шығарды"),
    Action.MUTE: ("muted", "отключил(а) микрофон/камеру", "микрофонын/камерасын өшірді"),
    Action.UNMUTE: ("unmuted", "включил(а) микрофон/камеру", "микрофонын/камерасын қосты"),
    Action.REMOVE: ("removed from the hearing", "удалил(а) из заседания", "отырыстан шығарды"),
    Action.RAISE_HAND: ("raised a hand", "поднял(а) руку", "қол көтерді"),
    Action.LOWER_HAND: ("lowered the hand of", "опустил(а) руку", "қолын түсірді"),
    Action.RECORDING_PAUSE: ("paused the recording", "приостановил(а) запись", "жазуды тоқтата тұрды"),
    Action.RECORDING_RESUME: ("resumed the recording", "возобновил(а) запись", "жазуды жалғастырды"),
    Action.CHAT: ("wrote", "написал(а)", "жазды"),
}

_OTHER: dict[StrEnum, tuple[str, str, str]] = {
    PauseReason.RECESS: ("recess", "перерыв", "үзіліс"),
    PauseReason.DELIBERATION: (
        "the court retired to the deliberation room", "суд удалился в совещательную комнату",
        "сот кеңесу бөлмесіне кетті"),
    SuspendReason.TECHNICAL_FAILURE: ("technical failure", "технический сбой", "техникалық ақау"),
    SuspendReason.JUDGE_CONNECTION_LOST: (
        "the judge's connection was lost", "потеряна связь с судьёй",
        "судьямен байланыс үзілді"),
    MediaKind.AUDIO: ("audio", "звук", "дыбыс"),
    MediaKind.VIDEO: ("video", "видео", "бейне"),
    ChatChannel.ALL: ("to everyone", "всем", "барлығына"),
    ChatChannel.STAFF: ("to the court staff", "сотрудникам суда", "сот қызметкерлеріне"),
    HearingFormat.ONLINE: ("online", "онлайн", "онлайн"),
    HearingFormat.IN_COURTROOM: ("in the courtroom", "в зале суда", "сот залында"),
    HearingFormat.MIXED: (
        "mixed (courtroom and online)", "смешанный (зал суда и онлайн)",
        "аралас (сот залы және онлайн)"),
}

_WORDS: dict[str, tuple[str, str, str]] = {
    "minutes": ("Minutes of the court hearing", "Протокол судебного заседания", "Сот отырысының хаттамасы"),
    "case": ("Case", "Дело", "Іс"),
    "courtroom": ("Courtroom", "Зал суда", "Сот залы"),
    "scheduled": ("Scheduled", "Назначено на", "Тағайындалған уақыты"),
    "format": ("Format", "Формат", "Өткізу нысаны"),
    "open": ("open hearing", "открытое заседание", "ашық отырыс"),
    "closed": ("closed hearing", "закрытое заседание", "жабық отырыс"),
    "participants": ("Participants", "Участники", "Қатысушылар"),
    "events": ("Course of the hearing", "Ход заседания", "Отырыстың барысы"),
    "state": ("Final state", "Итоговое состояние", "Қорытынды жағдайы"),
    "system": ("System", "Система", "Жүйе"),
    "reason": ("reason", "причина", "себебі"),
    "new_start": ("new date", "новая дата", "жаңа күні"),
    "automatic": ("automatically", "автоматически", "автоматты түрде"),
    "acting_for": ("acting for", "в интересах", "мүддесінде"),
    "court": ("Court", "Суд", "Сот"),
    "time": ("Time", "Время", "Уақыты"),
    "place": ("Place", "Место", "Орны"),
    "join": ("Join online", "Подключиться онлайн", "Онлайн қосылу"),
    "summoned": ("Summoned", "Вызывается", "Шақырылады"),
    "capacity": ("in the capacity of", "в качестве", "ретінде"),
    "hearing_of_case": ("Court hearing, case", "Судебное заседание по делу", "Сот отырысы, іс"),
    "cancelled_notice": (
        "This hearing has been cancelled.", "Судебное заседание отменено.",
        "Сот отырысы болдырылмады."),
}


def _pick(pair: tuple[str, str, str], language: Language) -> str:
    return pair[_INDEX[Language(language)]]


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


def phrase(key: str, subject: str, language: Language) -> str:
    """``word(key)`` joined to ``subject``: Kazakh has postpositions ("X ретінде", "X мүддесінде")."""
    if Language(language) is Language.KK:
        return f"{subject} {word(key, language)}"
    return f"{word(key, language)} {subject}"


def courtroom_place(court: str, room: str, language: Language) -> str:
    """``Court, courtroom: Зал 1``: where a hearing sits, in notices, invitations and the pages.

    A courtroom's stored name is a proper name ("Зал 1", "№ 7", "Малый зал"), so it stands as it is
    after a label: worked into a phrase ("зал Зал 1", «Зал 1 залы») it repeats the word whenever the
    name already holds it, as most courts' names do."""
    return f"{court}, {word('courtroom', language).lower()}: {room}"
