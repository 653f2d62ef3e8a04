"""Recordings as the court keeps them: started with the hearing, sealed at its end, recovered after a crash.

The service orchestrates: the row and its audit entries in the database, the files through
:mod:`recordings.seal`, the court's key through :class:`~cabinet.filing.systemkey.CourtKeys`.
Every recording has an *owner* (host, process id and a random token) and a lease the owner renews
while it records. A recording still ``recording`` whose owner is gone — its lease ran out, or it
was a process on this host that no longer exists — is claimed with a conditional update (so two
processes never seal it twice) and sealed "ended abnormally" from what its files still hold —
except, with several processes, while its hearing is live and within the reconnection grace: the
process its participants reconnect to takes it over and continues it (a failover), so one hearing
keeps one recording with the outage named in its manifest.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from cabinet.audit import AuditLog
from cabinet.courts import Court
from cabinet.filing.models import Case
from cabinet.filing.notices import tell_parties
from cabinet.filing.registry import register_document
from cabinet.filing.storage import DocumentStorage
from cabinet.filing.systemkey import CourtKeys
from cabinet.filing.timeline import Timeline
from cabinet.notifications.notices import NoticeKind
from core.clock import Clock
from core.config import Config
from core.db import Database, insert_if_absent
from recordings.errors import RecordingNotFound
from recordings.manifest import Particulars, build_manifest
from recordings.models import ComposeJob, RecordingRow
from recordings.seal import Staged, read_journal, segment_facts, stage_manifest, stage_minutes
from sessions.hearings import HearingRole
from sessions.lifecycle import RECORDING_STATES
from sessions.minutes import render_minutes
from sessions.models import HearingRow
from sessions.repository import HearingRepository

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=4)
"""How long a recording stays its owner's without a renewal. The owner renews every
:data:`RENEW_EVERY`, so a process that dies (or a machine that drops off the network) lets go of
its recordings within a few seconds, and the process its hearing moved to continues them at once —
not after a long lease, and not as a second recording beside the first."""
RENEW_EVERY = LEASE / 4
AREA = "recordings"
_LIVE_STATES = frozenset(state.value for state in RECORDING_STATES)
SYSTEM_ACTOR = "system:recorder"
CRASHED = "the recording process ended while the hearing was being recorded; sealed at recovery"


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def owner_is_gone(owner: str, me: str) -> bool:
    """Whether ``owner`` names a process of this host that no longer exists (or an earlier us)."""
    host, _, rest = owner.partition(":")
    pid_text, _, _token = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit() or owner == me:
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class HeldElsewhere(Exception):
    """The hearing's recording is another live process's: its lease runs until ``until``.

    The process the hearing moved to waits for that (a dead holder's lease runs out within
    :data:`LEASE`) and then continues the recording, rather than starting a second one."""

    def __init__(self, recording_id: int, owner: str, until: datetime) -> None:
        super().__init__(f"recording {recording_id} is held by {owner} until {until.isoformat()}")
        self.recording_id = recording_id
        self.owner = owner
        self.until = until


@dataclass(frozen=True)
class Started:
    recording_id: int
    hearing_id: int
    directory: Path
    taken_over_from: str | None = None
    """The owner (a dead process) whose unfinished recording this one continues, if any."""


class RecordingService:
    def __init__(self, db: Database, clock: Clock, config: Config, keys: CourtKeys, storage: DocumentStorage, *,
                 owner: str | None = None) -> None:
        self.db = db
        self.clock = clock
        self.config = config
        self.keys = keys
        self.owner = owner or process_owner()
        self.storage = storage
        """Where recordings are written: an area of the court's document storage, one directory each."""
        self.active: set[int] = set()
        """Recordings this process is capturing now; any other unsealed one of ours failed to seal."""

    # ---- capture ----------------------------------------------------------------------------

    async def start(self, hearing_id: int, *, wait_for_holder: bool = True) -> Started:
        """A new recording row (and its directory) for a hearing that has just started — or, when the
        process that was recording it died (a failover), that recording, continued here.

        While another process still holds the hearing's recording (its lease has not run out: it
        may be dead on another machine, or alive), :class:`HeldElsewhere` says until when, unless
        ``wait_for_holder`` is false: then a holder that keeps renewing is left with its recording
        and this process starts another.
        """
        taken = await self._take_over(hearing_id)
        if isinstance(taken, Started):
            return taken
        if taken is not None and wait_for_holder:
            raise taken
        now = self.clock.now()
        async with self.db.transaction() as session:
            # The hearing's row first, as every change of the hearing takes it (then its case's): the
            # new row's foreign keys would otherwise hold the case while waiting for the hearing, and
            # a judge's close (hearing, then case) deadlocked with the start on PostgreSQL.
            hearing = await HearingRepository.within(session, self.clock).load(hearing_id, lock=True)
            place = hearing.place
            judge = next((p.user_id for p in hearing.people if p.role is HearingRole.JUDGE), None)
            recording = RecordingRow(
                hearing_id=hearing_id, case_id=place.case_id, case_number=place.case_number,
                court_id=place.court_id, court_code=place.court_code, courtroom=place.courtroom_name,
                judge_user_id=judge, is_open=hearing.is_open, state="recording", started_at=now, directory="",
                owner=self.owner, lease_until=now + LEASE, ended_abnormally=False, access_granted=False)
            session.add(recording)
            await session.flush()
            directory = await asyncio.to_thread(self.storage.area, AREA, f"{recording.id:08d}")
            recording.directory = str(directory)
            await AuditLog(session, self.clock).append(
                "recording.started", actor=SYSTEM_ACTOR, subject=f"recording:{recording.id}",
                details={"hearing_id": hearing_id, "case_number": place.case_number})
        self.active.add(recording.id)
        logger.info("recording %s of hearing %s started in %s", recording.id, hearing_id, directory)
        return Started(recording.id, hearing_id, directory)

    async def _take_over(self, hearing_id: int) -> Started | HeldElsewhere | None:
        """Claim the hearing's unfinished recording whose owner is gone (lease out, or a process of
        this host that no longer exists), with a conditional update so that one process wins.

        The hearing moved to this process with its participants (the router's hash): its record
        continues in the same directory, with new segments after a gap the manifest names
        (``interruptions``), rather than as a second recording of one hearing. A recording whose
        lease is still running comes back as :class:`HeldElsewhere`.
        """
        now = self.clock.now()
        held: HeldElsewhere | None = None
        async with self.db.transaction() as session:
            rows = (await session.execute(select(RecordingRow.id, RecordingRow.owner, RecordingRow.lease_until,
                                                 RecordingRow.directory)
                                          .where(RecordingRow.hearing_id == hearing_id,
                                                 RecordingRow.state == "recording"))).all()
            for recording_id, owner, lease_until, directory in rows:
                if owner == self.owner:
                    continue
                if not (lease_until <= now or owner_is_gone(owner, self.owner)):
                    held = HeldElsewhere(recording_id, owner, lease_until)
                    continue
                result = await session.execute(
                    update(RecordingRow).where(RecordingRow.id == recording_id, RecordingRow.owner == owner,
                                               RecordingRow.state == "recording")
                    .values(owner=self.owner, lease_until=now + LEASE))
                if getattr(result, "rowcount", 0) != 1:
                    continue
                await AuditLog(session, self.clock).append(
                    "recording.taken_over", actor=SYSTEM_ACTOR, subject=f"recording:{recording_id}",
                    details={"hearing_id": hearing_id, "previous_owner": owner, "owner": self.owner})
                self.active.add(recording_id)
                logger.warning("recording %s of hearing %s continues here; its process %s is gone",
                               recording_id, hearing_id, owner)
                return Started(recording_id, hearing_id, Path(directory), taken_over_from=owner)
        return held

    async def renew(self, recording_ids: list[int]) -> int:
        """Extend this process's lease on ``recording_ids`` (one statement); how many are still ours."""
        if not recording_ids:
            return 0
        async with self.db.transaction() as session:
            result = await session.execute(update(RecordingRow).where(
                RecordingRow.id.in_(recording_ids), RecordingRow.owner == self.owner,
                RecordingRow.state == "recording").values(lease_until=self.clock.now() + LEASE))
        return int(getattr(result, "rowcount", 0) or 0)

    # ---- sealing ----------------------------------------------------------------------------

    async def seal(self, recording_id: int, *, abnormal: str | None = None) -> dict[str, Any]:
        """Read back every segment, write minutes and manifest, sign, audit and attach to the case.

        Idempotent, and a sealed manifest is never replaced: the files are staged first and put in
        place only by the seal whose conditional update claims the row, inside that transaction. A
        seal that loses (another process recovered the recording while this one read its segments)
        discards its files and returns the stored manifest — which may already name the composed
        record, written by a worker after the winner's seal.
        """
        async with self.db.transaction() as session:
            row = await session.get(RecordingRow, recording_id)
            if row is None:
                raise RecordingNotFound(f"no recording {recording_id}")
            if row.state != "recording":
                return dict(row.manifest or {})
            stored = await HearingRepository.within(session, self.clock).load(row.hearing_id, log=True)
            place, hearing = stored.place, stored.hearing
            court = await session.get(Court, row.court_id)
            started_at, directory = row.started_at, Path(row.directory)
            language = stored.language
        assert court is not None
        key = await self.keys.key_for(court)
        particulars = Particulars(recording_id, row.hearing_id, place.court_code, place.court_name_ru,
                                  place.case_number, place.courtroom_name, row.is_open)
        minutes_plan = replace(hearing.plan, courtroom_id=f"{place.courtroom_name} ({place.court_name(language)})")
        staged = Staged(directory)

        def work() -> tuple[dict[str, Any], str, datetime]:
            directory.mkdir(parents=True, exist_ok=True)
            journal = read_journal(directory)
            facts = segment_facts(directory, journal)
            minutes_sha = stage_minutes(staged, render_minutes(replace(hearing, plan=minutes_plan), language))
            ended_at = _ended_at(journal, facts, started_at, self.clock.now(), abnormal is not None)
            manifest = build_manifest(particulars, hearing, journal, facts, started_at=started_at,
                                      ended_at=ended_at, abnormal=abnormal, minutes_sha256=minutes_sha,
                                      language=language.value)
            return manifest, stage_manifest(staged, manifest, key), ended_at

        try:
            manifest, digest, ended_at = await asyncio.to_thread(work)
            async with self.db.transaction() as session:
                result = await session.execute(
                    update(RecordingRow).where(RecordingRow.id == recording_id, RecordingRow.state == "recording",
                                               RecordingRow.owner == self.owner)
                    .values(state="sealed", manifest=manifest, manifest_sha256=digest, ended_at=ended_at,
                            ended_abnormally=abnormal is not None))
                if getattr(result, "rowcount", 0) != 1:
                    logger.info("recording %s was sealed by another process", recording_id)
                    sealed = await session.scalar(select(RecordingRow.manifest).where(RecordingRow.id == recording_id))
                    return dict(sealed or {})
                # The row is locked by the update until this commits: no other seal, and no compositor
                # (it starts from a committed seal), writes these files meanwhile.
                await asyncio.to_thread(staged.put_in_place)
                seq = await AuditLog(session, self.clock).append(
                    "recording.sealed", actor=SYSTEM_ACTOR, subject=f"recording:{recording_id}",
                    details={"manifest_sha256": digest, "hearing_id": row.hearing_id,
                             "case_number": row.case_number, "ended_abnormally": abnormal is not None,
                             "segments": len(manifest["segments"])})
                await session.execute(update(RecordingRow).where(RecordingRow.id == recording_id).values(audit_seq=seq))
                await insert_if_absent(session, ComposeJob, {  # composed by a worker (recordings/composition.py)
                    "recording_id": recording_id, "state": "queued", "progress": 0.0, "attempts": 0,
                    "created_at": self.clock.now()})
                await self._attach(session, recording_id, row.case_id, court, digest, abnormal is not None)
        finally:
            staged.discard()
        logger.info("recording %s sealed (%d segments%s)", recording_id, len(manifest["segments"]),
                    ", ended abnormally" if abnormal else "")
        return manifest

    async def _attach(self, session: Any, recording_id: int, case_id: int, court: Court, digest: str,
                      abnormal: bool) -> None:
        """The case file gets the recording: a timeline fact, a registry entry, a notice to the parties."""
        case = await session.get(Case, case_id, options=[selectinload(Case.parties)])
        if case is None:
            return
        details = {"recording_id": recording_id, "manifest_sha256": digest, "ended_abnormally": abnormal}
        await Timeline(session, self.clock).fact(case, "hearing_recording", actor_role="system", actor_id=None,
                                                 actor=SYSTEM_ACTOR, details=details)
        await register_document(session, self.clock, actor=SYSTEM_ACTOR, direction="outgoing", sha256=digest,
                                kind="hearing_recording", name=f"recording-{recording_id}/manifest.json",
                                filing_id=None, case_number=case.number, document_id=None)
        await tell_parties(session, self.clock, case, court, kind=NoticeKind.HEARING_RECORDED.value,
                           facts={"case_number": case.number, "recording_id": recording_id})

    # ---- recovery ---------------------------------------------------------------------------

    async def recover(self) -> list[int]:
        """Seal every recording whose owner is gone; returns the ids sealed by this call."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            rows = (await session.execute(select(RecordingRow.id, RecordingRow.owner, RecordingRow.lease_until,
                                                 HearingRow.state)
                                          .join(HearingRow, HearingRow.id == RecordingRow.hearing_id)
                                          .where(RecordingRow.state == "recording"))).all()
        recovered = []
        # With several processes a live hearing's participants reconnect to another one, which
        # continues the recording (_take_over); it is sealed here only if nobody came back in time.
        several_processes = bool(self.config.redis_url)
        wait_for_takeover = timedelta(seconds=self.config.hearing_reconnect_grace_s)
        for recording_id, owner, lease_until, hearing_state in rows:
            if recording_id in self.active:
                continue
            if owner != self.owner and lease_until > now and not owner_is_gone(owner, self.owner):
                continue
            if (several_processes and owner != self.owner and hearing_state in _LIVE_STATES
                    and now < lease_until + wait_for_takeover):
                continue  # its participants are reconnecting to another process, which continues it
            async with self.db.transaction() as session:
                result = await session.execute(
                    update(RecordingRow).where(RecordingRow.id == recording_id, RecordingRow.owner == owner,
                                               RecordingRow.state == "recording")
                    .values(owner=self.owner, lease_until=now + LEASE))
                claimed = getattr(result, "rowcount", 0)
            if claimed != 1:
                continue
            logger.warning("recording %s was left unfinished by %s; sealing it as ended abnormally",
                           recording_id, owner)
            try:
                await self.seal(recording_id, abnormal=None if owner == self.owner else CRASHED)
            except Exception:
                logger.exception("recording %s could not be sealed; the next check retries", recording_id)
                continue
            recovered.append(recording_id)
        return recovered


def _ended_at(journal: list[dict[str, Any]], facts: dict[str, Any], started_at: datetime, now: datetime,
              abnormal: bool) -> datetime:
    """At a normal end, the recorder's own end entry; after a crash, the end of the last media kept."""
    end = next((e for e in reversed(journal) if e.get("op") == "end"), None)
    if end is not None and not abnormal:
        return datetime.fromisoformat(end["at"])
    latest = started_at
    for entry in journal:
        fact = facts.get(entry.get("file", "")) if entry.get("op") == "open" else None
        if fact is not None:
            latest = max(latest, datetime.fromisoformat(entry["start"]) + timedelta(seconds=fact.duration_s))
    return latest if abnormal else (end and datetime.fromisoformat(end["at"])) or now
