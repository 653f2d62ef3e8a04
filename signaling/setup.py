"""Assembly of signaling: the socket.io server on the app, its namespaces and their resources.

Resources open in ``cleanup_ctx`` in this order: the socket.io backend (Redis when configured),
the notice watcher of ``/cabinet``, this process's media relay, and the bus between processes
with the ``/hearing`` namespace and its sweeper (time-driven hearing rules, liveness heartbeats,
sockets whose session or staff grant is gone). A logout ends the session's sockets at once: the
login service tells the bus, and every process ends the sockets it holds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from cabinet.identity.http import LOGIN
from core.metrics import Family, Sample, register_collector
from core.resources import CLOCK, CONFIG
from core.tasks import stop
from recordings.live import RecorderHub
from recordings.setup import hub_for
from sessions.equipment_service import PersonCheck
from sessions.resources import HEARINGS
from signaling.bus import CHANNEL as BUS_CHANNEL
from signaling.bus import Bus
from signaling.cabinet_ns import NAMESPACE as CABINET_NAMESPACE
from signaling.cabinet_ns import CabinetNamespace, notice_watcher
from signaling.commands import EndSession
from signaling.compositions import composition_watcher
from signaling.hearing import HearingNamespace, staff_room, user_room
from signaling.media_bridge import RELAY, MediaBridge, browser_ice, relay_resource
from signaling.server import SIO, create_server, redis_channel, socketio_resources
from signaling.sweeper import Sweeper

log = logging.getLogger(__name__)

HEARING_NS = web.AppKey("hearing_namespace", HearingNamespace)
CABINET_NS = web.AppKey("cabinet_namespace", CabinetNamespace)
SWEEP_INTERVAL_S = 2.0


def setup(app: web.Application) -> None:
    sio = create_server(app[CONFIG])
    app[SIO] = sio
    sio.attach(app)
    cabinet = CabinetNamespace(app)
    app[CABINET_NS] = cabinet
    sio.register_namespace(cabinet)
    namespace = HearingNamespace(app)
    app[HEARING_NS] = namespace
    sio.register_namespace(namespace)
    app.cleanup_ctx.append(socketio_resources)
    app.cleanup_ctx.append(notice_watcher)
    app.cleanup_ctx.append(composition_watcher(CABINET_NAMESPACE))
    app.cleanup_ctx.append(relay_resource)
    app.cleanup_ctx.append(hearing_resources)


async def hearing_resources(app: web.Application) -> AsyncIterator[None]:
    sio, namespace, cabinet, config = app[SIO], app[HEARING_NS], app[CABINET_NS], app[CONFIG]
    bus = Bus(config.redis_url, redis_channel(config, BUS_CHANNEL))

    async def to_participant(hearing_id: int, user_id: int, event: str, data: dict[str, Any]) -> None:
        await sio.emit(event, data, room=user_room(hearing_id, user_id), namespace=namespace.namespace)

    async def checked(found: PersonCheck) -> None:
        """A person stored an equipment check: the hearing's bench shows it at once."""
        await sio.emit("equipment_check", found.to_json(), room=staff_room(found.hearing_id),
                       namespace=namespace.namespace)

    async def logged_out(session_id: int) -> None:
        await bus.publish(EndSession(session_id, "session_ended", "you logged out; log in again"))

    bridge = MediaBridge(app[RELAY], to_participant, browser_ice(config, app[CLOCK], app[RELAY].ice))
    recorders = hub_for(app, app[RELAY])
    namespace.recorders = recorders
    namespace.start(bridge, bus)
    bus.on_command(cabinet.on_command)
    app[LOGIN].on_session_ended(logged_out)
    app[HEARINGS].checks.on_stored(checked)
    await bus.start()
    register_collector(app, lambda app: _hearing_families(namespace, recorders))
    # The liveness beat follows the policy the hearing service was built with: a quarter of the
    # time after which a silent judge counts as gone.
    liveness = app[HEARINGS].policy.judge_loss_timeout.total_seconds() / 4
    sweeper = Sweeper(namespace, interval_s=min(SWEEP_INTERVAL_S, config.socket_recheck_s),
                      liveness_s=liveness, recheck_s=config.socket_recheck_s)
    tasks = [asyncio.create_task(sweeper.run(), name="hearing-sweeper"),
             asyncio.create_task(_recheck_cabinet(cabinet, config.socket_recheck_s), name="cabinet-recheck")]
    yield
    await stop(*tasks)
    await namespace.stop()
    await recorders.close()
    await bridge.close()
    await bus.close()


async def _hearing_families(namespace: HearingNamespace, recorders: RecorderHub) -> list[Family]:
    return [Family("sotkab_hearings_live", "hearings with at least one socket on this worker", "gauge",
                   (Sample(float(len(namespace.sockets.hearings()))),)),
            Family("sotkab_recordings_in_progress", "hearings this worker records now", "gauge",
                   (Sample(float(recorders.in_progress())),))]


async def _recheck_cabinet(cabinet: CabinetNamespace, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await cabinet.recheck()
        except Exception:
            log.exception("re-checking /cabinet sockets failed; retrying in %s s", interval_s)
