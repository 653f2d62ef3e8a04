"""The transport-cc feedback encoder, against packets worked out by hand and an independent parser.

The parser below follows the draft (and libwebrtc's TransportFeedback::Parse) rather than the
encoder, so a round trip checks the wire format, not the encoder against itself.
"""

from __future__ import annotations

import random
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from media.twcc import (
    MAX_FEEDBACK_BYTES,
    ArrivalLog,
    encode_chunks,
    encode_feedback,
)


def parse(packet: bytes) -> dict:
    """Decode one feedback packet into base, reference time, count and per-packet arrival ticks."""
    first, pt, length = struct.unpack("!BBH", packet[:4])
    assert first >> 6 == 2 and first & 0x1F == 15 and pt == 205
    assert (length + 1) * 4 == len(packet)
    end = len(packet) - (packet[-1] if first & 0x20 else 0)
    sender, media, base, count, ref_and_count = struct.unpack("!LLHHL", packet[4:20])
    reference, fb_count = ref_and_count >> 8, ref_and_count & 0xFF
    symbols: list[int] = []
    pos = 20
    while len(symbols) < count:
        (chunk,) = struct.unpack("!H", packet[pos:pos + 2])
        pos += 2
        if chunk & 0x8000 == 0:
            symbols += [(chunk >> 13) & 3] * (chunk & 0x1FFF)
        elif chunk & 0x4000 == 0:
            symbols += [(chunk >> (13 - i)) & 1 for i in range(14)]
        else:
            symbols += [(chunk >> (2 * (6 - i))) & 3 for i in range(7)]
    symbols = symbols[:count]
    arrivals: list[int | None] = []
    current = reference * 256
    for symbol in symbols:
        if symbol == 0:
            arrivals.append(None)
            continue
        if symbol == 1:
            delta = packet[pos]
            pos += 1
        else:
            (delta,) = struct.unpack("!h", packet[pos:pos + 2])
            pos += 2
        current += delta
        arrivals.append(current)
    assert pos <= end, "deltas ran into the padding"
    assert all(b == 0 for b in packet[pos:end]), "junk between the deltas and the padding"
    return {"sender": sender, "media": media, "base": base, "count": count, "reference": reference,
            "fb_count": fb_count, "arrivals": arrivals}


def test_two_packets_small_deltas_exact_bytes() -> None:
    packet = encode_feedback(sender_ssrc=0x11223344, media_ssrc=0x55667788, base_sequence=100,
                             reference_time=5, feedback_count=7, deltas=[4, 8, 255])
    assert packet == bytes.fromhex(
        "af cd 0006 11223344 55667788 0064 0003 000005 07"  # header, base 100, count 3, ref 5, count 7
        "b800"  # one 1-bit status vector: 1 0 | 1 1 1 (then unused zeros)
        "04 08 ff"  # three small deltas
        "000003"  # padding: zero bytes, then the padding length
    .replace(" ", ""))


def test_run_length_chunk_for_a_long_run_of_small_deltas() -> None:
    symbols = [1] * 40
    assert encode_chunks(symbols) == struct.pack("!H", (1 << 13) | 40)


