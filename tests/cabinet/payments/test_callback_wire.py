"""The SANDBOX callback's wire format and the payment state machine, as properties.

The signature covers the canonical form, so what matters is: parsing the canonical form gives
back the same callback; any JSON spelling of the same fields verifies; any change of a field
does not; and no input whatsoever makes the parser fail with anything but ``callback_malformed``.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cabinet.money import Money
from cabinet.payments.errors import CallbackMalformed, CallbackSignatureInvalid, PaymentTransitionIllegal
from cabinet.payments.provider import MAX_AMOUNT, CallbackStatus
from cabinet.payments.sandbox import SIGNATURE_HEADER, SandboxCallback, SandboxPaymentProvider, parse_callback
from cabinet.payments.status import TRANSITIONS, PaymentEvent, PaymentStatus, next_status
from core.clock import FixedClock

PROVIDER = SandboxPaymentProvider(bytes(range(32)), base_url="http://127.0.0.1:8080", clock=FixedClock())

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                       timezones=st.sampled_from([UTC, timezone(timedelta(hours=5)), timezone(timedelta(hours=-3))]))


@st.composite
def callbacks(draw: st.DrawFn) -> SandboxCallback:
    status = draw(st.sampled_from(CallbackStatus))
    reason = "" if status is CallbackStatus.PAID else draw(st.text(max_size=300).filter(
        lambda text: not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)))
    return SandboxCallback(
        payment_id=draw(st.text("0123456789abcdef", min_size=32, max_size=32)),
        status=status,
        amount=Money(draw(st.integers(1, MAX_AMOUNT.tiyn))),
        transaction_id=draw(st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_\-]{0,99}\Z")),
        sent_at=draw(moments),
        reason=reason,
    )


@given(callbacks())
def test_the_canonical_form_parses_back_to_the_same_callback(callback: SandboxCallback) -> None:
    parsed = parse_callback(callback.canonical())
    assert parsed.canonical() == callback.canonical()
    assert parsed.to_event() == callback.to_event()


@given(callbacks(), st.randoms(use_true_random=False), st.sampled_from([None, 2]), st.booleans())
def test_any_json_spelling_of_the_same_fields_verifies(callback: SandboxCallback, rng: object, indent: int | None,
                                                       ascii_only: bool) -> None:
    fields = list(json.loads(callback.canonical()).items())
    rng.shuffle(fields)  # type: ignore[attr-defined]
    body = json.dumps(dict(fields), indent=indent, ensure_ascii=ascii_only).encode()
    event = PROVIDER.verify_callback(body, {SIGNATURE_HEADER: PROVIDER.sign(callback)})
    assert event == callback.to_event()


@given(callbacks(), st.sampled_from(["payment_id", "amount", "transaction_id", "status", "sent_at"]))
def test_changing_any_signed_field_breaks_the_signature(callback: SandboxCallback, field: str) -> None:
    changed = {
        "payment_id": lambda c: replace(c, payment_id=("1" if c.payment_id[0] != "1" else "2") + c.payment_id[1:]),
        "amount": lambda c: replace(c, amount=Money(c.amount.tiyn % MAX_AMOUNT.tiyn + 1)),
        "transaction_id": lambda c: replace(c, transaction_id=c.transaction_id + "0"
                                            if len(c.transaction_id) < 100 else "X"),
        "status": lambda c: replace(c, status=CallbackStatus.FAILED, reason="x")
        if c.status is CallbackStatus.PAID else replace(c, status=CallbackStatus.PAID, reason=""),
        "sent_at": lambda c: replace(c, sent_at=c.sent_at + timedelta(microseconds=1)),
    }[field](callback)
    with pytest.raises(CallbackSignatureInvalid):
        PROVIDER.verify_callback(changed.canonical(), {SIGNATURE_HEADER: PROVIDER.sign(callback)})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
    | st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=5)), timezone(timedelta(hours=-5))]))
    .map(datetime.isoformat),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300)
@given(st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda value: json.dumps(value).encode()),
    callbacks().flatmap(lambda c: st.dictionaries(
        st.sampled_from(sorted(json.loads(c.canonical()))), json_values, max_size=3).map(
        lambda overrides: json.dumps({**json.loads(c.canonical()), **overrides}).encode())),
))
def test_no_input_makes_the_parser_fail_other_than_malformed(body: bytes) -> None:
    try:
        callback = parse_callback(body)
    except CallbackMalformed as refused:
        assert refused.code == "callback_malformed" and refused.message
    else:
        assert parse_callback(callback.canonical()) == callback


def test_duplicate_keys_are_refused_not_resolved() -> None:
    callback = SandboxCallback("a" * 32, CallbackStatus.PAID, Money(100), "T1", datetime(2026, 1, 1, tzinfo=UTC))
    body = callback.canonical()[:-1] + b',"amount_tiyn":1}'
    with pytest.raises(CallbackMalformed, match="twice"):
        parse_callback(body)


@pytest.mark.parametrize("override", [{"amount_tiyn": True}, {"amount_tiyn": 100.0}, {"amount_tiyn": "100"},
                                      {"amount_tiyn": 0}, {"currency": "USD"}, {"status": "PAID"},
                                      {"sent_at": "2026-01-01T00:00:00"}, {"sent_at": "0001-01-01T00:00:00+05:00"},
                                      {"sent_at": "9999-12-31T23:59:59-05:00"}, {"reason": "paid but why"},
                                      {"payment_id": "A" * 32}, {"transaction_id": "-x"}])
def test_each_field_is_strictly_typed(override: dict[str, object]) -> None:
    callback = SandboxCallback("a" * 32, CallbackStatus.PAID, Money(100), "T1", datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(CallbackMalformed):
        parse_callback(json.dumps({**json.loads(callback.canonical()), **override}).encode())


@given(st.lists(st.sampled_from(PaymentEvent), max_size=6))
def test_the_state_machine_only_moves_forward_along_its_table(events: list[PaymentEvent]) -> None:
    status = PaymentStatus.PENDING
    seen = [status]
    for event in events:
        if (status, event) in TRANSITIONS:
            status = next_status(status, event)
            seen.append(status)
        else:
            with pytest.raises(PaymentTransitionIllegal):
                next_status(status, event)
    assert len(seen) == len(set(seen))  # never back to an earlier status
    assert PaymentStatus.FAILED not in seen or PaymentStatus.PAID not in seen
