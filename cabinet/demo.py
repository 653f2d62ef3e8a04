"""The demo court that ``make run`` seeds once: a court, its staff, two citizens and their keys.

Everything goes through the same services production uses (the built-in CA issues NCA-profile
keys, grants go through :class:`UserService` and land in the audit log), so the demo is also a
smoke test of the real paths. Seeding is idempotent: a second run only prints the instructions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from cabinet.courts import CourtSpec, CourtStore
from cabinet.eds.ca import CertificateAuthority
from cabinet.identifiers import Iin
from cabinet.identity.roles import Role
from cabinet.identity.setup import open_builtin_ca
from cabinet.identity.users import PersonName, UserService
from core.clock import SystemClock
from core.config import Config
from core.db import connect
from core.errors import ConfigError

log = logging.getLogger(__name__)

DEMO_PASSWORD = "sotkab-demo"  # noqa: S105 - printed to the operator on purpose: demo keys only
DEMO_COURT = CourtSpec(
    code="7594", region="Алматы",
    name_kk="Алматы қаласының Алмалы аудандық соты",
    name_ru="Алмалинский районный суд города Алматы",
    name_en="Almaly District Court of Almaty",
)
DEMO_ROOMS = ("Зал 1", "Зал 2", "Онлайн-зал")


@dataclass(frozen=True)
class DemoPerson:
    slug: str
    iin: str
    surname: str
    given_name: str
    patronymic: str
    role: Role | None

    def __post_init__(self) -> None:
        Iin(self.iin)  # the demo shows real-looking people: their IINs pass the check digit like anyone's

    @property
    def full_name(self) -> str:
        return f"{self.surname} {self.given_name}"


DEMO_PEOPLE = (
    DemoPerson("judge", "720315300121", "СЕЙТҚАЛИЕВ", "АРМАН", "ЖАНҰЛЫ", Role.JUDGE),
    DemoPerson("clerk", "950821400235", "ОМАРОВА", "ДИНАРА", "СЕРІКҚЫЗЫ", Role.CLERK),
    DemoPerson("court-admin", "810602300349", "ИВАНОВ", "СЕРГЕЙ", "ПЕТРОВИЧ", Role.COURT_ADMIN),
    DemoPerson("plaintiff", "880109400457", "ӘБДІРАХМАНОВА", "АЙГЕРІМ", "ҚАНАТҚЫЗЫ", None),
    DemoPerson("defendant", "900412300563", "ПЕТРОВ", "АЛЕКСЕЙ", "ИГОРЕВИЧ", None),
)


def keys_dir(config: Config) -> Path:
    return config.data_dir / "demo-keys"


async def seed_demo(config: Config) -> None:
    if not config.builtin_ca:
        raise ConfigError("the demo needs the built-in CA (SOTKAB_BUILTIN_CA=true)")
    ca = open_builtin_ca(config)
    marker = keys_dir(config) / "README.txt"
    if not marker.exists():
        await _seed(config, ca)
        marker.write_text(instructions(config), encoding="utf-8")
    print(instructions(config))


async def _seed(config: Config, ca: CertificateAuthority) -> None:
    clock = SystemClock()
    async with connect(config.database_url) as db, db.transaction() as session:
        courts = CourtStore(session)
        if await courts.find(DEMO_COURT.code) is None:
            await courts.add(DEMO_COURT)
            for room in DEMO_ROOMS:
                await courts.add_courtroom(DEMO_COURT.code, room)
        users = UserService(session, clock)
        for person in DEMO_PEOPLE:
            ca.issue_person(iin=person.iin, surname=person.surname, given_name=person.given_name,
                            patronymic=person.patronymic, password=DEMO_PASSWORD.encode(),
                            out_dir=keys_dir(config) / person.slug)
            name = PersonName(person.iin, person.full_name, person.surname, person.given_name, person.patronymic)
            if person.role is None:
                await users.upsert(name)
            else:
                existing = await users.find_by_iin(person.iin)
                held = await users.grants_of(existing.id) if existing else frozenset()
                if not any(g.role is person.role for g in held):
                    await users.grant(name, person.role, DEMO_COURT.code, granter=None, actor="demo-seed")
    log.info("demo court seeded")


def instructions(config: Config) -> str:
    folder = keys_dir(config).resolve()
    lines = [
        "",
        "Sot Kabinet demo court",
        "======================",
        f"Court {DEMO_COURT.code}: {DEMO_COURT.name_en} ({DEMO_COURT.name_ru})",
        f"Key files (NCA profile, PKCS#12): {folder}/<person>/",
        f"Password of every demo key file: {DEMO_PASSWORD}",
        "",
    ]
    for person in DEMO_PEOPLE:
        role = person.role.value if person.role else "citizen"
        lines.append(f"  {person.slug:<12} {role:<12} IIN {person.iin}  {person.full_name}")
    lines += [
        "",
        f"In a browser: open {config.public_url}/login, choose a person's AUTH_RSA256_*.p12 file and type the",
        "password above (the page signs in the browser; the key file never leaves it).",
        "",
        "From a second shell, with the AUTH_RSA256_*.p12 key (the RSA256_*.p12 key signs documents):",
        f"  SOTKAB_KEY_PASSWORD={DEMO_PASSWORD} .venv/bin/sotkab login --url {config.public_url} "
        f"--key {folder}/judge/AUTH_RSA256_*.p12",
        "  then call the API with the printed bearer token, e.g.",
        f"  curl -H 'Authorization: Bearer TOKEN' {config.public_url}/api/v1/me",
        "",
    ]
    return "\n".join(lines)
