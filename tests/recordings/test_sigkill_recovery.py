"""A server killed with SIGKILL mid-hearing: the next start seals what its files still hold.

The server runs as a subprocess (``python -m web.cli serve``) on the test's database and data
directory; two aiortc participants stream through its relay for several seconds; the process is
killed with SIGKILL, a new one is started, and its start-up recovery seals the recording "ended
abnormally". The media recovered for each track is compared with the media its client had sent
when the kill came: the loss at the end must not exceed one second.

What was streamed is counted by the clients themselves (the frames each synthetic track had handed
to aiortc, at 30 fps video and 20 ms Opus), not by the wall clock: on a loaded host the clients'
own event loop stalls and then sends late, and a wall-clock "streamed for N seconds" would charge
that stall to the recorder. The recovered media of a track ends at its first recorded frame's
RTP time (the journal's ``first_rtp``, counted by the relay from the track's first frame) plus the
segment's duration, in the same media time the client counted in.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from media.frames import Kind
from recordings.capture import JOURNAL, Journal
from tests.media.media_peers import wait_for
from tests.signaling.conftest import HEARING_NS, Courthouse, connect, leave_all
from tests.signaling.nodes import REPO, Node, free_port, serving
from tests.signaling.test_hearing_flow import roster_shows
from tests.signaling.webrtc import SignaledPeer

MAX_LOSS_S = 1.0
STREAM_S = 6.0
"""Media each client sends before the kill ("several seconds"), counted in its own frames."""


def sent_media_s(peer: SignaledPeer) -> dict[Kind, float]:
    """The media time a client's tracks have handed to aiortc so far (frames x frame length)."""
    assert peer.video is not None and peer.audio is not None
    return {Kind.VIDEO: peer.video.seq / 30, Kind.AUDIO: peer.audio.seq * 0.02}


async def start_server(h: Courthouse) -> Node:
    config = h.app.config
    port = free_port()
    env = {**os.environ, "SOTKAB_DATABASE_URL": config.database_url, "SOTKAB_DATA_DIR": str(config.data_dir),
           "SOTKAB_PUBLIC_URL": f"http://127.0.0.1:{port}", "SOTKAB_LOG_LEVEL": "WARNING",
           "SOTKAB_TRUST_ROOTS": ",".join(str(p) for p in config.trust_roots),
           # the seal is what this test checks; composing the recording would only cost CPU
           "SOTKAB_RECORDING_COMPOSE_IN_PROCESS": "false"}
    env.pop("SOTKAB_REDIS_URL", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
        cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    return await serving(process, port)


async def recording_of(h: Courthouse, url: str, hearing: int, state: str, within: float = 30) -> dict[str, Any]:
    headers = await h.court.as_("clerk")
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while True:
            async with http.get(f"{url}/api/v1/recordings", headers=headers) as response:
                assert response.status == 200, await response.text()
                items = [r for r in (await response.json())["items"] if r["hearing_id"] == hearing]
            if items and items[0]["state"] == state:
                async with http.get(f"{url}/api/v1/recordings/{items[0]['id']}", headers=headers) as one:
                    return dict(await one.json())
            if time.monotonic() > deadline:
                raise AssertionError(f"no {state} recording of hearing {hearing}: {items}")
            await asyncio.sleep(0.2)


async def test_sigkill_mid_hearing_loses_at_most_a_second_and_the_restart_seals_it(courthouse: Courthouse) -> None:
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff", "bob": "defendant"})
    server = await start_server(h)
    peers: list[SignaledPeer] = []
    sockets = []
    restarted: Node | None = None
    try:
        judge = await connect(server.url, HEARING_NS, {"token": h.tokens["judge"], "hearing": hearing})
        alice = await connect(server.url, HEARING_NS, {"token": h.tokens["alice"], "hearing": hearing})
        sockets = [judge, alice]
        assert (await judge.call("start"))["ok"]
        assert (await judge.call("admit", {"target": h.ids["alice"]}))["ok"]
        await alice.wait("roster", roster_shows(h.ids["alice"], "in_room"))
        peers = [SignaledPeer("judge", slots=2), SignaledPeer("alice", slots=2)]
        await peers[0].negotiate(judge)
        await peers[1].negotiate(alice)
        live = await recording_of(h, server.url, hearing, "recording")
        directory = Path(h.app.config.storage_dir) / "areas" / "recordings" / f"{live['id']:08d}"
        await wait_for(lambda: len(list(directory.glob("*.webm.part"))) >= 4, within=20)
        await wait_for(lambda: all(min(sent_media_s(p).values()) >= STREAM_S for p in peers), within=120)

        sent = {str(h.ids[peer.name]): sent_media_s(peer) for peer in peers}
        server.process.send_signal(signal.SIGKILL)
        killed_at = datetime.now(UTC)
        await server.process.wait()
        assert list(directory.glob("*.webm.part")), "the kill left part files behind"

        restarted = await start_server(h)
        record = await recording_of(h, restarted.url, hearing, "sealed")
    finally:
        for peer in peers:
            await peer.close()
        await leave_all(*sockets)
        await server.stop()
        if restarted is not None:
            await restarted.stop()

    manifest = record["manifest"]
    assert record["ended_abnormally"] and manifest["ended_abnormally"]
    assert "ended while the hearing was being recorded" in manifest["abnormal_end"]
    assert not list(directory.glob("*.part")), "every part file was salvaged into a complete segment"
    first_rtp = {e["file"]: int(e["first_rtp"]) for e in Journal.read(directory / JOURNAL) if e.get("op") == "open"}
    losses = {}
    for segment in manifest["segments"]:
        assert segment["end_reason"] == "ended_abnormally"
        kind = Kind(segment["kind"])
        recovered_to = first_rtp[segment["file"]] / kind.clock_rate + segment["duration_s"]
        losses[segment["file"]] = round(sent[segment["participant"]][kind] - recovered_to, 3)
    assert len(losses) == 4, "one segment per track of each client"
    print(f"\nSIGKILL: media lost per track (s), against what each client sent: {losses}")
    assert max(losses.values()) <= MAX_LOSS_S, losses
    assert min(losses.values()) >= -0.05, f"more recovered than the clients sent: the time bases disagree {losses}"
    assert datetime.fromisoformat(manifest["ended_at"]) <= killed_at + timedelta(seconds=0.5)
