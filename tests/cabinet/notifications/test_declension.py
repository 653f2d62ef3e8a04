"""Role names declined: every role in every case of Russian and Kazakh, stated form by form.

The forms below are the specification a court translator checks; the table in
``cabinet.notifications.declension`` must say exactly the same. The Kazakh forms are also checked
against the suffix rules (vowel harmony, the consonant a suffix follows), so a slip in the table —
«жауапкерға», «адвокатты» written «адвокатді» — fails even where the specification was copied.
"""

from __future__ import annotations

import pytest

from cabinet.notifications import declension
from cabinet.notifications.declension import KazakhCase, RussianCase

R, K = RussianCase, KazakhCase

RUSSIAN_FORMS = {
    "plaintiff": ["истец", "истца", "истцу", "истца", "истцом", "истце"],
    "defendant": ["ответчик", "ответчика", "ответчику", "ответчика", "ответчиком", "ответчике"],
    "applicant": ["заявитель", "заявителя", "заявителю", "заявителя", "заявителем", "заявителе"],
    "third_party": ["третье лицо", "третьего лица", "третьему лицу", "третье лицо", "третьим лицом", "третьем лице"],
    "representative": ["представитель", "представителя", "представителю", "представителя", "представителем",
                       "представителе"],
    "lawyer": ["адвокат", "адвоката", "адвокату", "адвоката", "адвокатом", "адвокате"],
    "witness": ["свидетель", "свидетеля", "свидетелю", "свидетеля", "свидетелем", "свидетеле"],
    "expert": ["эксперт", "эксперта", "эксперту", "эксперта", "экспертом", "эксперте"],
    "interpreter": ["переводчик", "переводчика", "переводчику", "переводчика", "переводчиком", "переводчике"],
    "prosecutor": ["прокурор", "прокурора", "прокурору", "прокурора", "прокурором", "прокуроре"],
    "accused": ["обвиняемый", "обвиняемого", "обвиняемому", "обвиняемого", "обвиняемым", "обвиняемом"],
    "victim": ["потерпевший", "потерпевшего", "потерпевшему", "потерпевшего", "потерпевшим", "потерпевшем"],
    "appellant": ["апеллянт", "апеллянта", "апеллянту", "апеллянта", "апеллянтом", "апеллянте"],
    "judge": ["судья", "судьи", "судье", "судью", "судьёй", "судье"],
    "clerk": [f"{head} судебного заседания" for head in
              ("секретарь", "секретаря", "секретарю", "секретаря", "секретарём", "секретаре")],
    "observer": ["наблюдатель", "наблюдателя", "наблюдателю", "наблюдателя", "наблюдателем", "наблюдателе"],
}

KAZAKH_FORMS = {
    "plaintiff": ["талапкер", "талапкердің", "талапкерге", "талапкерді", "талапкерде", "талапкерден", "талапкермен"],
    "defendant": ["жауапкер", "жауапкердің", "жауапкерге", "жауапкерді", "жауапкерде", "жауапкерден", "жауапкермен"],
    "applicant": [f"арыз {w}" for w in ("беруші", "берушінің", "берушіге", "берушіні", "берушіде", "берушіден",
                                         "берушімен")],
    "third_party": [f"үшінші {w}" for w in ("тұлға", "тұлғаның", "тұлғаға", "тұлғаны", "тұлғада", "тұлғадан",
                                            "тұлғамен")],
    "representative": ["өкіл", "өкілдің", "өкілге", "өкілді", "өкілде", "өкілден", "өкілмен"],
    "lawyer": ["адвокат", "адвокаттың", "адвокатқа", "адвокатты", "адвокатта", "адвокаттан", "адвокатпен"],
    "witness": ["куә", "куәнің", "куәге", "куәні", "куәде", "куәден", "куәмен"],
    "expert": ["сарапшы", "сарапшының", "сарапшыға", "сарапшыны", "сарапшыда", "сарапшыдан", "сарапшымен"],
    "interpreter": ["аудармашы", "аудармашының", "аудармашыға", "аудармашыны", "аудармашыда", "аудармашыдан",
                    "аудармашымен"],
    "prosecutor": ["прокурор", "прокурордың", "прокурорға", "прокурорды", "прокурорда", "прокурордан", "прокурормен"],
    "accused": ["айыпталушы", "айыпталушының", "айыпталушыға", "айыпталушыны", "айыпталушыда", "айыпталушыдан",
                "айыпталушымен"],
    "victim": ["жәбірленуші", "жәбірленушінің", "жәбірленушіге", "жәбірленушіні", "жәбірленушіде", "жәбірленушіден",
               "жәбірленушімен"],
    "appellant": [f"апелляциялық шағым {w}" for w in ("беруші", "берушінің", "берушіге", "берушіні", "берушіде",
                                                       "берушіден", "берушімен")],
    "judge": ["судья", "судьяның", "судьяға", "судьяны", "судьяда", "судьядан", "судьямен"],
    "clerk": [f"сот отырысының {w}" for w in ("хатшысы", "хатшысының", "хатшысына", "хатшысын", "хатшысында",
                                              "хатшысынан", "хатшысымен")],
    "observer": ["бақылаушы", "бақылаушының", "бақылаушыға", "бақылаушыны", "бақылаушыда", "бақылаушыдан",
                 "бақылаушымен"],
}

