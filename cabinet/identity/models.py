"""Tables of identity: users, role grants, login challenges and sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, UtcDateTime


class User(Base):
    """A person known by IIN. Names are copied from their certificate at each login."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    iin: Mapped[str] = mapped_column(String(12), unique=True)
    common_name: Mapped[str] = mapped_column(String(300))
    surname: Mapped[str] = mapped_column(String(200), default="")
    given_name: Mapped[str] = mapped_column(String(200), default="")
    patronymic: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    """What the person chose to read the court in (``cabinet.identity.language``); none yet: Kazakh."""
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", lazy="raise", foreign_keys="RoleGrant.user_id"
    )


class RoleGrant(Base):
    """A staff role (judge, clerk, court administrator) at a court, or lawyer status (no court).

    Grants are never deleted: revoking sets ``revoked_at`` so the history stays auditable.
    """

    __tablename__ = "role_grants"
    __table_args__ = (Index("ix_role_grants_user_active", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    court_id: Mapped[int | None] = mapped_column(ForeignKey("courts.id"), default=None)
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    granted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    user: Mapped[User] = relationship(back_populates="grants", lazy="raise", foreign_keys=[user_id])


class UsedNonce(Base):
    """A login challenge that was presented once (SHA-256 of its bytes); the key makes reuse fail.

    Rows are kept until the challenge would have expired anyway, then purged.
    """

    __tablename__ = "auth_used_nonces"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class AuthSession(Base):
    """A login session. Only the SHA-256 of the token is stored, so a database leak grants nothing."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    certificate_serial: Mapped[str] = mapped_column(String(80))
    certificate_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    user_agent: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[User] = relationship(lazy="raise")
