"""``sotkab pki …``, ``sotkab sign`` and ``sotkab verify``: the EDS from a terminal.

Operators run the demo CA (init, issue keys for people, revoke a lost key) and anyone can sign a
file or check a signature exactly as the server would. Passwords never appear on the command line
(it leaks into ``ps`` and shell history): a file, ``SOTKAB_KEY_PASSWORD``, or an unechoed prompt.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from cabinet.audit import AuditLog, cli_actor
from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.errors import CaError, KeyFileError
from cabinet.eds.keys import load_key_file
from cabinet.eds.profile import ORGANISATION_ROLES, Organisation, Purpose, Role
from cabinet.eds.verifier import build_verifier
from cabinet.identity.login import end_certificate_sessions
from core.clock import SystemClock
from core.db import connect

logger = logging.getLogger(__name__)

PASSWORD_ENV = "SOTKAB_KEY_PASSWORD"  # noqa: S105 - the variable name, not a secret
_ORG_ROLES = {role.value.lower(): role for role in ORGANISATION_ROLES} | {
    "head": Role.CEO, "right_to_sign": Role.CAN_SIGN, "right_to_sign_financial": Role.CAN_SIGN_FINANCIAL,
}


def add_commands(subparsers: Any) -> None:
    """Attach ``pki``, ``sign`` and ``verify`` to the application's argparse subparsers."""
    pki = subparsers.add_parser("pki", help="the built-in certification authority (demo and tests)")
    pki_commands = pki.add_subparsers(dest="pki_command", required=True)

    init = pki_commands.add_parser("init", help="create the CA in <data_dir>/pki")
    init.add_argument("--name", default="SOT KABINET TEST CA", help="CA common name")
    init.set_defaults(func=_init)

    issue = pki_commands.add_parser("issue", help="issue a person's AUTH and SIGN key files")
    issue.add_argument("iin", help="12-digit IIN")
    issue.add_argument("surname")
    issue.add_argument("given_name")
    issue.add_argument("patronymic", nargs="?", default=None)
    issue.add_argument("--bin", dest="bin_", metavar="BIN", help="organisation BIN (legal-entity key)")
    issue.add_argument("--org-name", help="organisation name")
    issue.add_argument("--org-role", default="employee", choices=sorted(_ORG_ROLES), help="role in the organisation")
    issue.add_argument("--out", type=Path, default=Path("."), help="directory for the .p12 files")
    issue.add_argument("--password-file", type=Path, help="file whose first line is the new key password")
    issue.set_defaults(func=_issue)

    revoke = pki_commands.add_parser("revoke", help="revoke a certificate by serial (hex)")
    revoke.add_argument("serial", help="certificate serial number in hex")
    revoke.add_argument("--reason", default="unspecified", help="RFC 5280 reason, e.g. keyCompromise")
    revoke.set_defaults(func=_revoke)

    sign = subparsers.add_parser("sign", help="sign FILE with a key file; writes detached FILE.cms")
    sign.add_argument("file", type=Path)
    sign.add_argument("--key", type=Path, required=True, help="the SIGN key (.p12)")
    sign.add_argument("--password-file", type=Path, help="file whose first line is the key password")
    sign.set_defaults(func=_sign)

    verify = subparsers.add_parser("verify", help="verify FILE against its detached signature FILE.cms")
    verify.add_argument("file", type=Path)
    verify.add_argument("signature", type=Path)
    verify.add_argument("--purpose", choices=[p.value for p in Purpose], default=Purpose.DOCUMENT.value)
    verify.set_defaults(func=_verify)


def read_key_password(args: argparse.Namespace, prompt: str) -> bytes:
    if args.password_file is not None:
        try:
            lines = args.password_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise KeyFileError(f"cannot read password file {args.password_file}: {exc.strerror}",
                               code="password_unreadable") from exc
        secret = lines[0] if lines else ""
    elif os.environ.get(PASSWORD_ENV):
        secret = os.environ[PASSWORD_ENV]
    else:
        secret = getpass.getpass(prompt)
    if not secret:
        raise KeyFileError("the key password must not be empty", code="password_missing")
    return secret.encode("utf-8")


def _ca_dir(config: Any) -> Path:
    return Path(config.data_dir) / "pki"


async def _init(args: argparse.Namespace, config: Any) -> int:
    ca = CertificateAuthority.init(_ca_dir(config), base_url=config.public_url, clock=SystemClock(), name=args.name)
    print(f"created CA {ca.name!r} in {ca.directory}; CRL {ca.base_url}/pki/crl, OCSP {ca.base_url}/pki/ocsp")
    return 0


async def _issue(args: argparse.Namespace, config: Any) -> int:
    ca = CertificateAuthority.open(_ca_dir(config), SystemClock())
    organisation = None
    if args.bin_ or args.org_name:
        if not (args.bin_ and args.org_name):
            raise CaError("a legal-entity key needs both --bin and --org-name", code="subject_invalid")
        try:
            organisation = Organisation(args.bin_, args.org_name, _ORG_ROLES[args.org_role])
        except ValueError as exc:
            raise CaError(str(exc), code="subject_invalid") from exc
    password = await asyncio.to_thread(read_key_password, args, "Password for the new key files: ")
    person = await asyncio.to_thread(
        lambda: ca.issue_person(
            iin=args.iin, surname=args.surname, given_name=args.given_name, patronymic=args.patronymic,
            organisation=organisation, password=password, out_dir=args.out,
        )
    )
    for key in (person.auth, person.sign):
        print(f"{key.key_type.value} serial {key.serial:x} -> {key.path}")
    return 0


async def _revoke(args: argparse.Namespace, config: Any) -> int:
    ca = CertificateAuthority.open(_ca_dir(config), SystemClock())
    try:
        serial = int(args.serial.replace(":", ""), 16)
    except ValueError:
        raise CaError(f"{args.serial!r} is not a hexadecimal serial number", code="serial_invalid") from None
    async with connect(config.database_url) as db, db.transaction() as session:
        revocation = ca.revoke(serial, args.reason)
        ended = await end_certificate_sessions(session, format(revocation.serial, "x"), SystemClock().now())
        await AuditLog(session, SystemClock()).append(
            "pki.revoke", actor=cli_actor(), subject=f"certificate:{revocation.serial:x}",
            details={"reason": revocation.reason.value, "at": revocation.revoked_at.isoformat(),
                     "sessions_ended": ended})
    print(f"revoked {revocation.serial:x} at {revocation.revoked_at.isoformat()} ({revocation.reason.value}); "
          f"ended {ended} open session(s)")
    return 0


async def _sign(args: argparse.Namespace, config: Any) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    password = await asyncio.to_thread(read_key_password, args, f"Password for {args.key.name}: ")
    key = load_key_file(args.key, password)
    out = args.file.with_name(args.file.name + ".cms")
    out.write_bytes(key.sign(data, detached=True))
    print(f"signed {args.file} as {key.identity.common_name} -> {out}")
    return 0


async def _verify(args: argparse.Namespace, config: Any) -> int:
    try:
        data, signature = args.file.read_bytes(), args.signature.read_bytes()
    except OSError as exc:
        print(f"cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    builtin = None
    if getattr(config, "builtin_ca", False) and (_ca_dir(config) / "ca.json").exists():
        builtin = CertificateAuthority.open(_ca_dir(config), SystemClock())
    verifier = build_verifier(clock=SystemClock(), trust_roots=tuple(config.trust_roots), builtin_ca=builtin)
    try:
        result = await verifier.verify_cms(signature, content=data, purpose=Purpose(args.purpose))
    finally:
        await verifier.close()
    print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    return 0 if result.valid else 1
