"""Join coalescing: a burst of joins to one hearing waits for the one join that opens its lobby.

At 10:00 everybody of a hearing joins at once. Most joins change only the person's own row and
run without the hearing lock (:meth:`sessions.service.HearingService.join`). The first join after
the lobby's lead time must log the opening, which takes the lock; the joins arriving beside it
would all fail their compare-and-set and queue on the lock behind it. So while one join of this
process runs the locked path for a hearing, the others of this process wait for it and then
join unlocked. Only a shortcut: the database decides, and other processes take the lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


class JoinCoalescer:
    """Runs ``unlocked`` first, and ``locked`` for at most one join of a hearing at a time."""

    def __init__(self) -> None:
        self._opening: dict[int, asyncio.Future[None]] = {}

    async def join(self, hearing_id: int, unlocked: Callable[[], Awaitable[T | None]],
                   locked: Callable[[], Awaitable[T]]) -> T:
        """``unlocked()`` returns None when the join must be taken under the lock."""
        joined = await self._after_opening(hearing_id, unlocked)
        if joined is not None:
            return joined
        if hearing_id in self._opening:
            joined = await self._after_opening(hearing_id, unlocked)
            return joined if joined is not None else await locked()
        done = self._opening[hearing_id] = asyncio.get_running_loop().create_future()
        try:
            return await locked()
        finally:
            del self._opening[hearing_id]
            done.set_result(None)

    async def _after_opening(self, hearing_id: int, unlocked: Callable[[], Awaitable[T | None]]) -> T | None:
        """``unlocked()``, once the opening this process is running for the hearing (if any) is done."""
        opening = self._opening.get(hearing_id)
        if opening is not None:
            await asyncio.shield(opening)
        return await unlocked()
