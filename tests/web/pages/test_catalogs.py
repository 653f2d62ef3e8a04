"""The words of the pages: every message in the code is in every catalog, translated, not fuzzy."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.conftest import REPO
from web.i18n import CATALOG_DIR, LANGUAGES, translations
from web.pages.refusals import LOGIN_MESSAGES

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")


def _extracted() -> set[str]:
    method_map = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(REPO), method_map=method_map, options_map=options):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog(language: str) -> dict[str, tuple[str, bool]]:
    with (CATALOG_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    return {str(m.id): (str(m.string), m.fuzzy) for m in catalog if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_of_the_code_is_translated_in_the_catalog(language: str) -> None:
    catalog = _catalog(language)
    missing = sorted(_extracted() - set(catalog))
    assert not missing, f"run `make i18n-update` and translate in {language}: {missing}"
    untranslated = sorted(message for message, (text, fuzzy) in catalog.items() if not text.strip() or fuzzy)
    assert not untranslated, f"untranslated or fuzzy in {language}: {untranslated}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language: str) -> None:
    for message, (text, _fuzzy) in _catalog(language).items():
        assert set(_PLACEHOLDER.findall(message)) == set(_PLACEHOLDER.findall(text)), (language, message)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_kazakh_and_russian_are_not_left_in_english(language: str) -> None:
    """A copied English string passes the "not empty" check; it must still be in the language."""
    loanwords = {"Sot Kabinet"}
    english = [message for message, (text, _f) in _catalog(language).items()
               if message not in loanwords and not _CYRILLIC.search(text)]
    assert not english, english


def test_the_compiled_catalogs_are_the_current_ones() -> None:
    """The .mo the server loads was compiled from the .po beside it (``make install`` does it)."""
    for language in LANGUAGES:
        source = CATALOG_DIR / language / "LC_MESSAGES" / "messages.po"
        compiled = source.with_suffix(".mo")
        assert compiled.stat().st_mtime >= source.stat().st_mtime, f"stale {compiled}: run make i18n-compile"
        for message, (text, _fuzzy) in _catalog(language).items():
            assert translations(language).gettext(message) == text


def test_every_login_refusal_has_a_message_in_each_language() -> None:
    for code, message in LOGIN_MESSAGES.items():
        texts = {translations(language).gettext(message) for language in LANGUAGES}
        assert len(texts) == 3, (code, texts)


def test_no_template_holds_text_outside_the_catalog() -> None:
    """Words written straight into a template would never be translated."""
    text_between_tags = re.compile(r">([^<>{}]*[A-Za-zА-Яа-я][^<>{}]*)<")
    for template in Path(REPO / "web" / "templates").rglob("*.html"):
        stray = [t.strip() for t in text_between_tags.findall(template.read_text()) if t.strip()]
        assert not stray, (template.name, stray)


def _without_creation_date(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if not line.startswith('"POT-Creation-Date:')]


def test_the_makefile_round_trip_keeps_every_catalog_compilable(tmp_path: Path) -> None:
    """``make i18n-update i18n-compile`` on a copy of the catalogs changes nothing in them (they are
    kept sorted and current, so a change to the words is a readable diff), nothing turns fuzzy (the
    header survives), every catalog compiles, and every translation reads as before."""
    shutil.copytree(CATALOG_DIR, tmp_path / "i18n", ignore=shutil.ignore_patterns("*.mo", "*.py", "__pycache__"))
    done = subprocess.run(["make", "-s", "-C", str(REPO), "-o", ".venv/.installed", f"I18N={tmp_path / 'i18n'}",
                           "i18n-update", "i18n-compile"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    written = {path.relative_to(tmp_path / "i18n"): path for path in (tmp_path / "i18n").rglob("*.po*")}
    stale = sorted(str(name) for name, path in written.items()
                   if _without_creation_date(path) != _without_creation_date(CATALOG_DIR / name))
    assert not stale, f"run `make i18n-update`: {stale} are not what it writes (sorted, current)"
    for language in LANGUAGES:
        source = tmp_path / "i18n" / language / "LC_MESSAGES" / "messages.po"
        with source.open("rb") as fh:
            catalog = read_po(fh)
        assert not catalog.fuzzy, f"{language}: the header was lost and the catalog turned fuzzy"
        assert catalog.charset == "utf-8"
        updated = {str(m.id): str(m.string) for m in catalog if m.id}
        assert updated == {message: text for message, (text, _f) in _catalog(language).items()}, language
        with source.with_suffix(".mo").open("rb") as fh:
            compiled = gettext.GNUTranslations(fh)
        for message, text in updated.items():
            assert compiled.gettext(message) == text, (language, message)


def test_compiling_a_fuzzy_catalog_fails_loudly(tmp_path: Path) -> None:
    """pybabel skips a fuzzy catalog and exits 0; the Makefile must not pass that off as compiled."""
    shutil.copytree(CATALOG_DIR, tmp_path / "i18n", ignore=shutil.ignore_patterns("*.mo", "*.py", "__pycache__"))
    source = tmp_path / "i18n" / "ru" / "LC_MESSAGES" / "messages.po"
    source.write_text("#, fuzzy\n" + source.read_text().split("\n", 1)[1])
    done = subprocess.run(["make", "-s", "-C", str(REPO), "-o", ".venv/.installed", f"I18N={tmp_path / 'i18n'}",
                           "i18n-compile"], capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "fuzzy" in done.stderr
    assert not source.with_suffix(".mo").exists()
