"""Login challenges that cost the server nothing to hand out.

A challenge is ``random(32) || expiry(8, big-endian unix seconds) || HMAC-SHA256(key, both)[:16]``,
base64-encoded. Its authenticity and expiry are checked without the database, so anonymous
callers cannot fill a table by asking for challenges, and the login path saves a round trip.
Single use is enforced where it matters, at consumption: the SHA-256 of a presented challenge
is inserted into ``auth_used_nonces`` under a primary key, and a second insert is a replay.

The HMAC key lives in the data directory (created with mode 0600 on first start) so every
process of one installation accepts the challenges any of them issued.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import secrets
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core.clock import Clock
from core.errors import Unauthenticated

log = logging.getLogger(__name__)

RANDOM_BYTES = 32
_TAG_BYTES = 16
_LENGTH = RANDOM_BYTES + 8 + _TAG_BYTES


class ChallengeRefused(Unauthenticated):
    default_code = "nonce_unknown"


@dataclass(frozen=True)
class Challenge:
    nonce: str
    expires_at: datetime

    @property
    def signed_bytes(self) -> bytes:
        """What the client signs: the challenge's raw bytes (NCALayer takes them as base64)."""
        return base64.b64decode(self.nonce)


@dataclass(frozen=True)
class OpenedChallenge:
    digest: str
    raw: bytes
    expires_at: datetime


class ChallengeMinter:
    def __init__(self, key: bytes, clock: Clock, ttl: timedelta) -> None:
        if len(key) < 32:
            raise ValueError("the challenge key needs at least 32 bytes")
        self._key = key
        self.clock = clock
        self.ttl = ttl

    def _tag(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_TAG_BYTES]

    def mint(self) -> Challenge:
        expires_at = (self.clock.now() + self.ttl).replace(microsecond=0)
        body = secrets.token_bytes(RANDOM_BYTES) + struct.pack(">q", int(expires_at.timestamp()))
        return Challenge(base64.b64encode(body + self._tag(body)).decode(), expires_at)

    def open(self, nonce: str) -> OpenedChallenge:
        """Check a presented challenge; raises ``nonce_unknown`` or ``nonce_expired``."""
        try:
            raw = base64.b64decode(nonce, validate=True)
        except (binascii.Error, ValueError):
            raise ChallengeRefused("this login challenge was never issued", code="nonce_unknown") from None
        if len(raw) != _LENGTH:
            raise ChallengeRefused("this login challenge was never issued", code="nonce_unknown")
        body, tag = raw[:-_TAG_BYTES], raw[-_TAG_BYTES:]
        if not hmac.compare_digest(tag, self._tag(body)):
            raise ChallengeRefused("this login challenge was never issued", code="nonce_unknown")
        expires_at = datetime.fromtimestamp(struct.unpack(">q", body[RANDOM_BYTES:])[0], UTC)
        if expires_at <= self.clock.now():
            raise ChallengeRefused("this login challenge expired; request a new one", code="nonce_expired")
        return OpenedChallenge(hashlib.sha256(raw).hexdigest(), raw, expires_at)


def load_or_create_key(path: Path) -> bytes:
    """The installation's challenge key; created once, atomically, readable by the owner only."""
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secrets.token_bytes(32))
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    log.info("login challenge key at %s", path)
    return path.read_bytes()
