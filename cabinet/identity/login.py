"""Login by EDS: a challenge signed with the person's AUTH key becomes a session.

The flow mirrors what NCALayer does on office.sud.kz: the server hands out a challenge (base64
bytes, see :mod:`cabinet.identity.challenges`), the browser or API client signs those bytes with
the AUTH key as CMS (attached, or detached over the bytes) and posts the signature back. The
verifier decides who signed; the challenge makes the signature useless to anyone who intercepts it.

Every failure is a 401 with one stable code and is written to the audit log with that code.
A failed attempt burns its challenge, so one challenge cannot be used to probe repeatedly.
The signature is verified outside any database transaction because revocation checking may go
to the network (OCSP, CRL). The whole successful login is then ONE transaction: burn the
challenge (a primary-key insert, so two concurrent logins with one challenge cannot both pass),
refresh the user, open the session, append to the audit chain.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.audit import AuditLog
from cabinet.eds.profile import Purpose
from cabinet.eds.verifier import VerificationResult, Verifier
from cabinet.identity.challenges import Challenge, ChallengeMinter, ChallengeRefused, OpenedChallenge
from cabinet.identity.models import AuthSession, RoleGrant, UsedNonce, User
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Grant, Role
from cabinet.identity.users import PersonName, UserService
from core.clock import Clock
from core.db import Database, FastPath, insert_if_absent, table
from core.errors import BadRequest, Unauthenticated
from core.metrics import Counters

log = logging.getLogger(__name__)

LOGINS = "sotkab_logins_total"


class LoginFailed(Unauthenticated):
    default_code = "signature_invalid"


@dataclass(frozen=True)
class LoginOutcome:
    token: str
    expires_at: datetime
    principal: Principal
    roles: tuple[tuple[str, str | None], ...]
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


_SESSIONS, _USERS, _GRANTS = table(AuthSession), table(User), table(RoleGrant)
_SESSION_OF_TOKEN = (
    select(_SESSIONS.c.id, _SESSIONS.c.expires_at, _SESSIONS.c.revoked_at, _USERS.c.id.label("user_id"),
           _USERS.c.iin, _USERS.c.common_name, _GRANTS.c.role, _GRANTS.c.court_id)
    .join(_USERS, _USERS.c.id == _SESSIONS.c.user_id)
    .outerjoin(_GRANTS, (_GRANTS.c.user_id == _USERS.c.id) & _GRANTS.c.revoked_at.is_(None))
    .where(_SESSIONS.c.token_hash == bindparam("token_hash")))
"""A session with its user and live grants in one statement (one row per grant, at least one row).
Every authenticated request runs it, so it goes by the database's fast path (:meth:`Database.fast_path`)."""


