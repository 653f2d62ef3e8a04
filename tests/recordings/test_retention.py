"""Retention: only an expired recording, only by a clerk of its court, only confirmed with a reason;
the media go, the manifest, minutes and a tombstone stay, and verification still holds."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from recordings.models import RecordingRow
from tests.media.media_peers import wait_for
from tests.recordings.hearings import close_hearing, open_session, recorder_of, sealed
from tests.signaling.conftest import Courthouse, leave_all
from tests.signaling.webrtc import SignaledPeer


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    return {"notify_poll_s": 0.2, "recording_retention": ("01=30",), "recording_retention_days": 3650}


async def recorded_with_media(h: Courthouse) -> dict[str, Any]:
    hearing, sockets = await open_session(h, names=("judge",))
    peer = SignaledPeer("judge", slots=1)
    try:
        await peer.negotiate(sockets["judge"])
        recorder = await recorder_of(h, hearing)
        await wait_for(lambda: recorder.counters.written > 90, within=20)
        await close_hearing(sockets["judge"])
        return await sealed(h, hearing)
    finally:
        await peer.close()
        await leave_all(*sockets.values())


async def test_an_expired_recording_is_deleted_only_when_a_clerk_confirms_and_leaves_a_tombstone(
        courthouse: Courthouse) -> None:
    h = courthouse
    record = await recorded_with_media(h)
    assert len(record["manifest"]["segments"]) == 2
    url = f"/api/v1/recordings/{record['id']}"
    body = {"confirm": True, "reason": "retention period of category 01 is over"}

    refused = await h.court.post("clerk", url + "/delete", body)
    assert refused.status == 409 and (await refused.json())["error"]["code"] == "retention_not_expired"
    assert (await (await h.court.get("clerk", "/api/v1/recordings/expired")).json())["items"] == []

    # Kept until 20:00 UTC tomorrow, which is already the day after in Almaty: the clerk reads the court's date.
    until = (h.app.clock.now() + timedelta(days=1)).replace(hour=20, minute=0, second=0, microsecond=0)
    async with h.court.db.transaction() as session:
        await session.execute(update(RecordingRow).where(RecordingRow.id == record["id"]).values(
            started_at=until - timedelta(days=30)))
    error = (await (await h.court.post("clerk", url + "/delete", body)).json())["error"]
    court_day = (until + timedelta(days=1)).date().isoformat()
    assert error["message"] == f"the recording is kept until {court_day}", error
    assert datetime.fromisoformat(error["details"]["until"]) == until

    async with h.court.db.transaction() as session:  # 31 days pass (category 01 keeps recordings 30 days)
        await session.execute(update(RecordingRow).where(RecordingRow.id == record["id"]).values(
            started_at=h.app.clock.now() - timedelta(days=31)))
    listed = (await (await h.court.get("clerk", "/api/v1/recordings/expired")).json())["items"]
    assert [item["id"] for item in listed] == [record["id"]] and listed[0]["category"] == "01"
    for who, status in (("judge", 403), ("alice", 403), ("admin", 403)):
        assert (await h.court.post(who, url + "/delete", body)).status == status, who
    assert (await h.court.get("judge", "/api/v1/recordings/expired")).status == 403
    for bad in ({"reason": "x"}, {"confirm": "yes", "reason": "x"}, {"confirm": True},
                {"confirm": True, "reason": " "}):
        response = await h.court.post("clerk", url + "/delete", bad)
        assert response.status == 400, bad
    segment = record["manifest"]["segments"][0]["file"]
    assert (await h.court.get("judge", f"{url}/files/{segment}")).status == 200

    response = await h.court.post("clerk", url + "/delete", body)
    assert response.status == 200, await response.text()
    tombstone = await response.json()
    assert {item["file"] for item in tombstone["removed"]} == {s["file"] for s in record["manifest"]["segments"]}
    assert tombstone["reason"] == body["reason"] and tombstone["deleted_by"].startswith("iin:")

    assert (await h.court.get("judge", f"{url}/files/{segment}")).status == 404
    assert (await h.court.get("judge", f"{url}/files/manifest.json")).status == 200
    view = await (await h.court.get("judge", url)).json()
    assert view["state"] == "deleted" and view["manifest"] == record["manifest"]
    report = await (await h.court.get("judge", url + "/verify")).json()
    assert report["ok"], report
    again = await h.court.post("clerk", url + "/delete", body)
    assert again.status == 409 and (await again.json())["error"]["code"] == "recording_not_sealed"
