"""Every error code the platform can answer with has a message people read, in kk, ru and en.

The codes are found in the code itself, not listed by hand: each typed error's ``default_code``,
every literal ``code=`` given to a typed error, the verifier's failure codes, the codes the HTTP
middleware and the socket.io namespaces write into ``{"error": {"code": ...}}``, and the IIN/BIN
codes made from the identifier's kind. A new code without words fails here.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from cabinet.eds.verifier import FailureCode
from core.errors import SotkabError
from tests.conftest import REPO
from web.i18n import LANGUAGES, translations
from web.pages.error_messages import ERROR_MESSAGES, message_for

LAYERS = ("core", "cabinet", "sessions", "recordings", "signaling", "media", "web")
FORMATTED = {"invalid_iin", "invalid_bin"}
"""Codes built as ``f"invalid_{kind}"`` (``cabinet.identifiers``, ``cabinet.filing.forms``)."""


def _sources() -> Iterator[Path]:
    for layer in LAYERS:
        yield from (REPO / layer).rglob("*.py")


def _module(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


def _error_classes() -> dict[str, type[SotkabError]]:
    for path in _sources():
        if path.name != "__main__.py":
            importlib.import_module(_module(path))
    found: dict[str, type[SotkabError]] = {"SotkabError": SotkabError}
    pending: list[type[SotkabError]] = [SotkabError]
    while pending:
        for sub in pending.pop().__subclasses__():
            found[sub.__name__] = sub
            pending.append(sub)
    return found


def _raised_codes() -> set[str]:
    classes = _error_classes()
    codes = {cls.default_code for cls in classes.values() if getattr(cls, "default_code", None)}
    codes |= {code.value for code in FailureCode} | FORMATTED
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name in classes or name == "_refuse":
                    codes |= {kw.value.value for kw in node.keywords if kw.arg == "code"
                              and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)}
                if name == "error_response" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                    codes.add(node.args[1].value)
            if isinstance(node, ast.Dict):
                pairs = {k.value: v for k, v in zip(node.keys, node.values, strict=True)
                         if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                code = pairs.get("code")
                if "message" in pairs and isinstance(code, ast.Constant) and isinstance(code.value, str):
                    codes.add(code.value)
    from core.middleware import _HTTP_CODES
    return codes | set(_HTTP_CODES.values())


def test_the_walk_finds_the_codes_it_should() -> None:
    """A check on the walk itself: codes of each kind of source are found."""
    codes = _raised_codes()
    assert {"bad_request", "not_judge_of_case", "certificate_expired", "internal_error", "invalid_bin",
            "unknown_event", "method_not_allowed", "schedule_conflict"} <= codes
    assert len(codes) > 200


def test_every_error_code_raised_anywhere_has_a_message() -> None:
    missing = sorted(_raised_codes() - set(ERROR_MESSAGES))
    assert not missing, f"add a message to web/pages/error_messages.py for: {missing}"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_message_is_translated(language: str) -> None:
    english = translations("en")
    untranslated = sorted(code for code, message in ERROR_MESSAGES.items()
                          if translations(language).gettext(message) == english.gettext(message))
    assert not untranslated, untranslated


def test_a_code_without_words_reads_as_try_again_in_each_language() -> None:
    texts = {message_for("a_code_nobody_raises", language) for language in LANGUAGES}
    assert len(texts) == 3
