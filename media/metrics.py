"""The relay's per-participant figures as metrics families, for ``GET /metrics``.

The clerk's monitor gets the same figures live over signaling; metrics keep them for the
operators' dashboards and alerts (loss, dropped frames, keyframe storms) across hearings.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.metrics import Family, Sample
from media.relay import Relay

_GAUGES = (
    ("bitrate_in_bps", "bits per second the relay receives from the participant"),
    ("bitrate_out_bps", "bits per second the relay sends to the participant"),
    ("packet_loss", "fraction of the participant's packets lost on the way to the relay"),
    ("downlink_estimate_bps", "the participant's browser's estimate of its downlink from the relay (REMB)"),
    ("publisher_cap_bps", "the last bitrate cap (REMB) the relay sent the participant as publisher, 0 if none"),
    ("thinned_slots", "receive slots in which the participant gets keyframes only or audio only"),
)
_COUNTERS = (
    ("packets_received", "RTP packets received from the participant"),
    ("packets_lost", "RTP packets from the participant that never arrived"),
    ("frames_in", "encoded frames received from the participant"),
    ("frames_forwarded", "encoded frames forwarded to the participant"),
    ("frames_dropped", "frames dropped for the participant by bounded queues (slow viewer)"),
    ("plis_sent", "keyframe requests sent to the participant as publisher"),
    ("transport_cc_feedback", "transport-cc feedback packets sent to the participant as publisher"),
    ("video_frames_thinned", "video frames left out for the participant by its downlink mode"),
)


async def relay_families(relay: Relay) -> Iterable[Family]:
    rows: list[tuple[tuple[tuple[str, str], ...], dict[str, float]]] = []
    for hearing in relay.hearings():
        for participant, stats in (await relay.stats(hearing)).items():
            figures = stats.as_dict()
            labels = (("hearing", hearing), ("participant", participant))
            rows.append((labels, {name: float(figures[name]) for name, _ in (*_GAUGES, *_COUNTERS)}))
    families = [Family("sotkab_media_participants", "media sessions in this process", "gauge",
                       (Sample(float(len(rows))),)),
                Family("sotkab_media_streams_forwarded", "publishers' streams this process forwards to viewers now",
                       "gauge", (Sample(float(relay.forwarded_streams())),))]
    for kind, entries in (("gauge", _GAUGES), ("counter", _COUNTERS)):
        for name, text in entries:
            metric = f"sotkab_media_{name}" + ("_total" if kind == "counter" else "")
            families.append(Family(metric, text, kind, tuple(Sample(v[name], labels) for labels, v in rows)))
    return families
