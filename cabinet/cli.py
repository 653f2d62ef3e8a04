"""Command-line administration of courts, roles, the audit log and the demo court."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from cabinet import checkpoints
from cabinet.audit import cli_actor, verify_chain
from cabinet.courts import CourtSpec, CourtStore
from cabinet.identity.roles import parse_role
from cabinet.identity.users import PersonName, UserService
from core.clock import SystemClock
from core.config import Config
from core.db import connect


def add_commands(sub: Any) -> None:
    courts = sub.add_parser("courts", help="courts and courtrooms").add_subparsers(
        dest="courts_command", required=True)
    add = courts.add_parser("add", help="add a court")
    add.add_argument("--code", required=True, help="court code, e.g. 7594")
    add.add_argument("--region", required=True)
    add.add_argument("--name-kk", required=True)
    add.add_argument("--name-ru", required=True)
    add.add_argument("--name-en", required=True)
    add.set_defaults(func=_courts_add)
    room = courts.add_parser("add-room", help="add a courtroom to a court")
    room.add_argument("--court", required=True)
    room.add_argument("name")
    room.set_defaults(func=_courts_add_room)
    courts.add_parser("list", help="list courts").set_defaults(func=_courts_list)

    users = sub.add_parser("users", help="users and roles").add_subparsers(dest="users_command", required=True)
    for name, func in (("grant", _users_grant), ("revoke", _users_revoke)):
        p = users.add_parser(name, help=f"{name} a staff role or lawyer status")
        p.add_argument("--iin", required=True)
        p.add_argument("--role", required=True, help="judge, clerk, court_admin or lawyer")
        p.add_argument("--court", help="court code (not for lawyer)")
        if name == "grant":
            p.add_argument("--name", default="", help="full name, until their first login fills it in")
        p.set_defaults(func=func)
    show = users.add_parser("show", help="show a user and their roles")
    show.add_argument("--iin", required=True)
    show.set_defaults(func=_users_show)

    audit = sub.add_parser("audit", help="the audit log").add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", help="check the hash chain and the latest signed checkpoint; exits 1 if anything "
                                    "was edited, removed or rewritten").set_defaults(func=_audit_verify)
    audit.add_parser("checkpoint", help="sign the chain's head with the system key into <data_dir>/audit") \
        .set_defaults(func=_audit_checkpoint)

    demo = sub.add_parser("demo", help="the demo court").add_subparsers(dest="demo_command", required=True)
    demo.add_parser("seed", help="create (once) a demo court, staff, two citizens and their key files") \
        .set_defaults(func=_demo_seed)


async def _courts_add(args: argparse.Namespace, config: Config) -> int:
    spec = CourtSpec(args.code, args.region, args.name_kk, args.name_ru, args.name_en)
    async with connect(config.database_url) as db, db.transaction() as session:
        await CourtStore(session).add(spec)
    print(f"court {spec.code} added")
    return 0


async def _courts_add_room(args: argparse.Namespace, config: Config) -> int:
    async with connect(config.database_url) as db, db.transaction() as session:
        await CourtStore(session).add_courtroom(args.court, args.name)
    print(f"courtroom {args.name!r} added to court {args.court}")
    return 0


async def _courts_list(args: argparse.Namespace, config: Config) -> int:
    async with connect(config.database_url) as db, db.transaction() as session:
        for court in await CourtStore(session).list():
            rooms = ", ".join(r.name for r in court.courtrooms) or "no courtrooms"
            print(f"{court.code}\t{court.name_en}\t({rooms})")
    return 0


async def _users_grant(args: argparse.Namespace, config: Config) -> int:
    role = parse_role(args.role)
    async with connect(config.database_url) as db, db.transaction() as session:
        await UserService(session, SystemClock()).grant(
            PersonName(args.iin, args.name), role, args.court, granter=None, actor=cli_actor())
    print(f"granted {role.value} to {args.iin}" + (f" at court {args.court}" if args.court else ""))
    return 0


async def _users_revoke(args: argparse.Namespace, config: Config) -> int:
    role = parse_role(args.role)
    async with connect(config.database_url) as db, db.transaction() as session:
        await UserService(session, SystemClock()).revoke(
            args.iin, role, args.court, granter=None, actor=cli_actor())
    print(f"revoked {role.value} from {args.iin}")
    return 0


async def _users_show(args: argparse.Namespace, config: Config) -> int:
    async with connect(config.database_url) as db, db.transaction() as session:
        service = UserService(session, SystemClock())
        user = await service.get_by_iin(args.iin)
        grants = [{"role": g.role, "court": c.code if c else None} for g, c in await service.active_grants(user.id)]
    print(json.dumps({"iin": user.iin, "name": user.common_name, "roles": grants}, ensure_ascii=False, indent=2))
    return 0


async def _audit_verify(args: argparse.Namespace, config: Config) -> int:
    latest = checkpoints.CheckpointFile(config.data_dir).latest()
    async with connect(config.database_url) as db, db.transaction() as session:
        report = await verify_chain(session)
        mismatch = await checkpoints.matches(session, latest) if report.ok and latest is not None else None
    if not report.ok:
        print(f"audit log BROKEN at entry {report.first_bad_seq}: {report.problem}", file=sys.stderr)
        return 1
    if latest is None:
        print(f"audit log intact: {report.entries} entries (no signed checkpoint yet: "
              "run `sotkab audit checkpoint`)")
        return 0
    try:
        latest.check((await checkpoints.system_key(config)).certificate.public_bytes(Encoding.DER))
    except checkpoints.CheckpointInvalid as exc:
        print(f"audit checkpoint INVALID: {exc.message}", file=sys.stderr)
        return 1
    if mismatch is not None:
        print(f"audit log REWRITTEN: {mismatch}", file=sys.stderr)
        return 1
    print(f"audit log intact: {report.entries} entries; entry {latest.seq} matches the checkpoint signed "
          f"{latest.at.isoformat()}")
    return 0


async def _audit_checkpoint(args: argparse.Namespace, config: Config) -> int:
    async with connect(config.database_url) as db:
        made = await checkpoints.create(db, SystemClock(), await checkpoints.system_key(config),
                                        checkpoints.CheckpointFile(config.data_dir), actor=cli_actor())
    if made is None:
        print("the audit log is empty: nothing to checkpoint")
        return 0
    print(f"checkpoint of entry {made.seq} ({made.hash}) appended to "
          f"{checkpoints.CheckpointFile(config.data_dir).path}")
    return 0


async def _demo_seed(args: argparse.Namespace, config: Config) -> int:
    from cabinet.demo import seed_demo

    await seed_demo(config)
    return 0
