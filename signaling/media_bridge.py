"""WebRTC negotiation between a participant's socket and this process's media relay.

Each signaling process runs one :class:`media.Relay`; a participant's media session lives in the
relay of the process their socket is connected to. The hearing service decides *whether* somebody
gets a session and in what state it starts (:meth:`sessions.service.HearingService.media_grant`:
only people in the hearing room, observers do not publish, stored mutes and pause apply); the
relay answers the offer. Relay events are forwarded to the participant they concern: a
``SlotAssigned`` tells a viewer whose picture a receive slot now shows, a ``ViewerQuality``
(``media_quality``) tells a viewer on a weak link that a slot now gets keyframes only or audio
only (and when it is back to full), a ``ParticipantLeft`` tells a participant their media
session ended.

Media only mixes inside one relay, so a deployment with several processes routes all sockets of
one hearing to one process (the load balancer hashes on the ``hearing`` handshake parameter);
signaling itself (rooms, controls, presence) works across processes whatever the routing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web

from core.clock import Clock
from core.config import Config
from core.health import Status, register_check
from core.metrics import register_collector
from core.resources import CLOCK, CONFIG
from core.tasks import stop
from media import Control, IceConfig, IceServer, Kind, ParticipantLeft, Relay, SlotAssigned, ViewerQuality
from media.errors import UnknownHearing, UnknownParticipant
from media.metrics import relay_families
from media.turn import TurnIssuer
from sessions.lifecycle import Action, MediaKind
from sessions.views import MediaGrant

log = logging.getLogger(__name__)

RELAY = web.AppKey("media_relay", Relay)
Emit = Callable[[int, int, str, dict[str, Any]], Any]
"""emit(hearing_id, user_id, event, data): deliver to that participant's local socket, if any."""
IceFor = Callable[[int], dict[str, Any]]
"""ice_for(user_id): the ICE configuration (browser shape, snake_case) that person's page gathers with."""


def browser_ice(config: Config, clock: Clock, relay_ice: IceConfig) -> IceFor:
    """Where each person's page gets its ICE servers, issued when asked (the join, each offer).

    With ``turn_secret`` every call mints a fresh credential for that person (coturn
    ``use-auth-secret``, :mod:`media.turn`): nobody ever receives a password that another person, or
    the same person tomorrow, could use. Without it the page gets the relay's own servers.
    """
    if config.turn_secret:
        stun = next((IceServer(url) for url in config.ice_servers if url.startswith("stun:")), None)
        issuer = TurnIssuer(config.turn_url, config.turn_secret, config.turn_ttl_s, stun=stun,
                            relay_only=config.ice_relay_only)
        return lambda user_id: issuer.config_for(str(user_id), clock.now()).browser_configuration()
    policy = "relay" if config.ice_relay_only else relay_ice.browser_configuration()["ice_transport_policy"]
    return lambda user_id: {**relay_ice.browser_configuration(), "ice_transport_policy": policy}


def relay_control(action: Action, details: dict[str, str] | Any) -> Control | None:
    """The relay control a logged hearing action implies, if any."""
    media = details.get("media", MediaKind.AUDIO.value) if details else MediaKind.AUDIO.value
    video = media == MediaKind.VIDEO.value
    return {
        Action.MUTE: Control.MUTE_VIDEO if video else Control.MUTE_AUDIO,
        Action.UNMUTE: Control.UNMUTE_VIDEO if video else Control.UNMUTE_AUDIO,
        Action.REMOVE: Control.REMOVE,
        Action.DISMISS: Control.REMOVE,
        Action.PAUSE: Control.PAUSE_HEARING,
        Action.RESUME: Control.RESUME_HEARING,
    }.get(action)


def _muted(grant: MediaGrant) -> frozenset[Kind]:
    return frozenset(kind for kind, muted in ((Kind.AUDIO, grant.muted_audio), (Kind.VIDEO, grant.muted_video))
                     if muted)


