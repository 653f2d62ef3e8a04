"""The deployment shape: ``sotkab serve --workers N`` behind the HAProxy configuration that
``sotkab deploy haproxy`` generates — checked by HAProxy itself, and run for real on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import aiohttp
import psutil
import pytest

from core.config import load_config
from core.errors import ConfigError
from signaling.client import HearingClient
from tests.conftest import require
from tests.signaling.conftest import Courthouse, app_overrides, cast, courthouse, live  # noqa: F401
from tests.signaling.nodes import REDIS_URL, redis_up
from tests.web.cluster import HAPROXY, haproxy_present, self_signed, start_cluster
from web.cli import main
from web.deploy import RouterPlan, Upstream, haproxy_config

SHIPPED = {"SOTKAB_REDIS_URL": "redis://127.0.0.1:6379/0", "SOTKAB_WORKERS": "4",
           "SOTKAB_TRUSTED_PROXIES": "127.0.0.1"}
"""The settings deploy/haproxy.cfg was generated from (README: the deployment guide)."""
REPO = Path(__file__).resolve().parents[2]


async def _haproxy_check(text: str, tmp_path: Path) -> tuple[int, str]:
    certificate = self_signed(tmp_path)
    path = tmp_path / "haproxy.cfg"
    path.write_text(text.replace("/etc/haproxy/certs/sotkab.pem", str(certificate)))
    process = await asyncio.create_subprocess_exec(HAPROXY, "-c", "-f", str(path), stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    out, _ = await process.communicate()
    return int(process.returncode or 0), out.decode(errors="replace")


async def test_the_shipped_configuration_is_generated_from_the_settings_and_valid(tmp_path: Path) -> None:
    require(haproxy_present(), "haproxy (Debian package) is not installed")
    generated = haproxy_config(RouterPlan.from_settings(load_config(environ=SHIPPED)))
    assert (REPO / "deploy" / "haproxy.cfg").read_text() == generated, "run: sotkab deploy haproxy (SHIPPED settings)"
    for line in ("balance url_param hearing", "hash-type consistent", "balance roundrobin",
                 "option httpchk GET /healthz", "http-request del-header X-Forwarded-For", "option forwardfor"):
        assert line in generated
    assert generated.count("server worker") == 8  # four workers in each backend
    code, out = await _haproxy_check(generated, tmp_path)
    assert code == 0, out
    several = haproxy_config(RouterPlan.from_settings(load_config(environ={}), servers=("10.0.0.5:8080",
                                                                                      "[2001:db8::7]:8080")))
    assert "server worker1 [2001:db8::7]:8080" in several
    code, out = await _haproxy_check(several, tmp_path)
    assert code == 0, out


def test_bad_router_settings_are_refused_before_anything_is_written(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    for bad in ("nohost", "h:0", "h:99999", "a b:80", "host:80;evil"):
        with pytest.raises(ConfigError):
            Upstream.parse(bad)
    with pytest.raises(ConfigError, match="twice"):
        RouterPlan((Upstream("h", 1), Upstream("h", 1)))
    with pytest.raises(ConfigError, match="bind"):
        RouterPlan((Upstream("h", 1),), https_bind="*:443\n    mode tcp")
    with pytest.raises(ConfigError, match="certificate"):
        RouterPlan((Upstream("h", 1),), certificate=Path("/etc/x.pem\nglobal"))
    monkeypatch.setenv("SOTKAB_DATA_DIR", str(tmp_path / "var"))
    output = tmp_path / "haproxy.cfg"
    assert main(["deploy", "haproxy", "-o", str(output), "--server", "10.0.0.1:80;x"]) == 2
    assert "is not HOST:PORT" in capsys.readouterr().err and not output.exists()
    assert main(["deploy", "haproxy", "-o", str(output)]) == 0
    out = capsys.readouterr().out
    assert output.exists() and "SOTKAB_TRUSTED_PROXIES=127.0.0.1" in out  # the router would not be believed


def test_several_workers_need_redis(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOTKAB_REDIS_URL", raising=False)
    monkeypatch.setenv("SOTKAB_DATA_DIR", str(tmp_path / "var"))
    assert main(["serve", "--workers", "2"]) == 2
    assert "redis_url" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="SOTKAB_WORKERS=3: 3 processes need redis_url"):
        load_config(environ={"SOTKAB_WORKERS": "3"})
    assert load_config(environ={"SOTKAB_WORKERS": "3", "SOTKAB_REDIS_URL": REDIS_URL}).worker_count == 3
    assert load_config(environ={}).worker_count == 1


@pytest.fixture
def database_url(postgres_url: str | None) -> str:
    """A cluster shares PostgreSQL (SQLite is one machine's file)."""
    require(postgres_url is not None, getattr(pytest, "postgres_unavailable", "PostgreSQL unreachable"))
    assert postgres_url is not None
    return postgres_url


async def test_haproxy_keeps_a_hearing_on_one_worker_and_spreads_the_others(
        courthouse: Courthouse) -> None:  # noqa: F811
    """Two workers behind a real HAProxy: both sockets of a hearing reach the same worker (and see
    each other), other hearings spread over both, a forged X-Forwarded-For buys no fresh rate
    budget, and a worker killed is started again by the supervisor while the router serves on."""
    require(await redis_up(), "Redis is not reachable at 127.0.0.1:6379")
    require(haproxy_present(), "haproxy (Debian package) is not installed")
    h = courthouse
    hearing = await h.book(people={"judge": "judge", "alice": "plaintiff"}, auto_admit=True)
    config = h.app.config
    cluster = await start_cluster(database_url=config.database_url, data_dir=config.data_dir, redis_url=REDIS_URL,
                                  extra_env={"SOTKAB_RATE_LIMIT_PER_CLIENT": "5"})
    clients: list[HearingClient] = []
    try:
        for name in ("judge", "alice"):
            client = HearingClient(cluster.url, hearing, h.tokens[name], ssl_verify=False)
            clients.append(client)
            await client.connect()
        judge, alice = clients
        assert (await judge.call("start"))["ok"]
        for _ in range(100):
            if any(e.get("action") == "start" for e in alice.received.get("hearing_event", [])):
                break
            await asyncio.sleep(0.05)
        assert any(e.get("action") == "start" for e in alice.received.get("hearing_event", []))
        routed = await cluster.wait_routed(2)
        assert len({worker for hid, worker in routed if hid == hearing}) == 1, routed

        async with aiohttp.ClientSession() as http:
            for other in range(1000, 1040):  # engine.io handshakes of 40 other hearings, twice each
                for _ in range(2):
                    async with http.get(f"{cluster.url}/socket.io/?hearing={other}&EIO=4&transport=polling",
                                        ssl=False) as response:
                        assert response.status == 200
            routed = await cluster.wait_routed(2 + 80)
            by_hearing: dict[int, set[str]] = {}
            for hid, worker in routed:
                by_hearing.setdefault(hid, set()).add(worker)
            assert all(len(workers) == 1 for workers in by_hearing.values()), by_hearing
            assert {w for ws in by_hearing.values() for w in ws} == {"worker0", "worker1"}, by_hearing

            # A client forging X-Forwarded-For through the router is still itself: the sixth look-up
            # within the window is refused, whatever address it claims.
            statuses = []
            for n in range(6):
                async with http.get(f"{cluster.url}/api/v1/public/hearings",
                                    headers={"X-Forwarded-For": f"203.0.113.{n}", "Forwarded": f"for=198.51.100.{n}"},
                                    ssl=False) as response:
                    statuses.append(response.status)
            assert 429 not in statuses[:5] and statuses[5] == 429, statuses

            pids = cluster.worker_pids()
            assert set(pids) == {"worker0", "worker1"}
            victim = "worker1"
            os.kill(pids[victim], signal.SIGKILL)
            for _ in range(10):  # the router keeps answering from the other worker meanwhile
                async with http.get(f"{cluster.url}/healthz", ssl=False) as response:
                    assert response.status == 200
            for _ in range(200):
                now = cluster.worker_pids()
                if victim in now and now[victim] != pids[victim]:
                    break
                await asyncio.sleep(0.1)
            assert cluster.worker_pids()[victim] != pids[victim], cluster.supervisor_log
            assert any("restarting" in line for line in cluster.supervisor_log), cluster.supervisor_log
        running = cluster.worker_pids()
    finally:
        for client in clients:
            await client.close()
        await cluster.stop()
    assert cluster.supervisor.returncode == 0, cluster.supervisor_log
    assert not [pid for pid in running.values() if psutil.pid_exists(pid)]  # the supervisor stopped its workers
