"""Courts and courtrooms are data: created by ``sotkab courts add`` or the demo seed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from core.db import Base
from core.errors import BadRequest, Conflict, NotFound

COURT_CODE = re.compile(r"^[0-9A-Z]{2,10}$")


class Court(Base):
    __tablename__ = "courts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    region: Mapped[str] = mapped_column(String(200))
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    courtrooms: Mapped[list[Courtroom]] = relationship(
        back_populates="court", order_by="Courtroom.name", lazy="raise"
    )


class Courtroom(Base):
    __tablename__ = "courtrooms"
    __table_args__ = (UniqueConstraint("court_id", "name", name="uq_courtrooms_court_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("courts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    court: Mapped[Court] = relationship(back_populates="courtrooms", lazy="raise")


@dataclass(frozen=True)
class CourtSpec:
    code: str
    region: str
    name_kk: str
    name_ru: str
    name_en: str

    def __post_init__(self) -> None:
        if not COURT_CODE.match(self.code):
            raise BadRequest(
                f"court code {self.code!r} must be 2-10 digits or capital latin letters",
                code="invalid_court_code",
            )
        for name in ("region", "name_kk", "name_ru", "name_en"):
            if not getattr(self, name).strip():
                raise BadRequest(f"court {name} must not be empty", code="invalid_court")


class CourtStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, spec: CourtSpec) -> Court:
        if await self.find(spec.code) is not None:
            raise Conflict(f"court {spec.code} already exists", code="court_exists")
        court = Court(code=spec.code, region=spec.region, name_kk=spec.name_kk,
                      name_ru=spec.name_ru, name_en=spec.name_en)
        self.session.add(court)
        await self.session.flush()
        return court

    async def add_courtroom(self, court_code: str, name: str) -> Courtroom:
        court = await self.get(court_code)
        if not name.strip():
            raise BadRequest("courtroom name must not be empty", code="invalid_courtroom")
        existing = await self.session.scalar(
            select(Courtroom).where(Courtroom.court_id == court.id, Courtroom.name == name)
        )
        if existing is not None:
            raise Conflict(f"courtroom {name!r} already exists in court {court_code}", code="courtroom_exists")
        room = Courtroom(court_id=court.id, name=name)
        self.session.add(room)
        await self.session.flush()
        return room

    async def find(self, code: str) -> Court | None:
        return await self.session.scalar(
            select(Court).where(Court.code == code).options(selectinload(Court.courtrooms))
        )

    async def get(self, code: str) -> Court:
        court = await self.find(code)
        if court is None:
            raise NotFound(f"no court with code {code!r}", code="court_not_found")
        return court

    async def list(self) -> list[Court]:
        rows = await self.session.scalars(
            select(Court).options(selectinload(Court.courtrooms)).order_by(Court.code)
        )
        return list(rows)