def test_one_bit_vector_mixes_received_and_lost() -> None:
    symbols = [1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    assert encode_chunks(symbols) == struct.pack("!H", 0b1010110010000001)


def test_two_bit_vector_when_a_large_delta_is_among_few() -> None:
    symbols = [1, 2, 0, 1]
    # 11 | 01 10 00 01 00 00 00 — the trailing symbols past the count are zero
    assert encode_chunks(symbols) == struct.pack("!H", 0b1101100001000000)


def test_run_of_lost_packets_is_one_chunk() -> None:
    symbols = [1] + [0] * 5000 + [1]
    chunks = encode_chunks(symbols)
    decoded = parse_chunks(chunks, len(symbols))
    assert decoded == symbols
    assert len(chunks) <= 8


def test_runs_longer_than_thirteen_bits_split() -> None:
    symbols = [0] * 9000 + [1]
    chunks = encode_chunks(symbols)
    assert struct.unpack("!H", chunks[:2])[0] == 0x1FFF
    assert parse_chunks(chunks, len(symbols)) == symbols


def parse_chunks(chunks: bytes, count: int) -> list[int]:
    fake = encode_feedback(sender_ssrc=1, media_ssrc=2, base_sequence=0, reference_time=0, feedback_count=0,
                           deltas=[0])
    header = bytearray(fake[:20])
    struct.pack_into("!H", header, 14, count)
    symbols: list[int] = []
    pos = 0
    while len(symbols) < count:
        (chunk,) = struct.unpack("!H", chunks[pos:pos + 2])
        pos += 2
        if chunk & 0x8000 == 0:
            symbols += [(chunk >> 13) & 3] * (chunk & 0x1FFF)
        elif chunk & 0x4000 == 0:
            symbols += [(chunk >> (13 - i)) & 1 for i in range(14)]
        else:
            symbols += [(chunk >> (2 * (6 - i))) & 3 for i in range(7)]
    assert pos == len(chunks)
    return symbols[:count]


def test_feedback_must_end_on_a_received_packet() -> None:
    with pytest.raises(ValueError):
        encode_feedback(sender_ssrc=1, media_ssrc=2, base_sequence=0, reference_time=0, feedback_count=0,
                        deltas=[3, None])


def ticks(us: int) -> int:
    return (us + 125) // 250


def test_log_reports_each_arrival_with_its_time() -> None:
    log = ArrivalLog()
    t0 = 10_000_000
    for i, seq in enumerate(range(1000, 1010)):
        if seq != 1004:
            log.record(seq, t0 + i * 3_000)
    (packet,) = log.feedback(1, 2)
    decoded = parse(packet)
    assert decoded["base"] == 1000 and decoded["count"] == 10
    expected = [None if seq == 1004 else ticks(t0 + i * 3_000) for i, seq in enumerate(range(1000, 1010))]
    assert decoded["arrivals"] == expected
    assert log.feedback(1, 2) == []  # nothing new


def test_reordered_packet_gets_a_negative_delta() -> None:
    log = ArrivalLog()
    log.record(1, 1_000_000)
    log.record(3, 1_002_000)
    log.record(2, 1_004_000)  # arrived after 3
    packet = log.feedback(1, 2)[0]
    decoded = parse(packet)
    assert decoded["arrivals"] == [ticks(1_000_000), ticks(1_004_000), ticks(1_002_000)]
    assert packet[20:22] == struct.pack("!H", 0b1101011000000000)  # small, small, large
    assert struct.unpack("!h", packet[-4:-2])[0] == -8  # 3 after 2: 2 ms back, in 250 us ticks


def test_late_packet_reopens_the_reported_range() -> None:
    log = ArrivalLog()
    for seq in (10, 11, 13):
        log.record(seq, 2_000_000 + seq * 1_000)
    first = parse(log.feedback(1, 2)[0])
    assert first["arrivals"][2] is None  # 12 missing so far
    log.record(12, 2_020_000)
    log.record(14, 2_021_000)
    second = parse(log.feedback(1, 2)[0])
    assert second["base"] == 12
    assert second["arrivals"] == [ticks(2_020_000), ticks(2_013_000), ticks(2_021_000)]
    assert second["fb_count"] == (first["fb_count"] + 1) & 0xFF


def test_duplicates_count_once() -> None:
    log = ArrivalLog()
    log.record(5, 1_000_000)
    log.record(5, 1_900_000)
    assert parse(log.feedback(1, 2)[0])["arrivals"] == [ticks(1_000_000)]


def test_sequence_wrap_is_continuous() -> None:
    log = ArrivalLog()
    for i, seq in enumerate([65533, 65534, 65535, 0, 1]):
        log.record(seq, 5_000_000 + i * 1_000)
    decoded = parse(log.feedback(1, 2)[0])
    assert decoded["base"] == 65533 and decoded["count"] == 5
    assert decoded["arrivals"] == [ticks(5_000_000 + i * 1_000) for i in range(5)]


def test_delta_overflow_starts_a_new_packet() -> None:
    log = ArrivalLog()
    log.record(1, 1_000_000)
    log.record(2, 1_000_000 + 9_000_000)  # 9 s later: 36000 ticks do not fit in 16 signed bits
    packets = [parse(p) for p in log.feedback(1, 2)]
    assert [p["base"] for p in packets] == [1, 2]
    assert packets[0]["arrivals"] == [ticks(1_000_000)]
    assert packets[1]["arrivals"] == [ticks(10_000_000)]
    assert packets[1]["fb_count"] == packets[0]["fb_count"] + 1


def test_large_gap_of_lost_packets_stays_small() -> None:
    log = ArrivalLog()
    log.record(100, 1_000_000)
    log.record(3100, 1_500_000)
    (packet,) = log.feedback(1, 2)
    decoded = parse(packet)
    assert decoded["count"] == 3001 and decoded["arrivals"][1:-1] == [None] * 2999
    assert len(packet) < 40


def test_many_large_deltas_split_under_the_size_limit() -> None:
    log = ArrivalLog()
    for seq in range(2000):
        log.record(seq, 1_000_000 + seq * 70_000 if seq % 2 else 1_000_000 + seq * 70_000 - 40_000)
    packets = log.feedback(1, 2)
    assert len(packets) > 1 and all(len(p) <= MAX_FEEDBACK_BYTES for p in packets)
    arrivals: dict[int, int | None] = {}
    for p in map(parse, packets):
        for i, arrival in enumerate(p["arrivals"]):
            arrivals[(p["base"] + i) & 0xFFFF] = arrival
    expected = {s: ticks(1_000_000 + s * 70_000 if s % 2 else 1_000_000 + s * 70_000 - 40_000) for s in range(2000)}
    assert arrivals == expected


def test_reference_time_wraps_at_24_bits() -> None:
    log = ArrivalLog()
    big = ((1 << 24) + 3) * 64_000 + 1_000
    log.record(0, big)
    decoded = parse(log.feedback(1, 2)[0])
    assert decoded["reference"] == 3
    assert decoded["arrivals"][0] - 3 * 256 == ticks(big) - ((1 << 24) + 3) * 256


def test_out_of_range_sequence_number_refused() -> None:
    with pytest.raises(ValueError):
        ArrivalLog().record(70000, 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 120_000)), min_size=1, max_size=300),
       st.integers(0, 0xFFFF))
