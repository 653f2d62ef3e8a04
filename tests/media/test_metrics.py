"""The relay's figures reach /metrics: per hearing and participant, gauges and counters."""

from __future__ import annotations

import asyncio

from core.metrics import render
from media.metrics import relay_families
from media.relay import Relay
from tests.media.media_peers import Peer, wait_for

H = "hearing-metrics"


async def test_a_forwarding_relay_reports_each_participant(relay: Relay) -> None:
    speaker, viewer = Peer("speaker"), Peer("viewer", publish=False)
    await speaker.join(relay, H)
    await viewer.join(relay, H, may_publish=False)
    await wait_for(lambda: len(viewer.frames_from(relay, H, "speaker")) > 30)
    for _ in range(100):  # aiortc's receivers send their first REMB after ~3 s
        if (await relay.stats(H))["viewer"].downlink_estimate_bps > 0:
            break
        await asyncio.sleep(0.1)

    families = {f.name: f for f in await relay_families(relay)}
    assert families["sotkab_media_participants"].samples[0].value == 2
    def by_participant(name: str) -> dict[str, float]:
        return {dict(s.labels)["participant"]: s.value for s in families[name].samples}

    forwarded = by_participant("sotkab_media_frames_forwarded_total")
    received = by_participant("sotkab_media_frames_in_total")
    assert forwarded["viewer"] > 30 and received["speaker"] > 30
    assert {dict(s.labels)["hearing"] for s in families["sotkab_media_bitrate_in_bps"].samples} == {H}
    assert by_participant("sotkab_media_downlink_estimate_bps")["viewer"] > 0  # aiortc's REMB, as a browser's
    assert by_participant("sotkab_media_thinned_slots")["viewer"] == 0
    assert by_participant("sotkab_media_transport_cc_feedback_total")["speaker"] == 0  # aiortc offers none
    text = render(families.values())
    assert f'sotkab_media_frames_forwarded_total{{hearing="{H}",participant="viewer"}}' in text
    await speaker.close()
    await viewer.close()


async def test_an_idle_relay_reports_no_participants(relay: Relay) -> None:
    families = {f.name: f for f in await relay_families(relay)}
    assert families["sotkab_media_participants"].samples[0].value == 0
    assert families["sotkab_media_plis_sent_total"].samples == ()
