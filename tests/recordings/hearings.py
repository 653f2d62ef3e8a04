"""Run a hearing through signaling with aiortc participants, and wait for its sealed recording."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from signaling.setup import HEARING_NS
from tests.signaling.conftest import Courthouse, Socket
from tests.signaling.test_hearing_flow import roster_shows

PEOPLE = {"judge": "judge", "clerk": "clerk", "alice": "plaintiff", "bob": "defendant"}


async def open_session(h: Courthouse, *, is_open: bool = True, names: tuple[str, ...] = ("judge", "alice"),
                       language: str | None = None) -> tuple[int, dict[str, Socket]]:
    """Book a hearing, start it, admit ``names`` (the judge first); returns the hearing and sockets."""
    hearing = await h.book(people=PEOPLE, is_open=is_open, language=language)
    sockets = {name: await h.join(name, hearing) for name in names}
    reply = await sockets["judge"].call("start")
    assert reply["ok"], reply
    for name in names[1:]:
        await admit(h, hearing, sockets, name)
    return hearing, sockets


async def admit(h: Courthouse, hearing: int, sockets: dict[str, Socket], name: str) -> None:
    if name not in sockets:
        sockets[name] = await h.join(name, hearing)
    reply = await sockets["judge"].call("admit", {"target": h.ids[name]})
    assert reply["ok"], reply
    await sockets[name].wait("roster", roster_shows(h.ids[name], "in_room"))


async def recorder_of(h: Courthouse, hearing: int, within: float = 20) -> Any:
    """The hearing's recorder in this process, once it has started: the recorder follows the hearing
    when the signaling bus applies the change, which need not be before the judge's ``start`` is answered."""
    hub = h.app.client.app[HEARING_NS].recorders
    assert hub is not None
    deadline = time.monotonic() + within
    while (recorder := hub.recording(hearing)) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"hearing {hearing}: no recorder started within {within} s")
        await asyncio.sleep(0.05)
    return recorder


async def sealed(h: Courthouse, hearing: int, within: float = 30) -> dict[str, Any]:
    """The hearing's sealed recording as the clerk reads it (after waiting for the seal)."""
    hub = h.app.client.app[HEARING_NS].recorders
    deadline = time.monotonic() + within
    while True:
        await hub.settled()
        response = await h.court.get("clerk", "/api/v1/recordings?per_page=100")
        assert response.status == 200, await response.text()
        items = [r for r in (await response.json())["items"] if r["hearing_id"] == hearing]
        if items and items[0]["state"] == "sealed":
            one = await h.court.get("clerk", f"/api/v1/recordings/{items[0]['id']}")
            assert one.status == 200, await one.text()
            return dict(await one.json())
        if time.monotonic() > deadline:
            raise AssertionError(f"hearing {hearing} has no sealed recording: {items}")
        await asyncio.sleep(0.1)


async def close_hearing(judge: Socket) -> None:
    """The judge closes the hearing; every socket is then told ``ended`` with ``hearing_closed``.

    The acknowledgement itself may not arrive: signaling ends the judge's socket 0.2 s after the
    close while it is still tearing down the relay's peer connections (seen on PostgreSQL runs), so
    the test waits for what the page acts on — the ``ended`` event.
    """
    await judge.sio.emit("close", {}, namespace=judge.namespace)
    await judge.wait("ended", lambda e: e.get("code") == "hearing_closed", within=20)