class MediaBridge:
    """This process's relay, seen from signaling: offers, candidates, controls, forwarded events."""

    def __init__(self, relay: Relay, emit: Emit, ice_for: IceFor | None = None) -> None:
        self.relay = relay
        self._emit = emit
        self.ice_for: IceFor = ice_for or (lambda user_id: relay.ice.browser_configuration())
        self._forwarders: dict[int, asyncio.Task[None]] = {}
        self.sessions: set[tuple[int, int]] = set()
        """(hearing, user) pairs with a media session in this process's relay."""

    async def open_session(self, hearing_id: int, user_id: int, sdp: str,
                           grant: Callable[[], Awaitable[MediaGrant]]) -> dict[str, Any]:
        """Answer ``user_id``'s offer with a media session in the state the hearing has stored.

        ``grant()`` reads that state (and refuses people not in the hearing room). The relay's
        admission awaits (ICE gathering), and a remove, dismiss or mute committed meanwhile finds no
        session here to act on yet: so the grant is read again once the session is registered, and
        the session is ended (the refusal raised) or brought to the state read. Anything committed
        after that second read reaches the registered session through the bus as usual.
        """
        first = await grant()
        self._forward(hearing_id)
        admission = await self.relay.admit(str(hearing_id), str(user_id), may_publish=first.may_publish,
                                           privileged=first.privileged, offer_sdp=sdp, muted=_muted(first),
                                           paused=first.paused)
        self.sessions.add((hearing_id, user_id))
        try:
            now = await grant()
        except Exception:
            await self.control(hearing_id, user_id, Control.REMOVE)
            raise
        if now != first:
            await self._bring_to(hearing_id, user_id, now)
        return {"answer": {"type": "answer", "sdp": admission.answer_sdp}, "slots": list(admission.slots),
                "ice": self.ice_for(user_id)}

    async def _bring_to(self, hearing_id: int, user_id: int, grant: MediaGrant) -> None:
        controls = (Control.MUTE_AUDIO if grant.muted_audio else Control.UNMUTE_AUDIO,
                    Control.MUTE_VIDEO if grant.muted_video else Control.UNMUTE_VIDEO)
        for control in controls:
            await self.control(hearing_id, user_id, control)
        await self.control(hearing_id, None, Control.PAUSE_HEARING if grant.paused else Control.RESUME_HEARING)

    async def candidate(self, hearing_id: int, user_id: int, candidate: str | None, sdp_mid: str | None,
                        sdp_mline_index: int | None) -> None:
        await self.relay.add_ice_candidate(str(hearing_id), str(user_id), candidate, sdp_mid, sdp_mline_index)

    async def control(self, hearing_id: int, user_id: int | None, control: Control) -> None:
        """Apply a control to the media sessions this process holds; others' are not ours to touch."""
        if user_id is not None and (hearing_id, user_id) not in self.sessions:
            return
        with contextlib.suppress(UnknownHearing, UnknownParticipant):
            await self.relay.apply_control(str(hearing_id), None if user_id is None else str(user_id), control)
        if control is Control.REMOVE and user_id is not None:
            self.sessions.discard((hearing_id, user_id))

    async def receive_video(self, hearing_id: int, user_id: int, on: bool) -> bool:
        """The viewer's audio-only choice, applied to its media session here; False without one."""
        if (hearing_id, user_id) not in self.sessions:
            return False
        try:
            await self.relay.receive_video(str(hearing_id), str(user_id), on)
        except (UnknownHearing, UnknownParticipant):
            return False
        return True

    async def close_hearing(self, hearing_id: int) -> None:
        await self.relay.close_hearing(str(hearing_id))
        self.sessions = {pair for pair in self.sessions if pair[0] != hearing_id}
        task = self._forwarders.pop(hearing_id, None)
        if task is not None:
            task.cancel()

    def _forward(self, hearing_id: int) -> None:
        if hearing_id in self._forwarders:
            return
        feed = self.relay.subscribe_events(str(hearing_id))

        async def forward() -> None:
            try:
                async for event in feed:
                    if isinstance(event, SlotAssigned):
                        await self._emit(hearing_id, int(event.viewer_id), "media_slot", {
                            "slot": event.slot,
                            "user_id": None if event.publisher_id is None else int(event.publisher_id)})
                    elif isinstance(event, ViewerQuality):
                        await self._emit(hearing_id, int(event.viewer_id), "media_quality", {
                            "slot": event.slot, "user_id": int(event.publisher_id), "mode": event.mode,
                            "estimate_kbps": event.estimate_bps // 1000})
                    elif isinstance(event, ParticipantLeft):
                        self.sessions.discard((hearing_id, int(event.participant_id)))
                        await self._emit(hearing_id, int(event.participant_id), "media_ended",
                                         {"reason": event.reason})
            finally:
                feed.close()

        self._forwarders[hearing_id] = asyncio.create_task(forward(), name=f"media-events-{hearing_id}")

    async def close(self) -> None:
        await stop(*self._forwarders.values())


async def _relay_status(relay: Relay) -> Status:
    return Status(not relay.closed, {"hearings": len(relay.hearings()), "streams": relay.forwarded_streams()})


async def relay_resource(app: web.Application) -> AsyncIterator[None]:
    """One relay per process, with the ICE servers of the configuration."""
    relay = Relay(IceConfig.from_urls(app[CONFIG].ice_servers), clock=app[CLOCK],
                  start_bitrate_kbps=app[CONFIG].start_bitrate_kbps)
    app[RELAY] = relay
    register_collector(app, lambda app: relay_families(relay))
    register_check(app, "relay", lambda app: _relay_status(relay))
    yield
    await relay.close()
