"""Who may see a recording, through the HTTP API as each person would try it; every access is audited.

The matrix: the hearing's judge and the court's clerk may; the parties and their lawyer may, unless
the hearing was closed and the judge has not granted them access; a party of another case, a clerk
of another court, a member of the public and an anonymous caller may not. Refusals leave no audit
entry and change nothing. Files stream with HTTP ranges (first bytes, middle, suffix, several
ranges, and invalid ones refused with 416).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from cabinet.audit import AuditEntry
from cabinet.courts import CourtSpec, CourtStore
from cabinet.eds.profile import parse_identity
from cabinet.filing.models import Case, CaseParty
from cabinet.identity.roles import Role
from cabinet.identity.users import PersonName, UserService
from core.clock import SystemClock
from tests.cabinet.filing.conftest import attach_exemption_proof, claim_body, confirm_exemption, pdf
from tests.recordings.hearings import close_hearing, open_session, sealed
from tests.signaling.conftest import Courthouse, leave_all

OTHER_COURT = CourtSpec("7595", "Астана", "Астана қаласының соты", "Суд города Астаны", "Astana City Court")


async def recorded(h: Courthouse, *, is_open: bool, language: str | None = None) -> dict[str, Any]:
    hearing, sockets = await open_session(h, is_open=is_open, names=("judge",), language=language)
    try:
        await close_hearing(sockets["judge"])
        return await sealed(h, hearing)
    finally:
        await leave_all(*sockets.values())


async def cast_the_outsiders(h: Courthouse) -> None:
    """The lawyer represents Alice in this case; Carol is a party of another case; the court
    administrator of 7594 is also a clerk of court 7595 (staff of another court for this recording)."""
    cast, db = h.court.cast, h.court.db
    async with db.transaction() as session:
        case = await session.scalar(select(Case).where(Case.number == h.case_number))
        assert case is not None
        lawyer_iin = parse_identity(cast.lawyer.auth.certificate).iin
        session.add(CaseParty(case_id=case.id, role="representative", iin=lawyer_iin, name="АДВОКАТОВ АРМАН",
                              name_folded="адвокатов арман", represents="900101400123"))
        await CourtStore(session).add(OTHER_COURT)
        admin = parse_identity(cast.admin.auth.certificate)
        assert admin.iin is not None
        await UserService(session, SystemClock()).grant(PersonName(admin.iin, admin.common_name), Role.CLERK,
                                                        "7595", granter=None, actor="test")
    carol_iin = parse_identity(cast.carol.auth.certificate).iin
    assert carol_iin is not None
    draft = await h.court.create("alice", claim_body(carol_iin, exemption="labour"))
    assert (await h.court.upload("alice", draft["id"], pdf())).status == 201
    await attach_exemption_proof(h.court, "alice", draft["id"])
    assert (await h.court.post("alice", f"/api/v1/filings/{draft['id']}/submit")).status == 200
    await confirm_exemption(h.court, draft["id"])
    assert (await h.court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/register")).status == 200
    h.court.heads.pop("admin", None)  # log in again to carry the new grant
    await h.court.as_("admin")


async def audit_count(h: Courthouse) -> int:
    async with h.court.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def status_of(h: Courthouse, who: str | None, url: str) -> int:
    return (await h.court.get(who, url)).status


async def test_the_access_matrix_of_an_open_hearing_and_every_access_audited(courthouse: Courthouse) -> None:
    h = courthouse
    await cast_the_outsiders(h)
    record = await recorded(h, is_open=True)
    url = f"/api/v1/recordings/{record['id']}"
    allowed = {"judge": "judge", "clerk": "clerk", "alice": "party", "bob": "party", "lawyer": "lawyer"}
    for who, relation in allowed.items():
        before = await audit_count(h)
        response = await h.court.get(who, url)
        assert response.status == 200, (who, await response.text())
        assert await audit_count(h) == before + 1, f"{who}'s view is audited"
        async with h.court.db.transaction() as session:
            last = await session.scalar(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
        assert last is not None and last.action == "recording.viewed" and last.details["as"] == relation
    for who, code in (("carol", 403), ("admin", 403), ("judge2", 403), (None, 401)):
        before = await audit_count(h)
        response = await h.court.get(who, url)
        assert response.status == code, (who, await response.text())
        body = await response.json()
        assert set(body["error"]) >= {"code", "message"}
        assert await audit_count(h) == before, f"{who}'s refusal leaves nothing"
        for path in ("/verify", "/files/manifest.json"):
            assert await status_of(h, who, url + path) == code, (who, path)
    assert await status_of(h, "alice", "/api/v1/recordings?case=" + h.case_number) == 403  # search is for staff
    assert await status_of(h, "bob", url + "/access") == 405


async def test_a_closed_hearing_is_the_staffs_until_the_judge_grants_the_parties(courthouse: Courthouse) -> None:
    h = courthouse
    await cast_the_outsiders(h)
    record = await recorded(h, is_open=False)
    url = f"/api/v1/recordings/{record['id']}"
    assert await status_of(h, "judge", url) == 200 and await status_of(h, "clerk", url) == 200
    for who in ("alice", "bob", "lawyer", "carol"):
        assert await status_of(h, who, url) == 403, who
    for who in ("clerk", "alice", "judge2"):  # only the judge of the hearing grants
        response = await h.court.post(who, url + "/access", {"granted": True})
        assert response.status == 403, who
    response = await h.court.post("judge", url + "/access", {"granted": "yes"})
    assert response.status == 400 and (await response.json())["error"]["code"] == "invalid_recording_request"
    response = await h.court.post("judge", url + "/access", {"granted": True})
    assert response.status == 200 and (await response.json())["access_granted"]
    for who in ("alice", "bob", "lawyer"):
        assert await status_of(h, who, url) == 200, who
    assert await status_of(h, "carol", url) == 403
    assert (await h.court.post("judge", url + "/access", {"granted": False})).status == 200
    assert await status_of(h, "alice", url) == 403


async def test_files_stream_with_http_ranges(courthouse: Courthouse) -> None:
    h = courthouse
    record = await recorded(h, is_open=True)
    url = f"/api/v1/recordings/{record['id']}/files/manifest.json"
    headers = await h.court.as_("alice")
    response = await h.app.client.get(url, headers=headers)
    assert response.status == 200 and response.headers["Accept-Ranges"] == "bytes"
    data = await response.read()
    size = len(data)
    assert size > 200

    async def ranged(spec: str) -> Any:
        return await h.app.client.get(url, headers={**headers, "Range": spec})

    first = await ranged("bytes=0-99")
    assert first.status == 206 and await first.read() == data[:100]
    assert first.headers["Content-Range"] == f"bytes 0-99/{size}"
    middle = await ranged("bytes=100-149")
    assert middle.status == 206 and await middle.read() == data[100:150]
    suffix = await ranged("bytes=-50")
    assert suffix.status == 206 and await suffix.read() == data[-50:]
    assert suffix.headers["Content-Range"] == f"bytes {size - 50}-{size - 1}/{size}"
    open_end = await ranged(f"bytes={size - 10}-")
    assert await open_end.read() == data[-10:]
    several = await ranged("bytes=0-9, 20-29, -5")
    assert several.status == 206
    boundary = re.search(r"boundary=(\S+)", several.headers["Content-Type"])
    assert boundary and several.headers["Content-Type"].startswith("multipart/byteranges")
    body = await several.read()
    assert int(several.headers["Content-Length"]) == len(body)
    parts = [p for p in body.split(b"--" + boundary.group(1).encode()) if p.strip(b"\r\n-")]
    payloads = [p.split(b"\r\n\r\n", 1)[1].removesuffix(b"\r\n") for p in parts]
    assert payloads == [data[0:10], data[20:30], data[-5:]]
    for bad in (f"bytes={size}-", f"bytes={size + 100}-{size + 200}", "bytes=50-10", "bytes=abc", "bytes=",
                "bytes=" + ",".join(["0-1"] * 17)):
        response = await ranged(bad)
        assert response.status == 416, bad
        assert response.headers["Content-Range"] == f"bytes */{size}"
        assert (await response.json())["error"]["code"] == "range_not_satisfiable"
    assert (await ranged("items=0-5")).status == 200  # a unit we do not serve: the whole file
    assert (await h.app.client.get(url.replace("manifest.json", "..%2Fmanifest.json"), headers=headers)).status == 404
    assert (await h.app.client.get(url.replace("manifest.json", "journal.jsonl"), headers=headers)).status == 404
    download = await h.app.client.get(url + "?download=1", headers=headers)
    assert download.headers["Content-Disposition"] == 'attachment; filename="manifest.json"'
