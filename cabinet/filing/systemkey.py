"""The court's system key: what signs receipts, so a filer can prove what the court received and when.

Production configures a SIGN key file issued to the court's information system by the NCA
(``system_key_file`` + ``system_key_password``); one key serves every court on the platform.
When the built-in test CA is enabled and no key is configured, each court gets its own
organisation certificate from that CA on first use (stored under ``<data_dir>/system-keys``, the
random password beside it with mode 0600), naming the court and a BIN derived from its code — a
demo identity, clearly not an NCA one.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import secrets
from pathlib import Path

from cabinet.courts import Court
from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.keys import KeyFile, load_key_file
from cabinet.eds.profile import Organisation, Role
from cabinet.filing.errors import SystemKeyUnavailable
from cabinet.identifiers import check_digit
from core.config import Config

log = logging.getLogger(__name__)

#: The system identity is not a person; its certificate carries this placeholder IIN.
SYSTEM_IIN = "000000000000"


def demo_court_bin(court_code: str) -> str:
    """A check-digit-valid BIN for a court of the demo CA: registered 2000-01, resident head office."""
    seed = int(hashlib.sha256(court_code.encode()).hexdigest(), 16) % 100_000
    for offset in range(100_000):
        first = f"000140{(seed + offset) % 100_000:05d}"
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"
    raise AssertionError("unreachable: some BIN in the range has a check digit")  # pragma: no cover


class CourtKeys:
    """Hands out the signing key for a court's receipts; opens or issues each key once."""

    def __init__(self, config: Config, ca: CertificateAuthority | None) -> None:
        self.config = config
        self.ca = ca
        self.directory = config.data_dir / "system-keys"
        self._keys: dict[str, KeyFile] = {}
        self._lock = asyncio.Lock()

    async def key_for(self, court: Court) -> KeyFile:
        cached = self._keys.get(court.code)
        if cached is not None:
            return cached
        async with self._lock:
            if court.code not in self._keys:
                self._keys[court.code] = await asyncio.to_thread(self._open, court)
            return self._keys[court.code]

    def _open(self, court: Court) -> KeyFile:
        if self.config.system_key_file is not None:
            return load_key_file(self.config.system_key_file, self.config.system_key_password)
        if self.ca is None:
            raise SystemKeyUnavailable(
                "no system key: set system_key_file and system_key_password (production), or enable the "
                "built-in CA", details={"court": court.code})
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)
        key_path = self.directory / f"{court.code}.p12"
        password_path = self.directory / f"{court.code}.password"
        with open(self.directory / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not key_path.exists():
                    self._issue(court, key_path, password_path)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return load_key_file(key_path, password_path.read_text().strip())

    def _issue(self, court: Court, key_path: Path, password_path: Path) -> None:
        assert self.ca is not None
        password = secrets.token_urlsafe(24)
        organisation = Organisation(demo_court_bin(court.code), court.name_ru, Role.CAN_SIGN)
        person = self.ca.issue_person(
            iin=SYSTEM_IIN, surname="СОТ КАБИНЕТІ", given_name=court.code, patronymic=None,
            password=password.encode(), organisation=organisation,
        )
        fd = os.open(password_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password)
        tmp = key_path.with_suffix(".p12.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(person.sign.p12)
            os.replace(tmp, key_path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        log.warning("issued a demo system key for court %s from the built-in CA (serial %x)",
                    court.code, person.sign.serial)
