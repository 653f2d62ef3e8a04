"""Users and their roles: created on first EDS login, promoted only by the court.

A citizen's account comes into being the first time they log in with their AUTH key; the names
are refreshed from the certificate at every login because the CA, not the user, is the
authority on them. Staff roles and lawyer status are granted here and nowhere else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from cabinet.audit import AuditLog
from cabinet.courts import Court, CourtStore
from cabinet.identity.models import RoleGrant, User
from cabinet.identity.roles import Grant, Role, check_may_grant
from core.clock import Clock
from core.db import insert_if_absent, table
from core.errors import BadRequest, NotFound

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PersonName:
    iin: str
    common_name: str
    surname: str = ""
    given_name: str = ""
    patronymic: str = ""

    def __post_init__(self) -> None:
        if len(self.iin) != 12 or not self.iin.isdigit():
            raise BadRequest(f"IIN must be 12 digits, got {self.iin!r}", code="invalid_iin")


class UserService:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.audit = AuditLog(session, clock)

    async def find_by_iin(self, iin: str) -> User | None:
        return await self.session.scalar(
            select(User).where(User.iin == iin).options(selectinload(User.grants))
        )

    async def get_by_iin(self, iin: str) -> User:
        user = await self.find_by_iin(iin)
        if user is None:
            raise NotFound(f"no user with IIN {iin}", code="user_not_found")
        return user

    async def upsert(self, person: PersonName) -> tuple[User, bool]:
        """The user for this IIN with names refreshed; ``True`` when the account was just created."""
        user = await self.find_by_iin(person.iin)
        created = user is None
        if user is None:
            user = User(iin=person.iin, common_name=person.common_name, created_at=self.clock.now())
            self.session.add(user)
        if person.common_name:
            user.common_name = person.common_name
            user.surname = person.surname
            user.given_name = person.given_name
            user.patronymic = person.patronymic
        await self.session.flush()
        return user, created

    async def record_login(self, person: PersonName) -> tuple[int, bool]:
        """The hot path of every login: one lookup, then one insert or one update; no ORM identity map.

        Returns the user id and whether the account was just created.
        """
        now = self.clock.now()
        names = {"common_name": person.common_name, "surname": person.surname,
                 "given_name": person.given_name, "patronymic": person.patronymic, "last_login_at": now}
        users = table(User)
        refresh = update(users).where(users.c.iin == person.iin).values(**names).returning(users.c.id)
        user_id = await self.session.scalar(refresh)
        if user_id is not None:
            return int(user_id), False
        if await insert_if_absent(self.session, User, {"iin": person.iin, "created_at": now, **names}):
            created = await self.session.scalar(select(users.c.id).where(users.c.iin == person.iin))
            assert created is not None
            return int(created), True
        user_id = await self.session.scalar(refresh)  # a concurrent first login created it
        assert user_id is not None
        return int(user_id), False

    async def active_grants(self, user_id: int) -> list[tuple[RoleGrant, Court | None]]:
        rows = await self.session.execute(
            select(RoleGrant, Court)
            .outerjoin(Court, Court.id == RoleGrant.court_id)
            .where(RoleGrant.user_id == user_id, RoleGrant.revoked_at.is_(None))
            .order_by(RoleGrant.id)
        )
        return [(grant, court) for grant, court in rows]

    async def grants_of(self, user_id: int) -> frozenset[Grant]:
        return frozenset(grant for grant, _ in await self.grants_with_codes(user_id))

    async def grants_with_codes(self, user_id: int) -> list[tuple[Grant, str | None]]:
        """Active grants with their court's code, in one query (the login response needs both)."""
        grants, courts = table(RoleGrant), table(Court)
        rows = await self.session.execute(
            select(grants.c.role, grants.c.court_id, courts.c.code)
            .select_from(grants.outerjoin(courts, courts.c.id == grants.c.court_id))
            .where(grants.c.user_id == user_id, grants.c.revoked_at.is_(None))
            .order_by(grants.c.id)
        )
        return [(Grant(Role(role), court_id), code) for role, court_id, code in rows]

    async def grant(self, person: PersonName, role: Role, court_code: str | None, *,
                    granter: User | None, actor: str) -> RoleGrant:
        """Grant ``role``; ``granter`` None means the operator's command line."""
        court = await CourtStore(self.session).get(court_code) if court_code else None
        wanted = Grant(role, court.id if court else None)
        check_may_grant(None if granter is None else await self.grants_of(granter.id), wanted,
                        to_self=granter is not None and granter.iin == person.iin)
        user, _ = await self.upsert(person)
        if wanted in await self.grants_of(user.id):
            raise BadRequest(f"{person.iin} already holds {role.value}"
                             + (f" at court {court_code}" if court_code else ""), code="already_granted")
        grant = RoleGrant(user_id=user.id, role=role.value, court_id=wanted.court_id,
                          granted_by=granter.id if granter else None, granted_at=self.clock.now())
        self.session.add(grant)
        await self.session.flush()
        await self.audit.append("role.grant", actor=actor, subject=person.iin,
                                details={"role": role.value, "court": court_code})
        log.info("granted %s at %s to %s", role.value, court_code, person.iin)
        return grant

    async def revoke(self, iin: str, role: Role, court_code: str | None, *,
                     granter: User | None, actor: str) -> None:
        user = await self.get_by_iin(iin)
        court = await CourtStore(self.session).get(court_code) if court_code else None
        wanted = Grant(role, court.id if court else None)
        check_may_grant(None if granter is None else await self.grants_of(granter.id), wanted)
        for grant, _ in await self.active_grants(user.id):
            if grant.role == role.value and grant.court_id == wanted.court_id:
                grant.revoked_at = self.clock.now()
                await self.audit.append("role.revoke", actor=actor, subject=iin,
                                        details={"role": role.value, "court": court_code})
                return
        raise NotFound(f"{iin} does not hold {role.value}", code="grant_not_found")
