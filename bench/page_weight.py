"""Page weight: bytes and requests until each page's first render, measured in real Chromium.

A first visit has an empty cache; a repeat visit has the hashed assets cached for a year (so
only the page itself travels). Bytes are what went over the wire (Chromium's encodedDataLength:
compressed bodies plus headers), counted until the page's ``load`` event — the EDS signer that the
login page loads only when someone signs is not part of a first render, by design.

    python bench/page_weight.py     # needs /usr/bin/chromium and `make install` (npm assets)

Prints a table (first visit vs repeat visit per page) and ends with one JSON line.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cabinet.eds.keys import load_key_file  # noqa: E402
from core.clock import COURT_TIME  # noqa: E402
from tests.web.pages.browser import launch  # noqa: E402
from tests.web.pages.seed_public import OPEN_CASE  # noqa: E402
from tests.web.pages.server import AppServer, start_server  # noqa: E402

TARGET_KB = 150
PASSWORD = b"bench-password"


def measure(context: Any, url: str) -> tuple[int, int]:
    """(bytes over the wire, requests) until ``load`` for one navigation in ``context``."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes: dict[str, int] = {}
    cdp.on("Network.requestWillBeSent", lambda e: sizes.setdefault(e["requestId"], 0))
    cdp.on("Network.loadingFinished", lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    page.goto(url, wait_until="load")
    page.wait_for_timeout(200)  # late loadingFinished events of the load itself
    # Requests answered from the cache (or data: URLs) move no bytes: only network requests count.
    total, count = sum(sizes.values()), sum(1 for size in sizes.values() if size > 0)
    cdp.detach()
    page.close()
    return total, count


def session_token(server: AppServer, p12: bytes) -> str:
    _status, challenge = server.post_json("/api/v1/auth/challenge", {})
    nonce = challenge["nonce"]
    signature = load_key_file(p12, PASSWORD).sign(base64.b64decode(nonce), detached=True)
    status, body = server.post_json("/api/v1/auth/login",
                                    {"nonce": nonce, "signature": base64.b64encode(signature).decode()})
    assert status == 200, body
    return str(body["token"])


def main() -> None:
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="page-weight-"))
    server = start_server(base, ncalayer_url="")
    try:
        person = server.ca.issue_person(iin="900101400123", surname="ӘЛИЕВА", given_name="АЛИЯ", patronymic=None,
                                        password=PASSWORD)
        today = datetime.now(COURT_TIME).date().isoformat()
        subprocess.run([sys.executable, "-c", "import sys, runpy; sys.argv = sys.argv[1:]; "
                        "runpy.run_module('tests.web.pages.seed_public', run_name='__main__')",
                        "seed", server.database_url, today], cwd=REPO, check=True, timeout=120)
        token = session_token(server, person.auth.p12)
        status, draft = server.post_json("/api/v1/filings", {"court": "7594", "case_kind": "civil",
                                                             "filing_type": "statement_of_claim"}, token)
        assert status == 201, draft
        pages = [("home", "/", False), ("login", "/login", False),
                 ("public case lookup", f"/cases/{OPEN_CASE}", False),
                 ("hearings of the day", "/hearings?court=7594", False), ("cabinet (my cases)", "/cabinet", True),
                 ("wizard: court", "/cabinet/filings/new", True),
                 ("wizard: claim and fee", f"/cabinet/filings/{draft['id']}/claim", True),
                 ("wizard: documents", f"/cabinet/filings/{draft['id']}/documents", True)]
        figures: dict[str, tuple[int, int, int, int]] = {}
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for name, path, logged_in in pages:
                context = browser.new_context(locale="ru-RU")
                if logged_in:
                    context.add_cookies([{"name": "sotkab_session", "value": token, "url": server.url}])
                first = measure(context, server.url + path)
                repeat = measure(context, server.url + path)
                figures[name] = (*first, *repeat)
                context.close()
            browser.close()
    finally:
        server.stop()

    print(f"{'page':<22}{'first visit KB':>16}{'requests':>10}{'repeat visit KB':>17}{'requests':>10}")
    for name, (first_bytes, first_count, repeat_bytes, repeat_count) in figures.items():
        print(f"{name:<22}{first_bytes / 1024:>16.1f}{first_count:>10}{repeat_bytes / 1024:>17.1f}{repeat_count:>10}")
    print("bytes = transferred (compressed bodies + headers) until the load event; repeat = hashed assets cached")
    cabinet_kb = figures["cabinet (my cases)"][0] / 1024
    lookup_kb = figures["public case lookup"][0] / 1024
    results = [
        {"name": "cabinet_first_visit_kb", "value": round(cabinet_kb, 1), "unit": "KB transferred to first render",
         "target": TARGET_KB, "met": cabinet_kb <= TARGET_KB},
        {"name": "cabinet_first_visit_requests", "value": figures["cabinet (my cases)"][1], "unit": "requests",
         "target": None, "met": True},
        {"name": "public_lookup_first_visit_kb", "value": round(lookup_kb, 1),
         "unit": "KB transferred to first render", "target": TARGET_KB, "met": lookup_kb <= TARGET_KB},
        {"name": "login_first_visit_kb", "value": round(figures["login"][0] / 1024, 1),
         "unit": "KB transferred to first render", "target": TARGET_KB, "met": figures["login"][0] / 1024 <= TARGET_KB},
    ]
    wizard_kb = max(figures[name][0] for name in figures if name.startswith("wizard")) / 1024
    results.append({"name": "filing_wizard_first_visit_kb", "value": round(wizard_kb, 1),
                    "unit": "KB transferred to first render (heaviest wizard page; the signer loads on use)",
                    "target": TARGET_KB, "met": wizard_kb <= TARGET_KB})
    print(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
