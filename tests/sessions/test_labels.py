"""Where a hearing sits, in words: the court, then the courtroom by its stored name, as it is.

A courtroom's name is a proper name, and most courts' names already hold the word ("Зал 1", "Малый
зал"): worked into a phrase it read «Зал 1 залы» in Kazakh and «зал Зал 1» in Russian. After a label
it reads naturally whatever the name, in every language the court writes in.
"""

from __future__ import annotations

import pytest

from sessions.labels import Language, courtroom_place

COURT = {"kk": "Алматы қаласы Алмалы аудандық соты", "ru": "Алмалинский районный суд города Алматы",
         "en": "Almaly District Court of Almaty"}


@pytest.mark.parametrize(("language", "room", "place"), [
    ("kk", "Зал 1", "Алматы қаласы Алмалы аудандық соты, сот залы: Зал 1"),
    ("ru", "Зал 1", "Алмалинский районный суд города Алматы, зал суда: Зал 1"),
    ("en", "Зал 1", "Almaly District Court of Almaty, courtroom: Зал 1"),
    ("kk", "№ 7", "Алматы қаласы Алмалы аудандық соты, сот залы: № 7"),
    ("ru", "№ 7", "Алмалинский районный суд города Алматы, зал суда: № 7"),
    ("en", "Courtroom 3", "Almaly District Court of Almaty, courtroom: Courtroom 3"),
])
def test_the_courtroom_is_named_as_stored_after_its_label(language: str, room: str, place: str) -> None:
    assert courtroom_place(COURT[language], room, Language(language)) == place


@pytest.mark.parametrize("language", list(Language))
def test_a_name_that_holds_the_word_is_not_worded_again(language: Language) -> None:
    place = courtroom_place(COURT[language.value], "Зал 1", language)
    assert place.count("Зал 1") == 1 and "Зал 1 залы" not in place and "зал Зал 1" not in place.lower()
