"""Metrics per worker: each figure an operator watches moves when its event happens, labelled by worker.

HTTP requests by route template and status, logins by result, hearings live, streams forwarded and
recordings in progress are read from ``/metrics`` (the Prometheus text a scraper reads) before and
after a real hearing with aiortc participants publishing through /hearing.
"""

from __future__ import annotations

import re

from core.config import Config
from core.resources import CONFIG
from tests.cabinet.conftest import bearer
from tests.media.media_peers import wait_for
from tests.recordings.hearings import close_hearing, open_session, recorder_of, sealed
from tests.signaling.conftest import Courthouse, leave_all
from tests.signaling.webrtc import SignaledPeer

_SAMPLE = re.compile(r'^(?P<name>[a-z_]+)(?:\{(?P<labels>.*)\})? (?P<value>\S+)$')


async def scrape(h: Courthouse) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await h.app.client.get("/metrics")
    assert response.status == 200
    samples = {}
    for line in (await response.text()).splitlines():
        if line.startswith("#") or not line:
            continue
        match = _SAMPLE.match(line)
        assert match, line
        labels = frozenset(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', match["labels"] or ""))
        samples[(match["name"], labels)] = float(match["value"])
    return samples


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))


async def test_each_worker_metric_moves_when_its_event_happens(courthouse: Courthouse) -> None:
    h = courthouse
    config: Config = h.app.client.app[CONFIG]
    before = await scrape(h)
    assert all(dict(labels)["worker"] == config.worker for (_, labels) in before)

    assert (await h.app.client.get("/api/v1/no/such/route")).status == 404
    refused = await h.app.client.post("/api/v1/auth/login", json={"nonce": "forged", "signature": "AAAA"})
    assert refused.status in (400, 401)
    refused_code = (await refused.json())["error"]["code"]
    await bearer(h.app, h.court.cast.carol)  # one more good login

    hearing, sockets = await open_session(h, names=("judge", "alice"))
    peers = {"judge": SignaledPeer("judge", slots=3), "alice": SignaledPeer("alice", slots=3)}
    try:
        await peers["judge"].negotiate(sockets["judge"])
        await peers["alice"].negotiate(sockets["alice"])
        recorder = await recorder_of(h, hearing)
        await wait_for(lambda: recorder.counters.written > 20, within=20)
        during = await scrape(h)
        assert value(during, "sotkab_hearings_live") == value(before, "sotkab_hearings_live") + 1
        assert value(during, "sotkab_recordings_in_progress") == value(before, "sotkab_recordings_in_progress") + 1
        assert value(during, "sotkab_media_streams_forwarded") >= 2  # each one sees the other in a slot
        assert value(before, "sotkab_media_streams_forwarded") == 0
        await close_hearing(sockets["judge"])
        await sealed(h, hearing)
    finally:
        for peer in peers.values():
            await peer.close()
        await leave_all(*sockets.values())

    after = await scrape(h)
    assert value(after, "sotkab_recordings_in_progress") == value(before, "sotkab_recordings_in_progress")
    assert value(after, "sotkab_http_requests_total", route="unmatched", status="404") == \
        value(before, "sotkab_http_requests_total", route="unmatched", status="404") + 1
    assert value(after, "sotkab_http_requests_total", route="/metrics", method="GET", status="200") >= 2
    logins = "sotkab_logins_total"
    assert value(after, logins, result=refused_code) == value(before, logins, result=refused_code) + 1
    assert value(after, logins, result="ok") == value(before, logins, result="ok") + 1
    assert all(dict(labels)["worker"] == config.worker for (_, labels) in after)
