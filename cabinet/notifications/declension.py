"""Role names in every grammatical case of Russian and Kazakh, as a notice needs them — pure data.

A summons says in what capacity a person is called (Civil Procedure Code art. 128(2)), and in
Russian that capacity follows «в качестве», which governs the genitive: «в качестве ответчика»,
never «в качестве ответчик». Kazakh says the same with the postposition «ретінде» after the bare
(nominative) noun — «жауапкер ретінде» — and addresses a person in the dative: «талапкерге». Both
languages decline the role name, so the names are a table of role × case, written out form by form
rather than generated: Kazakh suffixes follow vowel harmony and consonant assimilation and Russian
nouns follow their declension class, and a table is what a court translator can check and correct
line by line. ``tests/cabinet/notifications/test_declension.py`` states every form and checks the
Kazakh suffixes against the harmony rules.

The Kazakh names follow the terms of the Civil Procedure Code where it has one (жауапкер, арыз
беруші, үшінші тұлға, өкіл); the plaintiff is «талапкер», the term the court's notices use.
"""

from __future__ import annotations

import enum
import logging

log = logging.getLogger(__name__)


class RussianCase(enum.Enum):
    NOMINATIVE = "nominative"
    GENITIVE = "genitive"
    DATIVE = "dative"
    ACCUSATIVE = "accusative"
    INSTRUMENTAL = "instrumental"
    PREPOSITIONAL = "prepositional"


class KazakhCase(enum.Enum):
    """Атау, ілік, барыс, табыс, жатыс, шығыс, көмектес септік."""

    NOMINATIVE = "nominative"
    GENITIVE = "genitive"
    DATIVE = "dative"
    ACCUSATIVE = "accusative"
    LOCATIVE = "locative"
    ABLATIVE = "ablative"
    INSTRUMENTAL = "instrumental"


_R = RussianCase
_K = KazakhCase


def _ru(nom: str, gen: str, dat: str, acc: str, ins: str, pre: str) -> dict[RussianCase, str]:
    return {_R.NOMINATIVE: nom, _R.GENITIVE: gen, _R.DATIVE: dat, _R.ACCUSATIVE: acc, _R.INSTRUMENTAL: ins,
            _R.PREPOSITIONAL: pre}


def _kk(nom: str, gen: str, dat: str, acc: str, loc: str, abl: str, ins: str) -> dict[KazakhCase, str]:
    return {_K.NOMINATIVE: nom, _K.GENITIVE: gen, _K.DATIVE: dat, _K.ACCUSATIVE: acc, _K.LOCATIVE: loc,
            _K.ABLATIVE: abl, _K.INSTRUMENTAL: ins}


RUSSIAN: dict[str, dict[RussianCase, str]] = {
    "plaintiff": _ru("истец", "истца", "истцу", "истца", "истцом", "истце"),
    "defendant": _ru("ответчик", "ответчика", "ответчику", "ответчика", "ответчиком", "ответчике"),
    "applicant": _ru("заявитель", "заявителя", "заявителю", "заявителя", "заявителем", "заявителе"),
    "third_party": _ru("третье лицо", "третьего лица", "третьему лицу", "третье лицо", "третьим лицом",
                       "третьем лице"),
    "representative": _ru("представитель", "представителя", "представителю", "представителя", "представителем",
                           "представителе"),
    "lawyer": _ru("адвокат", "адвоката", "адвокату", "адвоката", "адвокатом", "адвокате"),
    "witness": _ru("свидетель", "свидетеля", "свидетелю", "свидетеля", "свидетелем", "свидетеле"),
    "expert": _ru("эксперт", "эксперта", "эксперту", "эксперта", "экспертом", "эксперте"),
    "interpreter": _ru("переводчик", "переводчика", "переводчику", "переводчика", "переводчиком", "переводчике"),
    "prosecutor": _ru("прокурор", "прокурора", "прокурору", "прокурора", "прокурором", "прокуроре"),
    "accused": _ru("обвиняемый", "обвиняемого", "обвиняемому", "обвиняемого", "обвиняемым", "обвиняемом"),
    "victim": _ru("потерпевший", "потерпевшего", "потерпевшему", "потерпевшего", "потерпевшим", "потерпевшем"),
    "appellant": _ru("апеллянт", "апеллянта", "апеллянту", "апеллянта", "апеллянтом", "апеллянте"),
    "judge": _ru("судья", "судьи", "судье", "судью", "судьёй", "судье"),
    "clerk": _ru("секретарь судебного заседания", "секретаря судебного заседания", "секретарю судебного заседания",
                 "секретаря судебного заседания", "секретарём судебного заседания", "секретаре судебного заседания"),
    "observer": _ru("наблюдатель", "наблюдателя", "наблюдателю", "наблюдателя", "наблюдателем", "наблюдателе"),
}

