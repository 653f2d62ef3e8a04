"""OpenAPI description of notifications and contacts (see API.md; merged by :mod:`core.openapi`)."""

from __future__ import annotations

from cabinet.notifications.attachments import ALLOWED_TYPES, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from cabinet.notifications.notices import NoticeKind
from core.openapi import (
    AUTH,
    TIMESTAMP,
    array,
    json_body,
    nullable,
    obj,
    ok,
    operation,
    path_param,
    query_param,
    raw,
    ref,
    string,
    values_of,
)

TAGS = ["notifications"]
NOTICE_ID = path_param("notice_id", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1})
POSITION = path_param("position", {"type": "integer", "minimum": 1, "maximum": MAX_ATTACHMENTS},
                      "the attachment's `position` in the notice")
_NOTICE_ERRORS = {400: ["invalid_notice_id"], 404: ["notice_not_found"]}
_LINES = array(obj({"label": string(), "value": string()}))

SCHEMAS = {
    "NoticeSummary": obj({
        "id": {"type": "integer"}, "kind": values_of(NoticeKind), "title": string(),
        "case_id": nullable({"type": "integer"}), "case_number": nullable(string()), "court": nullable(string()),
        "when": nullable(TIMESTAMP), "created_at": TIMESTAMP, "read": {"type": "boolean"},
        "read_at": nullable(TIMESTAMP), "served_at": nullable(TIMESTAMP),
        "language": nullable(values_of(["kk", "ru", "en"], "the language the title and body were written in")),
    }),
    "Notice": {"allOf": [ref("NoticeSummary"), obj({
        "body": string(), "addressee": string(), "capacity": nullable(string()), "place": nullable(string()),
        "heading": obj({"kk": string(), "ru": string(), "en": string()}),
        "particulars": obj({"kk": _LINES, "ru": _LINES, "en": _LINES},
                           description="the CPC art. 128(2) lines in three languages"),
        "deliveries": array(obj({"channel": values_of(["email", "sms"]), "state": string(),
                                 "sent_at": nullable(TIMESTAMP)})),
        "attachments": array(ref("NoticeAttachment")),
    })]},
    "NoticeAttachment": obj({
        "position": {"type": "integer", "minimum": 1, "maximum": MAX_ATTACHMENTS},
        "filename": string(), "content_type": values_of(ALLOWED_TYPES),
        "size": {"type": "integer", "minimum": 1, "maximum": MAX_ATTACHMENT_BYTES},
        "sha256": string("hex SHA-256 of the file", pattern="^[0-9a-f]{64}$"),
        "download_url": string("path of `GET /api/v1/notifications/{notice_id}/attachments/{position}`"),
    }, description="A file that went out with the notice (e.g. the hearing's .ics invitation)"),
    "Contacts": obj({"email": nullable(string(maxLength=320)), "phone": nullable(string(maxLength=320))},
                    description="`null` or `\"\"` clears a contact"),
}

PATHS = {
    "/api/v1/notifications": {
        "get": operation(
            "The caller's notices, newest first", tags=TAGS, security=AUTH,
            parameters=[query_param("limit", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
                        query_param("before", {"type": "integer", "minimum": 1},
                                    "a notice id: the page after it (`next_before`)")],
            responses=ok(obj({"notifications": array(ref("NoticeSummary")), "total": {"type": "integer"},
                              "unread": {"type": "integer"}, "next_before": nullable({"type": "integer"})})),
            errors={400: ["invalid_query"]}),
    },
    "/api/v1/notifications/{notice_id}": {
        "get": operation("Open a notice (the first open serves it)", tags=TAGS, security=AUTH,
                         parameters=[NOTICE_ID], responses=ok(ref("Notice")), errors=_NOTICE_ERRORS),
    },
    "/api/v1/notifications/{notice_id}/attachments/{position}": {
        "get": operation("Download an attachment of one's own notice (does not serve the notice)", tags=TAGS,
                         security=AUTH, parameters=[NOTICE_ID, POSITION],
                         responses=raw({kind: {"schema": string(format="binary")} for kind in ALLOWED_TYPES},
                                       "The file as it went out, with `Content-Disposition: attachment`"),
                         errors={400: ["invalid_notice_id", "invalid_attachment_position"],
                                 404: ["notice_not_found", "attachment_not_found"]}),
    },
    "/api/v1/notifications/{notice_id}/read": {
        "post": operation("Mark a notice read without opening it (not service)", tags=TAGS, security=AUTH,
                          parameters=[NOTICE_ID], responses=ok(ref("NoticeSummary")),
                          errors={**_NOTICE_ERRORS, 403: ["cross_site_request"]}),
    },
    "/api/v1/me/contacts": {
        "get": operation("The caller's e-mail and phone for notices", tags=TAGS, security=AUTH,
                         responses=ok(ref("Contacts"))),
        "put": operation("Set the caller's e-mail and phone", tags=TAGS, security=AUTH,
                         body=json_body(obj({"email": nullable(string(maxLength=320)),
                                             "phone": nullable(string(maxLength=320))}, closed=True)),
                         responses=ok(ref("Contacts")),
                         errors={400: ["invalid_email", "invalid_phone", "invalid_request", "invalid_json"],
                                 403: ["cross_site_request"]}),
    },
}
