"""Who may see and do what: every cell of the policy as a spec, the relation rules, and a subset over HTTP."""

from __future__ import annotations

import pytest

from cabinet.filing.access import (
    POLICY,
    Action,
    Actor,
    Caller,
    Resource,
    Subject,
    acting_as,
    allowed,
    permits,
    relations_to,
)
from core.clock import COURT_TIME
from tests.cabinet.filing.conftest import Court, claim_body, pdf, registered_case

# v = view, d = download, a = act; "" = nothing. Rows: actors; columns: resources.
SPEC: dict[Actor, dict[Resource, str]] = {
    Actor.PARTY: {Resource.FILING_DRAFT: "vda", Resource.SUBMITTED_FILING: "vd", Resource.CASE: "vda",
                  Resource.DOCUMENT: "vd", Resource.JUDICIAL_ACT: "vd", Resource.CLOSED_CASE: "vda"},
    Actor.OTHER_PARTY: {Resource.FILING_DRAFT: "", Resource.SUBMITTED_FILING: "", Resource.CASE: "vda",
                        Resource.DOCUMENT: "vd", Resource.JUDICIAL_ACT: "vd", Resource.CLOSED_CASE: "vda"},
    Actor.LAWYER: {Resource.FILING_DRAFT: "", Resource.SUBMITTED_FILING: "vd", Resource.CASE: "vda",
                   Resource.DOCUMENT: "vd", Resource.JUDICIAL_ACT: "vd", Resource.CLOSED_CASE: "vda"},
    Actor.JUDGE_OF_CASE: {Resource.FILING_DRAFT: "", Resource.SUBMITTED_FILING: "vd", Resource.CASE: "vda",
                          Resource.DOCUMENT: "vd", Resource.JUDICIAL_ACT: "vda", Resource.CLOSED_CASE: "vda"},
    Actor.OTHER_JUDGE: {Resource.FILING_DRAFT: "", Resource.SUBMITTED_FILING: "", Resource.CASE: "v",
                        Resource.DOCUMENT: "", Resource.JUDICIAL_ACT: "", Resource.CLOSED_CASE: ""},
    Actor.CLERK: {Resource.FILING_DRAFT: "", Resource.SUBMITTED_FILING: "vda", Resource.CASE: "vda",
                  Resource.DOCUMENT: "vd", Resource.JUDICIAL_ACT: "vd", Resource.CLOSED_CASE: "vda"},
    Actor.COURT_ADMIN: {Resource.FILING_DRAFT: "", Resource.SUBMITTED_FILING: "v", Resource.CASE: "v",
                        Resource.DOCUMENT: "", Resource.JUDICIAL_ACT: "", Resource.CLOSED_CASE: ""},
    Actor.STRANGER: dict.fromkeys(Resource, ""),
    Actor.ANONYMOUS: dict.fromkeys(Resource, ""),
}
_LETTER = {Action.VIEW: "v", Action.DOWNLOAD: "d", Action.ACT: "a"}
CELLS = [(actor, resource, action) for actor in Actor for resource in Resource for action in Action]


@pytest.mark.parametrize(("actor", "resource", "action"), CELLS,
                         ids=[f"{a.value}-{r.value}-{x.value}" for a, r, x in CELLS])
def test_every_cell_of_the_access_matrix(actor: Actor, resource: Resource, action: Action) -> None:
    expected = _LETTER[action] in SPEC[actor][resource]
    assert permits([actor], resource, action) is expected
    assert (action in allowed(actor, resource)) is expected


def test_the_spec_covers_the_whole_policy_and_nothing_more() -> None:
    assert set(SPEC) == set(Actor) and all(set(row) == set(Resource) for row in SPEC.values())
    granted = {(a, r) for (a, r), actions in POLICY.items() if actions}
    assert granted == {(a, r) for a, row in SPEC.items() for r, letters in row.items() if letters}


def test_download_and_act_never_come_without_view() -> None:
    for actions in POLICY.values():
        assert not actions or Action.VIEW in actions


COURT, OTHER_COURT = 1, 2
CASE = Subject(court_id=COURT, party_iins=frozenset({"111", "222"}), lawyer_iins=frozenset({"333"}), judge_id=10)
DOC_BY_111 = Subject(court_id=COURT, author_iins=frozenset({"111"}), party_iins=CASE.party_iins,
                     lawyer_iins=CASE.lawyer_iins, judge_id=10)


