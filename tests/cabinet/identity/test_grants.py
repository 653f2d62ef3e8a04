"""Roles are never self-service: a court administrator grants staff roles at their court, a system
administrator lawyer status, the operator's CLI anything; nobody grants to themself."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from cabinet.audit import AuditEntry
from cabinet.courts import CourtSpec, CourtStore
from cabinet.eds.profile import parse_identity
from cabinet.identity.roles import Role
from cabinet.identity.users import PersonName, UserService
from core.clock import SystemClock
from core.db import Database
from core.errors import SotkabError
from tests.cabinet.conftest import CabinetApp, Cast, bearer, seed_court

OTHER_COURT = CourtSpec("1990", "Астана", "Астана соты", "Суд Астаны", "Astana Court")


async def grant(app: CabinetApp, headers: dict[str, str], **body: Any) -> Any:
    return await app.client.post("/api/v1/admin/grants", json=body, headers=headers)


async def test_a_court_administrator_makes_a_judge_of_their_court(cabinet_app: CabinetApp, cast: Cast,
                                                                   db: Database) -> None:
    await seed_court(db, cast)
    admin = await bearer(cabinet_app, cast.admin)
    response = await grant(cabinet_app, admin, iin="850505300456", role="judge", court="7594")
    assert response.status == 201, await response.text()

    bob = await bearer(cabinet_app, cast.bob)
    me = await (await cabinet_app.client.get("/api/v1/me", headers=bob)).json()
    assert {"role": "judge", "court": "7594"} in me["roles"]
    async with db.sessions() as session:
        granted = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "role.grant")))
    assert [(e.actor, e.subject, e.details["role"]) for e in granted][-1] == (
        "iin:750303300890", "850505300456", "judge")


async def test_a_citizen_cannot_grant_anything_even_to_themselves(cabinet_app: CabinetApp, cast: Cast,
                                                                  db: Database) -> None:
    await seed_court(db, cast)
    alice = await bearer(cabinet_app, cast.alice)
    response = await grant(cabinet_app, alice, iin="900101400123", role="judge", court="7594")
    assert response.status == 403 and (await response.json())["error"]["code"] == "self_grant"
    response = await grant(cabinet_app, alice, iin="850505300456", role="judge", court="7594")
    assert response.status == 403 and (await response.json())["error"]["code"] == "not_court_admin"
    me = await (await cabinet_app.client.get("/api/v1/me", headers=alice)).json()
    assert me["roles"] == []


async def test_a_judge_is_not_a_court_administrator(cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    await seed_court(db, cast)
    judge = await bearer(cabinet_app, cast.judge)
    response = await grant(cabinet_app, judge, iin="900101400123", role="clerk", court="7594")
    assert response.status == 403


async def test_an_administrator_cannot_grant_at_another_court(cabinet_app: CabinetApp, cast: Cast,
                                                              db: Database) -> None:
    await seed_court(db, cast)
    async with db.transaction() as session:
        await CourtStore(session).add(OTHER_COURT)
    admin = await bearer(cabinet_app, cast.admin)
    response = await grant(cabinet_app, admin, iin="900101400123", role="clerk", court="1990")
    assert response.status == 403 and (await response.json())["error"]["code"] == "other_court"


async def _system_admin(db: Database, person: Any) -> None:
    """Make ``person`` a system administrator the only way there is: the operator's command line."""
    identity = parse_identity(person.auth.certificate)
    assert identity.iin is not None
    async with db.transaction() as session:
        await UserService(session, SystemClock()).grant(PersonName(identity.iin, identity.common_name),
                                                        Role.SYSTEM_ADMIN, None, granter=None, actor="cli:test")


async def test_lawyer_status_has_no_court_and_can_be_revoked(cabinet_app: CabinetApp, cast: Cast,
                                                             db: Database) -> None:
    await seed_court(db, cast)
    await _system_admin(db, cast.bob)
    system = await bearer(cabinet_app, cast.bob)
    assert (await grant(cabinet_app, system, iin="950606400345", role="lawyer")).status == 201
    bound = await grant(cabinet_app, system, iin="950606400345", role="lawyer", court="7594")
    assert bound.status == 400 and (await bound.json())["error"]["code"] == "court_not_allowed"
    again = await grant(cabinet_app, system, iin="950606400345", role="lawyer")
    assert again.status == 400 and (await again.json())["error"]["code"] == "already_granted"
    revoked = await cabinet_app.client.delete("/api/v1/admin/grants", json={"iin": "950606400345", "role": "lawyer"},
                                              headers=system)
    assert revoked.status == 200
    carol = await bearer(cabinet_app, cast.carol)
    assert (await (await cabinet_app.client.get("/api/v1/me", headers=carol)).json())["roles"] == []


