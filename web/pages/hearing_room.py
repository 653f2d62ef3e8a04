"""The hearing room's page: equipment check, waiting room, the room itself and the judge's bench.

The page is a shell: who the person is in the hearing, what the hearing is, and every word its
script shows, in the person's language. Everything live — joining, admission, media, controls —
goes over the ``/hearing`` socket (``signaling/events.md``), whose join decides again; the page only
refuses early, with the same codes, whoever the join would refuse (a non-participant of a closed
hearing, a removed party, a hearing not open yet).

Camera and microphone are allowed on this page alone (every other page's ``Permissions-Policy``
turns them off), and not even here for a public observer, who watches without publishing.
"""

from __future__ import annotations

import logging

from aiohttp import web

from core.clock import COURT_TIME
from sessions.labels import Language, courtroom_place
from sessions.resources import HEARINGS
from web.pages.access import ROW_ID_MAX, logged_in
from web.pages.language import request_language
from web.pages.rendering import render
from web.pages.room_words import room_words

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

_OFF = "geolocation=(), payment=(), usb=(), serial=(), display-capture=()"
PUBLISHER_PERMISSIONS = f"camera=(self), microphone=(self), {_OFF}"
OBSERVER_PERMISSIONS = f"camera=(), microphone=(), {_OFF}"


@routes.get("/hearings/{hearing_id}/room")
async def hearing_room(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    text = request.match_info["hearing_id"]
    if not (text.isascii() and text.isdigit() and 0 < int(text) <= ROW_ID_MAX):
        raise web.HTTPNotFound()
    hearing_id = int(text)
    service = request.app[HEARINGS]
    grant = await service.room_pass(principal, hearing_id)
    record = await service.record(hearing_id)
    publishes = grant.may_publish
    language = await request_language(request)
    log.info("user %s opened the room of hearing %s as %s", principal.user_id, hearing_id, grant.role.value)
    return await render(request, "hearing/room.html", {
        "hearing_id": hearing_id, "case_number": record.place.case_number, "start": record.start.astimezone(COURT_TIME),
        "place": courtroom_place(record.place.court_name(language), record.place.courtroom_name, Language(language)),
        "publishes": publishes, "role": grant.role.value, "words": room_words(language),
    }, headers={"Permissions-Policy": PUBLISHER_PERMISSIONS if publishes else OBSERVER_PERMISSIONS})
