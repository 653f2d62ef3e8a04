"""Sockets whose session or staff grant is gone end even if they never call again (issue 9,
item 8): the periodic re-check, run here every half second (``socket_recheck_s``)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from cabinet.identity.models import AuthSession
from core.resources import CLOCK, DB
from tests.signaling.conftest import Courthouse, connect, leave_all
from tests.signaling.test_socket_lifetime import _revoke_clerk, gone, in_session, left_the_session


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {"notify_poll_s": 0.2, "socket_recheck_s": 0.5}


async def test_sockets_of_a_session_ended_in_the_database_end_by_themselves(courthouse: Courthouse) -> None:
    """A session ended outside this process (a revoked certificate's sessions are ended in the
    database; another process's logout whose bus message was lost) ends its sockets anyway."""
    h = courthouse
    _, judge, bob = await in_session(h, "bob")
    cabinet = await connect(h.url, "/cabinet", {"token": h.tokens["bob"]})
    try:
        app: Any = h.app.client.app
        async with app[DB].transaction() as session:
            await session.execute(update(AuthSession).where(AuthSession.user_id == h.ids["bob"])
                                  .values(revoked_at=app[CLOCK].now()))
        assert (await bob.wait("ended", within=5))["code"] == "session_ended"
        assert (await cabinet.wait("ended", within=5))["code"] == "session_ended"
        await gone(bob)
        await gone(cabinet)
        await judge.wait("roster", left_the_session(h.ids["bob"]))
        assert not judge.received["ended"], "the judge's own session is untouched"
        assert (await judge.call("heartbeat", {"rtt_ms": 10}))["ok"]
    finally:
        await leave_all(judge, bob, cabinet)


async def test_a_staff_socket_ends_when_the_grant_is_revoked(courthouse: Courthouse) -> None:
    h = courthouse
    _, judge, clerk = await in_session(h, "clerk")
    try:
        await _revoke_clerk(h)
        assert (await clerk.wait("ended", within=5))["code"] == "staff_grant_revoked"
        await gone(clerk)
        assert not judge.received["ended"]
    finally:
        await leave_all(judge, clerk)
