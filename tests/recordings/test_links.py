"""Share links: made by the entitled, opened without a login, refused once expired or revoked."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from cabinet.audit import AuditEntry
from recordings.models import RecordingLink
from tests.recordings.test_access import recorded
from tests.signaling.conftest import Courthouse


async def test_links_open_files_until_they_expire_or_are_revoked(courthouse: Courthouse) -> None:
    h = courthouse
    record = await recorded(h, is_open=True)
    base = f"/api/v1/recordings/{record['id']}/links"
    client = h.app.client

    response = await h.court.post("alice", base)
    assert response.status == 201, await response.text()
    link = await response.json()
    async with h.court.db.transaction() as session:
        stored = await session.get(RecordingLink, link["id"])
        assert stored is not None and link["token"] not in stored.token_sha256
        assert timedelta(days=2, hours=23) < stored.expires_at - stored.created_at <= timedelta(days=3)

    url = f"/api/v1/recording-links/{link['token']}/files/manifest.json"
    whole = await client.get(url)
    assert whole.status == 200
    data = await whole.read()
    part = await client.get(url, headers={"Range": "bytes=-20"})
    assert part.status == 206 and await part.read() == data[-20:]
    async with h.court.db.transaction() as session:
        uses = list(await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "recording.link_used").order_by(AuditEntry.seq)))
    assert [u.details["range"] for u in uses] == ["all", "bytes=-20"]
    assert uses[0].actor == f"link:{link['id']}" and uses[0].details["made_by"] == h.ids["alice"]

    assert (await client.get(url.replace(link["token"], link["token"][:-2] + "xx"))).status == 404
    assert (await client.get(url.replace("manifest.json", "journal.jsonl"))).status == 404

    # Refusals: the wrong people, bad lifetimes.
    for who in ("carol", "admin"):
        assert (await h.court.post(who, base)).status == 403, who
    assert (await h.court.post(None, base)).status == 401
    for days in (0, 31, "3", 2.5, True):
        response = await h.court.post("alice", base, {"days": days})
        assert response.status == 400, days
        assert (await response.json())["error"]["code"] == "invalid_recording_request"
    week = await (await h.court.post("bob", base, {"days": 7})).json()

    # Revocation: not by a stranger or another party; by the maker, or the court's clerk.
    assert (await client.delete(f"{base}/{link['id']}", headers=await h.court.as_("carol"))).status == 403
    assert (await client.delete(f"{base}/{link['id']}", headers=await h.court.as_("bob"))).status == 403
    assert (await client.delete(f"{base}/{link['id']}", headers=await h.court.as_("alice"))).status == 200
    gone = await client.get(url)
    assert gone.status == 410 and (await gone.json())["error"]["code"] == "link_revoked"
    assert (await client.delete(f"{base}/{week['id']}", headers=await h.court.as_("clerk"))).status == 200
    assert (await client.get(f"/api/v1/recording-links/{week['token']}/files/manifest.json")).status == 410
    assert (await client.delete(f"{base}/99999", headers=await h.court.as_("clerk"))).status == 404

    # Expiry: three days later the link opens nothing (the clock moved by moving the deadline).
    fresh = await (await h.court.post("bob", base)).json()
    async with h.court.db.transaction() as session:
        await session.execute(update(RecordingLink).where(RecordingLink.id == fresh["id"])
                              .values(expires_at=h.app.clock.now() - timedelta(seconds=1)))
    expired = await client.get(f"/api/v1/recording-links/{fresh['token']}/files/manifest.json")
    assert expired.status == 410 and (await expired.json())["error"]["code"] == "link_expired"
