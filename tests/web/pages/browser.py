"""Real Chromium for the page tests: Debian's /usr/bin/chromium driven by Playwright for Python.

No browser is ever downloaded (never ``playwright install``). One browser per test session, a
fresh context per test; axe-core (from the npm lock file) runs inside the page; screenshots go to
``var/screenshots/`` where the README sends people to look at them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import REPO, require

CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--disable-dev-shm-usage",
    # The stand-in NCALayer serves wss:// with a self-signed certificate, as the real one does
    # (people install NCALayer's own root; the test browser is told to accept it instead).
    "--ignore-certificate-errors",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def require_chromium() -> None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        require(False, "playwright is not installed (make install)")
    require(CHROMIUM.is_file() or shutil.which("chromium") is not None,
            "chromium is not installed (apt-get install chromium)")
    require(AXE.is_file(), "node_modules/axe-core is missing (make install runs npm ci)")


def launch(playwright: Any) -> Any:
    executable = str(CHROMIUM) if CHROMIUM.is_file() else shutil.which("chromium")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page (evaluated through the DevTools protocol: the page's CSP stays on)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)


def _english_only() -> dict[str, tuple[str, ...]]:
    """For kk and ru: the catalog's English sentences whose translation differs (a page in that
    language must show none of them)."""
    from web.i18n import translations

    found: dict[str, tuple[str, ...]] = {}
    catalog = translations("en")._catalog  # type: ignore[attr-defined]
    messages = [m for m in catalog if isinstance(m, str) and m and "%(" not in m and len(m.split()) >= 3]
    for language in ("kk", "ru"):
        words = translations(language)
        found[language] = tuple(m for m in messages if words.gettext(m) != m)
    return found


_ENGLISH: dict[str, tuple[str, ...]] = {}


def untranslated(page: Any, language: str) -> list[str]:
    """Sentences of the English catalog showing on a kk or ru page (its text and its labels)."""
    if language == "en":
        return []
    if not _ENGLISH:
        _ENGLISH.update(_english_only())
    text = str(page.evaluate("""() => [document.body.innerText, document.title,
        ...[...document.querySelectorAll('[aria-label],[title],[alt],[placeholder]')].map(
            (el) => [el.getAttribute('aria-label'), el.getAttribute('title'), el.getAttribute('alt'),
                     el.getAttribute('placeholder')].filter(Boolean).join(' '))].join('\\n')"""))
    return [message for message in _ENGLISH[language] if message in text]


def assert_translated(page: Any, language: str) -> None:
    assert page.evaluate("document.documentElement.lang") == language
    left = untranslated(page, language)
    assert not left, f"English left on a {language} page: {left}"


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def inline_scripts(page: Any) -> list[str]:
    """Script elements with inline code, and inline event handler / style attributes, on the page."""
    return list(page.evaluate("""() => {
        const found = [];
        for (const s of document.querySelectorAll('script')) {
            if (!s.src && s.type !== 'application/json') found.push('script: ' + s.textContent.slice(0, 80));
        }
        for (const el of document.querySelectorAll('*')) {
            for (const attr of el.attributes) {
                if (attr.name.startsWith('on') || attr.name === 'style') found.push(el.tagName + '@' + attr.name);
            }
            if (el.tagName === 'STYLE') found.push('style element');
        }
        return found;
    }"""))
