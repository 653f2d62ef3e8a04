"""Staff roles and the rule for who may grant them.

Roles are never self-service: a court administrator grants staff roles at their own court and
lawyer status; the ``sotkab users grant`` command (run by whoever operates the server) may grant
anything, which is how the first administrator comes to exist.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.errors import BadRequest, Forbidden


class Role(enum.Enum):
    JUDGE = "judge"
    CLERK = "clerk"
    COURT_ADMIN = "court_admin"
    LAWYER = "lawyer"

    @property
    def court_bound(self) -> bool:
        return self is not Role.LAWYER


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise BadRequest(f"unknown role {text!r}; choose one of {choices}", code="invalid_role") from None


@dataclass(frozen=True)
class Grant:
    """An active grant as the rules see it."""

    role: Role
    court_id: int | None

    def __post_init__(self) -> None:
        if self.role.court_bound and self.court_id is None:
            raise BadRequest(f"role {self.role.value} needs a court", code="court_required")
        if not self.role.court_bound and self.court_id is not None:
            raise BadRequest("lawyer status is not bound to a court", code="court_not_allowed")


def check_may_grant(granter: frozenset[Grant] | None, wanted: Grant) -> None:
    """Raise :class:`Forbidden` unless ``granter`` may grant ``wanted``.

    ``granter`` is None for the operator's command line, which may grant anything.
    """
    if granter is None:
        return
    admin_courts = {g.court_id for g in granter if g.role is Role.COURT_ADMIN}
    if not admin_courts:
        raise Forbidden("only a court administrator may grant roles", code="not_court_admin")
    if wanted.role is Role.LAWYER:
        return
    if wanted.court_id not in admin_courts:
        raise Forbidden("a court administrator grants roles only at their own court", code="other_court")
