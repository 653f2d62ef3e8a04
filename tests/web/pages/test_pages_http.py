"""The pages over plain HTTP on both databases: languages, security headers, CSRF, assets, errors.

What a hostile site or a curious person would try: posting our forms from elsewhere, replaying
another browser's token, sending people away through ``next``, planting markup in a name.
"""

from __future__ import annotations

import base64
import re
import shutil
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from cabinet.eds.ca import IssuedPerson
from cabinet.eds.keys import load_key_file
from core.clock import COURT_TIME_ZONE
from tests.web.pages.conftest import PASSWORD, People
from web.app import create_app

HTML = {"Accept": "text/html"}


def other_browser(client: TestClient[Any, Any]) -> aiohttp.ClientSession:
    """A second browser on the same server: its own cookie jar."""
    return aiohttp.ClientSession(base_url=str(client.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True))


async def page(client: Any, path: str = "/", **headers: str) -> tuple[int, str, Any]:
    response = await client.get(path, headers={**HTML, **headers})
    return response.status, await response.text(), response


def root(language: str) -> str:
    """A page's root element: its language, and court time's zone for the times its scripts write."""
    return f'<html lang="{language}" data-court-time-zone="{COURT_TIME_ZONE}">'


def token_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', html)
    assert found, "no CSRF token in the page"
    return found[1]


async def log_in(client: Any, person: IssuedPerson) -> str:
    nonce = (await (await client.post("/api/v1/auth/challenge")).json())["nonce"]
    signature = load_key_file(person.auth.p12, PASSWORD).sign(base64.b64decode(nonce), detached=True)
    response = await client.post("/api/v1/auth/login",
                                 json={"nonce": nonce, "signature": base64.b64encode(signature).decode()})
    assert response.status == 200, await response.text()
    return str((await response.json())["token"])


async def test_home_is_a_page_in_kazakh_by_default(client: TestClient[Any, Any]) -> None:
    status, html, response = await page(client, "/")
    assert status == 200 and response.content_type == "text/html"
    assert root("kk") in html and "Соттың онлайн кабинеті" in html
    assert response.headers["Content-Language"] == "kk"


@pytest.mark.parametrize(("header", "expected"), [
    ("ru-RU,ru;q=0.9,en;q=0.8", "ru"), ("en-GB", "en"), ("de-DE, en;q=0.5", "en"),
    ("kk-KZ;q=0.2, ru;q=0.8", "ru"), ("fr", "kk"), ("", "kk"), ("ru;q=abc, en", "en"), ("*", "kk")])
async def test_the_browser_language_is_followed(client: TestClient[Any, Any], header: str, expected: str) -> None:
    _status, html, _response = await page(client, "/", **{"Accept-Language": header})
    assert root(expected) in html


async def test_every_page_names_court_time_for_its_scripts(people: People, client: TestClient[Any, Any]) -> None:
    """Scripts write times too (the hearing room's minutes, the bench's equipment checks); left to
    the browser's own zone they would disagree with the server's court time on the same page."""
    for language in ("kk", "ru", "en"):
        for path in ("/", "/login", "/no-such-page"):
            _status, html, _response = await page(client, path, **{"Accept-Language": language})
            assert root(language) in html, (language, path)
    await log_in(client, people.aliya)
    for path in ("/cabinet", "/cabinet/notices"):
        status, html, _response = await page(client, path)
        assert status == 200 and f'data-court-time-zone="{COURT_TIME_ZONE}"' in html, path


async def test_security_headers_on_pages_and_the_api(client: TestClient[Any, Any]) -> None:
    _status, _html, response = await page(client, "/login")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'none'" and directives["form-action"] == "'self'"
    assert directives["connect-src"] == "'self' wss://127.0.0.1:13579"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "microphone=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would be ignored anyway
    api = await client.get("/api/v1/me")
    assert api.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert api.headers["X-Content-Type-Options"] == "nosniff"


async def test_hsts_when_the_site_is_served_over_tls(people: People, make_config: Any, db: Any) -> None:
    config = make_config(public_url="https://office.court.example")
    shutil.copytree(people.ca_dir, config.pki_dir)
    async with TestClient(TestServer(create_app(config))) as c:
        response = await c.get("/", headers=HTML)
        assert response.headers["Strict-Transport-Security"].startswith("max-age=63072000")


