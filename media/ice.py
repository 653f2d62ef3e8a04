"""ICE servers as one configuration value shared by the relay and the hearing pages.

aiortc silently falls back to a public Google STUN server when given no servers; a court
system must not leak participants' addresses to a third party, so the default here is an
explicit empty list (host candidates only: offline and loopback work, NATs need TURN).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiortc import RTCConfiguration, RTCIceServer
from aiortc.rtcconfiguration import RTCBundlePolicy, RTCIceTransportPolicy

from core.errors import ConfigError

_SCHEMES = ("stun:", "turn:", "turns:")


@dataclass(frozen=True)
class IceServer:
    """One STUN or TURN server; TURN needs long-term credentials (coturn ``lt-cred-mech``)."""

    url: str
    username: str | None = None
    credential: str | None = None

    def __post_init__(self) -> None:
        if not self.url.startswith(_SCHEMES):
            raise ConfigError(f"ICE server URL must start with stun:, turn: or turns:, got {self.url!r}")
        if self.is_turn and not (self.username and self.credential):
            raise ConfigError(f"TURN server {self.url!r} needs a username and a credential")

    @classmethod
    def from_url(cls, text: str) -> IceServer:
        """One server from one setting; TURN credentials ride in the URL's user part.

        ``turn:user:secret@host:3478`` is read as ``turn:host:3478`` with that username and credential,
        which is how coturn's long-term credentials are usually written in one setting.
        """
        scheme, _, rest = text.partition(":")
        if "@" not in rest:
            return cls(text)
        userinfo, _, host = rest.rpartition("@")
        username, _, credential = userinfo.partition(":")
        return cls(f"{scheme}:{host}", username or None, credential or None)

    @property
    def is_turn(self) -> bool:
        return self.url.startswith(("turn:", "turns:"))


@dataclass(frozen=True)
class IceConfig:
    """The ICE servers and policy; ``relay_only`` forces every path through TURN."""

    servers: tuple[IceServer, ...] = field(default_factory=tuple)
    relay_only: bool = False

    @classmethod
    def from_urls(cls, urls: Iterable[str], *, relay_only: bool = False) -> IceConfig:
        """The configuration of the ``ice_servers`` setting (see :meth:`IceServer.from_url`)."""
        return cls(tuple(IceServer.from_url(url) for url in urls), relay_only=relay_only)

    def __post_init__(self) -> None:
        turn = [s for s in self.servers if s.is_turn]
        stun = [s for s in self.servers if not s.is_turn]
        # aioice uses only the first STUN and the first TURN server: refuse config it would ignore.
        if len(turn) > 1 or len(stun) > 1:
            raise ConfigError("aiortc uses at most one STUN and one TURN server; list no more")
        if self.relay_only and not turn:
            raise ConfigError("relay_only ICE policy needs a TURN server")

    def rtc_configuration(self) -> RTCConfiguration:
        """The aiortc configuration: never ``None`` servers, which would mean Google STUN.

        ``max-bundle`` puts every m-line on one transport; with aiortc's default ``balanced``
        policy, transceivers created before the offer is applied keep a per-kind transport that
        never connects (their senders silently never start).
        """
        servers = [RTCIceServer(s.url, s.username, s.credential) for s in self.servers]
        policy = RTCIceTransportPolicy.RELAY if self.relay_only else RTCIceTransportPolicy.ALL
        return RTCConfiguration(
            iceServers=servers, iceTransportPolicy=policy, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE
        )

    def browser_configuration(self) -> dict[str, Any]:
        """The same list in the shape of the browser's ``RTCConfiguration`` dictionary."""
        servers: list[dict[str, Any]] = []
        for s in self.servers:
            entry: dict[str, Any] = {"urls": [s.url]}
            if s.username is not None:
                entry["username"] = s.username
                entry["credential"] = s.credential
            servers.append(entry)
        return {"ice_servers": servers, "ice_transport_policy": "relay" if self.relay_only else "all"}
