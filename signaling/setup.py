"""Assembly of signaling: the socket.io server on the app, its namespaces and their resources.

Resources open in ``cleanup_ctx`` in this order: the socket.io backend (Redis when configured),
the notice watcher of ``/cabinet``, this process's media relay, and the ``/hearing`` namespace
with its inter-process bus and its sweeper (time-driven hearing rules and liveness heartbeats).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from core.resources import CONFIG
from recordings.setup import hub_for
from sessions.service import DEFAULT_POLICY
from signaling.bus import Bus
from signaling.cabinet_ns import CabinetNamespace, notice_watcher
from signaling.hearing import HearingNamespace, run_sweeper, user_room
from signaling.media_bridge import RELAY, MediaBridge, relay_resource
from signaling.server import SIO, create_server, socketio_resources

HEARING_NS = web.AppKey("hearing_namespace", HearingNamespace)
SWEEP_INTERVAL_S = 2.0


def setup(app: web.Application) -> None:
    sio = create_server(app[CONFIG])
    app[SIO] = sio
    sio.attach(app)
    sio.register_namespace(CabinetNamespace(app))
    namespace = HearingNamespace(app)
    app[HEARING_NS] = namespace
    sio.register_namespace(namespace)
    app.cleanup_ctx.append(socketio_resources)
    app.cleanup_ctx.append(notice_watcher)
    app.cleanup_ctx.append(relay_resource)
    app.cleanup_ctx.append(hearing_resources)


async def hearing_resources(app: web.Application) -> AsyncIterator[None]:
    sio, namespace = app[SIO], app[HEARING_NS]
    bus = Bus(app[CONFIG].redis_url)

    async def to_participant(hearing_id: int, user_id: int, event: str, data: dict[str, Any]) -> None:
        await sio.emit(event, data, room=user_room(hearing_id, user_id), namespace=namespace.namespace)

    bridge = MediaBridge(app[RELAY], to_participant)
    recorders = hub_for(app, app[RELAY])
    namespace.recorders = recorders
    namespace.start(bridge, bus)
    await bus.start()
    liveness = DEFAULT_POLICY.judge_loss_timeout.total_seconds() / 4
    sweeper = asyncio.create_task(run_sweeper(namespace, SWEEP_INTERVAL_S, liveness), name="hearing-sweeper")
    yield
    sweeper.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await sweeper
    await namespace.stop()
    await recorders.close()
    await bridge.close()
    await bus.close()
