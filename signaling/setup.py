"""Assembly of signaling: the socket.io server on the app, its namespaces and their resources."""

from __future__ import annotations

from aiohttp import web

from signaling.cabinet_ns import CabinetNamespace, notice_watcher
from signaling.server import SIO, create_server, socketio_resources
from web.resources import CONFIG


def setup(app: web.Application) -> None:
    sio = create_server(app[CONFIG])
    app[SIO] = sio
    sio.attach(app)
    sio.register_namespace(CabinetNamespace(app))
    app.cleanup_ctx.append(socketio_resources)
    app.cleanup_ctx.append(notice_watcher)
