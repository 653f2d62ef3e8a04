"""HTTP API of notifications: the cabinet's notices and the person's contacts (see API.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from aiohttp import web

from cabinet.identity.http import require_principal
from cabinet.notifications.attachments import MAX_ATTACHMENTS, AttachmentInfo
from cabinet.notifications.contacts import Contacts, ContactService
from cabinet.notifications.inbox import MAX_PAGE, Inbox
from cabinet.notifications.models import Delivery, Notice, NoticeAttachment
from cabinet.notifications.notices import LANGUAGES, NoticeKind, heading, particulars
from core.errors import BadRequest
from core.requests import json_object
from core.resources import CLOCK, DB

routes = web.RouteTableDef()

_MAX_ID = 2**31 - 1


def _positive_int(text: str, name: str, *, maximum: int = _MAX_ID) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= maximum:
        raise BadRequest(f"{name} must be a whole number from 1 to {maximum}", code="invalid_query",
                         details={"field": name})
    return int(text)


def _notice_id(request: web.Request) -> int:
    text = request.match_info["notice_id"]
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= _MAX_ID:
        raise BadRequest(f"{text!r} is not a notice id", code="invalid_notice_id")
    return int(text)


def _position(request: web.Request) -> int:
    text = request.match_info["position"]
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ATTACHMENTS:
        raise BadRequest(f"{text!r} is not an attachment position (1 to {MAX_ATTACHMENTS})",
                         code="invalid_attachment_position")
    return int(text)


def attachment_path(notice_id: int, position: int) -> str:
    return f"/api/v1/notifications/{notice_id}/attachments/{position}"


def _attachment_json(item: AttachmentInfo) -> dict[str, Any]:
    return {"position": item.position, "filename": item.filename, "content_type": item.content_type,
            "size": item.size, "sha256": item.sha256, "download_url": attachment_path(item.notice_id, item.position)}


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def _summary(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.id, "kind": notice.kind, "title": notice.title, "case_id": notice.case_id,
        "case_number": notice.case_number, "court": notice.court, "when": _iso(notice.event_at),
        "created_at": _iso(notice.created_at), "read": notice.read_at is not None,
        "read_at": _iso(notice.read_at), "served_at": _iso(notice.served_at), "language": notice.language,
    }


def _full(notice: Notice, deliveries: list[Delivery], attachments: list[AttachmentInfo]) -> dict[str, Any]:
    content = notice.content()
    kind = NoticeKind(notice.kind)
    return _summary(notice) | {
        "body": notice.body, "addressee": notice.addressee, "capacity": notice.capacity, "place": notice.place,
        "heading": {lang: heading(kind, i) for i, lang in enumerate(LANGUAGES)},
        "particulars": {lang: [{"label": label, "value": value} for label, value in particulars(content, i)]
                        for i, lang in enumerate(LANGUAGES)},
        "deliveries": [{"channel": d.channel, "state": d.state, "sent_at": _iso(d.sent_at)} for d in deliveries],
        "attachments": [_attachment_json(item) for item in attachments],
    }


@routes.get("/api/v1/notifications")
async def list_notices(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    limit = _positive_int(request.query.get("limit", "20"), "limit", maximum=MAX_PAGE)
    before_text = request.query.get("before")
    before = None if before_text is None else _positive_int(before_text, "before")
    async with request.app[DB].transaction() as session:
        page = await Inbox(session, request.app[CLOCK]).page(principal.user_id, limit=limit, before=before)
    return web.json_response({"notifications": [_summary(n) for n in page.notices], "total": page.total,
                              "unread": page.unread, "next_before": page.next_before})


@routes.get("/api/v1/notifications/{notice_id}")
async def open_notice(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    notice_id = _notice_id(request)
    async with request.app[DB].transaction() as session:
        opened = await Inbox(session, request.app[CLOCK]).open(principal, notice_id)
    return web.json_response(_full(opened.notice, opened.deliveries, opened.attachments))


def _download(item: NoticeAttachment) -> web.Response:
    """The file as stored; the name is given plainly (ASCII) and in RFC 6266's UTF-8 form."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in item.filename)
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(item.filename, safe='')}"
    return web.Response(body=item.content, content_type=item.content_type,
                        charset="utf-8" if item.content_type.startswith("text/") else None,
                        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff",
                                 "ETag": f'"{item.sha256}"', "Cache-Control": "private, no-store"})


@routes.get("/api/v1/notifications/{notice_id}/attachments/{position}")
async def download_attachment(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    notice_id, position = _notice_id(request), _position(request)
    async with request.app[DB].transaction() as session:
        item = await Inbox(session, request.app[CLOCK]).attachment(principal, notice_id, position)
    return _download(item)


@routes.post("/api/v1/notifications/{notice_id}/read")
async def mark_read(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    notice_id = _notice_id(request)
    async with request.app[DB].transaction() as session:
        notice = await Inbox(session, request.app[CLOCK]).mark_read(principal, notice_id)
    return web.json_response(_summary(notice))


def _contact_field(body: dict[str, Any], name: str) -> str | None:
    if name not in body:
        raise BadRequest(f"{name} is required (null clears it)", code="invalid_request", details={"field": name})
    value = body[name]
    if value is not None and not isinstance(value, str):
        raise BadRequest(f"{name} must be a string or null", code="invalid_request", details={"field": name})
    if value is not None and len(value) > 320:
        raise BadRequest(f"{name} is too long", code="invalid_request", details={"field": name})
    return value


def _contacts_json(contacts: Contacts) -> dict[str, Any]:
    return {"email": contacts.email, "phone": contacts.phone}


@routes.get("/api/v1/me/contacts")
async def get_contacts(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    async with request.app[DB].transaction() as session:
        contacts = await ContactService(session, request.app[CLOCK]).get(principal)
    return web.json_response(_contacts_json(contacts))


@routes.put("/api/v1/me/contacts")
async def put_contacts(request: web.Request) -> web.Response:
    principal = await require_principal(request)
    body = await json_object(request)
    unknown = sorted(set(body) - {"email", "phone"})
    if unknown:
        raise BadRequest(f"unknown field {unknown[0]}", code="invalid_request", details={"field": unknown[0]})
    contacts = Contacts.parse(_contact_field(body, "email"), _contact_field(body, "phone"))
    async with request.app[DB].transaction() as session:
        stored = await ContactService(session, request.app[CLOCK]).set(principal, contacts)
    return web.json_response(_contacts_json(stored))
