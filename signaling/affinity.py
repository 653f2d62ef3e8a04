"""Hearing affinity: every socket of a hearing reaches the one process whose relay mixes its media.

Media mixes only inside one process's relay, so a deployment of several processes must route all
sockets of a hearing to the same one. The router (HAProxy, ``balance url_param hearing`` with
consistent hashing, see :mod:`web.deploy`) can only hash on what it sees before the socket.io
packets: the engine.io handshake URL. So a ``/hearing`` socket names its hearing twice — in the URL
(``/socket.io/?hearing=ID&EIO=4&transport=websocket``), for the router, and in the ``auth`` payload,
for the join — and the two must agree: a client that puts one hearing in the URL and joins another
would land on a process that does not hold that hearing's media (and would split it across two
relays), so the handshake is refused (``hearing_mismatch``).

With several processes (``redis_url`` set) the URL hearing is required (``hearing_not_in_url``) and
the transport must be WebSocket from the first request (``websocket_required``): one long-lived TCP
connection needs no stickiness beyond the hash, while long-polling would open a request per
packet, each a new chance for a router to pick another server. One process without Redis has no
router to feed, so it accepts a handshake without the URL hearing and over long-polling (a page
under development, the demo); a URL hearing that disagrees is refused everywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from signaling.wire import PayloadError, parse_hearing_id

log = logging.getLogger(__name__)

URL_PARAMETER = "hearing"
"""The handshake URL's query parameter the router hashes on (``deploy/haproxy.cfg``)."""


class AffinityRefused(Exception):
    """The handshake does not let a router place the socket with its hearing."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _query(environ: Mapping[str, Any]) -> dict[str, list[str]]:
    text = environ.get("QUERY_STRING", "")
    return parse_qs(text if isinstance(text, str) else "", keep_blank_values=True)


def check_handshake(environ: Mapping[str, Any], hearing_id: int, *, several_processes: bool) -> None:
    """Refuse a ``/hearing`` handshake that a router could send to the wrong process.

    ``hearing_id`` is the (already validated) hearing of the auth payload; ``environ`` is the
    WSGI-style environ of the engine.io handshake request.
    """
    query = _query(environ)
    values = query.get(URL_PARAMETER, [])
    if len(values) > 1:
        raise AffinityRefused("hearing_mismatch", "the handshake URL names the hearing more than once")
    if values:
        try:
            in_url = parse_hearing_id(values[0])
        except PayloadError:
            raise AffinityRefused("hearing_mismatch", "the hearing in the handshake URL is not a hearing id") from None
        if in_url != hearing_id:
            raise AffinityRefused("hearing_mismatch", f"the handshake URL names hearing {in_url} but the join "
                                                      f"asks for hearing {hearing_id}; they must be the same")
    elif several_processes:
        raise AffinityRefused("hearing_not_in_url", "put the hearing id in the socket URL "
                                                    "(/socket.io/?hearing=ID) so the router can place the socket")
    transport = query.get("transport", [""])[0]
    if several_processes and transport != "websocket":
        raise AffinityRefused("websocket_required", "hearing sockets use the WebSocket transport "
                                                    "(transports: [\"websocket\"])")
