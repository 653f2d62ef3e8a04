"""Where a person's notices go besides the cabinet: one e-mail address and one mobile number.

The rules (:func:`parse_email`, :func:`parse_phone`) are pure; :class:`ContactService` stores the
result and records the change in the audit log, because a court must be able to show where a
notice was sent and that the person chose that address. Notices already issued keep the address
they were issued to; only new ones use the new contacts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.identity.models import User
from cabinet.identity.principal import Principal
from cabinet.notifications.errors import InvalidContact
from core.clock import Clock
from core.errors import NotFound

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_PHONE_PUNCTUATION = re.compile(r"[\s\-().]")


def parse_email(text: str) -> str:
    """A deliverable-looking address (ASCII, one @, a dotted domain), domain lower-cased."""
    address = text.strip()
    local, at, domain = address.rpartition("@")
    labels = domain.split(".")
    if (not at or len(address) > 254 or not local or len(local) > 64 or not _LOCAL.match(local)
            or len(labels) < 2 or not all(_LABEL.match(label) for label in labels)
            or not labels[-1].isalpha() or len(labels[-1]) < 2):
        raise InvalidContact(f"{text!r} is not an e-mail address", code="invalid_email",
                             details={"field": "email"})
    return f"{local}@{domain.lower()}"


def parse_phone(text: str) -> str:
    """A mobile number in E.164 (``+77012345678``); Kazakh ``8 701 …`` numbers are converted."""
    digits = _PHONE_PUNCTUATION.sub("", text.strip())
    if len(digits) == 11 and digits.startswith("8") and digits.isdigit():
        digits = "+7" + digits[1:]
    body = digits[1:]
    valid = (digits.startswith("+") and body.isascii() and body.isdigit() and 8 <= len(body) <= 15
             and not body.startswith("0") and (not body.startswith("7") or len(body) == 11))
    if not valid:
        raise InvalidContact(f"{text!r} is not a phone number; write it as +7 701 234 56 78",
                             code="invalid_phone", details={"field": "phone"})
    return digits


@dataclass(frozen=True)
class Contacts:
    email: str | None
    phone: str | None

    @classmethod
    def parse(cls, email: str | None, phone: str | None) -> Contacts:
        """Blank or ``None`` clears a contact; anything else must be valid."""
        return cls(email=parse_email(email) if email and email.strip() else None,
                   phone=parse_phone(phone) if phone and phone.strip() else None)


class ContactService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.audit = AuditLog(session, clock)

    async def get(self, principal: Principal) -> Contacts:
        user = await self._user(principal)
        return Contacts(user.email, user.phone)

    async def set(self, principal: Principal, contacts: Contacts) -> Contacts:
        user = await self._user(principal)
        changed = {name: getattr(user, name) != getattr(contacts, name) for name in ("email", "phone")}
        user.email = contacts.email
        user.phone = contacts.phone
        if any(changed.values()):
            await self.audit.append("user.contacts", actor=principal.audit_actor, subject=principal.iin,
                                    details={"email_changed": changed["email"], "phone_changed": changed["phone"],
                                             "email_set": contacts.email is not None,
                                             "phone_set": contacts.phone is not None})
        return contacts

    async def _user(self, principal: Principal) -> User:
        user = await self.session.get(User, principal.user_id)
        if user is None:
            raise NotFound("your account no longer exists", code="user_not_found")
        return user
