"""WebRTC signaling and live updates over python-socketio (see signaling/events.md)."""

from signaling.setup import setup

__all__ = ["setup"]
