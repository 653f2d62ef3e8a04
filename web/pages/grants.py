"""The court administrator's desk: who holds which role at the court, granting and revoking
(judge, clerk, court administrator at the court; lawyer status anywhere), and the audit trail.

Grants go through :class:`cabinet.identity.users.UserService` — the same checks as the API and
the command line (only a court administrator, only at their own court) and the same hash-chained
audit entries, which this page lists back.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditEntry
from cabinet.courts import Court
from cabinet.identifiers import Iin
from cabinet.identity.models import RoleGrant, User
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Role
from cabinet.identity.users import PersonName, UserService
from core.errors import Forbidden, SotkabError
from core.resources import CLOCK, DB
from web.i18n import N_
from web.pages.access import logged_in
from web.pages.csrf import check_csrf
from web.pages.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

ROLE_NAMES = {"judge": N_("Judge"), "clerk": N_("Clerk"), "court_admin": N_("Court administrator"),
              "lawyer": N_("Lawyer")}
ERRORS = {
    "iin": N_("Enter the person's IIN: 12 digits with a valid check digit."),
    "role": N_("Choose a role."),
    "already_granted": N_("This person already holds this role."),
    "grant_not_found": N_("This person does not hold this role any more."),
}
DONE = {"granted": N_("The role was granted to %(iin)s."), "revoked": N_("The role of %(iin)s was revoked.")}
TRAIL = 50


class GrantsView:
    """The reads of the desk: grants at the administrator's courts, and their audit entries."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def courts(self, court_ids: frozenset[int]) -> list[Court]:
        return list(await self.session.scalars(select(Court).where(Court.id.in_(court_ids)).order_by(Court.code)))

    async def holders(self, court_ids: frozenset[int]) -> list[dict[str, Any]]:
        rows = await self.session.execute(
            select(RoleGrant.role, RoleGrant.granted_at, User.iin, User.common_name, Court.code)
            .join(User, User.id == RoleGrant.user_id).outerjoin(Court, Court.id == RoleGrant.court_id)
            .where(RoleGrant.revoked_at.is_(None),
                   RoleGrant.court_id.in_(court_ids) | (RoleGrant.role == Role.LAWYER.value))
            .order_by(Court.code, RoleGrant.role, User.common_name))
        return [{"role": role, "granted_at": at, "iin": iin, "name": name, "court": code}
                for role, at, iin, name, code in rows]

    async def trail(self, court_codes: set[str]) -> list[AuditEntry]:
        entries = await self.session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(("role.grant", "role.revoke")))
            .order_by(AuditEntry.seq.desc()).limit(TRAIL * 4))
        return [e for e in entries if (e.details or {}).get("court") in court_codes
                or (e.details or {}).get("role") == Role.LAWYER.value][:TRAIL]


async def _admin(request: web.Request) -> Principal:
    principal = await logged_in(request)
    if not principal.courts_with(Role.COURT_ADMIN):
        raise Forbidden("only a court administrator may grant roles", code="not_court_admin")
    return principal


async def _page(request: web.Request, principal: Principal, *, errors: dict[str, str] | None = None,
                values: dict[str, str] | None = None, status: int = 200) -> web.Response:
    court_ids = principal.courts_with(Role.COURT_ADMIN)
    async with request.app[DB].sessions() as session:
        view = GrantsView(session)
        courts = await view.courts(court_ids)
        holders = await view.holders(court_ids)
        trail = await view.trail({c.code for c in courts})
    done = request.query.get("done", "")
    banner = {"text": DONE[done], "iin": request.query.get("iin", "")[:12]} if done in DONE else None
    return await render(request, "staff/grants.html", {
        "courts": courts, "holders": holders, "trail": trail, "roles": ROLE_NAMES, "errors": errors or {},
        "values": values or {"iin": "", "name": "", "role": "", "court": courts[0].code if courts else ""},
        "banner": banner}, status=status)


@routes.get("/staff/grants")
async def grants_page(request: web.Request) -> web.Response:
    return await _page(request, await _admin(request))


@routes.post("/staff/grants")
async def change(request: web.Request) -> web.Response:
    principal = await _admin(request)
    form = await request.post()
    check_csrf(request, form.get("csrf_token"))
    values = {name: str(form.get(name) or "").strip()[:300] for name in ("iin", "name", "role", "court", "action")}
    errors: dict[str, str] = {}
    try:
        Iin.parse(values["iin"])
    except SotkabError:
        errors["iin"] = ERRORS["iin"]
    if values["role"] not in ROLE_NAMES:
        errors["role"] = ERRORS["role"]
    if errors:
        return await _page(request, principal, errors=errors, values=values, status=400)
    role = Role(values["role"])
    court = values["court"] if role.court_bound else None
    try:
        async with request.app[DB].transaction() as session:
            users = UserService(session, request.app[CLOCK])
            granter = await users.get_by_iin(principal.iin)
            if values["action"] == "revoke":
                await users.revoke(values["iin"], role, court, granter=granter, actor=principal.audit_actor)
            else:
                await users.grant(PersonName(values["iin"], values["name"]), role, court, granter=granter,
                                  actor=principal.audit_actor)
    except SotkabError as refusal:
        if refusal.code not in ERRORS:
            raise
        return await _page(request, principal, errors={"iin": ERRORS[refusal.code]}, values=values,
                           status=refusal.status)
    done = "revoked" if values["action"] == "revoke" else "granted"
    raise web.HTTPSeeOther("/staff/grants?" + urlencode({"done": done, "iin": values["iin"]}))
