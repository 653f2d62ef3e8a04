"""The hearings HTTP API: booking, the hearing's particulars, its minutes and one's invitation.

Handlers parse, authorize, call one service and serialize; see ``sessions/API.md``. Each request
is one transaction: what a change wrote and what the reply shows are the same snapshot.
"""

from __future__ import annotations

import logging

from aiohttp import web

from cabinet.identity.http import require_principal
from core.requests import json_object, string_field
from core.resources import CLOCK, CONFIG, DB
from sessions.booking import Access, BookingService, full_json, public_json
from sessions.equipment import check_of
from sessions.errors import HearingNotFound, InvalidHearing
from sessions.labels import Language
from sessions.requests import booking_request, reschedule_request
from sessions.resources import HEARINGS
from sessions.stored import StoredHearing
from sessions.upcoming import upcoming_for

logger = logging.getLogger(__name__)

routes = web.RouteTableDef()
HEARING = r"/api/v1/hearings/{id:\d+}"


MAX_ID = 2**31 - 1


def _id(request: web.Request) -> int:
    """The hearing id of the path; one past any stored id (a 32-bit key) is simply not found."""
    value = int(request.match_info["id"])
    if value > MAX_ID:
        raise HearingNotFound(f"no hearing {value}", details={"hearing_id": value})
    return value


def _language(request: web.Request, default: Language) -> Language:
    text = request.query.get("lang", default.value)
    try:
        return Language(text)
    except ValueError:
        raise InvalidHearing("lang is one of " + ", ".join(x.value for x in Language), code="unsupported_language",
                             details={"field": "lang"}) from None


def _booked(request: web.Request, stored: StoredHearing) -> dict[str, object]:
    """The hearing's full particulars as the change just left them (what its transaction saved)."""
    return full_json(stored, stored.hearing.effective_state(request.app[CLOCK].now()))


@routes.post("/api/v1/hearings")
async def schedule(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    booking = booking_request(await json_object(request))
    async with request.app[DB].transaction() as session:
        stored = await BookingService(session, request.app[CLOCK], request.app[CONFIG]).schedule(principal, booking)
    return web.json_response(_booked(request, stored), status=201)


@routes.patch(HEARING)
async def reschedule(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    change = reschedule_request(await json_object(request))
    async with request.app[DB].transaction() as session:
        stored = await BookingService(session, request.app[CLOCK], request.app[CONFIG]).reschedule(
            principal, _id(request), change)
    return web.json_response(_booked(request, stored))


@routes.post(HEARING + "/cancel")
async def cancel(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    reason = string_field(await json_object(request), "reason", max_length=2000).strip()
    if not reason:
        raise InvalidHearing("say why the hearing is cancelled", details={"field": "reason"})
    async with request.app[DB].transaction() as session:
        stored = await BookingService(session, request.app[CLOCK], request.app[CONFIG]).cancel(
            principal, _id(request), reason)
    return web.json_response(_booked(request, stored))


@routes.get(HEARING)
async def show(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    async with request.app[DB].transaction() as session:
        stored, access = await BookingService(session, request.app[CLOCK], request.app[CONFIG]).visible(
            principal, _id(request))
    state = stored.hearing.effective_state(request.app[CLOCK].now())
    body = full_json(stored, state) if access is Access.FULL else public_json(stored, state)
    return web.json_response({**body, "access": access.value})


@routes.get("/api/v1/me/hearings")
async def my_hearings(request: web.Request) -> web.Response:
    """The caller's hearings still to come, each saying whether its join button is live yet."""
    principal = await require_principal(request)
    async with request.app[DB].sessions() as session:
        found = await upcoming_for(session, principal.user_id, request.app[CLOCK].now())
    return web.json_response({"hearings": [hearing.to_json() for hearing in found]})


@routes.get(HEARING + "/minutes")
async def minutes(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    language = _language(request, Language.RU).value if "lang" in request.query else None
    text = await request.app[HEARINGS].minutes(_id(request), language, principal=principal)
    return web.Response(text=text, content_type="text/plain", charset="utf-8")


@routes.get(HEARING + "/invitation.ics")
async def invitation(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    language = _language(request, Language.RU)
    async with request.app[DB].transaction() as session:
        text = await BookingService(session, request.app[CLOCK], request.app[CONFIG]).invitation(
            principal, _id(request), language)
    return web.Response(body=text.encode("utf-8"), content_type="text/calendar", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="hearing-{_id(request)}.ics"'})


MAX_CHECK_BYTES = 2048


@routes.put(HEARING + "/equipment-check")
async def store_equipment_check(request: web.Request) -> web.Response:
    """The caller's own equipment check for the hearing (the latest replaces the earlier)."""
    principal = await require_principal(request)
    check = check_of(await json_object(request, max_bytes=MAX_CHECK_BYTES), request.app[CLOCK].now())
    stored = await request.app[HEARINGS].checks.store(principal, _id(request), check)
    return web.json_response(stored.to_json())


@routes.get(HEARING + "/equipment-checks")
async def equipment_checks(request: web.Request) -> web.Response:
    """Every person's latest equipment check, for the court's judges and clerks."""
    principal = await require_principal(request)
    found = await request.app[HEARINGS].checks.of_hearing(principal, _id(request))
    return web.json_response({"checks": [item.to_json() for item in found]})