KAZAKH: dict[str, dict[KazakhCase, str]] = {
    "plaintiff": _kk("талапкер", "талапкердің", "талапкерге", "талапкерді", "талапкерде", "талапкерден",
                     "талапкермен"),
    "defendant": _kk("жауапкер", "жауапкердің", "жауапкерге", "жауапкерді", "жауапкерде", "жауапкерден",
                     "жауапкермен"),
    "applicant": _kk("арыз беруші", "арыз берушінің", "арыз берушіге", "арыз берушіні", "арыз берушіде",
                     "арыз берушіден", "арыз берушімен"),
    "third_party": _kk("үшінші тұлға", "үшінші тұлғаның", "үшінші тұлғаға", "үшінші тұлғаны", "үшінші тұлғада",
                       "үшінші тұлғадан", "үшінші тұлғамен"),
    "representative": _kk("өкіл", "өкілдің", "өкілге", "өкілді", "өкілде", "өкілден", "өкілмен"),
    "lawyer": _kk("адвокат", "адвокаттың", "адвокатқа", "адвокатты", "адвокатта", "адвокаттан", "адвокатпен"),
    "witness": _kk("куә", "куәнің", "куәге", "куәні", "куәде", "куәден", "куәмен"),
    "expert": _kk("сарапшы", "сарапшының", "сарапшыға", "сарапшыны", "сарапшыда", "сарапшыдан", "сарапшымен"),
    "interpreter": _kk("аудармашы", "аудармашының", "аудармашыға", "аудармашыны", "аудармашыда", "аудармашыдан",
                       "аудармашымен"),
    "prosecutor": _kk("прокурор", "прокурордың", "прокурорға", "прокурорды", "прокурорда", "прокурордан",
                      "прокурормен"),
    "accused": _kk("айыпталушы", "айыпталушының", "айыпталушыға", "айыпталушыны", "айыпталушыда",
                   "айыпталушыдан", "айыпталушымен"),
    "victim": _kk("жәбірленуші", "жәбірленушінің", "жәбірленушіге", "жәбірленушіні", "жәбірленушіде",
                  "жәбірленушіден", "жәбірленушімен"),
    "appellant": _kk("апелляциялық шағым беруші", "апелляциялық шағым берушінің", "апелляциялық шағым берушіге",
                     "апелляциялық шағым берушіні", "апелляциялық шағым берушіде", "апелляциялық шағым берушіден",
                     "апелляциялық шағым берушімен"),
    "judge": _kk("судья", "судьяның", "судьяға", "судьяны", "судьяда", "судьядан", "судьямен"),
    "clerk": _kk("сот отырысының хатшысы", "сот отырысының хатшысының", "сот отырысының хатшысына",
                 "сот отырысының хатшысын", "сот отырысының хатшысында", "сот отырысының хатшысынан",
                 "сот отырысының хатшысымен"),
    "observer": _kk("бақылаушы", "бақылаушының", "бақылаушыға", "бақылаушыны", "бақылаушыда", "бақылаушыдан",
                    "бақылаушымен"),
}

ENGLISH: dict[str, str] = {
    "plaintiff": "plaintiff", "defendant": "defendant", "applicant": "applicant", "third_party": "third party",
    "representative": "representative", "lawyer": "lawyer", "witness": "witness", "expert": "expert",
    "interpreter": "interpreter", "prosecutor": "prosecutor", "accused": "accused", "victim": "victim",
    "appellant": "appellant", "judge": "judge", "clerk": "court clerk", "observer": "observer",
}

ROLES = frozenset(RUSSIAN)


def known(role: str | None) -> bool:
    return role in ROLES


def russian(role: str, case: RussianCase) -> str:
    return RUSSIAN[role][case]


def kazakh(role: str, case: KazakhCase) -> str:
    return KAZAKH[role][case]


def name(role: str, language: str) -> str:
    """The role's name as a label shows it (the nominative); a code we do not know, as written."""
    if role not in ROLES:
        return role
    if language == "kk":
        return kazakh(role, _K.NOMINATIVE)
    if language == "ru":
        return russian(role, _R.NOMINATIVE)
    return ENGLISH[role]


def in_capacity(role: str, language: str) -> str:
    """"In the capacity of": «в качестве ответчика», «жауапкер ретінде», "as the defendant"."""
    if language == "kk":
        return f"{kazakh(role, _K.NOMINATIVE)} ретінде"
    if language == "ru":
        return f"в качестве {russian(role, _R.GENITIVE)}"
    return f"as the {ENGLISH[role]}"


def to_role(role: str, language: str) -> str:
    """Addressed to the role (the dative): «ответчику», «жауапкерге», "to the defendant"."""
    if language == "kk":
        return kazakh(role, _K.DATIVE)
    if language == "ru":
        return russian(role, _R.DATIVE)
    return f"to the {ENGLISH[role]}"
