"""The operator's command line: clear messages and non-zero exits for bad input, nothing half-done."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from web.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("SOTKAB_DATABASE_URL", "SOTKAB_PORT", "SOTKAB_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOTKAB_DATA_DIR", str(tmp_path / "var"))
    assert main(["db", "upgrade"]) == 0
    return tmp_path / "var"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_courts_are_added_listed_and_refused_twice(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["courts", "add", "--code", "7594", "--region", "Алматы", "--name-kk", "Алмалы соты",
            "--name-ru", "Алмалинский суд", "--name-en", "Almaly Court"]
    assert run(capsys, *args)[0] == 0
    assert run(capsys, "courts", "add-room", "--court", "7594", "Зал 1")[0] == 0
    code, _, err = run(capsys, *args)
    assert code == 2 and "already exists" in err
    code, out, _ = run(capsys, "courts", "list")
    assert code == 0 and "7594" in out and "Зал 1" in out


def test_a_bad_court_code_or_unknown_court_is_a_message_not_a_traceback(env: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "courts", "add", "--code", "x!", "--region", "r", "--name-kk", "a",
                       "--name-ru", "b", "--name-en", "c")
    assert code == 2 and "court code" in err and "Traceback" not in err
    code, _, err = run(capsys, "courts", "add-room", "--court", "0000", "Room")
    assert code == 2 and "no court" in err


def test_grants_from_the_command_line_are_audited_and_verifiable(env: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "courts", "add", "--code", "7594", "--region", "r", "--name-kk", "a", "--name-ru", "b",
        "--name-en", "c")
    assert run(capsys, "users", "grant", "--iin", "720315300121", "--role", "judge", "--court", "7594",
               "--name", "СУДЬЯ")[0] == 0
    code, out, _ = run(capsys, "users", "show", "--iin", "720315300121")
    assert code == 0 and '"judge"' in out and "СУДЬЯ" in out
    code, _, err = run(capsys, "users", "grant", "--iin", "720315300121", "--role", "pope", "--court", "7594")
    assert code == 2 and "unknown role" in err
    assert run(capsys, "users", "revoke", "--iin", "720315300121", "--role", "judge", "--court", "7594")[0] == 0
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "intact: 2 entries" in out


def test_audit_verify_exits_1_when_an_entry_was_edited(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "courts", "add", "--code", "7594", "--region", "r", "--name-kk", "a", "--name-ru", "b",
        "--name-en", "c")
    run(capsys, "users", "grant", "--iin", "720315300121", "--role", "clerk", "--court", "7594")
    with sqlite3.connect(env / "sotkab.db") as conn:
        conn.execute("UPDATE audit_log SET subject = '000000000000' WHERE seq = 1")
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1 and "BROKEN at entry 1" in err


def test_the_demo_seed_runs_once_and_explains_how_to_log_in(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "seed")
    assert code == 0 and "sotkab-demo" in out and "sotkab login" in out
    keys = sorted(p.relative_to(env / "demo-keys").parts[0] for p in (env / "demo-keys").glob("*/*.p12"))
    assert keys == sorted(["judge", "judge", "clerk", "clerk", "court-admin", "court-admin", "plaintiff",
                           "plaintiff", "defendant", "defendant"])
    before = sorted((env / "demo-keys").rglob("*.p12"))
    assert run(capsys, "demo", "seed")[0] == 0
    assert sorted((env / "demo-keys").rglob("*.p12")) == before
    code, out, _ = run(capsys, "users", "show", "--iin", "720315300121")
    assert '"judge"' in out


def test_a_bad_configuration_exits_78_naming_the_setting(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOTKAB_PORT", "not-a-port")
    code, _, err = run(capsys, "courts", "list")
    assert code == 78 and "SOTKAB_PORT=not-a-port: not a port number" in err


async def test_sotkab_login_signs_a_challenge_against_a_running_server(env: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio
    import json
    import os
    import sys

    from aiohttp.test_utils import TestServer

    from core.config import load_config
    from web.app import create_app

    await asyncio.to_thread(main, ["demo", "seed"])
    capsys.readouterr()
    server = TestServer(create_app(load_config(environ={}, data_dir=env)))
    await server.start_server()
    try:
        key = next((env / "demo-keys" / "plaintiff").glob("AUTH_RSA256_*.p12"))
        sign_key = next((env / "demo-keys" / "plaintiff").glob("RSA256_*.p12"))
        child_env = {**os.environ, "SOTKAB_KEY_PASSWORD": "sotkab-demo", "SOTKAB_DATA_DIR": str(env)}

        async def sotkab(*args: str) -> tuple[int, str, str]:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "web.cli", *args, env=child_env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await proc.communicate()
            return proc.returncode or 0, out.decode(), err.decode()

        code, out, err = await sotkab("login", "--key", str(key), "--url", str(server.make_url("")))
        assert code == 0, err
        assert json.loads(out)["user"]["iin"] == "880109400457"
        code, _, err = await sotkab("login", "--key", str(sign_key), "--url", str(server.make_url("")))
        assert code == 1 and "wrong_key_usage" in err
        code, _, err = await sotkab("login", "--key", str(key), "--url", "http://127.0.0.1:1")
        assert code == 2 and "cannot reach" in err
    finally:
        await server.close()


def test_every_setting_the_readme_names_exists() -> None:
    """The deployment guide is followed to the letter: a setting it names that does not exist would
    stop the server (unknown SOTKAB_ variables are refused)."""
    import re
    from dataclasses import fields

    from core.config import ENV_PREFIX, OTHER_VARIABLES, Config
    from tests.conftest import REPO

    named = set(re.findall(r"SOTKAB_[A-Z0-9_]*[A-Z0-9]", (REPO / "README.md").read_text()))
    settings = {ENV_PREFIX + f.name.upper() for f in fields(Config) if f.init and f.name != "extra"}
    assert {"SOTKAB_BUILTIN_CA", "SOTKAB_TRUST_ROOTS", "SOTKAB_TRUSTED_PROXIES", "SOTKAB_SMTP_HOST",
            "SOTKAB_ICE_SERVERS", "SOTKAB_LOG_FORMAT"} <= named
    assert named - settings - OTHER_VARIABLES == {"SOTKAB_BUILTN_CA"}  # the typo the guide shows refused
