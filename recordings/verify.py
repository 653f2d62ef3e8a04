"""Check a sealed recording directory: every hash recomputed, the court's signature, each field.

A finding names exactly what no longer matches: a segment file by name (its SHA-256 or size
differs, or it is missing), a file in the directory the manifest does not list, the manifest's
signature, and — when the server's stored copy of the manifest is at hand — each manifest field
that differs from it by its JSON path (``segments[3].sha256``). The signature's trust (chain to a
trusted root, revocation) is judged by the EDS verifier where one is configured; the integrity
checks here need nothing but the files, so anyone holding an export can run them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509

from cabinet.eds import cms
from cabinet.eds.profile import Purpose
from cabinet.eds.verifier import Verifier
from recordings.manifest import MANIFEST, MINUTES, SIGNATURE, canonical
from recordings.segments import file_sha256

logger = logging.getLogger(__name__)

JOURNAL_FILES = frozenset({"journal.jsonl"})
TOMBSTONE = "tombstone.json"
MINUTES_SIGNATURE = MINUTES + ".cms"


@dataclass(frozen=True)
class Finding:
    what: str
    problem: str

    def to_json(self) -> dict[str, str]:
        return {"what": self.what, "problem": self.problem}


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    signer: str | None = None
    minutes_signer: str | None = None
    signature_trusted: bool | None = None
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, what: str, problem: str) -> None:
        self.findings.append(Finding(what, problem))

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "findings": [f.to_json() for f in self.findings], "signer": self.signer,
                "minutes_signer": self.minutes_signer,
                "signature_trusted": self.signature_trusted, "files_checked": self.files_checked}


def diff_fields(stored: Any, found: Any, path: str = "") -> list[str]:
    """JSON paths at which ``found`` differs from ``stored`` (both parsed manifests)."""
    if isinstance(stored, Mapping) and isinstance(found, Mapping):
        out = []
        for key in sorted(set(stored) | set(found), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in stored or key not in found:
                out.append(where)
            else:
                out += diff_fields(stored[key], found[key], where)
        return out
    if isinstance(stored, list) and isinstance(found, list):
        out = [f"{path}[{i}]" for i in range(min(len(stored), len(found)), max(len(stored), len(found)))]
        for i, (a, b) in enumerate(zip(stored, found, strict=False)):
            out += diff_fields(a, b, f"{path}[{i}]")
        return out
    return [] if stored == found and type(stored) is type(found) else [path or "(manifest)"]


def check_files(directory: Path, stored: Mapping[str, Any] | None = None) -> tuple[Report, dict[str, Any] | None]:
    """Integrity without trust: the manifest's signature over its bytes, every file, every field."""
    report = Report()
    manifest_path, signature_path = directory / MANIFEST, directory / SIGNATURE
    try:
        data = manifest_path.read_bytes()
        manifest = json.loads(data)
    except OSError:
        report.add(MANIFEST, "missing")
        return report, None
    except ValueError:
        report.add(MANIFEST, "not valid JSON")
        manifest = None
    if stored is not None:
        if manifest is None:
            pass
        else:
            for where in diff_fields(stored, manifest):
                report.add(f"{MANIFEST}:{where}", "differs from the manifest the court sealed")
        if canonical(stored) != data and manifest is not None and not diff_fields(stored, manifest):
            report.add(MANIFEST, "bytes differ from the sealed manifest (formatting changed)")
    try:
        message = cms.parse(cms.decode(signature_path.read_bytes()))
        certificate = x509.load_der_x509_certificate(message.signer_certificate)
        report.signer = certificate.subject.rfc4514_string()
        cms.check_signature(message, data, certificate.public_key())
    except OSError:
        report.add(SIGNATURE, "missing")
    except (cms.CmsProblem, ValueError) as exc:
        report.add(SIGNATURE, f"does not match {MANIFEST}: {getattr(exc, 'message', exc)}")
    reference = stored if stored is not None else manifest
    if not isinstance(reference, Mapping):
        return report, None
    listed: set[str] = {MANIFEST, SIGNATURE, MINUTES_SIGNATURE, TOMBSTONE} | JOURNAL_FILES
    removed = _tombstoned(directory)
    for segment in reference.get("segments", []):
        name = str(segment.get("file", ""))
        listed.add(name)
        if name in removed and not (directory / name).exists():
            continue  # deleted under retention, accounted for by the tombstone
        _check_file(report, directory, name, segment.get("sha256"), segment.get("size"))
    minutes = reference.get("minutes")
    if isinstance(minutes, Mapping):
        listed.add(str(minutes.get("file")))
        _check_file(report, directory, str(minutes.get("file")), minutes.get("sha256"), None)
        _check_minutes_signature(report, directory)
    composed = reference.get("composed")
    if isinstance(composed, Mapping):
        listed.add(str(composed.get("file")))
        _check_file(report, directory, str(composed.get("file")), composed.get("sha256"), composed.get("size"))
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.name not in listed:
            report.add(path.name, "not listed in the manifest")
    return report, dict(reference)


def _tombstoned(directory: Path) -> set[str]:
    try:
        tombstone = json.loads((directory / TOMBSTONE).read_bytes())
        return {str(item["file"]) for item in tombstone.get("removed", [])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _check_minutes_signature(report: Report, directory: Path) -> None:
    """The clerk's signature over the minutes, when the minutes have been signed."""
    path = directory / MINUTES_SIGNATURE
    if not path.is_file():
        return
    try:
        message = cms.parse(cms.decode(path.read_bytes()))
        certificate = x509.load_der_x509_certificate(message.signer_certificate)
        cms.check_signature(message, (directory / MINUTES).read_bytes(), certificate.public_key())
        report.minutes_signer = certificate.subject.rfc4514_string()
    except OSError:
        return
    except (cms.CmsProblem, ValueError) as exc:
        report.add(MINUTES_SIGNATURE, f"does not match {MINUTES}: {getattr(exc, 'message', exc)}")


def _check_file(report: Report, directory: Path, name: str, sha256: Any, size: Any) -> None:
    path = directory / name
    if "/" in name or name.startswith(".") or not path.is_file():
        report.add(name, "missing")
        return
    report.files_checked += 1
    if size is not None and path.stat().st_size != size:
        report.add(name, f"size is {path.stat().st_size} bytes, sealed as {size}")
    if file_sha256(path) != sha256:
        report.add(name, "SHA-256 differs from the sealed manifest")


async def check_trust(report: Report, directory: Path, verifier: Verifier) -> None:
    """Ask the EDS verifier whether the court's signature chains to a trusted root and is unrevoked."""
    try:
        signature, data = (directory / SIGNATURE).read_bytes(), (directory / MANIFEST).read_bytes()
    except OSError:
        return
    result = await verifier.verify_cms(signature, content=data, purpose=Purpose.DOCUMENT)
    report.signature_trusted = result.valid
    if not result.valid and not any(f.what == SIGNATURE for f in report.findings):
        report.add(SIGNATURE, f"{result.code.value if result.code else 'invalid'}: {result.message}")
