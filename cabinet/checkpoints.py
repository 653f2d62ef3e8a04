"""Signed checkpoints of the audit chain, kept where a database writer cannot reach them.

The chain (:mod:`cabinet.audit`) shows an edit to anyone who recomputes it — unless the editor
recomputes it too: with write access to the database, history can be rewritten and every hash
after it made consistent again. A checkpoint pins the chain's head (sequence number and hash)
with a CMS signature by the court's system key (``system_key_file``; with the built-in test CA,
a platform key it issues) and is written *outside* the database:

- appended as one JSON line to ``<data_dir>/audit/checkpoints.jsonl`` (append-only, under a lock,
  fsynced) at every ``audit_checkpoint_interval_s`` when the head moved, and on demand
  (``sotkab audit checkpoint``);
- published at ``GET /api/v1/audit/checkpoints`` (the latest ones) so outsiders can keep copies
  that nobody at the court can take back.

``sotkab audit verify`` then checks the chain *and* that its entry at the latest checkpoint's
sequence number still has the checkpointed hash, signed by the system key: a rewritten and
recomputed chain no longer matches.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography import x509
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet import openapi
from cabinet.audit import AuditEntry, AuditHead
from cabinet.courts import Court
from cabinet.eds import cms
from cabinet.eds.keys import KeyFile
from core.clock import Clock
from core.config import Config
from core.db import Database
from core.errors import NotFound, SotkabError
from core.leases import PeriodicJob, running
from core.openapi import register_fragment
from core.resources import CLOCK, CONFIG, DB

log = logging.getLogger(__name__)

#: The platform's own identity when the built-in CA issues the checkpoint key (no court's name).
PLATFORM = Court(code="platform", region="", name_kk="Сот кабинеті", name_ru="Сот кабинет", name_en="Sot Kabinet")


class CheckpointInvalid(SotkabError):
    default_code = "checkpoint_invalid"


class CheckpointNotFound(NotFound):
    default_code = "checkpoint_not_found"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: datetime
    cms: bytes

    @staticmethod
    def signed_bytes(seq: int, digest: str, at: datetime) -> bytes:
        return json.dumps({"seq": seq, "hash": digest, "at": at.isoformat(timespec="microseconds")},
                          sort_keys=True, separators=(",", ":")).encode()

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "at": self.at.isoformat(timespec="microseconds"),
                "cms": base64.b64encode(self.cms).decode()}

    @classmethod
    def from_json(cls, raw: Any) -> Checkpoint:
        try:
            return cls(int(raw["seq"]), str(raw["hash"]), datetime.fromisoformat(raw["at"]),
                       base64.b64decode(raw["cms"], validate=True))
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise CheckpointInvalid(f"a checkpoint line is malformed: {exc}") from None

    def check(self, certificate_der: bytes) -> None:
        """The signature must verify and be made by the system key whose certificate is given."""
        try:
            message = cms.parse(self.cms)
        except cms.CmsProblem as problem:
            raise CheckpointInvalid(f"checkpoint {self.seq}: {problem.message}") from None
        if hashlib.sha256(message.signer_certificate).digest() != hashlib.sha256(certificate_der).digest():
            raise CheckpointInvalid(f"checkpoint {self.seq} was not signed by the system key")
        public_key = x509.load_der_x509_certificate(certificate_der).public_key()
        try:
            cms.check_signature(message, self.signed_bytes(self.seq, self.hash, self.at), public_key)
        except cms.CmsProblem as problem:
            raise CheckpointInvalid(f"checkpoint {self.seq}: {problem.message}") from None


class CheckpointFile:
    """One JSON line per checkpoint, only ever appended."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "audit" / "checkpoints.jsonl"

    def append(self, checkpoint: Checkpoint) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(checkpoint.to_json(), sort_keys=True) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def recent(self, limit: int = 20) -> list[Checkpoint]:
        """The last ``limit`` checkpoints, newest last."""
        try:
            lines = [line for line in self.path.read_text().splitlines() if line.strip()]
        except FileNotFoundError:
            return []
        result = []
        for line in lines[-limit:]:
            try:
                result.append(Checkpoint.from_json(json.loads(line)))
            except json.JSONDecodeError:
                raise CheckpointInvalid(f"{self.path} has a line that is not JSON") from None
        return result

    def latest(self) -> Checkpoint | None:
        found = self.recent(1)
        return found[0] if found else None


async def system_key(config: Config) -> KeyFile:
    """The key that signs checkpoints: ``system_key_file``, else one the built-in CA issues."""
    from cabinet.eds.ca import CertificateAuthority
    from cabinet.filing.systemkey import CourtKeys
    from core.clock import SystemClock

    ca = None
    if config.system_key_file is None and config.builtin_ca and (config.pki_dir / "ca.json").exists():
        ca = CertificateAuthority.open(config.pki_dir, SystemClock())
    return await CourtKeys(config, ca).key_for(PLATFORM)


async def create(db: Database, clock: Clock, key: KeyFile, file: CheckpointFile, *, actor: str,
                 only_if_moved: bool = False) -> Checkpoint | None:
    """Sign the current head into ``file`` (and say so in the log itself); None for an empty log."""
    async with db.sessions() as session:
        head = await session.get(AuditHead, 1)
    if head is None or head.seq == 0:
        return None
    last = file.latest()
    if only_if_moved and last is not None and last.seq == head.seq and last.hash == head.last_hash:
        return None
    at = clock.now()
    signed = await asyncio.to_thread(key.sign, Checkpoint.signed_bytes(head.seq, head.last_hash, at), detached=True)
    checkpoint = Checkpoint(head.seq, head.last_hash, at, signed)
    await asyncio.to_thread(file.append, checkpoint)
    log.info("audit checkpoint at entry %d by %s", head.seq, actor)
    return checkpoint


async def matches(session: AsyncSession, checkpoint: Checkpoint) -> str | None:
    """Why the database's chain disagrees with ``checkpoint``, or None when it agrees."""
    entry = await session.get(AuditEntry, checkpoint.seq)
    if entry is None:
        return f"entry {checkpoint.seq} of the signed checkpoint is missing: the log was truncated"
    if entry.hash != checkpoint.hash:
        return (f"entry {checkpoint.seq} no longer has the hash signed at {checkpoint.at.isoformat()}: "
                "the log was rewritten")
    return None


# ----------------------------------------------------------------------------- HTTP and the timer
async def _published(request: web.Request) -> web.Response:
    checkpoints = await asyncio.to_thread(CheckpointFile(request.app[CONFIG].data_dir).recent, 20)
    if not checkpoints:
        raise CheckpointNotFound("no audit checkpoint was made yet")
    return web.json_response({"checkpoints": [c.to_json() for c in checkpoints]})


async def _every_interval(app: web.Application) -> AsyncIterator[None]:
    """The audit head is signed every interval by one process of the cluster (two would sign it twice)."""
    config = app[CONFIG]
    if config.audit_checkpoint_interval_s <= 0:
        yield
        return
    every = timedelta(seconds=config.audit_checkpoint_interval_s)
    file = CheckpointFile(config.data_dir)

    async def checkpoint() -> None:
        key = await system_key(config)
        await create(app[DB], app[CLOCK], key, file, actor="system:checkpoint", only_if_moved=True)

    async with running(PeriodicJob(app[DB], "audit_checkpoint", checkpoint, every=every, first_after=every)):
        yield


def setup(app: web.Application) -> None:
    app.router.add_get("/api/v1/audit/checkpoints", _published)
    register_fragment(app, "cabinet", openapi.PATHS)
    app.cleanup_ctx.append(_every_interval)