_RUSSIAN_CASES = list(RussianCase)
_KAZAKH_CASES = list(KazakhCase)


def test_both_tables_name_the_same_roles_and_english_too() -> None:
    assert set(declension.RUSSIAN) == set(declension.KAZAKH) == set(declension.ENGLISH) == set(RUSSIAN_FORMS) \
        == set(KAZAKH_FORMS)


@pytest.mark.parametrize(("role", "case"), [(r, c) for r in RUSSIAN_FORMS for c in _RUSSIAN_CASES])
def test_russian_form(role: str, case: RussianCase) -> None:
    assert declension.russian(role, case) == RUSSIAN_FORMS[role][_RUSSIAN_CASES.index(case)]


@pytest.mark.parametrize(("role", "case"), [(r, c) for r in KAZAKH_FORMS for c in _KAZAKH_CASES])
def test_kazakh_form(role: str, case: KazakhCase) -> None:
    assert declension.kazakh(role, case) == KAZAKH_FORMS[role][_KAZAKH_CASES.index(case)]


_BACK, _FRONT = set("аоұыуя"), set("әеөүіи")
_VOICELESS = set("пфктшсчщхқ")
_SONORANT = set("лрмнңуйж")


def _expected_suffixes(stem: str) -> dict[KazakhCase, str]:
    """The Kazakh case suffixes a stem takes, from its last vowel and last sound (no possessive)."""
    vowel = next(ch for ch in reversed(stem) if ch in _BACK | _FRONT)
    front = vowel in _FRONT
    last = stem[-1]
    ends_vowel = last in _BACK | _FRONT
    a, y = ("е", "і") if front else ("а", "ы")
    gen_d = "н" if ends_vowel else ("т" if last in _VOICELESS else "д")
    dat_g = ("г" if front else "ғ") if last not in _VOICELESS else ("к" if front else "қ")
    loc_d = "т" if last in _VOICELESS else "д"
    acc_d = "н" if ends_vowel else ("т" if last in _VOICELESS else "д")
    ins_m = "м" if ends_vowel or last in _SONORANT else ("п" if last in _VOICELESS else "б")
    return {K.NOMINATIVE: "", K.GENITIVE: f"{gen_d}{y}ң", K.DATIVE: f"{dat_g}{a}", K.ACCUSATIVE: f"{acc_d}{y}",
            K.LOCATIVE: f"{loc_d}{a}", K.ABLATIVE: f"{'н' if last in 'мнң' else loc_d}{a}н",
            K.INSTRUMENTAL: f"{ins_m}ен"}


@pytest.mark.parametrize("role", sorted(set(KAZAKH_FORMS) - {"clerk"}))
def test_kazakh_forms_follow_vowel_harmony_and_the_last_sound(role: str) -> None:
    """``clerk`` ends in a possessive (хатшы-сы), which takes the pronominal -н-: checked above form by form."""
    stem = declension.kazakh(role, K.NOMINATIVE)
    for case, suffix in _expected_suffixes(stem).items():
        assert declension.kazakh(role, case) == stem + suffix, (role, case)


@pytest.mark.parametrize("role", sorted(RUSSIAN_FORMS))
def test_the_capacity_phrase_declines_the_role(role: str) -> None:
    assert declension.in_capacity(role, "ru") == f"в качестве {RUSSIAN_FORMS[role][1]}"
    assert declension.in_capacity(role, "kk") == f"{KAZAKH_FORMS[role][0]} ретінде"
    assert declension.to_role(role, "ru") == RUSSIAN_FORMS[role][2]
    assert declension.to_role(role, "kk") == KAZAKH_FORMS[role][2]
    assert declension.in_capacity(role, "en").startswith("as the ")


def test_the_summons_examples_of_the_issue() -> None:
    assert declension.in_capacity("defendant", "ru") == "в качестве ответчика"
    assert declension.in_capacity("defendant", "kk") == "жауапкер ретінде"
    assert declension.to_role("plaintiff", "kk") == "талапкерге"


def test_a_role_the_table_does_not_know_is_named_as_written() -> None:
    assert declension.name("законный представитель", "ru") == "законный представитель"
    assert not declension.known("законный представитель") and not declension.known(None)
