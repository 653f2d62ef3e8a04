"""Sealing a finished recording directory: segment facts, minutes, manifest, the court's signature.

Everything here works on files only. Segment files whose journal entry says they were closed are
read back (:func:`recordings.segments.inspect`); part files left by a crash are salvaged first. The
minutes, the manifest and its detached CMS are each written to a temporary name, fsynced and
renamed, so a crash while sealing leaves either nothing or a complete file, and sealing again
(recovery) simply rewrites them.

Two sealers of one recording can run at once (a holder whose lease ran out while it sealed, and
the process that recovered the recording), and a composition worker re-signs the manifest after
the seal. So a sealer *stages* its files (:class:`Staged`) and puts them in place only while it
holds the recording's row (its conditional update is uncommitted): the one whose update claimed
the row, never the one that lost, whose files — written later, perhaps after the compositor
added ``composed`` — would otherwise replace the sealed manifest with an older one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cabinet.eds.keys import KeyFile
from media.frames import Kind
from recordings.capture import JOURNAL, Journal
from recordings.manifest import MANIFEST, MINUTES, SIGNATURE, canonical
from recordings.segments import PART, SegmentFacts, inspect, salvage

logger = logging.getLogger(__name__)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes) -> None:
    """Temp name, fsync, rename, fsync the directory: the file is either old, absent, or complete."""
    tmp = path.with_name(f".{path.name}.tmp")
    _write_synced(tmp, data)
    os.replace(tmp, path)
    _sync_directory(path.parent)


class Staged:
    """Files of one sealer written in full under names of its own, put in place together later.

    The names carry a random token, so two sealers staging at once never write each other's files.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._token = secrets.token_hex(4)
        self._moves: list[tuple[Path, Path]] = []

    def write(self, name: str, data: bytes) -> None:
        _write_synced(self.reserve(name), data)

    def reserve(self, name: str) -> Path:
        """The staged path of ``name``, for a file the caller writes and syncs itself (a composition)."""
        tmp = self.directory / f".{name}.{self._token}.staged"
        self._moves.append((tmp, self.directory / name))
        return tmp

    def put_in_place(self) -> None:
        """Rename every staged file over its final name (each rename atomic), then fsync the directory."""
        for tmp, final in self._moves:
            os.replace(tmp, final)
        self._moves.clear()
        _sync_directory(self.directory)

    def discard(self) -> None:
        """Remove what was staged and not put in place (a sealer that lost the row, or failed)."""
        for tmp, _ in self._moves:
            tmp.unlink(missing_ok=True)
        self._moves.clear()


def read_journal(directory: Path) -> list[dict[str, Any]]:
    return Journal.read(directory / JOURNAL)


def segment_facts(directory: Path, journal: list[dict[str, Any]]) -> dict[str, SegmentFacts | None]:
    """Each journaled segment's facts, salvaging part files a crash left behind."""
    facts: dict[str, SegmentFacts | None] = {}
    for entry in journal:
        if entry.get("op") != "open":
            continue
        name = entry["file"]
        final, part = directory / name, directory / (name + PART)
        try:
            if part.exists():
                facts[name] = salvage(part, final, Kind(entry["kind"]))
            elif final.exists():
                facts[name] = inspect(final)
            else:
                facts[name] = None
        except Exception:
            logger.exception("segment %s of %s could not be read; left out of the manifest", name, directory)
            facts[name] = None
    return facts


def stage_minutes(staged: Staged, text: str) -> str:
    data = text.encode("utf-8")
    staged.write(MINUTES, data)
    return hashlib.sha256(data).hexdigest()


def stage_manifest(staged: Staged, manifest: Mapping[str, Any], key: KeyFile) -> str:
    """Stage the canonical manifest and the court's detached CMS over it; returns its SHA-256."""
    data = canonical(manifest)
    signature = key.sign(data, detached=True)
    staged.write(MANIFEST, data)
    staged.write(SIGNATURE, signature)
    return hashlib.sha256(data).hexdigest()


def sign_manifest(directory: Path, manifest: Mapping[str, Any], key: KeyFile) -> str:
    """Write the canonical manifest and the court's detached CMS over it at once; returns its SHA-256."""
    staged = Staged(directory)
    try:
        digest = stage_manifest(staged, manifest, key)
        staged.put_in_place()
    finally:
        staged.discard()
    return digest
