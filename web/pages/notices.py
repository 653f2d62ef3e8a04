"""The person's notices in the cabinet: the list, one notice, and the unread count in the header.

The headings and the particulars (court, case, time, place, capacity) are shown in the reader's
language from the notice's structured content (``cabinet.notifications.notices``); opening a
notice is its service, as the notifications API records it. The unread count in the header is
rendered with the page and then kept live by ``live.js`` over the ``/cabinet`` socket.io namespace.
"""

from __future__ import annotations

import logging

from aiohttp import web

from cabinet.notifications.inbox import Inbox
from cabinet.notifications.notices import LANGUAGES as NOTICE_LANGUAGES
from cabinet.notifications.notices import NoticeKind, heading, particulars
from core.resources import CLOCK, DB
from web.pages.access import logged_in, row_id
from web.pages.language import request_language
from web.pages.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

PAGE = 50



def _heading(kind: str, language: str) -> str:
    try:
        return heading(NoticeKind(kind), NOTICE_LANGUAGES.index(language))
    except ValueError:
        return kind


@routes.get("/cabinet/notices")
async def notice_list(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    language = await request_language(request)
    async with request.app[DB].sessions() as session:
        page = await Inbox(session, request.app[CLOCK]).page(principal.user_id, limit=PAGE)
    notices = [{"id": n.id, "heading": n.worded(language).title if n.facts else _heading(n.kind, language),
                "case_number": n.case_number,
                "created_at": n.created_at, "read": n.read_at is not None} for n in page.notices]
    return await render(request, "cabinet/notices.html", {"notices": notices, "total": page.total})


@routes.get(r"/cabinet/notices/{id:\d{1,18}}")
async def open_notice(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    language = await request_language(request)
    notice_id = row_id(request)
    async with request.app[DB].transaction() as session:
        opened = await Inbox(session, request.app[CLOCK]).open(principal, notice_id)
    notice = opened.notice
    lines = particulars(notice.content(), NOTICE_LANGUAGES.index(language))
    words = notice.worded(language)
    return await render(request, "cabinet/notice.html", {
        "heading": words.title if notice.facts else _heading(notice.kind, language), "particulars": lines,
        "body": words.body,
        "created_at": notice.created_at, "served_at": notice.served_at, "id": notice.id,
        "attachments": opened.attachments,
    })
