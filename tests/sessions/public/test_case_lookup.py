"""GET /api/v1/public/cases/{number}: what anyone may learn about a case without logging in.

Specification:
- an open-category case shows its court, kind and category, status, judge, filing and registration
  dates and next hearing — and nothing about its parties (no names, IINs, BINs, no title);
- a closed-category case (juveniles, family, state secrets, sexual offences) answers exactly as a
  number that does not exist, to anyone, logged in or not, whether the closure shows in the number
  or only in the case's flag;
- a malformed number is ``400 invalid_case_number``; the slash may be sent as is or as ``%2F``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.db import Database
from tests.cabinet.conftest import CabinetApp, Cast, bearer, seed_court
from tests.cabinet.filing.conftest import Court, registered_case
from tests.sessions.public.conftest import ALICE, BOB, FILED, add_case

URL = "/api/v1/public/cases/"


def _no_personal_data(body: Any) -> None:
    text = json.dumps(body, ensure_ascii=False)
    for secret in (*ALICE, *BOB, "ӘЛИЕВА", "БЕКОВ", "Recovery of a loan", "plaintiff", "defendant"):
        assert secret not in text, f"{secret!r} leaked into the public answer"


async def test_an_open_case_registered_through_the_court_is_public_without_its_parties(court: Court) -> None:
    _, number = await registered_case(court)

    response = await court.client.get(URL + number)

    assert response.status == 200, await response.text()
    assert response.headers["Cache-Control"] == "public, max-age=30"
    body = await response.json()
    assert body["number"] == number
    assert body["court"] == {"code": "7594", "region": "Алматы", "name": {
        "kk": "Алматы қаласының Алмалы аудандық соты", "ru": "Алмалинский районный суд города Алматы",
        "en": "Almaly District Court of Almaty"}}
    assert body["case_kind"] == "civil"
    assert body["category"] == {"code": "01", "title": "Contract and property disputes"}
    assert body["status"] == "registered"
    assert body["judge"]["name"] in {"СУДЬЯЕВ САПАР", "ТӨРЕЕВА ТОМИРИС"}  # assigned automatically
    assert body["filed_at"] <= body["registered_at"]
    assert body["next_hearing"] is None
    assert set(body) == {"number", "court", "case_kind", "category", "status", "filed_at", "registered_at",
                         "judge", "next_hearing"}
    _no_personal_data(body)


async def test_a_closed_family_case_answers_exactly_as_an_unknown_number(court: Court) -> None:
    _, number = await registered_case(court, category="03")  # family matters: a closed category
    unknown = number[:-6] + "999999"

    closed = await court.client.get(URL + number)
    missing = await court.client.get(URL + unknown)
    as_party = await court.client.get(URL + number, headers=await court.as_("alice"))

    assert closed.status == missing.status == as_party.status == 404
    closed_body, missing_body = await closed.json(), await missing.json()
    assert closed_body == await as_party.json()
    assert json.dumps(closed_body).replace(number, "N") == json.dumps(missing_body).replace(unknown, "N")
    assert closed_body["error"]["code"] == "case_not_found"
    assert closed.headers.keys() - {"Date"} == missing.headers.keys() - {"Date"}
    _no_personal_data(closed_body)
    # the party still has the case in the cabinet, behind a login
    own = await court.client.get(f"/api/v1/cases/{number}", headers=await court.as_("alice"))
    assert own.status == 200


@pytest.fixture
async def seeded(cabinet_app: CabinetApp, cast: Cast, db: Database) -> CabinetApp:
    await seed_court(db, cast)
    return cabinet_app


@pytest.mark.parametrize(("kind", "digit", "category"), [
    ("civil", "2", "03"), ("criminal", "1", "01"), ("criminal", "1", "02"), ("criminal", "1", "03"),
    ("administrative", "3", "03"),
])
async def test_every_closed_category_reveals_nothing(seeded: CabinetApp, db: Database, kind: str, digit: str,
                                                     category: str) -> None:
    number = f"7594-26-{category}-{digit}/000007"
    await add_case(db, number, kind=kind, category=category, closed=True)

    exists = await seeded.client.get(URL + number)
    absent = await seeded.client.get(URL + number.replace("/000007", "/000008"))

    assert exists.status == absent.status == 404
    assert (await exists.text()).replace("000007", "X") == (await absent.text()).replace("000008", "X")


async def test_a_case_flagged_closed_is_hidden_whatever_its_number_says(seeded: CabinetApp, db: Database) -> None:
    await add_case(db, "7594-26-01-2/000011", category="01", closed=True)

    response = await seeded.client.get(URL + "7594-26-01-2/000011")

    assert response.status == 404
    assert await response.json() == {"error": {
        "code": "case_not_found", "message": "no public case with number 7594-26-01-2/000011",
        "details": {"number": "7594-26-01-2/000011"}}}


@pytest.mark.parametrize("status", ["registered", "accepted", "left_without_motion", "scheduled", "heard",
                                    "decided", "appealed", "in_legal_force", "closed", "returned"])
async def test_each_status_is_shown_as_it_stands(seeded: CabinetApp, db: Database, status: str) -> None:
    await add_case(db, "7594-26-00-3/000042", kind="administrative", category="00", status=status)

    response = await seeded.client.get(URL + "7594-26-00-3/000042")

    assert response.status == 200
    body = await response.json()
    assert body["status"] == status
    assert body["case_kind"] == "administrative"
    assert body["category"] == {"code": "00", "title": "General administrative matters"}
    assert body["filed_at"] == FILED.isoformat()


async def test_a_case_without_a_judge_yet_says_so(seeded: CabinetApp, db: Database) -> None:
    await add_case(db, "7594-26-00-1/000001", kind="criminal", category="00", status="registered", judge_iin=None)

    body = await (await seeded.client.get(URL + "7594-26-00-1/000001")).json()

    assert body["judge"] is None
    assert body["case_kind"] == "criminal"


async def test_the_slash_may_be_encoded_and_whitespace_around_the_number_is_ignored(seeded: CabinetApp,
                                                                                     db: Database) -> None:
    await add_case(db, "7594-26-01-2/000005")

    for path in ("7594-26-01-2%2F000005", "7594-26-01-2%2f000005", "%207594-26-01-2/000005%20"):
        response = await seeded.client.get(URL + path)
        assert response.status == 200, path
        assert (await response.json())["number"] == "7594-26-01-2/000005"


async def test_staff_and_citizens_get_the_public_answer_too(seeded: CabinetApp, cast: Cast, db: Database) -> None:
    await add_case(db, "7594-26-01-2/000006")
    await add_case(db, "7594-26-03-2/000007", category="03", closed=True)

    anonymous = await (await seeded.client.get(URL + "7594-26-01-2/000006")).json()
    for person in (cast.judge, cast.alice):
        headers = await bearer(seeded, person)
        assert await (await seeded.client.get(URL + "7594-26-01-2/000006", headers=headers)).json() == anonymous
        closed = await seeded.client.get(URL + "7594-26-03-2/000007", headers=headers)
        assert closed.status == 404


@pytest.mark.parametrize("text", [
    "abc", "7594-26-00-2", "7594-26-00-2/1", "7594-26-00-4/000001", "7594-26-00-0/000001", "7594-26-0-2/000001",
    "7594-2026-00-2/000001", "7594-26-00-2/0000001", "7594-26-00-2/000000", "x594-26-00-2/000001",
    "7594-26-00-2/000001/extra", "7594-26-00-2/00000１", "' OR 1=1 --", "%00", "7" * 5000, "%E2%80%8B",
])
async def test_a_malformed_number_is_a_400_and_nothing_else(seeded: CabinetApp, text: str) -> None:
    response = await seeded.client.get(URL + text)

    assert response.status == 400, text
    body = await response.json()
    assert body["error"]["code"] == "invalid_case_number"
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


async def test_an_unknown_court_or_sequence_is_simply_not_found(seeded: CabinetApp) -> None:
    for number in ("9999-26-00-2/000001", "7594-26-00-2/000001", "7594-99-00-2/000001"):
        response = await seeded.client.get(URL + number)
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "case_not_found"


async def test_only_get_is_offered(seeded: CabinetApp, db: Database) -> None:
    await add_case(db, "7594-26-01-2/000009")

    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = await seeded.client.request(method, URL + "7594-26-01-2/000009")
        assert response.status == 405
        assert (await response.json())["error"]["code"] == "method_not_allowed"
