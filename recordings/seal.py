"""Sealing a finished recording directory: segment facts, minutes, manifest, the court's signature.

Everything here works on files only. Segment files whose journal entry says they were closed are
read back (:func:`recordings.segments.inspect`); part files left by a crash are salvaged first. The
minutes, the manifest and its detached CMS are each written to a temporary name, fsynced and
renamed, so a crash while sealing leaves either nothing or a complete file, and sealing again
(recovery) simply rewrites them.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cabinet.eds.keys import KeyFile
from media.frames import Kind
from recordings.capture import JOURNAL, Journal
from recordings.manifest import MANIFEST, MINUTES, SIGNATURE, canonical
from recordings.segments import PART, SegmentFacts, inspect, salvage

logger = logging.getLogger(__name__)


def write_atomically(path: Path, data: bytes) -> None:
    """Temp name, fsync, rename, fsync the directory: the file is either old, absent, or complete."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def write_minutes(directory: Path, text: str) -> str:
    data = text.encode("utf-8")
    write_atomically(directory / MINUTES, data)
    return hashlib.sha256(data).hexdigest()


def sign_manifest(directory: Path, manifest: Mapping[str, Any], key: KeyFile) -> str:
    """Write the canonical manifest and the court's detached CMS over it; returns its SHA-256."""
    data = canonical(manifest)
    signature = key.sign(data, detached=True)
    write_atomically(directory / MANIFEST, data)
    write_atomically(directory / SIGNATURE, signature)
    return hashlib.sha256(data).hexdigest()
