"""The clerk sees a hearing record being composed, live, on their ``/cabinet`` socket.

Real socket.io clients over TCP: the clerk and the judge of the recording's court are told the
job's state at once when they connect (queued), then each change the worker stores (running, the
percent rising, done at 100). The parties of the case, their lawyer, a party of another case and
the clerk of another court are connected the whole time and are told nothing.
"""

from __future__ import annotations

import asyncio

import pytest

from recordings.progress import JobProgress, ProgressFollower
from tests.recordings.test_access import cast_the_outsiders
from tests.recordings.test_composition import compositor, job_of, with_media
from tests.signaling.conftest import Courthouse, connect, leave_all

CABINET = "/cabinet"
KEYS = {"recording_id", "hearing_id", "court", "case_number", "state", "progress", "error"}


async def test_the_courts_staff_follow_the_composition_and_nobody_else_hears_of_it(courthouse: Courthouse) -> None:
    h = courthouse
    await cast_the_outsiders(h)
    record = await with_media(h)
    names = ("clerk", "judge", "alice", "lawyer", "carol", "admin")
    sockets = {name: await connect(h.url, CABINET, {"token": h.tokens[name]}) for name in names}
    try:
        clerk = sockets["clerk"]
        first = await clerk.wait("composition", lambda e: e["recording_id"] == record["id"])
        assert first["state"] == "queued" and first["progress"] == 0.0, first
        worker = compositor(h, beat_every_s=0.1)
        assert await worker.run_once()
        done = await clerk.wait("composition", lambda e: e["state"] == "done", within=20)
        await sockets["judge"].wait("composition", lambda e: e["state"] == "done", within=10)
        await asyncio.sleep(3 * h.app.config.notify_poll_s)  # one more poll: nothing new is sent late
    finally:
        await leave_all(*sockets.values())

    assert (await job_of(h, record["id"])).state == "done"
    told = [e for e in clerk.received["composition"] if e["recording_id"] == record["id"]]
    assert all(set(e) == KEYS for e in told), told
    assert done == told[-1] and done["progress"] == 100.0 and done["case_number"] == h.case_number
    assert [e["state"] for e in told].count("done") == 1, "the end is told once"
    assert any(e["state"] == "running" and 0 < e["progress"] < 100 for e in told), f"no progress seen: {told}"
    percents = [e["progress"] for e in told]
    assert percents == sorted(percents), told
    for outsider in ("alice", "lawyer", "carol", "admin"):
        assert "composition" not in sockets[outsider].received, (outsider, sockets[outsider].received)
        assert "unread" in sockets[outsider].received, f"{outsider}'s socket was connected"


async def test_a_socket_emits_nothing_to_follow_progress(courthouse: Courthouse) -> None:
    """Following is decided by the server from the login's grants: a party cannot ask to follow a court."""
    h = courthouse
    alice = await connect(h.url, CABINET, {"token": h.tokens["alice"]})
    try:
        reply = await alice.sio.call("follow_recordings", {"court": "7594"}, namespace=CABINET, timeout=5)
        assert reply["error"]["code"] == "unknown_event"
    finally:
        await leave_all(alice)


def job(state: str, progress: float, job_id: int = 1, court: int = 1) -> JobProgress:
    return JobProgress(job_id, 10 + job_id, 20, court, "7594", "7594-26-01-2/000001", state, progress, None)


def test_the_follower_tells_new_jobs_states_and_whole_percent_steps_once() -> None:
    follower = ProgressFollower()
    assert follower.changes([job("queued", 0)]) == [job("queued", 0)]
    assert follower.changes([job("queued", 0)]) == []
    assert follower.changes([job("running", 0)]) == [job("running", 0)]
    assert follower.changes([job("running", 0.4)]) == [], "less than a point is not worth a message"
    assert follower.changes([job("running", 1.2)]) == [job("running", 1.2)]
    assert follower.following == {1}
    assert follower.changes([job("done", 100)]) == [job("done", 100)]
    assert follower.following == frozenset()
    assert follower.changes([job("done", 100)]) == [], "a finished job read again is not told again"
    assert follower.changes([job("done", 100, job_id=2)]) == [job("done", 100, job_id=2)], \
        "a job that finished between two reads is told"


def test_the_follower_forgets_courts_nobody_follows() -> None:
    follower = ProgressFollower()
    follower.changes([job("running", 5, 1, court=1), job("running", 5, 2, court=2)])
    follower.retain({2})
    assert follower.following == {2}


@pytest.mark.parametrize(("state", "progress"), [("running", -1.0), ("running", 100.5), ("paused", 5.0)])
def test_a_progress_outside_0_to_100_or_an_unknown_state_is_refused(state: str, progress: float) -> None:
    with pytest.raises(ValueError):
        job(state, progress)
