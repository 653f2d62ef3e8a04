"""Transport-wide congestion control feedback, as Chromium and Janus send it (pure, no I/O).

A publisher's browser stamps every RTP packet of its connection with one transport-wide
sequence number (the header extension of draft-holmer-rmcat-transport-wide-cc-extensions-01).
The receiver reports back, every 50-100 ms, which of those packets arrived and when; the
sender's own estimator (Chromium's GoogCC: probing, delay- and loss-based) then sets its rate.
Without this feedback Chromium neither probes nor runs its delay-based estimate and follows
only REMB, which aiortc ramps at ~8 % per second.

:class:`ArrivalLog` records arrivals and builds the feedback packets; :func:`encode_feedback`
serializes one packet (RTCP RTPFB, PT=205, FMT=15)::

     0                   1                   2                   3
    |V=2|P|  FMT=15 |    PT=205     |           length              |
    |                     SSRC of packet sender                     |
    |                      SSRC of media source                     |
    |      base sequence number     |      packet status count      |
    |                 reference time                | fb pkt. count |
    |          packet chunk         |         packet chunk          |  ...
    | recv delta    |  recv delta   | ...  (zero padding, last byte = padding length)

Packet chunks are run-length (``0 | symbol:2 | run:13``) or status vectors of fourteen 1-bit
(``1 0 | 14 x symbol:1``) or seven 2-bit symbols (``1 1 | 7 x symbol:2``); a symbol is
0 = not received, 1 = received with a small delta (1 byte, 0..63.75 ms), 2 = received with a
large or negative delta (2 bytes, signed). Deltas are in 250 µs ticks, the first from the
reference time (64 ms units, 24 bits, wrapping), each next from the previous received packet
in sequence order, so reordered packets get negative deltas. A delta that does not fit in 16
bits (a gap of more than ~8 s) starts a new feedback packet, as libwebrtc does.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Sequence
from dataclasses import dataclass

logger = logging.getLogger(__name__)

EXTENSION_URI = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
RTCP_RTPFB = 205
FMT_TRANSPORT_CC = 15
TICK_US = 250
REFERENCE_US = 64_000  # one unit of the reference time (256 ticks)
MAX_RUN = 0x1FFF
MAX_STATUS_COUNT = 0xFFFF
MAX_FEEDBACK_BYTES = 1200  # fits any path's MTU with SRTCP overhead
MAX_RANGE = 0x4000  # sequence numbers one round of feedback may span; older ones are given up
HISTORY = 1024  # arrivals kept behind the reported window, to re-report a range a late packet reopens

NOT_RECEIVED, SMALL_DELTA, LARGE_DELTA = 0, 1, 2
_HEADER = struct.Struct("!BBHLLHHL")


def encode_chunks(symbols: Sequence[int]) -> bytes:
    """The packet chunks for ``symbols``: run-length where a run is long, status vectors otherwise.

    A status vector may cover symbols past the end (the status count says where they stop);
    those bits are zero, as libwebrtc writes them.
    """
    out = bytearray()
    count, i = len(symbols), 0
    while i < count:
        symbol = symbols[i]
        run = 1
        while i + run < count and symbols[i + run] == symbol and run < MAX_RUN:
            run += 1
        ahead = symbols[i:i + 14]
        if run >= 14:
            out += struct.pack("!H", (symbol << 13) | run)
            i += run
        elif all(s <= SMALL_DELTA for s in ahead):
            value = 0x8000
            for position, s in enumerate(ahead):
                value |= s << (13 - position)
            out += struct.pack("!H", value)
            i += len(ahead)
        elif run >= 7:
            out += struct.pack("!H", (symbol << 13) | run)
            i += run
        else:
            value = 0xC000
            for position, s in enumerate(symbols[i:i + 7]):
                value |= s << (2 * (6 - position))
            out += struct.pack("!H", value)
            i += min(7, count - i)
    return bytes(out)


def symbol_for(delta_ticks: int | None) -> int:
    if delta_ticks is None:
        return NOT_RECEIVED
    if 0 <= delta_ticks <= 0xFF:
        return SMALL_DELTA
    if -0x8000 <= delta_ticks <= 0x7FFF:
        return LARGE_DELTA
    raise ValueError(f"a delta of {delta_ticks} ticks does not fit in a feedback packet")


def encode_feedback(
    *, sender_ssrc: int, media_ssrc: int, base_sequence: int, reference_time: int,
    feedback_count: int, deltas: Sequence[int | None],
) -> bytes:
    """One transport-cc feedback packet.

    ``deltas[i]`` is the arrival of packet ``base_sequence + i`` in ticks after the previous
    received packet (the first: after ``reference_time``), or None if it did not arrive.
    """
    if not deltas or len(deltas) > MAX_STATUS_COUNT:
        raise ValueError("a feedback packet reports 1 to 65535 packets")
    if deltas[-1] is None:
        raise ValueError("a feedback packet ends with a received packet")
    symbols = [symbol_for(d) for d in deltas]
    body = bytearray(encode_chunks(symbols))
    for delta, symbol in zip(deltas, symbols, strict=True):
        if symbol == SMALL_DELTA:
            body.append(delta)  # type: ignore[arg-type]
        elif symbol == LARGE_DELTA:
            body += struct.pack("!h", delta)
    padding = -(_HEADER.size + len(body)) % 4
    if padding:
        body += bytes(padding - 1) + bytes((padding,))
    length_words = (_HEADER.size + len(body)) // 4 - 1
    first = 0x80 | (0x20 if padding else 0) | FMT_TRANSPORT_CC
    header = _HEADER.pack(first, RTCP_RTPFB, length_words, sender_ssrc & 0xFFFFFFFF, media_ssrc & 0xFFFFFFFF,
                          base_sequence & 0xFFFF, len(deltas),
                          ((reference_time & 0xFFFFFF) << 8) | (feedback_count & 0xFF))
    return header + bytes(body)


def _encoded_size(deltas: Sequence[int | None]) -> int:
    symbols = [symbol_for(d) for d in deltas]
    size = _HEADER.size + len(encode_chunks(symbols)) + sum(s for s in symbols)
    return size + (-size % 4)


@dataclass(frozen=True)
class _Segment:
    base: int  # unwrapped sequence number of the first packet reported
    reference_time: int  # in 64 ms units, not yet wrapped
    deltas: tuple[int | None, ...]


class ArrivalLog:
    """Arrivals of one connection's transport-wide sequence numbers, and the feedback due for them.

    ``record`` takes the 16-bit number from the header extension and the arrival time in
    microseconds of a monotonic clock; ``feedback`` returns the packets that report everything
    that arrived since the previous call (and any late packet that reopened an older range).
    """

    def __init__(self) -> None:
        self._arrivals: dict[int, int] = {}
        self._last16: int | None = None
        self._last_unwrapped = 0
        self._window_start: int | None = None
        self._max_seq: int | None = None
        self._count = 0
        self.packets_recorded = 0
        self.feedback_sent = 0

    def _unwrap(self, sequence: int) -> int:
        if self._last16 is None:
            unwrapped = sequence
        else:
            step = (sequence - self._last16) & 0xFFFF
            if step >= 0x8000:
                step -= 0x10000
            unwrapped = self._last_unwrapped + step
        if self._last16 is None or unwrapped > self._last_unwrapped:
            self._last16, self._last_unwrapped = sequence, unwrapped
        return unwrapped

    def record(self, sequence: int, arrival_us: int) -> None:
        if not 0 <= sequence <= 0xFFFF:
            raise ValueError("a transport-wide sequence number has 16 bits")
        seq = self._unwrap(sequence)
        if seq in self._arrivals:
            return  # only the first arrival counts
        if self._window_start is not None and seq < self._window_start:
            if self._max_seq is not None and seq < self._max_seq - HISTORY:
                return  # too late to matter to the sender's estimate
            self._window_start = seq
        self._arrivals[seq] = arrival_us
        self.packets_recorded += 1
        if self._window_start is None:
            self._window_start = seq
        if self._max_seq is None or seq > self._max_seq:
            self._max_seq = seq

    def pending(self) -> bool:
        return self._window_start is not None and self._max_seq is not None and self._window_start <= self._max_seq

    def feedback(self, sender_ssrc: int, media_ssrc: int) -> list[bytes]:
        """Feedback packets for the arrivals not yet reported (none if nothing new arrived)."""
        if not self.pending():
            return []
        assert self._window_start is not None and self._max_seq is not None
        start = max(self._window_start, self._max_seq - MAX_RANGE + 1)
        packets = []
        for segment in self._segments(start, self._max_seq):
            packets.append(encode_feedback(
                sender_ssrc=sender_ssrc, media_ssrc=media_ssrc, base_sequence=segment.base,
                reference_time=segment.reference_time, feedback_count=self._count, deltas=segment.deltas,
            ))
            self._count = (self._count + 1) & 0xFF
        self.feedback_sent += len(packets)
        self._window_start = self._max_seq + 1
        horizon = self._max_seq - HISTORY
        for seq in [s for s in self._arrivals if s < horizon]:
            del self._arrivals[seq]
        return packets

    def _segments(self, start: int, end: int) -> list[_Segment]:
        """Split [start, end] where a delta overflows 16 bits, then by size."""
        segments: list[_Segment] = []
        deltas: list[int | None] = []
        base, reference, previous = start, 0, None
        for seq in range(start, end + 1):
            arrival = self._arrivals.get(seq)
            if arrival is None:
                deltas.append(None)
                continue
            ticks = (arrival + TICK_US // 2) // TICK_US
            if previous is not None and not -0x8000 <= ticks - previous <= 0x7FFF:
                received = max(i for i, d in enumerate(deltas) if d is not None)
                segments.append(_Segment(base, reference, tuple(deltas[:received + 1])))
                base, deltas, previous = base + received + 1, deltas[received + 1:], None
            if previous is None:
                reference = arrival // REFERENCE_US
                previous = reference * (REFERENCE_US // TICK_US)
            deltas.append(ticks - previous)
            previous = ticks
        if any(d is not None for d in deltas):
            while deltas and deltas[-1] is None:
                deltas.pop()
            segments.append(_Segment(base, reference, tuple(deltas)))
        return [part for segment in segments for part in self._fit(segment)]

    def _fit(self, segment: _Segment) -> list[_Segment]:
        """Halve a segment (at a received packet) until each half fits in one feedback packet."""
        if len(segment.deltas) <= MAX_STATUS_COUNT and _encoded_size(segment.deltas) <= MAX_FEEDBACK_BYTES:
            return [segment]
        received = [i for i, d in enumerate(segment.deltas) if d is not None]
        cut = received[len(received) // 2 - 1] if len(received) > 1 else len(segment.deltas) // 2
        first = segment.deltas[:cut + 1]
        rest = list(segment.deltas[cut + 1:])
        if not any(d is not None for d in first) or not any(d is not None for d in rest):
            raise ValueError("cannot split a feedback segment without received packets")
        # The second half's first received packet is re-based on a reference of its own.
        absolute = segment.reference_time * (REFERENCE_US // TICK_US)
        for d in first:
            if d is not None:
                absolute += d
        index = next(i for i, d in enumerate(rest) if d is not None)
        arrival_ticks = absolute + rest[index]  # type: ignore[operator]
        reference = arrival_ticks * TICK_US // REFERENCE_US
        rest[index] = arrival_ticks - reference * (REFERENCE_US // TICK_US)
        return self._fit(_Segment(segment.base, segment.reference_time, tuple(first))) + self._fit(
            _Segment(segment.base + cut + 1, reference, tuple(rest)))
