"""The payment provider is a setting, and the sandbox (where anyone can make the "bank" pay) never
runs in a production configuration."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from core.config import load_config
from core.errors import ConfigError
from web.app import create_app
from web.cli import main


def test_the_sandbox_is_the_default_only_with_the_builtin_test_ca() -> None:
    assert load_config(environ={}).payment_provider == "sandbox"
    assert load_config(environ={"SOTKAB_BUILTIN_CA": "false"}).payment_provider == "none"
    staging = load_config(environ={"SOTKAB_BUILTIN_CA": "false", "SOTKAB_PAYMENT_PROVIDER": "sandbox",
                                   "SOTKAB_PAYMENT_SANDBOX": "true"})
    assert staging.payment_provider == "sandbox"


@pytest.mark.parametrize("environ", [
    {"SOTKAB_BUILTIN_CA": "false", "SOTKAB_PAYMENT_PROVIDER": "sandbox"},
    {"SOTKAB_PAYMENT_PROVIDER": "kaspi-but-not-really"},
    {"SOTKAB_PAYMENT_SANDBOX": "maybe"},
])
def test_a_production_config_with_the_sandbox_or_an_unknown_provider_is_refused(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="SOTKAB_PAYMENT_"):
        load_config(environ=environ)


def test_the_server_refuses_to_start_with_the_sandbox_in_production(monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOTKAB_BUILTIN_CA", "false")
    monkeypatch.setenv("SOTKAB_PAYMENT_PROVIDER", "sandbox")

    assert main(["serve"]) == 78
    assert "payment_provider" in capsys.readouterr().err


async def test_in_production_nobody_can_mark_a_fee_paid(make_config: Any, db: Any) -> None:
    config = make_config(builtin_ca=False)
    async with TestClient(TestServer(create_app(config))) as client:
        callback = await client.post("/api/v1/payments/callback/sandbox", data=b'{"status": "paid"}',
                                     headers={"Content-Type": "application/json"})
        assert callback.status == 503
        assert (await callback.json())["error"]["code"] == "payments_unavailable"
        start = await client.post("/api/v1/payments", json={"reference": "filing:1", "amount": "1.00"})
        assert start.status == 503
        assert (await client.get("/sandbox/pay/anything")).status == 404
