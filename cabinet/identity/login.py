"""Login by EDS: a single-use challenge signed with the person's AUTH key becomes a session.

The flow mirrors what NCALayer does on office.sud.kz: the server hands out 32 random bytes
(base64), the browser or API client signs those bytes with the AUTH key as CMS (attached, or
detached over the bytes) and posts the signature back. The verifier decides who signed; the
nonce makes the signature useless to anyone who intercepts it.

Every failure is a 401 with one stable code and is written to the audit log with that code.
A failed attempt also burns the nonce, so one challenge cannot be used to probe repeatedly.
The signature is verified outside any database transaction because revocation checking may
go to the network (OCSP, CRL); the nonce is consumed with a conditional UPDATE, so two
concurrent logins with one nonce cannot both succeed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from cabinet.audit import AuditLog
from cabinet.eds.profile import Purpose
from cabinet.eds.verifier import VerificationResult, Verifier
from cabinet.identity.models import AuthChallenge, AuthSession, User
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Grant, Role
from cabinet.identity.users import PersonName, UserService
from web.clock import Clock
from web.db import Database
from web.errors import BadRequest, Unauthenticated

log = logging.getLogger(__name__)

NONCE_BYTES = 32


class LoginFailed(Unauthenticated):
    default_code = "signature_invalid"


@dataclass(frozen=True)
class Challenge:
    nonce: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginOutcome:
    token: str
    expires_at: datetime
    principal: Principal
    created_account: bool
    verification: VerificationResult


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def decode_signature(signature_b64: str) -> bytes:
    try:
        der = base64.b64decode("".join(signature_b64.split()), validate=True)
    except (binascii.Error, ValueError):
        raise LoginFailed("the signature is not valid base64", code="malformed_signature") from None
    if not der:
        raise LoginFailed("the signature is empty", code="malformed_signature")
    return der


class LoginService:
    def __init__(self, db: Database, verifier: Verifier, clock: Clock, *,
                 nonce_ttl: timedelta, session_ttl: timedelta) -> None:
        self.db = db
        self.verifier = verifier
        self.clock = clock
        self.nonce_ttl = nonce_ttl
        self.session_ttl = session_ttl

    async def issue_challenge(self) -> Challenge:
        now = self.clock.now()
        nonce = base64.b64encode(secrets.token_bytes(NONCE_BYTES)).decode()
        async with self.db.transaction() as session:
            session.add(AuthChallenge(nonce=nonce, created_at=now, expires_at=now + self.nonce_ttl))
        return Challenge(nonce, now + self.nonce_ttl)

    async def login(self, nonce: str, signature_b64: str, *, user_agent: str = "") -> LoginOutcome:
        if not isinstance(nonce, str) or not nonce:
            raise BadRequest("nonce is required", code="invalid_request")
        try:
            await self._check_nonce(nonce)
            cms = decode_signature(signature_b64)
            result = await self.verifier.verify_cms(cms, content=base64.b64decode(nonce), purpose=Purpose.LOGIN)
            if not result.valid:
                raise LoginFailed(result.message or "the signature was not accepted",
                                  code=result.code or "signature_invalid")
            return await self._open_session(nonce, result, user_agent)
        except LoginFailed as failure:
            await self._record_failure(nonce, failure)
            raise

    async def _check_nonce(self, nonce: str) -> None:
        async with self.db.sessions() as session:
            challenge = await session.get(AuthChallenge, nonce)
        if challenge is None:
            raise LoginFailed("this login challenge was never issued", code="nonce_unknown")
        if challenge.used_at is not None:
            raise LoginFailed("this login challenge was already used; request a new one", code="nonce_reused")
        if challenge.expires_at <= self.clock.now():
            raise LoginFailed("this login challenge expired; request a new one", code="nonce_expired")

    async def _consume_nonce(self, session: AsyncSession, nonce: str) -> bool:
        now = self.clock.now()
        result = await session.execute(
            update(AuthChallenge)
            .where(AuthChallenge.nonce == nonce, AuthChallenge.used_at.is_(None), AuthChallenge.expires_at > now)
            .values(used_at=now)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def _open_session(self, nonce: str, result: VerificationResult, user_agent: str) -> LoginOutcome:
        signer = result.signer
        assert signer is not None and signer.iin is not None
        now = self.clock.now()
        token = secrets.token_urlsafe(32)
        async with self.db.transaction() as session:
            if not await self._consume_nonce(session, nonce):
                raise LoginFailed("this login challenge was already used; request a new one", code="nonce_reused")
            users = UserService(session, self.clock)
            user, created = await users.upsert(PersonName(
                signer.iin, signer.common_name, signer.surname or "", signer.given_name or "",
                signer.patronymic or ""))
            user.last_login_at = now
            record = AuthSession(
                token_hash=hash_token(token), user_id=user.id,
                certificate_serial=result.certificate.serial if result.certificate else "",
                certificate_fingerprint=result.certificate.sha256 if result.certificate else "",
                created_at=now, expires_at=now + self.session_ttl, user_agent=user_agent[:500])
            session.add(record)
            await session.flush()
            grants = await users.grants_of(user.id)
            await AuditLog(session, self.clock).append(
                "auth.login", actor=f"iin:{user.iin}", subject=f"session:{record.id}",
                details={"result": "ok", "created_account": created,
                         "certificate": record.certificate_serial,
                         "revocation": result.revocation.to_json()["source"] if result.revocation else None})
        principal = Principal(user.id, user.iin, user.common_name, grants, record.id)
        log.info("login of %s (session %s)", user.iin, record.id)
        return LoginOutcome(token, record.expires_at, principal, created, result)

    async def _record_failure(self, nonce: str, failure: LoginFailed) -> None:
        async with self.db.transaction() as session:
            await self._consume_nonce(session, nonce)
            await AuditLog(session, self.clock).append(
                "auth.login_failed", actor="anonymous", subject="login",
                details={"code": failure.code, "message": failure.message[:300]})
        log.info("login refused: %s", failure.code)

    async def logout(self, principal: Principal) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(AuthSession).where(AuthSession.id == principal.session_id).values(revoked_at=self.clock.now())
            )
            await AuditLog(session, self.clock).append(
                "auth.logout", actor=principal.audit_actor, subject=f"session:{principal.session_id}")

    async def authenticate(self, token: str) -> Principal | None:
        """The principal of a live session token, or None (unknown, expired or logged out)."""
        if not token or len(token) > 200:
            return None
        async with self.db.sessions() as session:
            record = await session.scalar(
                select(AuthSession).where(AuthSession.token_hash == hash_token(token))
                .options(selectinload(AuthSession.user).selectinload(User.grants))
            )
        if record is None or record.revoked_at is not None or record.expires_at <= self.clock.now():
            return None
        user = record.user
        grants = frozenset(Grant(Role(g.role), g.court_id) for g in user.grants if g.revoked_at is None)
        return Principal(user.id, user.iin, user.common_name, grants, record.id)