def test_round_trip_any_arrival_pattern(steps: list[tuple[int, int]], start: int) -> None:
    """Any mix of losses, gaps and jittered (also reordered) arrivals decodes to what arrived."""
    log = ArrivalLog()
    expected: dict[int, int] = {}
    seq, now = start, 50_000_000
    for gap, jitter in steps:
        seq = (seq + 1 + (gap if gap > 30 else 0)) & 0xFFFF
        arrival = now + jitter - 20_000
        now += 5_000
        if seq not in expected:
            expected[seq] = ticks(arrival)
            log.record(seq, arrival)
    got: dict[int, int] = {}
    for p in map(parse, log.feedback(7, 8)):
        assert p["sender"] == 7 and p["media"] == 8
        for i, arrival in enumerate(p["arrivals"]):
            if arrival is not None:
                got[(p["base"] + i) & 0xFFFF] = arrival
    assert got == expected


def test_a_publisher_scattering_sequence_numbers_gets_bounded_feedback_and_memory() -> None:
    """Hostile or broken stamping cannot make the relay keep or report unbounded ranges."""
    log = ArrivalLog()
    rng = random.Random(3)
    sizes = []
    for i in range(20_000):
        log.record(rng.randrange(0x10000), 1_000_000 + i * 100)
        if i % 100 == 99:
            packets = log.feedback(1, 2)
            sizes += [len(p) for p in packets]
            assert len(log._arrivals) <= 1100  # history behind the window, never everything seen
    assert sizes and max(sizes) <= MAX_FEEDBACK_BYTES
    assert sum(sizes) / len(sizes) < 200