@pytest.mark.parametrize(("caller", "subject", "expected"), [
    (Caller(None), CASE, {Actor.ANONYMOUS}),
    (Caller(5, "999"), CASE, {Actor.STRANGER}),
    (Caller(1, "111"), CASE, {Actor.PARTY}),
    (Caller(2, "222"), DOC_BY_111, {Actor.OTHER_PARTY}),
    (Caller(1, "111"), DOC_BY_111, {Actor.PARTY}),
    (Caller(3, "333"), CASE, {Actor.LAWYER}),
    (Caller(10, "777", judge_courts=frozenset({COURT})), CASE, {Actor.JUDGE_OF_CASE}),
    (Caller(11, "778", judge_courts=frozenset({COURT})), CASE, {Actor.OTHER_JUDGE}),
    (Caller(10, "777", judge_courts=frozenset({OTHER_COURT})), CASE, {Actor.STRANGER}),
    (Caller(12, "779", clerk_courts=frozenset({COURT})), CASE, {Actor.CLERK}),
    (Caller(12, "779", clerk_courts=frozenset({OTHER_COURT})), CASE, {Actor.STRANGER}),
    (Caller(13, "780", admin_courts=frozenset({COURT})), CASE, {Actor.COURT_ADMIN}),
    (Caller(14, "111", clerk_courts=frozenset({COURT})), CASE, {Actor.PARTY, Actor.CLERK}),
    (Caller(1, "111"), Subject(court_id=None, owner_id=1), {Actor.PARTY}),
    (Caller(12, "779", clerk_courts=frozenset({COURT})), Subject(court_id=None, owner_id=1), {Actor.STRANGER}),
], ids=["anonymous", "stranger", "party", "other-party", "author", "lawyer", "judge-of-case", "other-judge",
        "judge-elsewhere", "clerk", "clerk-elsewhere", "admin", "party-who-is-clerk", "draft-owner", "draft-clerk"])
def test_how_a_caller_relates_to_an_object(caller: Caller, subject: Subject, expected: set[Actor]) -> None:
    assert relations_to(caller, subject) == expected


def test_the_strongest_relation_decides_the_role_in_the_state_machine() -> None:
    assert acting_as({Actor.PARTY, Actor.CLERK}) is Actor.CLERK
    assert acting_as({Actor.LAWYER, Actor.JUDGE_OF_CASE}) is Actor.JUDGE_OF_CASE
    assert acting_as({Actor.STRANGER}) is None


async def _status(court: Court, who: str | None, url: str) -> int:
    return (await court.get(who, url)).status


async def test_the_matrix_holds_over_http_for_an_open_case(court: Court) -> None:
    filing_id, number = await registered_case(court)
    case_file = await (await court.get("alice", f"/api/v1/cases/{number}")).json()
    doc_url = case_file["documents"][0]["download_url"]
    expectations = {  # who: (case view, document download, receipt download)
        "alice": (200, 200, 200), "bob": (200, 200, 404), "judge": (200, 200, 200),
        "judge2": (200, 403, 404), "clerk": (200, 200, 200), "admin": (200, 403, 403),
        "carol": (404, 404, 404), "lawyer": (404, 404, 404), None: (404, 404, 404),
    }
    for who, (view, download, receipt) in expectations.items():
        assert await _status(court, who, f"/api/v1/cases/{number}") == view, who
        assert await _status(court, who, doc_url) == download, who
        assert await _status(court, who, f"/api/v1/filings/{filing_id}/receipt") == receipt, who


async def test_a_closed_category_case_is_invisible_to_colleagues_and_outsiders(court: Court) -> None:
    _, number = await registered_case(court, category="03")  # family matters
    expectations = {"alice": 200, "bob": 200, "judge": 200, "clerk": 200, "judge2": 404, "admin": 404,
                    "carol": 404, None: 404}
    for who, status in expectations.items():
        assert await _status(court, who, f"/api/v1/cases/{number}") == status, who
    for who, listed in (("judge2", 0), ("admin", 0), ("clerk", 1), ("judge", 1)):
        found = await (await court.get(who, "/api/v1/staff/cases")).json()
        assert found["total"] == listed, who


async def test_only_the_owner_sees_a_draft(court: Court) -> None:
    draft = await court.create("alice", claim_body("850505300456"))
    assert (await court.upload("alice", draft["id"], pdf())).status == 201
    for who, status in (("alice", 200), ("bob", 404), ("clerk", 404), ("judge", 404), ("admin", 404), (None, 404)):
        assert await _status(court, who, f"/api/v1/filings/{draft['id']}") == status, who
    assert (await court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/register")).status == 404


async def test_staff_search_by_number_party_judge_status_and_date(court: Court) -> None:
    _, first = await registered_case(court)
    _, second = await registered_case(court)
    assert (await court.post("judge", f"/api/v1/staff/cases/{first}/accept")).status in (200, 403)

    async def search(query: str, who: str = "clerk") -> list[str]:
        response = await court.get(who, f"/api/v1/staff/cases?{query}")
        assert response.status == 200, await response.text()
        return sorted(c["number"] for c in (await response.json())["cases"])

    both = sorted([first, second])
    assert await search("") == both
    assert await search(f"number={first}") == [first]
    assert await search("party=850505300456") == both
    assert await search("party=беков") == both  # case-blind in Cyrillic, on SQLite too
    assert await search("party=nobody") == []
    # The range is in court dates: from 19:00 UTC the court is already on the next day.
    today = court.app.clock.now().astimezone(COURT_TIME).date().isoformat()
    assert await search(f"from={today}&to={today}") == both
    assert await search("from=2001-01-01&to=2001-12-31") == []
    assert await search("limit=1") in ([first], [second])
    bad = await court.get("clerk", "/api/v1/staff/cases?status=sleeping")
    assert bad.status == 400 and (await bad.json())["error"]["code"] == "invalid_query"
    refused = await court.get("alice", "/api/v1/staff/cases")
    assert refused.status == 403 and (await refused.json())["error"]["code"] == "not_court_staff"
