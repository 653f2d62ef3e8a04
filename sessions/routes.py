"""The hearings HTTP API: booking, the hearing's particulars, its minutes and one's invitation.

Handlers parse, authorize, call one service and serialize; see ``sessions/API.md``. Each request
is one transaction: what a change wrote and what the reply shows are the same snapshot.
"""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.identity.http import require_principal
from core.requests import json_object, string_field
from core.resources import CLOCK, CONFIG, DB
from sessions.booking import Access, BookingService, full_json, public_json
from sessions.errors import InvalidHearing
from sessions.labels import Language
from sessions.models import HearingRow
from sessions.requests import booking_request, reschedule_request
from sessions.resources import HEARINGS
from sessions.store import HearingNotFound, HearingStore, Place, hearing_of

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


async def _booked(request: web.Request, session: AsyncSession, row: HearingRow, place: Place) -> dict[str, object]:
    """The hearing's full particulars as the change just left them, read in its transaction."""
    hearing = hearing_of(row, place, await HearingStore(session).events(row.id))
    return full_json(row, place, hearing, hearing.effective_state(request.app[CLOCK].now()))


@routes.post("/api/v1/hearings")
async def schedule(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    booking = booking_request(await json_object(request))
    async with request.app[DB].transaction() as session:
        row, place = await BookingService(session, request.app[CLOCK], request.app[CONFIG]).schedule(
            principal, booking)
        body = await _booked(request, session, row, place)
    return web.json_response(body, status=201)


@routes.patch(HEARING)
async def reschedule(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    change = reschedule_request(await json_object(request))
    async with request.app[DB].transaction() as session:
        row, place = await BookingService(session, request.app[CLOCK], request.app[CONFIG]).reschedule(
            principal, _id(request), change)
        body = await _booked(request, session, row, place)
    return web.json_response(body)


@routes.post(HEARING + "/cancel")
async def cancel(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    reason = string_field(await json_object(request), "reason", max_length=2000).strip()
    if not reason:
        raise InvalidHearing("say why the hearing is cancelled", details={"field": "reason"})
    async with request.app[DB].transaction() as session:
        row, place = await BookingService(session, request.app[CLOCK], request.app[CONFIG]).cancel(
            principal, _id(request), reason)
        body = await _booked(request, session, row, place)
    return web.json_response(body)


@routes.get(HEARING)
async def show(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    async with request.app[DB].transaction() as session:
        row, place, access = await BookingService(session, request.app[CLOCK], request.app[CONFIG]).visible(
            principal, _id(request))
        hearing = hearing_of(row, place, await HearingStore(session).events(row.id))
    state = hearing.effective_state(request.app[CLOCK].now())
    body = full_json(row, place, hearing, state) if access is Access.FULL else public_json(row, place, state)
    return web.json_response({**body, "access": access.value})


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
