"""Every notice kind, in every language, written wholly in that language from the facts it needs.

Facts here are digits and punctuation only, so any letter in a rendered title or body came from the
template: a Kazakh notice carries Kazakh letters and no Latin, a Russian one no Kazakh-only letters
and no Latin, an English one no Cyrillic at all.
"""

from __future__ import annotations

import re

import pytest

from cabinet.notifications.errors import NoticeInvalid
from cabinet.notifications.notices import NoticeKind
from cabinet.notifications.wording import LANGUAGES, checked_facts, optional, required, word

_KAZAKH_ONLY = re.compile("[ӘәҒғҚқҢңӨөҰұҮүҺһІі]")
_CYRILLIC = re.compile("[А-Яа-яЁё]")
_LATIN = re.compile("[A-Za-z]")
_URL = re.compile(r"https://\S+")


def _facts(kind: NoticeKind, *, with_optional: bool) -> dict[str, str]:
    names = required(kind) | (optional(kind) if with_optional else frozenset())
    return {name: ("https://1.2/3" if name.endswith("_url") else f"{index + 10}-{index}")
            for index, name in enumerate(sorted(names))}


def _letters(text: str) -> str:
    return _URL.sub("", text)


CASES = [(kind, language, extra, capacity) for kind in NoticeKind for language in LANGUAGES
         for extra in (False, True) for capacity in (None, "defendant", "judge")]


@pytest.mark.parametrize(("kind", "language", "extra", "capacity"), CASES)
def test_each_kind_is_written_wholly_in_the_readers_language(kind: NoticeKind, language: str, extra: bool,
                                                            capacity: str | None) -> None:
    words = word(kind, language, checked_facts(kind, _facts(kind, with_optional=extra)), capacity)
    for part in (words.title, words.body):
        text = _letters(part)
        assert "{" not in text and "}" not in text, part
        if language == "en":
            assert not _CYRILLIC.search(text), part
        else:
            assert not _LATIN.search(text), part
            assert _CYRILLIC.search(text), part
        if language == "ru":
            assert not _KAZAKH_ONLY.search(text), part
    if language == "kk":
        assert _KAZAKH_ONLY.search(words.title), f"a Kazakh title with no Kazakh letter is likely Russian: {words}"


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_optional_fact_given_is_said(kind: NoticeKind) -> None:
    facts = _facts(kind, with_optional=True)
    for language in LANGUAGES:
        body = word(kind, language, checked_facts(kind, facts)).body
        for name, value in facts.items():
            assert value in body or value in word(kind, language, facts).title, (kind, language, name)


def test_a_summons_declines_the_capacity_in_russian_and_kazakh() -> None:
    facts = {"case_number": "7594-26-00-2/000017"}
    assert "в качестве ответчика." in word(NoticeKind.HEARING_SCHEDULED, "ru", facts, "defendant").body
    assert "сот отырысына жауапкер ретінде шақырыласыз" in word(NoticeKind.HEARING_SCHEDULED, "kk", facts,
                                                                 "defendant").body
    assert "as the plaintiff." in word(NoticeKind.HEARING_SCHEDULED, "en", facts, "plaintiff").body
    assert "в качестве третьего лица" in word(NoticeKind.HEARING_MOVED, "ru", facts, "third_party").body


def test_a_capacity_the_court_wrote_in_its_own_words_is_left_out_of_the_sentence() -> None:
    body = word(NoticeKind.HEARING_SCHEDULED, "ru", {"case_number": "1"}, "законный представитель").body
    assert body == "Вы вызываетесь в судебное заседание по делу 1."


def test_the_judge_is_told_the_case_is_theirs() -> None:
    facts = {"case_number": "1", "judge": "СУДЬЯЕВ САПАР"}
    assert word(NoticeKind.JUDGE_ASSIGNED, "ru", facts, "judge").title == "Вам распределено дело 1"
    assert word(NoticeKind.JUDGE_ASSIGNED, "ru", facts, "plaintiff").title == "По делу 1 назначен судья"


@pytest.mark.parametrize(("facts", "field"), [
    ({}, "case_number"),
    ({"case_number": " \n"}, "case_number"),
    ({"case_number": "1", "colour": "red"}, "colour"),
    ({"case_number": "1", "reason": "я" * 1001}, "reason"),
])
def test_a_notice_with_a_missing_unknown_empty_or_overlong_fact_is_refused(facts: dict[str, str],
                                                                          field: str) -> None:
    with pytest.raises(NoticeInvalid) as refused:
        checked_facts(NoticeKind.HEARING_CANCELLED, facts)
    assert refused.value.details == {"field": field}


def test_an_empty_optional_fact_is_dropped_not_said() -> None:
    facts = checked_facts(NoticeKind.HEARING_CANCELLED, {"case_number": "1", "reason": "  "})
    assert facts == {"case_number": "1"}
    assert "Причина" not in word(NoticeKind.HEARING_CANCELLED, "ru", facts).body


def test_line_breaks_become_spaces_but_no_break_spaces_in_money_stay() -> None:
    facts = checked_facts(NoticeKind.FEE_DUE_SOON, {"incoming_number": "N-1", "amount": "10\u00a0000,00\u00a0₸",
                                                    "reference": "R-1", "due_date": "01.04.2026",
                                                    "article": "135", "reason": "a\n\n b"})
    assert facts["amount"] == "10\u00a0000,00\u00a0₸" and facts["reason"] == "a b"