async def test_the_language_switch_is_remembered_in_a_cookie(client: TestClient[Any, Any]) -> None:
    _status, html, _response = await page(client, "/login")
    response = await client.post("/language", data={"csrf_token": token_of(html), "language": "en",
                                                    "next": "/login"}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/login"
    assert response.cookies["sotkab_lang"].value == "en"
    _status, html, _response = await page(client, "/login")
    assert root("en") in html and "Log in with EDS" in html


async def test_a_form_post_without_or_with_a_foreign_token_is_refused(client: TestClient[Any, Any]) -> None:
    _status, html, _response = await page(client, "/")
    mine = token_of(html)
    for form in ({"language": "ru"}, {"language": "ru", "csrf_token": ""}, {"language": "ru", "csrf_token": "0" * 64},
                 {"language": "ru", "csrf_token": mine[:-1] + ("0" if mine[-1] != "0" else "1")}):
        response = await client.post("/language", data=form, headers=HTML, allow_redirects=False)
        assert response.status == 403, form
        assert "sotkab_lang" not in response.cookies
        assert "csrf_token_invalid" in await response.text()
    # Another browser's valid token does not work with this browser's cookie.
    async with other_browser(client) as other:
        response = await other.post("/language", data={"language": "ru", "csrf_token": mine},
                                    allow_redirects=False)
        assert response.status == 403


async def test_a_bad_language_or_a_foreign_next_goes_nowhere(client: TestClient[Any, Any]) -> None:
    _status, html, _response = await page(client, "/")
    token = token_of(html)
    response = await client.post("/language", data={"csrf_token": token, "language": "de"}, headers=HTML)
    assert response.status == 400 and "language_unknown" in await response.text()
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        response = await client.post("/language", data={"csrf_token": token, "language": "ru", "next": target},
                                     allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/", target


async def test_the_language_follows_the_person_to_a_new_browser(people: People, client: TestClient[Any, Any]) -> None:
    await log_in(client, people.aliya)
    _status, html, _response = await page(client, "/")
    assert "ӘЛИЕВА АЛИЯ" in html
    response = await client.post("/language", data={"csrf_token": token_of(html), "language": "ru"},
                                 allow_redirects=False)
    assert response.status == 303
    async with other_browser(client) as laptop:
        await log_in(laptop, people.aliya)
        _status, html, _response = await page(laptop, "/", **{"Accept-Language": "en"})
        assert root("ru") in html and "Вы вошли как ӘЛИЕВА АЛИЯ." in html


async def test_a_token_from_before_login_is_no_good_after(people: People, client: TestClient[Any, Any]) -> None:
    _status, html, _response = await page(client, "/")
    before = token_of(html)
    await log_in(client, people.aliya)
    response = await client.post("/language", data={"csrf_token": before, "language": "en"}, allow_redirects=False)
    assert response.status == 403


async def test_a_cross_site_post_with_the_session_cookie_is_refused(
        people: People, client: TestClient[Any, Any]) -> None:
    await log_in(client, people.aliya)
    _status, html, _response = await page(client, "/")
    response = await client.post("/logout", data={"csrf_token": token_of(html)}, allow_redirects=False,
                                 headers={"Origin": "https://evil.example"})
    assert response.status == 403
    _status, html, _response = await page(client, "/")
    assert "ӘЛИЕВА АЛИЯ" in html  # still logged in


async def test_logout_by_the_form_ends_the_session(people: People, client: TestClient[Any, Any]) -> None:
    token = await log_in(client, people.aliya)
    _status, html, _response = await page(client, "/")
    refused = await client.post("/logout", data={}, allow_redirects=False)
    assert refused.status == 403
    response = await client.post("/logout", data={"csrf_token": token_of(html)}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/"
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 401


async def test_markup_in_a_stored_name_renders_inert(people: People, client: TestClient[Any, Any]) -> None:
    await log_in(client, people.mallory)
    _status, html, _response = await page(client, "/")
    assert "<SCRIPT>" not in html and "<IMG" not in html
    assert "&lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;" in html


async def test_the_login_page_keeps_next_on_this_site(people: People, client: TestClient[Any, Any]) -> None:
    _status, html, _response = await page(client, "/login?next=https://evil.example/")
    assert 'data-next="/cabinet"' in html
    _status, html, _response = await page(client, "/login?next=/cases%3Fq%3D1")
    assert 'data-next="/cases?q=1"' in html
    await log_in(client, people.aliya)
    response = await client.get("/login?next=/", headers=HTML, allow_redirects=False)
    assert response.status == 303


async def test_assets_have_hashed_names_long_caching_and_gzip(client: TestClient[Any, Any]) -> None:
    _status, html, _response = await page(client, "/login")
    scripts = re.findall(r'src="(/static/[^"]+)"', html) + re.findall(r'href="(/static/[^"]+)"', html)
    assert len(scripts) == 2
    for url in scripts:
        assert re.fullmatch(r"/static/[a-z]+\.[A-Z0-9]{8}\.(js|css)", url), url
        response = await client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["Content-Encoding"] == "gzip"
    for bad in ("/static/manifest.json", "/static/..%2Fmanifest.json", "/static/login.js", "/static/nope.ABCDEFGH.js"):
        response = await client.get(bad)
        assert response.status == 404, bad


async def test_errors_are_pages_for_people_and_json_for_the_api(client: TestClient[Any, Any]) -> None:
    status, html, _response = await page(client, "/no-such-page", **{"Accept-Language": "ru"})
    assert status == 404 and "Страница не найдена" in html
    api = await client.get("/api/v1/no-such-thing", headers=HTML)
    assert api.status == 404 and (await api.json())["error"]["code"] == "not_found"
    plain = await client.get("/no-such-page")
    assert plain.status == 404 and (await plain.json())["error"]["code"] == "not_found"


async def test_the_cabinet_sends_strangers_to_log_in_and_back(client: TestClient[Any, Any]) -> None:
    response = await client.get("/cabinet?q=loan", headers=HTML, allow_redirects=False)
    location = urlsplit(response.headers["Location"])
    assert response.status == 303 and location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/cabinet?q=loan"]}
    _status, html, _response = await page(client, "/login?next=%2Fcabinet%3Fq%3Dloan")
    assert 'data-next="/cabinet?q=loan"' in html


async def test_my_cases_are_searched_and_filtered(people: People, client: TestClient[Any, Any], db: Any) -> None:
    from tests.web.pages.test_public_pages import CLOSED, NUMBER, seed

    await seed(db)  # Aliya (900101400123) sues in both cases; one of them is of a closed category
    await log_in(client, people.aliya)
    status, html, _response = await page(client, "/cabinet", **{"Accept-Language": "ru"})
    assert status == 200 and NUMBER in html and CLOSED in html  # her own closed case is hers to see
    assert "Показано дел: 2 из 2." in html and "Истец" in html
    _status, html, _response = await page(client, "/cabinet?q=000002", **{"Accept-Language": "ru"})
    assert CLOSED in html and NUMBER not in html
    _status, html, _response = await page(client, "/cabinet?status=scheduled", **{"Accept-Language": "en"})
    assert NUMBER in html and CLOSED not in html and "Showing 1 of 2 cases." in html
    _status, html, _response = await page(client, "/cabinet?q=nothing-like-it&status=<b>", **{"Accept-Language": "en"})
    assert "No case matches." in html and "<b>" not in html


async def test_someone_elses_cabinet_is_their_own(people: People, client: TestClient[Any, Any], db: Any) -> None:
    from tests.web.pages.test_public_pages import NUMBER, seed

    await seed(db)
    await log_in(client, people.mallory)
    _status, html, _response = await page(client, "/cabinet", **{"Accept-Language": "en"})
    assert NUMBER not in html and "You are not a party to any case yet." in html


async def test_an_unexpected_error_on_a_page_is_a_page_with_a_reference(
        people: People, make_config: Any, db: Any) -> None:
    config = make_config()
    shutil.copytree(people.ca_dir, config.pki_dir)
    app = create_app(config)

    async def boom(request: Any) -> Any:
        raise RuntimeError("secret internal detail")

    app.router.add_get("/test/boom", boom)
    async with TestClient(TestServer(app)) as c:
        status, html, _response = await page(c, "/test/boom", **{"Accept-Language": "en"})
        assert status == 500 and "Sorry, there is a problem with the service" in html
        assert re.search(r"quote this reference: [0-9a-f]{12}\.", html)
        assert "secret internal detail" not in html and "Traceback" not in html


async def test_the_case_page_shows_my_case_and_nobody_elses(
        people: People, client: TestClient[Any, Any], db: Any) -> None:
    from tests.web.pages.test_public_pages import CLOSED, NUMBER, seed

    await seed(db)
    await log_in(client, people.aliya)
    status, html, _response = await page(client, f"/cabinet/cases/{NUMBER}", **{"Accept-Language": "ru"})
    assert status == 200
    assert "Дело № 7594-26-00-2/000001" in html and "Назначено заседание" in html
    assert "Истец: ӘЛИЕВА АЛИЯ" in html and "Ответчик: БЕКОВ БОЛАТ" in html
    assert "10 марта 2026\u202fг., 09:00" in html and "/invitation.ics" in html
    assert "Исковое заявление" in html and "0,00\xa0₸" in html
    status, html, _response = await page(client, f"/cabinet/cases/{CLOSED}", **{"Accept-Language": "ru"})
    assert status == 200  # her own case of a closed category
    async with other_browser(client) as stranger:
        await log_in(stranger, people.mallory)
        for number in (NUMBER, CLOSED, "7594-26-00-2/999999", "garbage"):
            response = await stranger.get(f"/cabinet/cases/{number}", headers=HTML)
            assert response.status in (400, 404), number
            assert "ӘЛИЕВА" not in await response.text()
