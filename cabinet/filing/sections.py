"""Sections other packages add to a case file, so the cabinet shows them without depending on them.

The hearings package builds on the cabinet (a hearing belongs to a case), so the cabinet cannot
import it; instead a package registers an async provider under a name at setup, and the case
file endpoint adds each provider's list under that name. Missing providers give empty lists, so
the JSON shape documented in API.md never changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from cabinet.filing.models import Case

CaseSection = Callable[[AsyncSession, Case], Awaitable[list[dict[str, Any]]]]

CASE_SECTIONS = web.AppKey("case_sections", dict[str, CaseSection])
KNOWN_SECTIONS = ("hearings",)


def register_case_section(app: web.Application, name: str, provider: CaseSection) -> None:
    if name not in KNOWN_SECTIONS:
        raise ValueError(f"unknown case-file section {name!r}; add it to KNOWN_SECTIONS and API.md")
    app[CASE_SECTIONS][name] = provider


async def case_sections(app: web.Application, session: AsyncSession, case: Case) -> dict[str, list[dict[str, Any]]]:
    providers = app[CASE_SECTIONS]
    return {name: await providers[name](session, case) if name in providers else [] for name in KNOWN_SECTIONS}
