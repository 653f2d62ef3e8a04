"""The EDS commands as an operator uses them: init a CA, issue keys, sign, verify, revoke."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from cabinet.audit import AuditEntry
from cabinet.eds import cli
from cabinet.eds.ca import CertificateAuthority
from cabinet.eds.errors import CaError, KeyFileError
from core.clock import SystemClock
from core.db import connect
from web.migrate import upgrade


def _migrated(root: Path) -> str:
    url = f"sqlite+aiosqlite:///{root / 'sotkab.db'}"
    upgrade(url)
    return url


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sotkab")
    cli.add_commands(parser.add_subparsers(dest="command", required=True))
    return parser


async def run(config: SimpleNamespace, *argv: str) -> int:
    args = _parser().parse_args(list(argv))
    return await args.func(args, config)


@pytest.fixture(scope="module")
def operator(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """A data directory with a CA created by ``pki init`` and one person issued by ``pki issue``."""
    root = tmp_path_factory.mktemp("cli")
    config = SimpleNamespace(data_dir=root / "data", public_url="http://127.0.0.1:9", trust_roots=(),
                             builtin_ca=True, database_url=_migrated(root))
    (root / "pw").write_text("s3cret-пароль\n", encoding="utf-8")
    assert asyncio.run(run(config, "pki", "init")) == 0
    assert asyncio.run(run(config, "pki", "issue", "880512300123", "ИСАЕВ", "МАРАТ", "ЕРЛАНОВИЧ",
                           "--out", str(root / "keys"), "--password-file", str(root / "pw"))) == 0
    return SimpleNamespace(config=config, root=root, keys=root / "keys", pw=root / "pw")


def _key(operator: SimpleNamespace, prefix: str) -> Path:
    return next(p for p in operator.keys.glob("*.p12") if p.name.startswith(prefix))


async def test_issue_writes_nca_named_key_files(operator) -> None:
    names = sorted(p.name for p in operator.keys.glob("*.p12"))

    assert len(names) == 2
    assert names[0].startswith("AUTH_RSA256_") and names[1].startswith("RSA256_")
    assert (operator.keys / names[0]).stat().st_mode & 0o777 == 0o600


async def test_sign_then_verify_succeeds_and_prints_the_signer(operator, capsys) -> None:
    document = operator.root / "claim.txt"
    document.write_text("Талап арыз", encoding="utf-8")

    assert await run(operator.config, "sign", "--key", str(_key(operator, "RSA256_")),
                     "--password-file", str(operator.pw), str(document)) == 0
    capsys.readouterr()
    code = await run(operator.config, "verify", str(document), str(document) + ".cms")

    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["valid"] and result["signer"]["surname"] == "ИСАЕВ"
    assert result["revocation"]["source"] == "ocsp"


async def test_verify_of_altered_file_exits_non_zero(operator, capsys) -> None:
    document = operator.root / "altered.txt"
    document.write_text("original", encoding="utf-8")
    await run(operator.config, "sign", "--key", str(_key(operator, "RSA256_")),
              "--password-file", str(operator.pw), str(document))
    document.write_text("altered", encoding="utf-8")
    capsys.readouterr()

    code = await run(operator.config, "verify", str(document), str(document) + ".cms")

    assert code == 1
    assert json.loads(capsys.readouterr().out)["code"] == "signature_invalid"


async def test_password_comes_from_the_environment(operator, monkeypatch) -> None:
    monkeypatch.setenv(cli.PASSWORD_ENV, "s3cret-пароль")
    document = operator.root / "env.txt"
    document.write_text("x", encoding="utf-8")

    assert await run(operator.config, "sign", "--key", str(_key(operator, "RSA256_")), str(document)) == 0


async def test_a_wrong_password_is_a_key_file_error(operator, tmp_path) -> None:
    (tmp_path / "wrong").write_text("nope")
    document = tmp_path / "doc.txt"
    document.write_text("x")

    with pytest.raises(KeyFileError) as caught:
        await run(operator.config, "sign", "--key", str(_key(operator, "RSA256_")),
                  "--password-file", str(tmp_path / "wrong"), str(document))
    assert caught.value.code == "key_password_wrong"


async def test_revoke_makes_verify_fail_as_revoked(tmp_path, capsys) -> None:
    database_url = await asyncio.to_thread(_migrated, tmp_path)
    config = SimpleNamespace(data_dir=tmp_path, public_url="http://127.0.0.1:9", trust_roots=(), builtin_ca=True,
                             database_url=database_url)
    (tmp_path / "pw").write_text("pw")
    await run(config, "pki", "init")
    ca = CertificateAuthority.open(tmp_path / "pki", SystemClock())
    person = ca.issue_person(iin="880512300123", surname="A", given_name="B", patronymic=None,
                             password=b"pw", out_dir=tmp_path / "keys")
    document = tmp_path / "doc.txt"
    document.write_text("x")
    assert person.sign.path is not None
    await run(config, "sign", "--key", str(person.sign.path), "--password-file", str(tmp_path / "pw"), str(document))

    assert await run(config, "pki", "revoke", f"{person.sign.serial:x}", "--reason", "keyCompromise") == 0
    capsys.readouterr()
    code = await run(config, "verify", str(document), str(document) + ".cms")

    assert code == 1
    assert json.loads(capsys.readouterr().out)["code"] == "certificate_revoked"
    async with connect(database_url) as db, db.sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "pki.revoke"))
    assert entry is not None and entry.subject == f"certificate:{person.sign.serial:x}"
    assert entry.details["reason"] == "keyCompromise" and entry.actor.startswith("cli:")


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["pki", "revoke", "zz-not-hex"], "serial_invalid"),
        (["pki", "revoke", "abcdef"], "serial_unknown"),
        (["pki", "revoke", "abcdef", "--reason", "because"], "revocation_reason_invalid"),
        (["pki", "issue", "12345", "A", "B", "--password-file", "PW"], "subject_invalid"),
        (["pki", "issue", "880512300123", "A", "B", "--bin", "123456789021", "--password-file", "PW"],
         "subject_invalid"),
        (["pki", "init"], "ca_exists"),
    ],
)
async def test_bad_operator_input_is_a_typed_error(operator, argv: list[str], code: str) -> None:
    argv = [str(operator.pw) if a == "PW" else a for a in argv]

    with pytest.raises(CaError) as caught:
        await run(operator.config, *argv)
    assert caught.value.code == code


async def test_commands_on_a_missing_ca_say_to_run_init(tmp_path) -> None:
    config = SimpleNamespace(data_dir=tmp_path, public_url="http://127.0.0.1:9", trust_roots=(), builtin_ca=True)

    with pytest.raises(CaError) as caught:
        await run(config, "pki", "revoke", "ab")
    assert caught.value.code == "ca_missing"


async def test_unreadable_files_exit_non_zero(operator, tmp_path, capsys) -> None:
    code = await run(operator.config, "verify", str(tmp_path / "missing.txt"), str(tmp_path / "missing.cms"))

    assert code == 2
    assert "cannot read" in capsys.readouterr().err
