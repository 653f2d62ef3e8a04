"""The authenticated person behind a request, as the authorization rules see them."""

from __future__ import annotations

from dataclasses import dataclass

from cabinet.identity.roles import Grant, Role


@dataclass(frozen=True)
class Principal:
    user_id: int
    iin: str
    name: str
    grants: frozenset[Grant]
    session_id: int

    def has_role(self, role: Role, court_id: int | None = None) -> bool:
        return any(g.role is role and (court_id is None or g.court_id == court_id) for g in self.grants)

    def courts_with(self, role: Role) -> frozenset[int]:
        return frozenset(g.court_id for g in self.grants if g.role is role and g.court_id is not None)

    @property
    def is_staff(self) -> bool:
        return any(g.role in (Role.JUDGE, Role.CLERK, Role.COURT_ADMIN) for g in self.grants)

    @property
    def audit_actor(self) -> str:
        return f"iin:{self.iin}"
