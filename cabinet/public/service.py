"""Public access, orchestrated: parse what was asked, read it with one query, apply the rules."""

from __future__ import annotations

from cabinet.public.lookup import PublicCase, not_found, public_case, publishable, requested_number
from cabinet.public.store import PublicStore
from web.db import Database


class PublicService:
    def __init__(self, db: Database) -> None:
        self.store = PublicStore(db)

    async def case(self, number_text: str) -> PublicCase:
        """``400 invalid_case_number`` for a malformed number; ``404 case_not_found`` for an unknown one and
        for a closed-category one alike. A closed category is visible in the number itself, so such a
        number is refused without a query."""
        number = requested_number(number_text)
        if not publishable(number.kind, number.category):
            raise not_found(number)
        return public_case(number, await self.store.case(str(number)))
