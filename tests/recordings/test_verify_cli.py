"""``sotkab recordings verify DIR`` and ``sotkab verify`` on a sealed recording, as an operator runs them."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

from tests.recordings.test_access import recorded
from tests.signaling.conftest import Courthouse
from tests.signaling.nodes import REPO


async def sotkab(h: Courthouse, *args: str) -> tuple[int, str, str]:
    config = h.app.config
    env = {**os.environ, "SOTKAB_DATABASE_URL": config.database_url, "SOTKAB_DATA_DIR": str(config.data_dir),
           "SOTKAB_TRUST_ROOTS": ",".join(str(p) for p in config.trust_roots), "SOTKAB_LOG_LEVEL": "WARNING"}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "web.cli", *args, cwd=REPO, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    return int(process.returncode or 0), out.decode(), err.decode()


async def test_the_cli_verifies_a_recording_and_names_what_changed(courthouse: Courthouse, tmp_path: Path) -> None:
    h = courthouse
    record = await recorded(h, is_open=True)
    directory = Path(h.app.config.storage_dir) / "areas" / "recordings" / f"{record['id']:08d}"

    code, out, err = await sotkab(h, "recordings", "verify", str(directory))
    report = json.loads(out)
    assert code == 0, (out, err)
    assert report["ok"] and report["compared_with_database"] and report["signature_trusted"]

    # An export verified offline by anyone: the generic EDS verifier accepts the court's signature.
    export = tmp_path / "export"
    shutil.copytree(directory, export)
    code, out, err = await sotkab(h, "verify", str(export / "manifest.json"), str(export / "manifest.json.cms"))
    assert code == 0, (out, err)
    assert json.loads(out)["valid"]
    code, out, _ = await sotkab(h, "recordings", "verify", "--offline", str(export))
    assert code == 0 and json.loads(out)["ok"]

    minutes = export / "minutes.txt"
    minutes.write_text(minutes.read_text(encoding="utf-8").replace("Зал 1", "Зал 2"), encoding="utf-8")
    code, out, _ = await sotkab(h, "recordings", "verify", "--offline", str(export))
    assert code == 1
    assert {"what": "minutes.txt", "problem": "SHA-256 differs from the sealed manifest"} in json.loads(out)["findings"]

    manifest = json.loads((export / "manifest.json").read_bytes())
    manifest["case_number"] = "7594-26-01-2/999999"
    (export / "manifest.json").write_bytes(json.dumps(manifest, sort_keys=True, ensure_ascii=False,
                                                      separators=(",", ":")).encode())
    code, out, _ = await sotkab(h, "recordings", "verify", "--offline", str(export))
    problems = {f["what"] for f in json.loads(out)["findings"]}
    assert code == 1 and "manifest.json.cms" in problems
    code, out, _ = await sotkab(h, "verify", str(export / "manifest.json"), str(export / "manifest.json.cms"))
    assert code == 1 and not json.loads(out)["valid"]

    code, out, _ = await sotkab(h, "recordings", "verify", str(directory / "minutes.txt"))
    assert code == 2