async def end_certificate_sessions(session: AsyncSession, serial_hex: str, now: datetime) -> int:
    """End every open login session opened with the certificate ``serial_hex``; how many ended.

    Called when a certificate is revoked: the revocation cache refuses its next login within
    ``revocation_good_ttl_s``, and this ends what it already opened (sockets follow, as they
    re-check their session on every call).
    """
    result = await session.execute(
        update(AuthSession)
        .where(AuthSession.certificate_serial == serial_hex.lower(), AuthSession.revoked_at.is_(None))
        .values(revoked_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


class LoginService:
    def __init__(self, db: Database, verifier: Verifier, clock: Clock, challenges: ChallengeMinter, *,
                 session_ttl: timedelta, reads: FastPath, counters: Counters | None = None) -> None:
        self.db = db
        self.counters = counters
        if counters is not None:
            counters.declare(LOGINS, "EDS logins this worker decided, by result (ok or the refusal's code)")
        self.reads = reads
        self.verifier = verifier
        self.clock = clock
        self.challenges = challenges
        self.session_ttl = session_ttl
        self._ended: list[Callable[[int], Awaitable[None]]] = []

    def issue_challenge(self) -> Challenge:
        return self.challenges.mint()

    async def login(self, nonce: str, signature_b64: str, *, user_agent: str = "") -> LoginOutcome:
        if not isinstance(nonce, str) or not nonce:
            raise BadRequest("nonce is required", code="invalid_request")
        opened: OpenedChallenge | None = None
        try:
            opened = self.challenges.open(nonce)
            cms = decode_signature(signature_b64)
            result = await self.verifier.verify_cms(cms, content=opened.raw, purpose=Purpose.LOGIN)
            if not result.valid:
                raise LoginFailed(result.message or "the signature was not accepted",
                                  code=result.code or "signature_invalid")
            if result.signer is None or result.signer.iin is None:
                raise LoginFailed("the certificate names no IIN (subject serialNumber IIN…), so it cannot "
                                  "identify a person", code="certificate_without_iin")
            outcome = await self._open_session(opened, result, user_agent)
        except (LoginFailed, ChallengeRefused) as failure:
            self._count(failure.code)
            await self._record_failure(opened, failure)
            raise
        self._count("ok")
        return outcome

    def _count(self, result: str) -> None:
        if self.counters is not None:
            self.counters.inc(LOGINS, result=result)

    async def _burn(self, session: AsyncSession, opened: OpenedChallenge) -> bool:
        return await insert_if_absent(session, UsedNonce, {
            "digest": opened.digest, "used_at": self.clock.now(), "expires_at": opened.expires_at})

    async def _open_session(self, opened: OpenedChallenge, result: VerificationResult,
                            user_agent: str) -> LoginOutcome:
        signer = result.signer
        if signer is None or signer.iin is None:  # login() refused these already; kept for the type checker
            raise LoginFailed("the certificate names no IIN", code="certificate_without_iin")
        now = self.clock.now()
        token = secrets.token_urlsafe(32)
        expires_at = now + self.session_ttl
        serial = result.certificate.serial if result.certificate else ""
        person = PersonName(signer.iin, signer.common_name, signer.surname or "", signer.given_name or "",
                            signer.patronymic or "")
        async with self.db.transaction() as session:
            if not await self._burn(session, opened):
                raise LoginFailed("this login challenge was already used; request a new one", code="nonce_reused")
            users = UserService(session, self.clock)
            user_id, created = await users.record_login(person)
            sessions = table(AuthSession)
            session_id = await session.scalar(insert(sessions).values(
                token_hash=hash_token(token), user_id=user_id, certificate_serial=serial,
                certificate_fingerprint=result.certificate.sha256 if result.certificate else "",
                created_at=now, expires_at=expires_at, user_agent=user_agent[:500],
            ).returning(sessions.c.id))
            assert session_id is not None
            grants = await users.grants_with_codes(user_id)
            await AuditLog(session, self.clock).append(
                "auth.login", actor=f"iin:{person.iin}", subject=f"session:{session_id}",
                details={"result": "ok", "created_account": created, "certificate": serial,
                         "revocation": result.revocation.to_json()["source"] if result.revocation else None})
        principal = Principal(user_id, person.iin, person.common_name, frozenset(g for g, _ in grants), session_id)
        log.info("login of %s (session %s)", person.iin, session_id)
        roles = tuple((grant.role.value, code) for grant, code in grants)
        return LoginOutcome(token, expires_at, principal, roles, created, result)

    async def _record_failure(self, opened: OpenedChallenge | None,
                              failure: LoginFailed | ChallengeRefused) -> None:
        async with self.db.transaction() as session:
            if opened is not None:
                await self._burn(session, opened)
            await AuditLog(session, self.clock).append(
                "auth.login_failed", actor="anonymous", subject="login",
                details={"code": failure.code, "message": failure.message[:300]})
        log.info("login refused: %s", failure.code)

    def on_session_ended(self, listener: Callable[[int], Awaitable[None]]) -> None:
        """Call ``listener(session_id)`` after a logout commits: whatever holds connections opened
        with the session (the signaling server's sockets) ends them at once."""
        self._ended.append(listener)

    async def logout(self, principal: Principal) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(AuthSession).where(AuthSession.id == principal.session_id).values(revoked_at=self.clock.now())
            )
            await AuditLog(session, self.clock).append(
                "auth.logout", actor=principal.audit_actor, subject=f"session:{principal.session_id}")
        for listener in self._ended:
            try:
                await listener(principal.session_id)
            except Exception:
                log.exception("ending the connections of session %s failed", principal.session_id)

    async def purge_used_challenges(self) -> int:
        """Forget burnt challenges that have expired: they can no longer be replayed anyway."""
        async with self.db.transaction() as session:
            result = await session.execute(delete(UsedNonce).where(UsedNonce.expires_at < self.clock.now()))
        return int(getattr(result, "rowcount", 0) or 0)

    async def authenticate(self, token: str) -> Principal | None:
        """The principal of a live session token, or None (unknown, expired or logged out)."""
        if not token or len(token) > 200:
            return None
        rows = await self.reads.fetch(_SESSION_OF_TOKEN, {"token_hash": hash_token(token)})
        if not rows:
            return None
        first = rows[0]
        if first["revoked_at"] is not None or first["expires_at"] <= self.clock.now():
            return None
        grants = frozenset(Grant(Role(r["role"]), r["court_id"]) for r in rows if r["role"] is not None)
        return Principal(first["user_id"], first["iin"], first["common_name"], grants, first["id"])
