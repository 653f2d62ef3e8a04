"""A running app on a real port, the cabinet's cast of key holders, and socket.io clients for them.

Clients are real ``socketio.AsyncClient`` instances speaking to the server over TCP (websocket
transport), logged in by EDS through the HTTP API exactly as a browser would be.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
import socketio
from aiohttp.test_utils import TestClient, TestServer

from cabinet.eds.ca import CertificateAuthority, IssuedPerson
from core.clock import FixedClock, SystemClock
from signaling.client import hearing_url
from tests.cabinet.conftest import CabinetApp, bearer, cast  # noqa: F401  (the cast fixture)
from web.app import create_app


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    """Config overrides for the running app; a test module may override this fixture."""
    return {"notify_poll_s": 0.2}


@pytest.fixture
async def live(cast: Any, db: Any, make_config: Any,  # noqa: F811
               app_overrides: dict[str, Any]) -> AsyncIterator[CabinetApp]:
    """The whole application on a real port (as ``cabinet_app``) with signaling-friendly settings."""
    config = make_config(trust_roots=(cast.offline_root, cast.offline_root.with_name("offline-issuing.pem")),
                         **app_overrides)
    shutil.copytree(cast.ca_dir, config.pki_dir)
    clock = FixedClock(datetime.now(UTC))
    app = create_app(config, clock=clock)
    async with TestClient(TestServer(app)) as client:
        yield CabinetApp(client, config, clock, CertificateAuthority.open(config.pki_dir, SystemClock()))


@dataclass
class Socket:
    """A socket.io client that records every event it receives, per namespace."""

    sio: socketio.AsyncClient
    namespace: str
    received: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))

    def on_any(self) -> None:
        async def record(event: str, *args: Any) -> None:
            self.received[event].append(args[0] if len(args) == 1 else args)

        self.sio.on("*", record, namespace=self.namespace)

    async def call(self, event: str, data: Any = None, within: float = 15) -> Any:
        return await self.sio.call(event, data, namespace=self.namespace, timeout=within)

    async def wait(self, event: str, predicate: Callable[[Any], bool] = lambda _: True,
                   within: float = 10.0) -> Any:
        """The first ``event`` received (before or after this call) that satisfies ``predicate``."""
        deadline = time.monotonic() + within
        while True:
            for item in self.received.get(event, []):
                if predicate(item):
                    return item
            if time.monotonic() > deadline:
                raise AssertionError(f"no {event!r} matching within {within} s; got {dict(self.received)}")
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()

    def camel_case_keys(self) -> list[str]:
        """Every key of every payload received that is not snake_case (events.md: one casing)."""
        return sorted({f"{event}: {key}" for event, payloads in self.received.items()
                       for key in _keys(payloads) if not SNAKE_CASE.match(key)})


SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _keys(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _keys(item)


def base_url(app: CabinetApp) -> str:
    return str(app.client.make_url("")).rstrip("/")


async def token_of(app: CabinetApp, person: IssuedPerson) -> str:
    headers = await bearer(app, person)
    return headers["Authorization"].removeprefix("Bearer ")


def affinity_url(url: str, namespace: str, auth: dict[str, Any] | None) -> str:
    """``url`` with the hearing in the handshake URL, as every /hearing client puts it (events.md)."""
    hearing = (auth or {}).get("hearing")
    if namespace != "/hearing" or "?" in url or isinstance(hearing, bool) or not isinstance(hearing, int):
        return url
    return hearing_url(url, hearing)


async def connect(url: str, namespace: str, auth: dict[str, Any] | None, **kw: Any) -> Socket:
    """Connect, raising ``socketio.exceptions.ConnectionError`` with the server's refusal on failure."""
    client = socketio.AsyncClient(reconnection=False)
    socket = Socket(client, namespace)
    socket.on_any()
    await client.connect(affinity_url(url, namespace, auth), namespaces=[namespace], auth=auth,
                         transports=["websocket"], wait_timeout=10, **kw)
    return socket


