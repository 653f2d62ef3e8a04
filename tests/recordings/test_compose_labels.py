"""The composed record speaks the hearing's language: each tile's name and role, and what a grey tile says."""

from __future__ import annotations

import pytest

from recordings.compose import gap_text, hearing_language, tile_label
from sessions.labels import Language

ALICE = {"id": "7", "name": "Alice Ivanova", "role": "plaintiff"}


@pytest.mark.parametrize(("language", "label", "paused", "left"), [
    ("en", "Alice Ivanova — plaintiff", "recording paused", "left the hearing"),
    ("ru", "Alice Ivanova — истец", "запись приостановлена", "покинул заседание"),
    ("kk", "Alice Ivanova — талапкер", "жазба тоқтатылды", "отырыстан шықты"),
])
def test_tiles_are_labelled_in_the_language_of_the_minutes(language: str, label: str, paused: str, left: str) -> None:
    manifest = {"minutes": {"file": "minutes.txt", "sha256": "0" * 64, "language": language}}
    said = hearing_language(manifest)
    assert said is Language(language)
    assert tile_label(ALICE, said) == label
    assert gap_text("recording_paused", said) == paused
    assert gap_text("left:removed", said) == left
    assert gap_text("something new", said) == gap_text("no_video", said) != ""


def test_a_record_without_minutes_or_with_an_unknown_language_is_labelled_in_russian() -> None:
    for manifest in ({}, {"minutes": None}, {"minutes": {"language": "de"}}):
        assert hearing_language(manifest) is Language.RU
    assert tile_label({"name": "X", "role": "bailiff"}, Language.EN) == "X — bailiff"  # an unknown role as it is
