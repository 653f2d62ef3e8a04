"""HTTP API of identity: EDS login, logout, who am I, and role grants by a court administrator."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from cabinet.identity.http import LOGIN, SESSION_COOKIE, require_principal
from cabinet.identity.language import Language, LanguagePreferences
from cabinet.identity.principal import Principal
from cabinet.identity.roles import parse_role
from cabinet.identity.users import PersonName, UserService
from core.requests import json_object, string_field
from core.resources import CLOCK, CONFIG, DB

routes = web.RouteTableDef()


async def _describe(request: web.Request, principal: Principal) -> dict[str, Any]:
    async with request.app[DB].sessions() as session:
        service = UserService(session, request.app[CLOCK])
        user = await service.get_by_iin(principal.iin)
        grants = await service.active_grants(user.id)
    return {
        "iin": user.iin,
        "name": user.common_name,
        "surname": user.surname,
        "given_name": user.given_name,
        "patronymic": user.patronymic,
        "language": user.language,
        "roles": [{"role": g.role, "court": c.code if c else None} for g, c in grants],
    }


@routes.post("/api/v1/auth/challenge")
async def challenge(request: web.Request) -> web.Response:
    issued = request.app[LOGIN].issue_challenge()
    return web.json_response({"nonce": issued.nonce, "expires_at": issued.expires_at.isoformat()})


#: A login body is a nonce and a base64 CMS (an NCA leaf and maybe its chain): a few KB. Anything
#: larger is refused before it is read, so a flood of huge bodies cannot fill the server's memory.
LOGIN_MAX_BYTES = 16 * 1024


@routes.post("/api/v1/auth/login")
async def login(request: web.Request) -> web.Response:
    body = await json_object(request, max_bytes=LOGIN_MAX_BYTES)
    nonce = string_field(body, "nonce", max_length=200)
    signature = string_field(body, "signature", max_length=LOGIN_MAX_BYTES)
    outcome = await request.app[LOGIN].login(nonce, signature, user_agent=request.headers.get("User-Agent", ""))
    response = web.json_response({
        "token": outcome.token,
        "expires_at": outcome.expires_at.isoformat(),
        "created_account": outcome.created_account,
        "user": {"iin": outcome.principal.iin, "name": outcome.principal.name,
                 "roles": [{"role": role, "court": court} for role, court in outcome.roles]},
        "certificate": outcome.verification.to_json(),
    })
    config = request.app[CONFIG]
    response.set_cookie(
        SESSION_COOKIE, outcome.token, httponly=True, samesite="Lax", path="/",
        secure=config.cookies_secure or request.secure, max_age=int(config.session_ttl_s),
    )
    return response


@routes.post("/api/v1/auth/logout")
async def logout(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    await request.app[LOGIN].logout(principal)
    response = web.json_response({"logged_out": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@routes.get("/api/v1/me")
async def me(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    return web.json_response(await _describe(request, principal))


@routes.put("/api/v1/me/language")
async def choose_language(request: web.Request) -> web.Response:
    """The language notices and e-mails are written in (the pages' switcher sets the same choice)."""
    principal = await require_principal(request)
    body = await json_object(request)
    language = Language.parse(string_field(body, "language", max_length=8))
    async with request.app[DB].transaction() as session:
        await LanguagePreferences(session).remember(principal.user_id, language)
    return web.json_response({"language": language.value})


@routes.post("/api/v1/admin/grants")
async def grant(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    body = await json_object(request)
    iin = string_field(body, "iin", max_length=12)
    role = parse_role(string_field(body, "role", max_length=32))
    court = string_field(body, "court", required=False, max_length=10) or None
    name = string_field(body, "name", required=False, max_length=300)
    async with request.app[DB].transaction() as session:
        service = UserService(session, request.app[CLOCK])
        granter = await service.get_by_iin(principal.iin)
        await service.grant(PersonName(iin, name), role, court, granter=granter, actor=principal.audit_actor)
    return web.json_response({"iin": iin, "role": role.value, "court": court}, status=201)


@routes.delete("/api/v1/admin/grants")
async def revoke(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    body = await json_object(request)
    iin = string_field(body, "iin", max_length=12)
    role = parse_role(string_field(body, "role", max_length=32))
    court = string_field(body, "court", required=False, max_length=10) or None
    async with request.app[DB].transaction() as session:
        service = UserService(session, request.app[CLOCK])
        granter = await service.get_by_iin(principal.iin)
        await service.revoke(iin, role, court, granter=granter, actor=principal.audit_actor)
    return web.json_response({"iin": iin, "role": role.value, "court": court, "revoked": True})
