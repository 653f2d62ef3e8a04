"""Public access, orchestrated: parse what was asked, read it with one query, apply the rules."""

from __future__ import annotations

from typing import Any

from cabinet.courts import COURT_CODE
from core.clock import Clock
from core.db import FastPath
from sessions.public.calendar import cause_list_json, court_day, requested_day
from sessions.public.errors import PublicCourtNotFound, PublicQueryInvalid
from sessions.public.lookup import PublicCase, not_found, public_case, publishable, requested_number
from sessions.public.store import PublicStore


class PublicService:
    def __init__(self, reads: FastPath, clock: Clock) -> None:
        self.store = PublicStore(reads)
        self.clock = clock

    async def case(self, number_text: str) -> PublicCase:
        """``400 invalid_case_number`` for a malformed number; ``404 case_not_found`` for an unknown one and
        for a closed-category one alike. A closed category is visible in the number itself, so such a
        number is refused without a query."""
        number = requested_number(number_text)
        if not publishable(number.kind, number.category):
            raise not_found(number)
        return public_case(number, await self.store.case(str(number), self.clock.now()))

    async def cause_list(self, court_code: str | None, day_text: str | None) -> dict[str, Any]:
        """The court's hearings of one day (today in court time by default), published per
        :mod:`sessions.public.calendar`: ``400 invalid_query`` / ``invalid_date``, ``404 court_not_found``."""
        if not court_code:
            raise PublicQueryInvalid("court is required (its code, e.g. 7594)", details={"field": "court"})
        if not COURT_CODE.match(court_code):
            raise PublicQueryInvalid(f"court {court_code[:20]!r} is not a court code (2-10 digits or capital "
                                     "latin letters)", code="invalid_court_code", details={"field": "court"})
        day = requested_day(day_text, self.clock.now())
        found = await self.store.court(court_code)
        if found is None:
            raise PublicCourtNotFound(f"no court with code {court_code}", details={"court": court_code})
        court_id, court = found
        start, end = court_day(day)
        return cause_list_json(court, day, await self.store.hearings(court_id, start, end))
