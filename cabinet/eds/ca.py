"""A file-backed certification authority that mirrors NCA RK, for tests and the demo court.

The real NCA is unreachable from development machines, yet login and filing must be exercised
end to end with real certificates, real CRLs and real OCSP answers. This CA issues keys with the
exact NCA profile (see :mod:`cabinet.eds.profile`) and answers revocation queries itself.

State lives in a directory: PEM keys (0600), certificates, ``ca.json`` (settings) and
``index.json`` (issued and revoked serials). The index is written atomically under an advisory
lock and re-read whenever its inode/mtime changes, so ``sotkab pki revoke`` in one process is
seen at once by the server process answering OCSP — and by its verifier's revocation cache, which
watches :meth:`CertificateAuthority.revocation_generation` (the index stamp) and is told directly
by :meth:`CertificateAuthority.on_revoke` hooks within the process.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

from cabinet.eds import pki
from cabinet.eds.errors import CaError
from cabinet.eds.profile import KeyType, Organisation, build_subject
from core.clock import Clock

logger = logging.getLogger(__name__)

_CA_BACKDATE = timedelta(days=3 * 365)


@dataclass(frozen=True)
class IssuedKey:
    """One key of a person: the certificate, its private key and the password-protected .p12."""

    key_type: KeyType
    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey
    filename: str
    p12: bytes
    path: Path | None = None

    @property
    def serial(self) -> int:
        return self.certificate.serial_number


@dataclass(frozen=True)
class IssuedPerson:
    auth: IssuedKey
    sign: IssuedKey


@dataclass(frozen=True)
class Revocation:
    serial: int
    revoked_at: datetime
    reason: x509.ReasonFlags


@dataclass
class _Index:
    issued: dict[str, dict[str, Any]] = field(default_factory=dict)
    revoked: dict[str, dict[str, Any]] = field(default_factory=dict)
    crl_number: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"issued": self.issued, "revoked": self.revoked, "crl_number": self.crl_number}


def _write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _reason(value: x509.ReasonFlags | str) -> x509.ReasonFlags:
    if isinstance(value, x509.ReasonFlags):
        return value
    try:
        return x509.ReasonFlags(value)
    except ValueError:
        names = ", ".join(flag.value for flag in x509.ReasonFlags if flag is not x509.ReasonFlags.remove_from_crl)
        raise CaError(f"unknown revocation reason {value!r}; use one of: {names}",
                      code="revocation_reason_invalid") from None


class CertificateAuthority:
    """Root + issuing CA + delegated OCSP responder kept in one directory."""

    def __init__(self, directory: Path, clock: Clock, settings: dict[str, Any]) -> None:
        self.directory = directory
        self.clock = clock
        self.base_url: str = settings["base_url"].rstrip("/")
        self.name: str = settings["name"]
        self.ocsp_validity = timedelta(seconds=int(settings["ocsp_validity_seconds"]))
        self.crl_validity = timedelta(seconds=int(settings["crl_validity_seconds"]))
        self.root_certificate = pki.load_certificate(directory / "root.cer.pem")
        self.issuing_certificate = pki.load_certificate(directory / "issuing.cer.pem")
        self.ocsp_certificate = pki.load_certificate(directory / "ocsp.cer.pem")
        self._issuing_key = pki.load_private_key(directory / "issuing.key.pem")
        self._ocsp_key = pki.load_private_key(directory / "ocsp.key.pem")
        self._index_path = directory / "index.json"
        self._index = _Index()
        self._index_stamp: tuple[int, int, int] | None = None
        self._crl_cache: tuple[tuple[int, int, int] | None, datetime, bytes] | None = None
        self._revoke_hooks: list[Callable[[int], None]] = []
        self._name_hashes = {
            name: pki.issuer_hashes(self.issuing_certificate, algorithm)
            for name, algorithm in (("sha1", hashes.SHA1()), ("sha256", hashes.SHA256()))  # noqa: S303
        }

    # ----------------------------------------------------------------- creation and opening
    @classmethod
    def init(
        cls,
        directory: Path,
        *,
        base_url: str,
        clock: Clock,
        name: str = "SOT KABINET TEST CA",
        ocsp_validity: timedelta = timedelta(hours=1),
        crl_validity: timedelta = timedelta(days=1),
    ) -> CertificateAuthority:
        """Create a new CA under ``directory``; refuses to overwrite an existing one."""
        if (directory / "ca.json").exists():
            raise CaError(f"a certification authority already exists in {directory}", code="ca_exists")
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)
        now = clock.now()
        start = now - _CA_BACKDATE
        root_key, issuing_key, ocsp_key = (pki.new_rsa_key() for _ in range(3))
        root_name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{name} ROOT"),
        ])
        issuing_name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.COMMON_NAME, name),
        ])
        root = pki.ca_certificate(root_name, root_key, root_name, root_key, start, now + timedelta(days=7300))
        issuing = pki.ca_certificate(
            issuing_name, issuing_key, root_name, root_key, start, now + timedelta(days=3650), path_length=0
        )
        responder = pki.ocsp_responder_certificate(
            ocsp_key, issuing, issuing_key, f"{name} OCSP", start, now + timedelta(days=3650)
        )
        for stem, key in (("root", root_key), ("issuing", issuing_key), ("ocsp", ocsp_key)):
            _write_atomic(directory / f"{stem}.key.pem", pki.private_key_pem(key), mode=0o600)
        for stem, cert in (("root", root), ("issuing", issuing), ("ocsp", responder)):
            _write_atomic(directory / f"{stem}.cer.pem", cert.public_bytes(serialization.Encoding.PEM))
        settings = {
            "base_url": base_url.rstrip("/"),
            "name": name,
            "ocsp_validity_seconds": int(ocsp_validity.total_seconds()),
            "crl_validity_seconds": int(crl_validity.total_seconds()),
        }
        _write_atomic(directory / "index.json", json.dumps(_Index().to_json()).encode())
        _write_atomic(directory / "ca.json", json.dumps(settings, indent=2).encode())
        logger.info("created certification authority %r in %s", name, directory)
        return cls(directory, clock, settings)

    @classmethod
    def open(cls, directory: Path, clock: Clock) -> CertificateAuthority:
        settings_path = directory / "ca.json"
        if not settings_path.exists():
            raise CaError(f"no certification authority in {directory} (run `pki init`)", code="ca_missing")
        return cls(directory, clock, json.loads(settings_path.read_text()))

    # ----------------------------------------------------------------- the index
    def _stamp(self) -> tuple[int, int, int]:
        st = self._index_path.stat()
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _current_index(self) -> _Index:
        """The index as on disk now; re-read only when another process has replaced it."""
        stamp = self._stamp()
        if stamp != self._index_stamp:
            raw = json.loads(self._index_path.read_bytes())
            self._index = _Index(raw["issued"], raw["revoked"], int(raw.get("crl_number", 0)))
            self._index_stamp = stamp
        return self._index

    @contextlib.contextmanager
    def _locked_index(self) -> Iterator[_Index]:
        with open(self.directory / "index.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                self._index_stamp = None
                index = self._current_index()
                yield index
                _write_atomic(self._index_path, json.dumps(index.to_json(), indent=1).encode())
                self._index_stamp = None
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # ----------------------------------------------------------------- issuing and revoking
    def issue_person(
        self,
        *,
        iin: str,
        surname: str,
        given_name: str,
        patronymic: str | None,
        password: bytes,
        organisation: Organisation | None = None,
        out_dir: Path | None = None,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        locality: str | None = None,
    ) -> IssuedPerson:
        """Issue a person's AUTH and SIGN keys, NCA-style; write the two .p12 files if ``out_dir``."""
        try:
            subject = build_subject(
                iin=iin, surname=surname, given_name=given_name, patronymic=patronymic,
                organisation=organisation, locality=locality,
            )
        except ValueError as exc:
            raise CaError(str(exc), code="subject_invalid") from exc
        now = self.clock.now()
        start = not_before or now - timedelta(minutes=1)
        end = not_after or start + timedelta(days=365)
        if end <= start:
            raise CaError("not_after must be later than not_before", code="validity_invalid")
        if not password:
            raise CaError("a key file needs a password", code="password_missing")
        keys = {}
        for key_type in (KeyType.AUTH, KeyType.SIGN):
            private_key = pki.new_rsa_key()
            cert = pki.person_certificate(
                subject, private_key.public_key(), key_type, organisation,
                issuer=self.issuing_certificate, issuer_key=self._issuing_key,
                not_before=start, not_after=end, base_url=self.base_url,
            )
            filename, p12 = pki.key_file(cert, private_key, key_type, password)
            path = None
            if out_dir is not None:
                out_dir.mkdir(parents=True, exist_ok=True)
                path = out_dir / filename
                _write_atomic(path, p12, mode=0o600)
            keys[key_type] = IssuedKey(key_type, cert, private_key, filename, p12, path)
        with self._locked_index() as index:
            for issued in keys.values():
                index.issued[format(issued.serial, "x")] = {
                    "subject": issued.certificate.subject.rfc4514_string(),
                    "key_type": issued.key_type.value,
                    "not_before": start.isoformat(),
                    "not_after": end.isoformat(),
                    "sha1": issued.certificate.fingerprint(hashes.SHA1()).hex(),  # noqa: S303
                }
        logger.info("issued AUTH %x and SIGN %x for IIN %s", keys[KeyType.AUTH].serial,
                    keys[KeyType.SIGN].serial, iin)
        return IssuedPerson(auth=keys[KeyType.AUTH], sign=keys[KeyType.SIGN])

    def revoke(self, serial: int, reason: x509.ReasonFlags | str = x509.ReasonFlags.unspecified) -> Revocation:
        flag = _reason(reason)
        key = format(serial, "x")
        revoked_at = self.clock.now().replace(microsecond=0)
        with self._locked_index() as index:
            if key not in index.issued:
                raise CaError(f"serial {key} was not issued by this CA", code="serial_unknown")
            if key in index.revoked:
                raise CaError(f"serial {key} is already revoked", code="already_revoked")
            index.revoked[key] = {"time": revoked_at.isoformat(), "reason": flag.value}
            index.crl_number += 1
        logger.warning("revoked certificate %s (%s)", key, flag.value)
        for hook in self._revoke_hooks:
            hook(serial)
        return Revocation(serial, revoked_at, flag)

    def on_revoke(self, hook: Callable[[int], None]) -> None:
        """Call ``hook(serial)`` after every revocation made through this object."""
        self._revoke_hooks.append(hook)

    def revocation_generation(self) -> tuple[int, int, int]:
        """Changes whenever any process rewrote the index (issued or revoked a certificate)."""
        return self._stamp()

    def revocations(self) -> tuple[Revocation, ...]:
        return tuple(
            Revocation(int(key, 16), datetime.fromisoformat(entry["time"]), x509.ReasonFlags(entry["reason"]))
            for key, entry in self._current_index().revoked.items()
        )

    def is_issued(self, serial: int) -> bool:
        return format(serial, "x") in self._current_index().issued

    # ----------------------------------------------------------------- CRL and OCSP
    def crl(self) -> bytes:
        """The current DER CRL; re-signed only when the index changed or half its life passed."""
        now = self.clock.now()
        index = self._current_index()
        cached = self._crl_cache
        if cached and cached[0] == self._index_stamp and now < cached[1] + self.crl_validity / 2:
            return cached[2]
        this_update = now.replace(microsecond=0)
        der = pki.build_crl(
            self.issuing_certificate, self._issuing_key, self.revocations(),
            this_update=this_update, next_update=this_update + self.crl_validity,
            number=index.crl_number,
        )
        self._crl_cache = (self._index_stamp, this_update, der)
        return der

    def ocsp_response(self, request_der: bytes) -> bytes:
        """An RFC 6960 answer to one certID, signed by the delegated responder."""
        try:
            request = ocsp.load_der_ocsp_request(request_der)
            algorithm = request.hash_algorithm
            name_hash, key_hash, serial = request.issuer_name_hash, request.issuer_key_hash, request.serial_number
        except Exception:  # cryptography raises ValueError or UnsupportedAlgorithm for bad input
            logger.info("malformed OCSP request (%d bytes)", len(request_der))
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
        if self._name_hashes.get(algorithm.name) != (name_hash, key_hash):
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        index = self._current_index()
        key = format(serial, "x")
        revoked = index.revoked.get(key)
        status = (ocsp.OCSPCertStatus.REVOKED if revoked else
                  ocsp.OCSPCertStatus.GOOD if key in index.issued else ocsp.OCSPCertStatus.UNKNOWN)
        this_update = self.clock.now().replace(microsecond=0)
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            issuer_name_hash=name_hash, issuer_key_hash=key_hash, serial_number=serial,
            algorithm=algorithm, cert_status=status,
            this_update=this_update, next_update=this_update + self.ocsp_validity,
            revocation_time=datetime.fromisoformat(revoked["time"]) if revoked else None,
            revocation_reason=x509.ReasonFlags(revoked["reason"]) if revoked else None,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, self.ocsp_certificate)
        builder = builder.certificates([self.ocsp_certificate])
        with contextlib.suppress(x509.ExtensionNotFound):
            nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value
            builder = builder.add_extension(nonce, critical=False)
        response = builder.sign(self._ocsp_key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)
