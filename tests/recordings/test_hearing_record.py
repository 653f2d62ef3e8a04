"""A hearing recorded end to end: signaling starts and stops the recorder, the record is sealed.

aiortc participants publish through /hearing as browsers would; the judge pauses the recording with
a reason, mutes a party, a party joins late; at close the recording is sealed with the court's key,
attached to the case, and its manifest explains every gap. Then the files are checked through the
API: verify names any changed byte or field, and the segments stream with HTTP ranges.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
from pathlib import Path

from sqlalchemy import select

from cabinet.audit import AuditEntry, verify_chain
from cabinet.filing.models import Case, CaseEvent
from cabinet.notifications.models import Notice
from recordings.manifest import LATE_JOIN
from recordings.segments import inspect
from tests.media.media_peers import read_stamp, wait_for
from tests.recordings.hearings import admit, close_hearing, open_session, recorder_of, sealed
from tests.signaling.conftest import Courthouse, leave_all
from tests.signaling.webrtc import SignaledPeer


async def test_a_hearing_is_recorded_paused_muted_joined_late_sealed_and_verified(courthouse: Courthouse) -> None:
    h = courthouse
    hearing, sockets = await open_session(h, names=("judge", "alice"))
    judge, alice = sockets["judge"], sockets["alice"]
    peers = {"judge": SignaledPeer("judge", slots=3), "alice": SignaledPeer("alice", slots=3)}
    try:
        await peers["judge"].negotiate(judge)
        await peers["alice"].negotiate(alice)
        recorder = await recorder_of(h, hearing)
        await wait_for(lambda: recorder.counters.written > 100, within=20)
        await asyncio.sleep(LATE_JOIN.total_seconds())

        await admit(h, hearing, sockets, "bob")  # joins late
        peers["bob"] = SignaledPeer("bob", slots=3)
        await peers["bob"].negotiate(sockets["bob"])
        await wait_for(lambda: recorder.counters.numbers.get(f"{h.ids['bob']}-video", 0) >= 1, within=20)
        await asyncio.sleep(1.0)

        reply = await judge.call("recording_pause", {"reason": "testimony of a minor"})
        assert reply["ok"], reply
        await wait_for(lambda: recorder.paused, within=5)
        await asyncio.sleep(0.8)
        assert (await judge.call("recording_resume"))["ok"]
        await wait_for(lambda: not recorder.paused, within=5)
        await asyncio.sleep(1.5)

        assert (await judge.call("mute", {"target": h.ids["bob"], "media": "audio"}))["ok"]
        await asyncio.sleep(1.0)
        assert (await judge.call("unmute", {"target": h.ids["bob"], "media": "audio"}))["ok"]
        await asyncio.sleep(1.5)
        await close_hearing(judge)
        record = await sealed(h, hearing)
    finally:
        for peer in peers.values():
            await peer.close()
        await leave_all(*sockets.values())

    manifest = record["manifest"]
    assert record["state"] == "sealed" and not record["ended_abnormally"] and record["audit_seq"]
    assert manifest["case_number"] == h.case_number and manifest["court"]["code"] == "7594"
    assert {p["role"] for p in manifest["participants"]} >= {"judge", "plaintiff", "defendant"}
    pauses = manifest["recording_pauses"]
    assert len(pauses) == 1 and pauses[0]["reason"] == "testimony of a minor" and pauses[0]["to"]
    assert pauses[0]["by"] == str(h.ids["judge"])

    def segments(who: str, kind: str) -> list[dict]:
        return [s for s in manifest["segments"] if s["participant"] == str(h.ids[who]) and s["kind"] == kind]

    alice_video = segments("alice", "video")
    assert [s["start_reason"] for s in alice_video] == ["joined", "recording_resumed"]
    assert [s["end_reason"] for s in alice_video] == ["recording_paused", "closed"]
    bob_audio = segments("bob", "audio")
    assert bob_audio[0]["start_reason"] == "late_join" and bob_audio[0]["joined_after_s"] > LATE_JOIN.total_seconds()
    assert [s["end_reason"] for s in bob_audio] == ["recording_paused", "muted", "closed"]
    assert [s["start_reason"] for s in bob_audio][1:] == ["recording_resumed", "unmuted"]
    for a, b in itertools.pairwise(bob_audio):
        assert a["end"] <= b["start"], "a gap is a gap: segments never overlap"

    directory = Path(h.app.config.storage_dir) / "areas" / "recordings" / f"{record['id']:08d}"
    # End to end: every recorded video frame is one the sender produced, byte for byte, in order.
    for name in ("alice", "bob", "judge"):
        for segment in segments(name, "video"):
            facts = inspect(directory / segment["file"])
            assert facts.sha256 == segment["sha256"] and facts.payload_sha256 == segment["payload_sha256"]
            stamps = _stamps(directory / segment["file"])
            assert {s[0] for s in stamps} == {name}
            seqs = [s[1] for s in stamps]
            assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"{segment['file']}: a frame is missing"
    assert manifest["frames"]["received"] == manifest["frames"]["written"] + _skipped(manifest)

    # Sealed into the audit chain and attached to the case file; the parties are told.
    sealed_bytes = (directory / "manifest.json").read_bytes()
    assert record["manifest_sha256"] == hashlib.sha256(sealed_bytes).hexdigest()
    async with h.court.db.transaction() as session:
        entry = await session.get(AuditEntry, record["audit_seq"])
        assert entry is not None and entry.action == "recording.sealed"
        assert entry.details["manifest_sha256"] == record["manifest_sha256"]
        case = await session.scalar(select(Case).where(Case.number == h.case_number))
        assert case is not None
        facts = list(await session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                                  CaseEvent.action == "hearing_recording")))
        assert [f.details["recording_id"] for f in facts] == [record["id"]]
        told = set(await session.scalars(select(Notice.user_id).where(Notice.kind == "hearing_recorded")))
        assert {h.ids["alice"], h.ids["bob"]} <= told
        assert await session.scalar(select(AuditEntry).where(
            AuditEntry.action == "registry.document.outgoing",
            AuditEntry.subject == f"sha256:{record['manifest_sha256']}"))
        chain = await verify_chain(session)
        assert chain.ok, chain

    response = await h.court.get("clerk", f"/api/v1/recordings/{record['id']}/verify")
    assert response.status == 200
    report = await response.json()
    assert report["ok"], report
    assert report["files_checked"] == len(manifest["segments"]) + 1

    # Any changed byte of a segment, the minutes or the manifest is named.
    victim = directory / alice_video[1]["file"]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    stored = json.loads((directory / "manifest.json").read_bytes())
    stored["segments"][0]["duration_s"] = 999.0
    (directory / "manifest.json").write_bytes(json.dumps(stored, sort_keys=True, separators=(",", ":")).encode())
    (directory / "extra.webm").write_bytes(b"planted")
    report = await (await h.court.get("clerk", f"/api/v1/recordings/{record['id']}/verify")).json()
    found = {(f["what"], f["problem"].split(":")[0]) for f in report["findings"]}
    assert not report["ok"]
    assert (alice_video[1]["file"], "SHA-256 differs from the sealed manifest") in found
    assert ("manifest.json:segments[0].duration_s", "differs from the manifest the court sealed") in found
    assert ("manifest.json.cms", "does not match manifest.json") in found
    assert ("extra.webm", "not listed in the manifest") in found


def _stamps(path: Path) -> list[tuple[str, int]]:
    import av

    with av.open(str(path)) as container:
        out = []
        for packet in container.demux(container.streams[0]):
            if packet.size:
                stamp = read_stamp(bytes(packet))
                assert stamp is not None
                out.append(stamp)
        return out


def _skipped(manifest: dict) -> int:
    return int(manifest["frames"].get("waited_for_keyframe") or 0)

