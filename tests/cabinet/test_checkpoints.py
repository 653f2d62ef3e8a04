"""Signed audit checkpoints: the attack is a database writer who rewrites history *and* recomputes
every hash after it, so the chain alone looks intact. The checkpoint outside the database,
signed with the system key, still catches it."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cabinet.audit import GENESIS, entry_hash
from core.config import load_config
from web.app import create_app
from web.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("SOTKAB_DATABASE_URL", "SOTKAB_PORT", "SOTKAB_PUBLIC_URL", "SOTKAB_SYSTEM_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SOTKAB_DATA_DIR", str(tmp_path / "var"))
    assert main(["db", "upgrade"]) == 0
    assert main(["pki", "init"]) == 0
    assert main(["courts", "add", "--code", "7594", "--region", "r", "--name-kk", "a", "--name-ru", "b",
                 "--name-en", "c"]) == 0
    for iin, role in (("720315300121", "judge"), ("880404300234", "clerk")):
        assert main(["users", "grant", "--iin", iin, "--role", role, "--court", "7594"]) == 0
    return tmp_path / "var"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _rewrite_and_recompute(db_path: Path) -> None:
    """What a database administrator gone bad does: change entry 1, then fix every hash after it."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT seq, at, actor, action, subject, details FROM audit_log ORDER BY seq").fetchall()
        prev = GENESIS
        for seq, at, actor, action, subject, details in rows:
            subject = "000000000000" if seq == 1 else subject
            digest = entry_hash(prev, seq, _utc(at), actor, action, subject, json.loads(details))
            conn.execute("UPDATE audit_log SET subject = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                         (subject, prev, digest, seq))
            prev = digest
        conn.execute("UPDATE audit_head SET last_hash = ? WHERE id = 1", (prev,))


def _utc(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_a_rewritten_and_recomputed_chain_is_caught_by_the_checkpoint(env: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit", "checkpoint")
    assert code == 0 and "checkpoint of entry 2" in out
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "entry 2 matches the checkpoint" in out
    assert len((env / "audit" / "checkpoints.jsonl").read_text().splitlines()) == 1

    _rewrite_and_recompute(env / "sotkab.db")

    code, out, err = run(capsys, "audit", "verify")
    assert code == 1 and "REWRITTEN" in err and "entry 2" in err


def test_a_truncated_log_or_a_forged_checkpoint_is_caught(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "audit", "checkpoint")[0] == 0
    line = json.loads((env / "audit" / "checkpoints.jsonl").read_text())
    forged = dict(line, hash="f" * 64)
    with open(env / "audit" / "checkpoints.jsonl", "a") as handle:
        handle.write(json.dumps(forged) + "\n")
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1 and "INVALID" in err

    with open(env / "audit" / "checkpoints.jsonl", "a") as handle:
        handle.write(json.dumps(line) + "\n")
    with sqlite3.connect(env / "sotkab.db") as conn:
        conn.execute("DELETE FROM audit_log WHERE seq = 2")
        conn.execute("UPDATE audit_head SET seq = 1, last_hash = (SELECT hash FROM audit_log WHERE seq = 1)")
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1 and "truncated" in err


async def test_checkpoints_are_published_over_http(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async with TestClient(TestServer(create_app(load_config()))) as client:
        missing = await client.get("/api/v1/audit/checkpoints")
        assert missing.status == 404 and (await missing.json())["error"]["code"] == "checkpoint_not_found"
        assert await asyncio.to_thread(main, ["audit", "checkpoint"]) == 0
        published = await client.get("/api/v1/audit/checkpoints")
        assert published.status == 200
        (checkpoint,) = (await published.json())["checkpoints"]
        assert checkpoint["seq"] == 2 and len(checkpoint["hash"]) == 64 and checkpoint["cms"]
