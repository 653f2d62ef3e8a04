"""/metrics: Prometheus text that operators can scrape, and only they."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from core.metrics import Family, Sample, register_collector, render
from core.resources import CONFIG
from web.app import create_app


def test_rendering_escapes_labels_and_formats_numbers() -> None:
    text = render([Family("sotkab_x", "an example", "gauge", (
        Sample(1.0), Sample(0.25, (("hearing", 'a"b\\c\nd'),)), Sample(float("nan"), (("k", "v"),))))])
    assert text == ('# HELP sotkab_x an example\n# TYPE sotkab_x gauge\nsotkab_x 1\n'
                    'sotkab_x{hearing="a\\"b\\\\c\\nd"} 0.25\nsotkab_x{k="v"} NaN\n')


def test_a_family_refuses_bad_names_and_kinds() -> None:
    for name, kind in (("9lives", "gauge"), ("has-dash", "gauge"), ("ok_name", "histogram")):
        try:
            Family(name, "", kind)
        except ValueError:
            continue
        raise AssertionError(f"{name}/{kind} accepted")


async def _client(make_config: Any, **overrides: Any) -> TestClient[Any, Any]:
    app = create_app(make_config(**overrides))

    async def broken(app: web.Application) -> Iterable[Family]:
        raise RuntimeError("a collector failed")

    async def relay(app: web.Application) -> Iterable[Family]:
        return [Family("sotkab_media_bitrate_in_bps", "bits per second received", "gauge",
                       (Sample(512000.0, (("hearing", "7"), ("participant", "42"))),))]

    register_collector(app, broken)
    register_collector(app, relay)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def test_loopback_scrapes_get_every_working_collector(make_config: Any, db: Any) -> None:
    client = await _client(make_config)
    try:
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = await response.text()
        worker = client.app[CONFIG].worker  # every sample names the worker it came from
        assert f'sotkab_database_up{{worker="{worker}"}} 1' in text
        assert f'sotkab_media_bitrate_in_bps{{hearing="7",participant="42",worker="{worker}"}} 512000' in text
    finally:
        await client.close()


async def test_a_request_relayed_by_a_proxy_is_refused_without_the_token(make_config: Any, db: Any) -> None:
    client = await _client(make_config)
    try:
        response = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert response.status == 403 and (await response.json())["error"]["code"] == "metrics_forbidden"
    finally:
        await client.close()


async def test_with_a_token_configured_only_the_token_opens_it(make_config: Any, db: Any) -> None:
    client = await _client(make_config, metrics_token="s3cret-scraper")
    try:
        assert (await client.get("/metrics")).status == 403
        assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status == 403
        ok = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-scraper"})
        assert ok.status == 200 and "sotkab_database_up" in await ok.text()
    finally:
        await client.close()


async def test_the_outbox_backlog_is_counted_per_channel_and_state(make_config: Any, db: Any) -> None:
    from datetime import UTC, datetime

    from cabinet.identity.models import User
    from cabinet.notifications.outbox import notify
    from core.clock import FixedClock

    clock = FixedClock()
    async with db.transaction() as session:
        user = User(iin="900101400123", common_name="ӘЛИЕВА АЛИЯ", email="aliya@example.kz", phone="+77010000000",
                    created_at=datetime.now(UTC))
        session.add(user)
        await session.flush()
        await notify(session, clock, user_id=user.id, kind="document_received",
                     facts={"case_number": "C-1", "incoming_number": "N-1", "filer": "ӘЛИЕВА АЛИЯ"})
    client = await _client(make_config)
    try:
        text = await (await client.get("/metrics")).text()
        worker = client.app[CONFIG].worker
    finally:
        await client.close()
    assert f'sotkab_notice_deliveries{{channel="email",state="pending",worker="{worker}"}} 1' in text
    assert f'sotkab_notice_deliveries{{channel="sms",state="failed",worker="{worker}"}} 0' in text
