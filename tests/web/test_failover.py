"""A worker killed mid-hearing (issue 14, Failover): two workers behind a real HAProxy, three aiortc
participants streaming through the hearing's worker, SIGKILL it. Every participant's Python client
reconnects through the router to the other worker (the health check and the hash move the hearing),
its media is negotiated there afresh, and the hearing goes on: the same state and log, one recording
continued with the outage named in its manifest — about as long as the participants measured it —
and nothing else missing; no notice sent twice."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from cabinet.notifications.models import Delivery, Notice, SandboxSms
from cabinet.notifications.notices import NoticeKind
from recordings.service import LEASE
from sessions.models import HearingEventRow
from sessions.resources import HEARINGS
from signaling.client import HearingClient
from tests.conftest import require
from tests.recordings.test_sigkill_recovery import recording_of
from tests.signaling.conftest import Courthouse, app_overrides, cast, courthouse, live  # noqa: F401
from tests.signaling.nodes import REDIS_URL, redis_up
from tests.web.cluster import (
    RelayPeer,
    haproxy_present,
    hears_everyone,
    kill_the_hearings_worker,
    machines_possible,
    start_cluster,
)

PEOPLE = {"judge": "judge", "alice": "plaintiff", "bob": "defendant"}
GOP = 30
"""The synthetic publishers' keyframe interval, in frames."""


@pytest.fixture
def database_url(postgres_url: str | None) -> str:
    require(postgres_url is not None, getattr(pytest, "postgres_unavailable", "PostgreSQL unreachable"))
    assert postgres_url is not None
    return postgres_url


@pytest.fixture
def app_overrides() -> dict[str, Any]:  # noqa: F811
    """The test's own app is one more process of the cluster (it shares Redis and the database)."""
    return {"notify_poll_s": 0.2, "redis_url": REDIS_URL}


def _holes(segments: list[dict[str, Any]]) -> list[float]:
    """Seconds between each segment's end and the next one's start (in journal order)."""
    return [(datetime.fromisoformat(b["start"]) - datetime.fromisoformat(a["end"])).total_seconds()
            for a, b in itertools.pairwise(segments)]


async def _log(h: Courthouse, hearing: int) -> list[tuple[int, str]]:
    async with h.court.db.transaction() as session:
        rows = await session.execute(select(HearingEventRow.seq, HearingEventRow.action)
                                     .where(HearingEventRow.hearing_id == hearing).order_by(HearingEventRow.seq))
        return [(seq, str(action)) for seq, action in rows.all()]


