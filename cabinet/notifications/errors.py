"""Refusals of the notifications package; the codes are part of the API contract."""

from __future__ import annotations

from cabinet.errors import CabinetError
from core.errors import BadRequest, NotFound


class NoticeInvalid(BadRequest, CabinetError):
    """A notice a service tried to issue is malformed (unknown kind, empty title, naive time…)."""

    default_code = "notice_invalid"


class NoticeNotFound(NotFound, CabinetError):
    """No such notice in the caller's cabinet — also what someone else's notice looks like."""

    default_code = "notice_not_found"


class InvalidContact(BadRequest, CabinetError):
    """An e-mail address or phone number that cannot receive notices: ``invalid_email`` / ``invalid_phone``."""

    default_code = "invalid_contact"


class AttachmentInvalid(BadRequest, CabinetError):
    """A file a service tried to attach to a notice cannot go out with it (name, type, size, content)."""

    default_code = "attachment_invalid"


class AttachmentNotFound(NotFound, CabinetError):
    """The caller's notice has no attachment at that position."""

    default_code = "attachment_not_found"
