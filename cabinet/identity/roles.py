"""Staff roles and the rule for who may grant them.

Roles are never self-service. The policy (also in README's Security section):

- nobody grants a role to themself, whatever roles they hold (``self_grant``);
- a court administrator grants judge, clerk and court administrator *at their own court* only;
- lawyer status is a bar admission, not a court's staffing: only a system administrator
  (``system_admin``, a platform-wide role) or the command line grants or revokes it — a court
  administrator cannot (``not_system_admin``);
- a system administrator may also grant staff roles at any court; the system administrator role
  itself is granted only from the command line;
- the ``sotkab users grant`` command (run by whoever operates the server) may grant anything,
  which is how the first administrators come to exist.
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
    SYSTEM_ADMIN = "system_admin"

    @property
    def court_bound(self) -> bool:
        return self not in (Role.LAWYER, Role.SYSTEM_ADMIN)


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
            raise BadRequest(f"{self.role.value} is not bound to a court", code="court_not_allowed")


def check_may_grant(granter: frozenset[Grant] | None, wanted: Grant, *, to_self: bool = False) -> None:
    """Raise :class:`Forbidden` unless ``granter`` may grant (or revoke) ``wanted``.

    ``granter`` is None for the operator's command line, which may grant anything; ``to_self``
    says the grant would go to the granter themself, which nobody may do.
    """
    if granter is None:
        return
    if to_self:
        raise Forbidden("nobody grants a role to themself; ask another administrator", code="self_grant")
    system_admin = any(g.role is Role.SYSTEM_ADMIN for g in granter)
    if wanted.role is Role.SYSTEM_ADMIN:
        raise Forbidden("the system administrator role is granted only from the command line",
                        code="not_operator")
    if wanted.role is Role.LAWYER:
        if not system_admin:
            raise Forbidden("lawyer status is granted only by a system administrator", code="not_system_admin")
        return
    if system_admin:
        return
    admin_courts = {g.court_id for g in granter if g.role is Role.COURT_ADMIN}
    if not admin_courts:
        raise Forbidden("only a court administrator may grant roles", code="not_court_admin")
    if wanted.court_id not in admin_courts:
        raise Forbidden("a court administrator grants roles only at their own court", code="other_court")
