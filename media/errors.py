"""Typed refusals of the media relay.

Signaling maps these to socket.io error events and HTTP answers through the one middleware
that knows :class:`core.errors.SotkabError`; a relay method never returns an error value.
"""

from __future__ import annotations

from core.errors import SotkabError


class MediaError(SotkabError):
    """Root of every error the relay raises; ``code`` is stable for the browser."""

    status = 400
    default_code = "media_error"


class InvalidOffer(MediaError):
    """The SDP offer cannot be used (unparseable, wrong kinds, no VP8/Opus, unpaired slots)."""

    status = 400
    default_code = "media_invalid_offer"


class PublishNotAllowed(MediaError):
    """An observer (or a paused/removed participant) tried to send media."""

    status = 403
    default_code = "media_publish_not_allowed"


class UnknownHearing(MediaError):
    status = 404
    default_code = "media_unknown_hearing"


class UnknownParticipant(MediaError):
    status = 404
    default_code = "media_unknown_participant"


class InvalidControl(MediaError):
    """A control that does not fit its target (e.g. muting without naming a participant)."""

    status = 400
    default_code = "media_invalid_control"


class InvalidCandidate(MediaError):
    status = 400
    default_code = "media_invalid_candidate"


class RelayClosed(MediaError):
    """The relay (or the hearing) was closed; nothing more can be admitted."""

    status = 409
    default_code = "media_relay_closed"


class NegotiationFailed(MediaError):
    """aiortc refused the offer or could not produce an answer."""

    status = 400
    default_code = "media_negotiation_failed"


class HookBroken(MediaError):
    """An aiortc internal the relay depends on is missing: refuse to start rather than transcode.

    Raised at relay start-up and by the hook test after an aiortc upgrade; ``hook`` names it.
    """

    status = 500
    default_code = "media_aiortc_hook_broken"

    def __init__(self, hook: str, reason: str):
        super().__init__(f"aiortc hook {hook!r} is broken: {reason}", details={"hook": hook})
        self.hook = hook
