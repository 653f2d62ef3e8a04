"""Helpers for filing tests: a court with staff, logged-in people, documents and signed uploads."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from cabinet.eds.ca import IssuedKey, IssuedPerson
from cabinet.payments.provider import CallbackStatus
from cabinet.payments.sandbox import SIGNATURE_HEADER
from cabinet.payments.sandbox_pages import SANDBOX_PROVIDER
from core.db import Database
from tests.cabinet.conftest import CabinetApp, Cast, bearer, seed_court, sign_b64
from web.schema import metadata


def pdf(text: str = "Statement of claim") -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% " + text.encode() + b"\ntrailer << /Root 1 0 R >>\n"
            b"%%EOF\n")


def png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b"IEND\xaeB`\x82"


@dataclass
class Court:
    app: CabinetApp
    cast: Cast
    db: Database
    heads: dict[str, dict[str, str]]

    @property
    def client(self) -> Any:
        return self.app.client

    async def as_(self, name: str) -> dict[str, str]:
        if name not in self.heads:
            self.heads[name] = await bearer(self.app, getattr(self.cast, name))
        return self.heads[name]

    async def log_everyone_in(self) -> None:
        """Log the whole cast in first: a login is audited, and refusals are checked against the audit log."""
        for name in ("alice", "bob", "carol", "judge", "judge2", "clerk", "admin", "lawyer"):
            await self.as_(name)

    async def create(self, who: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post("/api/v1/filings", json=body, headers=await self.as_(who))
        assert response.status == 201, await response.text()
        return dict(await response.json())

    async def upload(self, who: str, filing_id: int, data: bytes, *, key: IssuedKey | None = None,
                     name: str = "claim.pdf", kind: str = "statement", signed_data: bytes | None = None,
                     url: str | None = None, fields: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        person: IssuedPerson = getattr(self.cast, who)
        form = aiohttp.FormData()
        form.add_field("kind", kind)
        for field, value in (fields or {}).items():
            form.add_field(field, value)
        form.add_field("file", data, filename=name, content_type="application/octet-stream")
        form.add_field("signature", sign_b64(key or person.sign, signed_data if signed_data is not None else data))
        return await self.client.post(url or f"/api/v1/filings/{filing_id}/documents", data=form,
                                      headers=await self.as_(who))

    async def pay(self, who: str, filing_id: int, amount: str) -> None:
        """Pay through the payments API and the sandbox bank's signed callback (as the bank's server would)."""
        response = await self.client.post("/api/v1/payments", json={"reference": f"filing:{filing_id}",
                                                                     "amount": amount}, headers=await self.as_(who))
        assert response.status == 201, await response.text()
        token = (await response.json())["redirect_url"].rsplit("/", 1)[1]
        provider = self.client.app[SANDBOX_PROVIDER]
        callback = provider.callback_for(token, provider.open_session(token), CallbackStatus.PAID)
        response = await self.client.post("/api/v1/payments/callback/sandbox", data=callback.canonical(),
                                          headers={"Content-Type": "application/json",
                                                   SIGNATURE_HEADER: provider.sign(callback)})
        assert response.status == 200, await response.text()

    async def post(self, who: str | None, url: str, body: dict[str, Any] | None = None) -> aiohttp.ClientResponse:
        headers = await self.as_(who) if who else {}
        return await self.client.post(url, json=body or {}, headers=headers)

    async def patch(self, who: str, url: str, body: dict[str, Any]) -> aiohttp.ClientResponse:
        return await self.client.patch(url, json=body, headers=await self.as_(who))

    async def get(self, who: str | None, url: str) -> aiohttp.ClientResponse:
        headers = await self.as_(who) if who else {}
        return await self.client.get(url, headers=headers)

    async def counts(self) -> dict[str, int]:
        """Rows in every filing table and the audit log: what a refused request must leave unchanged."""
        tables = ["filings", "filing_parties", "cases", "case_parties", "case_events", "case_documents",
                  "judicial_acts", "judge_assignments", "audit_log", "notices"]
        result = {}
        async with self.db.sessions() as session:
            for name in tables:
                if name in metadata.tables:
                    result[name] = int(await session.scalar(select(func.count()).select_from(metadata.tables[name]))
                                       or 0)
        return result

    def stored_files(self) -> list[Path]:
        root = self.app.config.storage_dir
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def claim_body(defendant_iin: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "court": "7594", "case_kind": "civil", "category": "01", "filing_type": "statement_of_claim",
        "claim_kind": "property", "payer_kind": "individual", "claim_amount": "1000000",
        "title": "Recovery of a loan",
        "parties": [{"role": "plaintiff", "iin": "900101400123", "name": "ӘЛИЕВА АЛИЯ"},
                    {"role": "defendant", "iin": defendant_iin, "name": "БЕКОВ БОЛАТ"}],
    }
    body.update(extra)
    return body


@pytest.fixture
async def court(cabinet_app: CabinetApp, cast: Cast, db: Database) -> Court:
    await seed_court(db, cast)
    court = Court(cabinet_app, cast, db, {})
    await court.log_everyone_in()
    return court


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


SMALL_LIMIT = 256 * 1024


@pytest.fixture
async def small_court(cast: Cast, db: Database, make_config: Any) -> Any:
    """Like ``court`` but with a 256 KiB upload limit, to show refusals while streaming."""
    import shutil
    from datetime import UTC, datetime

    from aiohttp.test_utils import TestClient, TestServer

    from cabinet.eds.ca import CertificateAuthority
    from core.clock import FixedClock, SystemClock
    from web.app import create_app

    config = make_config(max_upload_bytes=SMALL_LIMIT,
                         trust_roots=(cast.offline_root, cast.offline_root.with_name("offline-issuing.pem")))
    shutil.copytree(cast.ca_dir, config.pki_dir)
    await seed_court(db, cast)
    clock = FixedClock(datetime.now(UTC))
    async with TestClient(TestServer(create_app(config, clock=clock))) as client:
        app = CabinetApp(client, config, clock, CertificateAuthority.open(config.pki_dir, SystemClock()))
        court = Court(app, cast, db, {})
        await court.log_everyone_in()
        yield court


async def attach_exemption_proof(court: Court, who: str, filing_id: int) -> None:
    """The document showing the exemption (here: an employment contract for a labour claim)."""
    response = await court.upload(who, filing_id, pdf("Employment contract"), name="contract.pdf",
                                  kind="exemption_proof")
    assert response.status == 201, await response.text()


async def confirm_exemption(court: Court, filing_id: int) -> None:
    response = await court.post("clerk", f"/api/v1/staff/filings/{filing_id}/exemption", {"decision": "confirm"})
    assert response.status == 200, await response.text()


async def registered_case(court: Court, *, category: str = "01") -> tuple[int, str]:
    """Alice's labour-exempt claim against Bob, submitted, its exemption confirmed by the clerk, and
    registered; returns (filing id, case number)."""
    draft = await court.create("alice", claim_body("850505300456", exemption="labour", category=category))
    response = await court.upload("alice", draft["id"], pdf())
    assert response.status == 201, await response.text()
    await attach_exemption_proof(court, "alice", draft["id"])
    response = await court.post("alice", f"/api/v1/filings/{draft['id']}/submit")
    assert response.status == 200, await response.text()
    await confirm_exemption(court, draft["id"])
    response = await court.post("clerk", f"/api/v1/staff/filings/{draft['id']}/register")
    assert response.status == 200, await response.text()
    return draft["id"], (await response.json())["case_number"]