async def refusal(url: str, namespace: str, auth: dict[str, Any] | None, **kw: Any) -> dict[str, Any]:
    """The refusal the server answers with: the ``data`` of ``connect_error``, ``{"code", "message"}``."""
    client = socketio.AsyncClient(reconnection=False)
    errors: list[Any] = []
    client.on("connect_error", lambda data: errors.append(data), namespace=namespace)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(affinity_url(url, namespace, auth), namespaces=[namespace], auth=auth,
                             transports=kw.pop("transports", ["websocket"]),
                             wait_timeout=10, **kw)
    await client.disconnect()
    assert errors, "the server refused without a connect_error payload"
    data = errors[0]
    assert isinstance(data, dict) and isinstance(data.get("data"), dict), data
    assert data["message"] == data["data"]["message"]
    return dict(data["data"])


# ---- a court with a registered case, and hearings booked in it ---------------------------------

from datetime import timedelta  # noqa: E402

from cabinet.eds.profile import parse_identity  # noqa: E402
from tests.cabinet.conftest import Cast, seed_court  # noqa: E402
from tests.cabinet.filing.conftest import Court, registered_case  # noqa: E402

HEARING_NS = "/hearing"


def iin_of(person: IssuedPerson) -> str:
    iin = parse_identity(person.auth.certificate).iin
    assert iin is not None
    return iin


@dataclass
class Courthouse:
    """The live app with court 7594 seeded, the cast logged in, and one registered case."""

    court: Court
    case_number: str
    tokens: dict[str, str]

    @property
    def app(self) -> CabinetApp:
        return self.court.app

    @property
    def url(self) -> str:
        return base_url(self.app)

    def user_id(self, name: str) -> int:
        return self.ids[name]

    ids: dict[str, int] = field(default_factory=dict)

    async def book(self, *, people: dict[str, str], is_open: bool = True, start_in: timedelta = timedelta(minutes=5),
                   lead_minutes: int = 15, auto_admit: bool = False, by: str = "clerk",
                   language: str | None = None) -> int:
        """Book a hearing of the case (``people``: cast name -> hearing role); returns its id."""
        start = self.app.clock.now() + start_in
        body = {"case": self.case_number, "courtroom": "Зал 1", "start": start.isoformat(),
                "duration_minutes": 60, "format": "online", "is_open": is_open, "auto_admit": auto_admit,
                "lobby_lead_minutes": lead_minutes,
                "participants": [{"iin": iin_of(getattr(self.court.cast, name)), "role": role}
                                 for name, role in people.items()]}
        if language is not None:
            body["language"] = language
        response = await self.app.client.post("/api/v1/hearings", json=body, headers=await self.court.as_(by))
        assert response.status == 201, await response.text()
        return int((await response.json())["id"])

    async def join(self, name: str, hearing_id: int) -> Socket:
        return await connect(self.url, HEARING_NS, {"token": self.tokens[name], "hearing": hearing_id})

    async def refused(self, name: str | None, hearing_id: object) -> dict[str, Any]:
        auth: dict[str, Any] = {"hearing": hearing_id}
        if name is not None:
            auth["token"] = self.tokens[name]
        return await refusal(self.url, HEARING_NS, auth)


CAST_NAMES = ("alice", "bob", "carol", "judge", "judge2", "clerk", "admin", "lawyer")


@pytest.fixture
async def courthouse(live: CabinetApp, cast: Cast, db: Any) -> Courthouse:  # noqa: F811
    await seed_court(db, cast)
    court = Court(live, cast, db, {})
    await court.log_everyone_in()
    _, number = await registered_case(court)
    response = await court.post("judge", f"/api/v1/staff/cases/{number}/accept")  # judge: first on a tie
    assert response.status == 200, await response.text()
    from cabinet.identity.http import LOGIN

    tokens = {name: court.heads[name]["Authorization"].removeprefix("Bearer ") for name in CAST_NAMES}
    ids = {}
    for name, token in tokens.items():
        principal = await live.client.app[LOGIN].authenticate(token)
        assert principal is not None
        ids[name] = principal.user_id
    return Courthouse(court, number, tokens, ids)


async def leave_all(*sockets: Socket) -> None:
    for socket in sockets:
        await socket.close()