async def _roles_of(db: Database, iin: str) -> list[tuple[str, int | None]]:
    async with db.sessions() as session:
        user = await UserService(session, SystemClock()).find_by_iin(iin)
        return [] if user is None else [(g.role, g.court_id) for g in user.grants if g.revoked_at is None]


async def test_a_court_administrator_cannot_make_themself_judge_or_clerk(cabinet_app: CabinetApp, cast: Cast,
                                                                         db: Database) -> None:
    """The attack: an administrator makes themself judge (closed cases, the next claim) or clerk."""
    await seed_court(db, cast)
    admin = await bearer(cabinet_app, cast.admin)
    for role in ("judge", "clerk", "court_admin"):
        response = await grant(cabinet_app, admin, iin="750303300890", role=role, court="7594")
        assert response.status == 403, await response.text()
        assert (await response.json())["error"]["code"] == "self_grant"
    assert [role for role, _ in await _roles_of(db, "750303300890")] == ["court_admin"]


async def test_a_court_administrator_cannot_grant_lawyer_status(cabinet_app: CabinetApp, cast: Cast,
                                                                db: Database) -> None:
    await seed_court(db, cast)
    admin = await bearer(cabinet_app, cast.admin)
    response = await grant(cabinet_app, admin, iin="950606400345", role="lawyer")
    assert response.status == 403 and (await response.json())["error"]["code"] == "not_system_admin"
    revoke = await cabinet_app.client.delete("/api/v1/admin/grants", json={"iin": "880404300234", "role": "lawyer"},
                                             headers=admin)
    assert revoke.status == 403
    assert await _roles_of(db, "950606400345") == []
    assert [role for role, _ in await _roles_of(db, "880404300234")] == ["lawyer"]


async def test_a_system_administrator_cannot_grant_themself_or_make_more_system_administrators(
        cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    await seed_court(db, cast)
    await _system_admin(db, cast.bob)
    system = await bearer(cabinet_app, cast.bob)
    own = await grant(cabinet_app, system, iin="850505300456", role="lawyer")
    assert own.status == 403 and (await own.json())["error"]["code"] == "self_grant"
    more = await grant(cabinet_app, system, iin="950606400345", role="system_admin")
    assert more.status == 403 and (await more.json())["error"]["code"] == "not_operator"
    staff = await grant(cabinet_app, system, iin="950606400345", role="clerk", court="7594")
    assert staff.status == 201
    assert await _roles_of(db, "850505300456") == [("system_admin", None)]


async def test_bad_grant_requests_are_refused_with_codes(cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    await seed_court(db, cast)
    admin = await bearer(cabinet_app, cast.admin)
    cases = [
        ({"iin": "950606400345", "role": "emperor", "court": "7594"}, 400, "invalid_role"),
        ({"iin": "95060640034X", "role": "clerk", "court": "7594"}, 400, "invalid_iin"),
        ({"iin": "950606400345", "role": "clerk"}, 400, "court_required"),
        ({"iin": "950606400345", "role": "clerk", "court": "0000"}, 404, "court_not_found"),
        ({"role": "clerk", "court": "7594"}, 400, "invalid_request"),
    ]
    for body, status, code in cases:
        response = await grant(cabinet_app, admin, **body)
        assert response.status == status, (body, await response.text())
        assert (await response.json())["error"]["code"] == code, body


async def test_granting_needs_a_login(cabinet_app: CabinetApp) -> None:
    response = await cabinet_app.client.post("/api/v1/admin/grants", json={"iin": "1", "role": "judge"})
    assert response.status == 401


async def test_the_command_line_makes_a_system_administrator_who_then_grants_lawyer_status(
        cabinet_app: CabinetApp, cast: Cast, db: Database) -> None:
    from web.cli import build_parser

    await seed_court(db, cast)
    args = build_parser().parse_args(["users", "grant", "--iin", "850505300456", "--role", "system_admin"])
    assert await args.func(args, cabinet_app.config) == 0
    system = await bearer(cabinet_app, cast.bob)
    assert (await grant(cabinet_app, system, iin="950606400345", role="lawyer")).status == 201
    bound = build_parser().parse_args(["users", "grant", "--iin", "950606400345", "--role", "system_admin",
                                       "--court", "7594"])
    with pytest.raises(SotkabError) as refused:  # `main` prints it and exits 2
        await bound.func(bound, cabinet_app.config)
    assert refused.value.code == "court_not_allowed"
