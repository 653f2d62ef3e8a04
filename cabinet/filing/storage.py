"""Where document bytes live: content-addressed by SHA-256 behind a small interface.

A document's name in storage is the hex SHA-256 of its bytes, so the same file filed twice is
stored once, a stored file can always be checked against its name, and nothing in the database
needs a path. :class:`FilesystemStorage` is the backend now (an object store would implement the
same :class:`DocumentStorage`): uploads are written to ``<root>/tmp`` while they stream in, then
moved into ``<root>/<aa>/<bb>/<sha256>`` with an atomic rename after an ``fsync``, so a crash never
leaves a half-written file under a content name.

Some bytes cannot be named by their content until they end: a hearing's recording is muxed frame by
frame for hours and must survive a crash half-way. For those the storage lends an *area*
(:meth:`DocumentStorage.area`, ``<root>/areas/<package>/<key>``): a directory inside the same storage
(backed up and moved with the documents) where the owner writes each file under a temporary name
and renames it once complete and fsynced, and records each file's SHA-256 itself (the recordings'
manifest does).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

log = logging.getLogger(__name__)

_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
_AREA_PART = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}", re.ASCII)


def _check(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"{sha256[:70]!r} is not a lowercase hex SHA-256")
    return sha256


@dataclass
class SpooledUpload:
    """An upload being written: a temp file, its running hash and size."""

    path: Path
    handle: BinaryIO
    size: int = 0
    _hash: hashlib._Hash | None = None

    def write(self, chunk: bytes) -> None:
        if self._hash is None:
            self._hash = hashlib.sha256()
        self._hash.update(chunk)
        self.handle.write(chunk)
        self.size += len(chunk)

    @property
    def sha256(self) -> str:
        return (self._hash or hashlib.sha256()).hexdigest()

    def finish(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.handle.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class DocumentStorage(Protocol):
    def spool(self) -> SpooledUpload:
        """A new temp file for an upload in progress."""

    async def promote(self, upload: SpooledUpload) -> bool:
        """Move a finished upload under its content name; ``False`` if those bytes were already stored."""

    async def exists(self, sha256: str) -> bool: ...

    async def read(self, sha256: str) -> bytes: ...

    def path_of(self, sha256: str) -> Path | None:
        """A local path to stream the bytes from, if the backend has one."""

    async def remove(self, sha256: str) -> None:
        """Forget bytes no document refers to (only after a failed unit of work that stored them)."""

    def area(self, *parts: str) -> Path:
        """The directory ``parts`` names (``"recordings", "00000042"``), created if absent.

        The caller writes there under temporary names and renames each file when complete."""


class FilesystemStorage:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def _final(self, sha256: str) -> Path:
        _check(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def spool(self) -> SpooledUpload:
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="upload-")
        return SpooledUpload(Path(name), os.fdopen(fd, "wb"))

    async def promote(self, upload: SpooledUpload) -> bool:
        final = self._final(upload.sha256)
        if final.exists():
            upload.discard()
            return False
        final.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(os.replace, upload.path, final)
        return True

    async def exists(self, sha256: str) -> bool:
        return self._final(sha256).is_file()

    async def read(self, sha256: str) -> bytes:
        return await asyncio.to_thread(self._final(sha256).read_bytes)

    def path_of(self, sha256: str) -> Path | None:
        path = self._final(sha256)
        return path if path.is_file() else None

    def area(self, *parts: str) -> Path:
        if not parts or not all(_AREA_PART.fullmatch(part) for part in parts):
            raise ValueError(f"an area is named by 1+ lowercase names, not {parts!r}")
        path = self.root.joinpath("areas", *parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    async def remove(self, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._final(sha256).unlink()
            log.info("removed unreferenced document %s", sha256)
