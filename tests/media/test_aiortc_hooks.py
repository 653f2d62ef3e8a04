"""The aiortc internals the relay depends on still exist: an upgrade that breaks one fails here, by name."""

from __future__ import annotations

import pytest
from aiortc import RTCRtpSender

from media import aiortc_hooks
from media.errors import HookBroken


async def test_every_aiortc_hook_the_relay_uses_holds() -> None:
    try:
        await aiortc_hooks.check_hooks()
    except HookBroken as broken:
        pytest.fail(f"aiortc hook {broken.hook} is broken after an upgrade: {broken.message}")


async def test_a_missing_hook_is_reported_by_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(RTCRtpSender, "_send_keyframe")
    with pytest.raises(HookBroken) as caught:
        await aiortc_hooks.check_hooks()
    assert caught.value.hook == aiortc_hooks.HOOK_KEYFRAME_REQUEST


async def test_another_aiortc_version_is_refused_until_the_hooks_are_re_verified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(aiortc_hooks.aiortc, "__version__", "1.17.0")
    with pytest.raises(HookBroken) as caught:
        await aiortc_hooks.check_hooks()
    assert caught.value.hook == aiortc_hooks.HOOK_VERSION
