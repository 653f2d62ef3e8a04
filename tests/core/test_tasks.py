"""Stopping background tasks: always within a bound, never swallowing the stopper's own cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import pytest

from core.tasks import stop, wait_event


async def test_a_task_is_cancelled_and_awaited() -> None:
    ended = asyncio.Event()

    async def sweep() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            ended.set()

    task = asyncio.create_task(sweep())
    await asyncio.sleep(0)
    await stop(task, None)
    assert task.cancelled() and ended.is_set()


async def test_a_task_that_swallows_its_first_cancel_is_cancelled_again() -> None:
    swallowed = 0

    async def stubborn() -> None:
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if swallowed:
                    raise
                swallowed += 1

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await stop(task, grace_s=2.0)
    assert task.cancelled() and swallowed == 1


async def test_a_task_that_never_stops_is_logged_and_left_within_the_bound(caplog: pytest.LogCaptureFixture) -> None:
    release = asyncio.Event()

    async def deaf() -> None:
        while not release.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await release.wait()

    task = asyncio.create_task(deaf(), name="deaf-sweeper")
    await asyncio.sleep(0)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with caplog.at_level(logging.ERROR, logger="core.tasks"):
        await stop(task, grace_s=0.3)
    assert not task.done() and loop.time() - started < 30  # returned; a generous bound, not a timing claim
    assert "deaf-sweeper" in caplog.text and "did not stop" in caplog.text
    release.set()
    await task


async def test_the_stoppers_own_cancellation_is_never_swallowed() -> None:
    """The bug of ``suppress(CancelledError): await task``: a cancel of the waiting task is spent on the
    awaited one and swallowed. Here the stopper is cancelled while it waits, and it stops too."""
    cleanup_started = asyncio.Event()

    async def slow_to_stop() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cleanup_started.set()
            await asyncio.sleep(0.05)

    inner = asyncio.create_task(slow_to_stop())
    await asyncio.sleep(0)
    stopper = asyncio.create_task(stop(inner))
    await cleanup_started.wait()
    stopper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stopper
    await asyncio.wait({inner})


async def test_a_failure_before_the_stop_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def broken() -> None:
        raise RuntimeError("sweep failed")

    task = asyncio.create_task(broken(), name="broken-sweeper")
    await asyncio.wait({task})
    with caplog.at_level(logging.WARNING, logger="core.tasks"):
        await stop(task)
    assert "broken-sweeper" in caplog.text and "sweep failed" in caplog.text


async def test_waiting_for_an_event_answers_whether_it_was_set() -> None:
    event = asyncio.Event()
    assert await wait_event(event, 0.01) is False
    asyncio.get_running_loop().call_soon(event.set)
    assert await wait_event(event, 60) is True


async def test_a_cancel_arriving_as_the_event_is_set_is_never_lost() -> None:
    """``asyncio.wait_for(event.wait(), t)`` on Python 3.11 returns normally here and the loop goes on."""
    lost = 0
    for delay in range(4):
        event = asyncio.Event()

        async def watcher(event: asyncio.Event = event) -> None:
            while True:
                await wait_event(event, 60)
                event.clear()

        task = asyncio.create_task(watcher())
        await asyncio.sleep(0)
        event.set()
        for _ in range(delay):
            await asyncio.sleep(0)
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=5)
        if not done:
            lost += 1
            await stop(task)
    assert lost == 0