@pytest.mark.parametrize("machines", [False, True], ids=["workers_of_one_machine", "two_machines"])
async def test_a_worker_killed_mid_hearing_loses_the_hearing_for_seconds_and_nothing_else(
        courthouse: Courthouse, machines: bool) -> None:  # noqa: F811
    """Two workers of one machine, or two machines (each worker a host name of its own): on one
    machine the survivor sees at once that the dead worker's process is gone and continues the
    recording; across machines it can only wait for the dead one's recording lease (a few seconds,
    renewed every second while it lived), so the recording may resume a little after the media."""
    require(await redis_up(), "Redis is not reachable at 127.0.0.1:6379")
    require(haproxy_present(), "haproxy (Debian package) is not installed")
    if machines:
        require(machines_possible(), "no UTS namespaces here (unshare --uts needs root): one machine only")
    h = courthouse
    hearing = await h.book(people=PEOPLE, auto_admit=True)
    config = h.app.config
    cluster = await start_cluster(database_url=config.database_url, data_dir=config.data_dir, redis_url=REDIS_URL,
                                  machines=machines)
    clients: dict[str, HearingClient] = {}
    made: dict[str, list[RelayPeer]] = {name: [] for name in PEOPLE}

    def peer_of(name: str) -> RelayPeer:
        made[name].append(RelayPeer(name, slots=2))
        return made[name][-1]

    try:
        for name in PEOPLE:
            clients[name] = HearingClient(cluster.url, hearing, h.tokens[name], ssl_verify=False,
                                          media=lambda name=name: peer_of(name))  # type: ignore[misc]
            await clients[name].connect()
            if name == "judge":
                assert (await clients["judge"].call("start", timeout_s=60))["ok"]
        for client in clients.values():
            await client.media_ready(30)
        for name, client in clients.items():
            others = [n for n in PEOPLE if n != name]
            deadline = time.monotonic() + 30
            while not hears_everyone(client, others):
                assert time.monotonic() < deadline, f"{name} never received everyone's video"
                await asyncio.sleep(0.05)
        await asyncio.sleep(3.0)  # the hearing streams for a while on its worker
        before = await _log(h, hearing)

        failover = await kill_the_hearings_worker(cluster, hearing, clients, within=90)
        print(f"\nfailover: {failover.worker} killed, hearing moved to {failover.to}; back with media (s): "
              + ", ".join(f"{n} {s:.2f}" for n, s in failover.back_s.items())
              + f"; outage {failover.outage_s:.2f} s (target < 5); first media again after "
              f"{failover.first_media_s:.2f} s")

        for name, client in clients.items():
            print(f"  {name}: " + ", ".join(f"{what} +{t - failover.killed_at:.2f} s" for t, what in client.timeline
                                            if t > failover.killed_at))
        view = await h.app.client.app[HEARINGS].view(hearing)
        assert view.state.value == "in_session"
        assert {p.user_id: p.presence.value for p in view.participants if p.user_id in h.ids.values()} == {
            h.ids[n]: "in_room" for n in PEOPLE}
        after = await _log(h, hearing)
        assert after[:len(before)] == before, "the hearing's log lost or changed an entry"
        assert len({seq for seq, _ in after}) == len(after)
        # The hearing goes on (generous timeouts: the survivor carries the load of two on a shared machine).
        assert (await clients["judge"].call("chat", {"text": "We continue."}, timeout_s=60))["ok"]
        await asyncio.sleep(3.0)
        assert (await clients["judge"].call("close", timeout_s=60))["ok"]
        record = await recording_of(h, h.url, hearing, "sealed", within=120)
    finally:
        for client in clients.values():
            await client.close()
        await cluster.stop()

    # One recording, continued by the worker the hearing moved to; the outage is the gap.
    listing = await h.app.client.get("/api/v1/recordings", headers=await h.court.as_("clerk"))
    assert [r["hearing_id"] for r in (await listing.json())["items"]].count(hearing) == 1
    manifest = record["manifest"]
    assert not manifest["ended_abnormally"], manifest["abnormal_end"]
    [outage] = manifest["interruptions"]
    gap = outage["gap_s"]
    print(f"kill at {failover.killed_wall.isoformat()}; interruption {outage}")
    print("\n".join(line for line in cluster.supervisor_log if "record" in line or "rror" in line))
    loss_at_kill = (failover.killed_wall - datetime.fromisoformat(outage["from"])).total_seconds()
    resumed_after = (datetime.fromisoformat(outage["to"]) - failover.killed_wall).total_seconds()
    taken_over_after = (datetime.fromisoformat(outage["taken_over_at"]) - failover.killed_wall).total_seconds()
    # Across machines the recording waits for the dead worker's lease: what the media had of a head start.
    waited = max(0.0, resumed_after - failover.first_media_s) if machines else 0.0
    print(f"{'two machines' if machines else 'one machine'}: recorded gap {gap:.2f} s (of which {loss_at_kill:.2f} s "
          f"before the kill, what the dead worker had not written yet); recording taken over "
          f"{taken_over_after:.2f} s after the kill, resumed {resumed_after:.2f} s after it "
          f"({waited:.2f} s after the media); measured: first media again {failover.first_media_s:.2f} s, "
          f"everyone back {failover.outage_s:.2f} s")
    # The gap begins no later than the kill, and ends when media flowed again as the participants saw
    # it — across machines, or when the dead worker's lease ran out if that was later.
    assert gap is not None and loss_at_kill >= -0.1, outage
    assert resumed_after >= failover.first_media_s - 1.0, (outage, failover)
    assert resumed_after <= max(failover.first_media_s, LEASE.total_seconds() if machines else 0.0) + 1.0, (
        outage, failover)
    assert gap >= failover.first_media_s - 1.0, (outage, failover)

    # Nothing else missing: every person's audio and video, up to the kill and from the takeover on,
    # against what the other participants' peers actually received of them (not against sleeps).
    def wall(at: float) -> datetime:
        return failover.killed_wall + timedelta(seconds=at - failover.killed_at)

    segments = manifest["segments"]
    for name in PEOPLE:
        who = str(h.ids[name])
        old = [span for o in PEOPLE if o != name for p in made[o] if p.created < failover.killed_at
               if (span := p.video_span(name)) is not None]
        new = [span for o in PEOPLE if o != name for p in made[o] if p.created > failover.killed_at
               if (span := p.video_span(name)) is not None]
        first_seen = wall(min(span[0] for span in old))
        seen_after = wall(min(span[0] for span in new)), wall(max(span[1] for span in new))
        for kind in ("audio", "video"):
            mine = [s for s in segments if s["participant"] == who and s["kind"] == kind]
            cut = [s for s in mine if s["end_reason"] == "process_lost"]
            after = [s for s in mine if datetime.fromisoformat(s["start"]) >= datetime.fromisoformat(outage["to"])]
            shown = [(x["start"], x["end"], x["start_reason"], x["end_reason"]) for x in mine]
            assert len(cut) == 1 and after and after[0]["start_reason"] == "failover", (name, kind, shown)
            # Up to the kill: what the dead worker kept reaches into the recorded gap.
            assert datetime.fromisoformat(cut[0]["end"]) >= datetime.fromisoformat(outage["from"]), (name, kind, shown)
            before = [s for s in mine if s not in after]
            assert max(_holes(before), default=0) <= 1.0, (name, kind, shown)
            assert (datetime.fromisoformat(before[0]["start"]) - first_seen).total_seconds() <= 1.0, (name, shown)
            # From the takeover on: from when the others saw this person again, every frame any of them
            # received is in the record (media time, not wall time: a starved sender lags the clock),
            # with no hole of more than a second.
            late = (datetime.fromisoformat(after[0]["start"]) - seen_after[0]).total_seconds()
            holes = _holes(after)
            assert late <= 1.0 + waited and max(holes, default=0) <= 1.0, (name, kind, late, holes, shown)
            if kind == "video":
                seen = max(len(p.video_frames_from(name)) for o in PEOPLE if o != name for p in made[o]
                           if p.created > failover.killed_at)
                recorded = sum(s["frames"] for s in after)
                # The recorder starts each segment on a keyframe, a viewer may get a frame or two before.
                assert recorded >= seen - GOP - round(30 * waited), (name, recorded, seen, waited)

    # No notice sent twice: one "recording attached" per party, each delivery sent at most once.
    async with h.court.db.transaction() as session:
        recorded = (await session.execute(select(Notice.user_id).where(Notice.kind == NoticeKind.HEARING_RECORDED.value)
                                          )).scalars().all()
        sent = (await session.execute(select(Delivery.notice_id, Delivery.channel, func.count())
                                      .where(Delivery.state == "sent")
                                      .group_by(Delivery.notice_id, Delivery.channel))).all()
        sms = (await session.execute(select(SandboxSms.phone, SandboxSms.reference))).all()
    assert recorded and max(Counter(recorded).values()) == 1, recorded
    assert all(count == 1 for _, _, count in sent), sent
    assert max(Counter(sms).values(), default=1) == 1, sms
