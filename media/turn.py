"""Short-lived, per-person TURN credentials (coturn's ``use-auth-secret``, the "TURN REST API").

A static TURN username and password handed to every browser is a shared secret the whole public
knows after the first hearing: anyone could use the court's relay bandwidth for anything, for ever.
coturn's ``use-auth-secret`` (draft-uberti-behave-turn-rest) lets the application mint credentials
that coturn checks without a database: the username is ``<expiry unix time>:<user id>`` and the
password is ``base64(HMAC-SHA1(static-auth-secret, username))``. coturn refuses an allocation (and
the refresh of one) once the expiry has passed, and a username edited to another person or a later
expiry no longer matches its HMAC. So a credential names one person, lasts ``ttl``, and cannot be
stretched or transferred; only the court's server, which holds the secret, can issue one.

The rule is pure: it takes the time from the caller (the app's clock) and does no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from core.errors import ConfigError
from media.ice import IceConfig, IceServer

MIN_SECRET_LENGTH = 16
"""A guessable secret lets anyone mint credentials; coturn's own examples use 16+ random characters."""
MIN_TTL_S, MAX_TTL_S = 60, 86_400
"""A credential must outlive ICE set-up and the allocation refreshes of one sitting (coturn checks
the expiry on every refresh, every ~10 minutes), and should not outlive a day."""


@dataclass(frozen=True)
class TurnIssuer:
    """The TURN server of the court and the secret it shares with coturn (``static-auth-secret``)."""

    url: str
    secret: str
    ttl_s: int = 3600
    stun: IceServer | None = None
    relay_only: bool = False

    def __post_init__(self) -> None:
        if not self.url.startswith(("turn:", "turns:")) or "@" in self.url:
            raise ConfigError(f"turn_url: {self.url!r} must be a turn: or turns: URL without credentials")
        if len(self.secret) < MIN_SECRET_LENGTH:
            raise ConfigError(f"turn_secret: must be at least {MIN_SECRET_LENGTH} characters")
        if not MIN_TTL_S <= self.ttl_s <= MAX_TTL_S:
            raise ConfigError(f"turn_ttl_s: must be {MIN_TTL_S}-{MAX_TTL_S} s, got {self.ttl_s}")
        if self.stun is not None and self.stun.is_turn:
            raise ConfigError("the STUN server beside the issued TURN credential must be a stun: URL")

    def credential(self, user: str, now: datetime) -> IceServer:
        """The TURN server with a credential for ``user`` that expires ``ttl_s`` after ``now``."""
        if not user or ":" in user:
            raise ValueError(f"a TURN user id must be non-empty and free of ':', got {user!r}")
        expiry = int(now.timestamp()) + self.ttl_s
        username = f"{expiry}:{user}"
        return IceServer(self.url, username, password_for(self.secret, username))

    def config_for(self, user: str, now: datetime) -> IceConfig:
        """The ICE configuration one person's browser gathers with."""
        servers = (self.stun,) if self.stun is not None else ()
        return IceConfig((*servers, self.credential(user, now)), relay_only=self.relay_only)


def password_for(secret: str, username: str) -> str:
    """coturn's password for ``username``: base64 of its HMAC-SHA1 under the shared secret."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")
