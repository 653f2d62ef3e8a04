"""Reading sealed recordings: access checks, audited views and downloads, verification, clerk search.

Every successful view, file download and verification leaves an audit entry naming who and what;
a refusal leaves nothing (it changes nothing). The clerk's search is one query on the indexed
columns of ``recordings``, limited to the courts the caller serves in.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, select

from cabinet.audit import AuditLog
from cabinet.courts import Court
from cabinet.eds.verifier import Verifier
from cabinet.filing.models import CaseParty
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Role
from core.clock import Clock
from core.db import Database
from recordings.access import CallerFacts, RecordingFacts, may_grant, may_view, relation
from recordings.errors import InvalidRecordingRequest, RecordingForbidden, RecordingNotFound, RecordingNotSealed
from recordings.models import ComposeJob, RecordingRow
from recordings.verify import MINUTES_SIGNATURE, Report, check_files, check_trust

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Search:
    case_number: str | None = None
    court_code: str | None = None
    courtroom: str | None = None
    judge_user_id: int | None = None
    start_from: datetime | None = None
    start_to: datetime | None = None
    page: int = 1
    per_page: int = 20

    def __post_init__(self) -> None:
        if self.page < 1 or not 1 <= self.per_page <= MAX_PAGE_SIZE:
            raise InvalidRecordingRequest(f"page starts at 1 and per_page is 1 to {MAX_PAGE_SIZE}",
                                          details={"field": "page"})
        if self.start_from and self.start_to and self.start_from > self.start_to:
            raise InvalidRecordingRequest("from is after to", details={"field": "from"})


def summary(row: RecordingRow) -> dict[str, Any]:
    return {"id": row.id, "hearing_id": row.hearing_id, "case_number": row.case_number, "court": row.court_code,
            "courtroom": row.courtroom, "judge_user_id": row.judge_user_id, "state": row.state,
            "started_at": row.started_at.isoformat(), "ended_at": row.ended_at and row.ended_at.isoformat(),
            "ended_abnormally": row.ended_abnormally, "is_open": row.is_open,
            "access_granted": row.access_granted, "manifest_sha256": row.manifest_sha256,
            "audit_seq": row.audit_seq}


def search_query(search: Search, courts: frozenset[str]) -> Select[Any]:
    query = select(RecordingRow).where(RecordingRow.court_code.in_(sorted(courts)))
    if search.court_code:
        query = query.where(RecordingRow.court_code == search.court_code)
    if search.case_number:
        query = query.where(RecordingRow.case_number == search.case_number)
    if search.courtroom:
        query = query.where(RecordingRow.courtroom == search.courtroom)
    if search.judge_user_id is not None:
        query = query.where(RecordingRow.judge_user_id == search.judge_user_id)
    if search.start_from:
        query = query.where(RecordingRow.started_at >= search.start_from)
    if search.start_to:
        query = query.where(RecordingRow.started_at <= search.start_to)
    return query


class Retrieval:
    def __init__(self, db: Database, clock: Clock, verifier: Verifier | None = None) -> None:
        self.db = db
        self.clock = clock
        self.verifier = verifier

    async def _entitled(self, principal: Principal, recording_id: int, *, action: str,
                        details: dict[str, Any] | None = None) -> RecordingRow:
        """The recording if ``principal`` may see it, after auditing the access in the same unit of work."""
        async with self.db.transaction() as session:
            return await self._entitled_in(session, principal, recording_id, action=action, details=details)

    async def _entitled_in(self, session: Any, principal: Principal, recording_id: int, *, action: str,
                           details: dict[str, Any] | None = None) -> RecordingRow:
        row = await session.get(RecordingRow, recording_id)
        if row is None:
            raise RecordingNotFound(f"no recording {recording_id}")
        caller = await self.caller(session, principal, row)
        if not may_view(caller, facts_of(row)):
            raise RecordingForbidden("you may not see this recording")
        await AuditLog(session, self.clock).append(
            f"recording.{action}", actor=principal.audit_actor, subject=f"recording:{row.id}",
            details={"as": relation(caller, facts_of(row)).value, **(details or {})})
        return row

    @staticmethod
    async def caller(session: Any, principal: Principal, row: RecordingRow) -> CallerFacts:
        """How ``principal`` relates to the recording (their roles among the case's parties, their courts)."""
        roles = set(await session.scalars(select(CaseParty.role).where(
            CaseParty.case_id == row.case_id, CaseParty.iin == principal.iin)))
        return CallerFacts(principal.user_id, principal.courts_with(Role.CLERK), frozenset(roles))

    async def of_case(self, principal: Principal, case_id: int) -> list[dict[str, Any]]:
        """The sealed recordings of a case that ``principal`` may see (a closed hearing's only once the
        judge granted the parties access), oldest first; listing them is not a view, so not audited."""
        async with self.db.transaction() as session:
            rows = list(await session.scalars(select(RecordingRow).where(
                RecordingRow.case_id == case_id, RecordingRow.state == "sealed").order_by(RecordingRow.started_at)))
            seen = []
            for row in rows:
                if may_view(await self.caller(session, principal, row), facts_of(row)):
                    seen.append(summary(row))
        return seen

    async def view(self, principal: Principal, recording_id: int) -> dict[str, Any]:
        """The recording with its composition job, as one moment saw them: a job ``done`` comes with the
        manifest naming the composed record (the worker stores both in one transaction).

        Both are read in one transaction, the job first: on PostgreSQL each statement sees what was
        committed before it, so a finished job read first guarantees the manifest read after it."""
        async with self.db.transaction() as session:
            job = await session.scalar(select(ComposeJob).where(ComposeJob.recording_id == recording_id))
            row = await self._entitled_in(session, principal, recording_id, action="viewed")
        return {**summary(row), "manifest": row.manifest, "composition": job and job.to_json()}

    async def file(self, principal: Principal, recording_id: int, name: str, *, byte_ranges: str | None) -> Path:
        """The path of one file of a sealed recording (segment, minutes, manifest, signature)."""
        async with self.db.transaction() as session:
            row = await session.get(RecordingRow, recording_id)
        if row is None:
            raise RecordingNotFound(f"no recording {recording_id}")
        if row.state not in ("sealed", "deleted") or not row.manifest:
            raise RecordingNotSealed("the recording is not sealed yet")
        path = Path(row.directory) / name
        if name not in listed_files(row.manifest) or not await asyncio.to_thread(path.is_file):
            raise RecordingNotFound(f"the recording has no file {name!r}", code="recording_file_not_found")
        await self._entitled(principal, recording_id, action="downloaded",
                             details={"file": name, "range": byte_ranges or "all"})
        return path

    async def export(self, principal: Principal, recording_id: int) -> tuple[Path, list[str]]:
        """The directory and the files an export archive carries: everything sealed, plus signatures."""
        async with self.db.transaction() as session:
            row = await session.get(RecordingRow, recording_id)
        if row is not None and (row.state not in ("sealed", "deleted") or not row.manifest):
            raise RecordingNotSealed("the recording is not sealed yet")
        row = await self._entitled(principal, recording_id, action="exported")
        assert row.manifest is not None
        directory = Path(row.directory)
        listed = sorted(listed_files(row.manifest))
        return directory, await asyncio.to_thread(lambda: [n for n in listed if (directory / n).is_file()])

    async def verify(self, principal: Principal, recording_id: int) -> Report:
        row = await self._entitled(principal, recording_id, action="verified")
        if row.state not in ("sealed", "deleted") or row.manifest is None:
            raise RecordingNotSealed("the recording is not sealed yet")
        report, _ = await asyncio.to_thread(check_files, Path(row.directory), row.manifest)
        if self.verifier is not None:
            await check_trust(report, Path(row.directory), self.verifier)
        return report

    async def grant(self, principal: Principal, recording_id: int, granted: bool) -> dict[str, Any]:
        async with self.db.transaction() as session:
            row = await session.get(RecordingRow, recording_id, with_for_update=True)
            if row is None:
                raise RecordingNotFound(f"no recording {recording_id}")
            caller = await self.caller(session, principal, row)
            if not may_grant(caller, facts_of(row)):
                raise RecordingForbidden("only the judge of the hearing grants access to its recording")
            row.access_granted = granted
            await AuditLog(session, self.clock).append(
                "recording.access_granted" if granted else "recording.access_withdrawn",
                actor=principal.audit_actor, subject=f"recording:{row.id}", details={"granted": granted})
            return summary(row)

    async def search(self, principal: Principal, search: Search) -> dict[str, Any]:
        staff_courts = principal.courts_with(Role.CLERK) | principal.courts_with(Role.JUDGE)
        if not staff_courts:
            raise RecordingForbidden("searching recordings is for the court's clerks and judges",
                                     code="not_court_staff")
        async with self.db.transaction() as session:
            codes = frozenset(await session.scalars(select(Court.code).where(Court.id.in_(sorted(staff_courts)))))
            query = search_query(search, codes)
            total = await session.scalar(select(func.count()).select_from(query.subquery()))
            rows = list(await session.scalars(
                query.order_by(RecordingRow.started_at.desc(), RecordingRow.id.desc())
                .offset((search.page - 1) * search.per_page).limit(search.per_page)))
        return {"items": [summary(r) for r in rows], "page": search.page, "per_page": search.per_page,
                "total": int(total or 0)}


def facts_of(row: RecordingRow) -> RecordingFacts:
    return RecordingFacts(row.court_id, row.judge_user_id, row.is_open, row.access_granted)


def listed_files(manifest: dict[str, Any]) -> set[str]:
    names = {"manifest.json", "manifest.json.cms", MINUTES_SIGNATURE} | {
        str(s["file"]) for s in manifest.get("segments", [])}
    if manifest.get("minutes"):
        names.add(str(manifest["minutes"]["file"]))
    if manifest.get("composed"):
        names.add(str(manifest["composed"]["file"]))
    return names
