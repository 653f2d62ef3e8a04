"""Stopping the background tasks a process starts: cancel them, and wait a bounded time for their end.

Every sweep, sender and watcher of the app runs as an asyncio task started in a ``cleanup_ctx`` and
stopped when the app shuts down. Two ways of stopping one used to hang the shutdown for good:

* ``task.cancel()`` then ``with suppress(CancelledError): await task`` inside code that may itself be
  cancelled. A cancel aimed at the waiting task while it waits is handed on to the awaited task; the
  awaited task ends "cancelled", the suppress swallows the error, and the waiting task carries on as
  if it had never been asked to stop (a periodic job then sleeps and runs again, forever).
* ``asyncio.wait_for(event.wait(), timeout)`` in a loop: on Python 3.11, a cancel that arrives just as
  the event is set is lost, and the loop goes round again.

:func:`stop` never swallows the caller's own cancellation, cancels a task again if it swallowed the
first one, and gives up (logging which task) after ``grace_s`` instead of waiting forever.
:func:`wait_event` is ``wait_for(event.wait(), timeout)`` without the lost cancel.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

log = logging.getLogger(__name__)

#: How long a shutdown waits for one group of background tasks to end.
STOP_GRACE_S = 10.0
#: A task still running this long after its cancel is cancelled again (it swallowed the first one).
RECANCEL_S = 0.5


async def stop(*tasks: asyncio.Future[Any] | None, grace_s: float = STOP_GRACE_S) -> None:
    """Cancel ``tasks`` (``None`` entries are skipped) and wait until they end, at most ``grace_s`` in all.

    A task gets half of ``grace_s`` to finish its clean-up (``finally`` blocks, a lease given back)
    after the first cancel; one still running after that is cancelled again every :data:`RECANCEL_S`.
    A task still running at the deadline is logged as an error and left behind: a stop never hangs.
    A task that had ended with an exception (not its cancellation) has the exception logged as a warning.
    If the caller is cancelled while it waits, the cancellation propagates (after the tasks were
    cancelled): it is never absorbed here.
    """
    running = [task for task in tasks if task is not None]
    pending = {task for task in running if not task.done()}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace_s
    for task in pending:
        task.cancel()
    if pending:
        _, pending = await asyncio.wait(pending, timeout=grace_s / 2)
    while pending and (left := deadline - loop.time()) > 0:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=min(left, RECANCEL_S))
    if pending:
        log.error("%d background task(s) did not stop within %.1f s of being cancelled: %s", len(pending), grace_s,
                  ", ".join(sorted(_name(task) for task in pending)))
    for task in running:
        if task.done() and not task.cancelled() and (error := task.exception()) is not None:
            log.warning("background task %s had failed before it was stopped", _name(task),
                      exc_info=(type(error), error, error.__traceback__))


async def wait_event(event: asyncio.Event, within_s: float) -> bool:
    """Wait until ``event`` is set or ``within_s`` seconds pass; True if it was set.

    Unlike ``asyncio.wait_for(event.wait(), timeout)`` on Python 3.11, a cancellation that arrives
    just as the event is set is never lost.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(within_s):
            await event.wait()
    return event.is_set()


def _name(task: asyncio.Future[Any]) -> str:
    return task.get_name() if isinstance(task, asyncio.Task) else repr(task)
