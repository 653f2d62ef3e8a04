"""A participant behind a relay-only ICE policy reaches the relay through a real coturn on loopback."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiortc import RTCSessionDescription

from media.ice import IceConfig, IceServer
from media.relay import Relay
from tests.media.media_peers import Peer, wait_for

pytestmark = pytest.mark.coturn
IN_CI = os.environ.get("CI", "").lower() == "true"


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def turn_server(tmp_path: Path) -> Iterator[IceServer]:
    binary = shutil.which("turnserver")
    if binary is None:
        reason = "coturn's turnserver is not installed (apt-get install -y coturn)"
        if IN_CI:
            pytest.fail(f"required under CI=true: {reason}")
        pytest.skip(reason)
    # UDP only (no TCP listener to collide with), relay ports below Linux's ephemeral range, and a
    # fresh port on the rare start-up clash with another process on this shared machine.
    for attempt in range(3):
        port = _free_udp_port()
        relay_base = 20000 + secrets.randbelow(100) * 100
        config = tmp_path / f"turnserver-{attempt}.conf"
        log = tmp_path / f"turn-{attempt}.log"
        config.write_text(
            "\n".join([
                f"listening-port={port}", "listening-ip=127.0.0.1", "relay-ip=127.0.0.1",
                "lt-cred-mech", "user=court:hearing-secret", "realm=sotkab.test",
                "no-tls", "no-dtls", "no-tcp", "no-tcp-relay", "no-cli", "fingerprint", "allow-loopback-peers",
                f"min-port={relay_base}", f"max-port={relay_base + 99}", f"pidfile={tmp_path / 'turn.pid'}",
                f"log-file={log}", "simple-log", "no-stdout-log",
            ]) + "\n"
        )
        process = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not _answers_stun(port) and process.poll() is None and time.monotonic() < deadline:
            pass
        if process.poll() is None and _answers_stun(port):
            break
        process.terminate()
        process.wait(timeout=10)
    else:
        pytest.fail(f"turnserver did not come up in 3 attempts: {_read(log)[-2000:]}")
    try:
        yield IceServer(f"turn:127.0.0.1:{port}?transport=udp", "court", "hearing-secret")
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers_stun(port: int) -> bool:
    """A STUN binding request (RFC 5389 header only) answered means the listener is up."""
    request = b"\x00\x01\x00\x00\x21\x12\xa4\x42" + os.urandom(12)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.1)
        s.sendto(request, ("127.0.0.1", port))
        try:
            return s.recv(2048)[8:20] == request[8:20]
        except OSError:
            return False


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


async def test_a_relay_only_participant_connects_through_coturn(turn_server: IceServer) -> None:
    ice = IceConfig((turn_server,), relay_only=True)
    relay = Relay(ice)
    try:
        behind_nat, other = Peer("behind-nat", ice=ice), Peer("other")
        offer = await behind_nat.offer()
        candidates = [line for line in offer.splitlines() if line.startswith("a=candidate:")]
        assert candidates and all(" typ relay " in line for line in candidates)
        await other.join(relay, "h")
        admission = await relay.admit("h", "behind-nat", may_publish=True, privileged=False, offer_sdp=offer)
        assert admission.ice["ice_transport_policy"] == "relay"
        await behind_nat.pc.setRemoteDescription(RTCSessionDescription(admission.answer_sdp, "answer"))
        await wait_for(lambda: len(behind_nat.frames_from(relay, "h", "other")) > 10
                       and len(other.frames_from(relay, "h", "behind-nat")) > 10, within=15)
        assert behind_nat.pc.connectionState == "connected"
        await behind_nat.close()
        await other.close()
    finally:
        await relay.close()
