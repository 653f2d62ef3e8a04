"""The composition worker as deployments run it: ``sotkab recordings worker`` alone, and in-process."""

from __future__ import annotations

import json
from pathlib import Path

from recordings.compose import COMPOSED
from tests.recordings.test_composition import with_media
from tests.recordings.test_verify_cli import sotkab
from tests.signaling.conftest import Courthouse


async def test_sotkab_recordings_worker_composes_what_is_queued_and_the_seal_still_verifies(
        courthouse: Courthouse) -> None:
    h = courthouse
    record = await with_media(h)
    directory = Path(h.app.config.storage_dir) / "areas" / "recordings" / f"{record['id']:08d}"
    code, out, err = await sotkab(h, "recordings", "worker", "--once")
    assert code == 0, (out, err)

    view = await (await h.court.get("clerk", f"/api/v1/recordings/{record['id']}")).json()
    assert view["composition"]["state"] == "done" and view["manifest"]["composed"]["file"] == COMPOSED
    code, out, err = await sotkab(h, "recordings", "verify", str(directory))
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["compared_with_database"] and report["signature_trusted"], report

    code, out, err = await sotkab(h, "recordings", "worker", "--once")  # nothing left: a no-op
    assert code == 0, err
    again = await (await h.court.get("clerk", f"/api/v1/recordings/{record['id']}")).json()
    assert again["manifest_sha256"] == view["manifest_sha256"]
