"""Scheduling refusals in detail: the buffer's bounds, each bad booking field named, the exact
words a clerk reads, and the order of many clashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sessions.errors import InvalidHearing, ScheduleConflict
from sessions.hearings import HearingRole
from sessions.lifecycle import HearingState
from sessions.scheduling import MAX_BUFFER, Booking, ensure_free, find_clashes
from tests.sessions.conftest import build_plan

T = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _field(step) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidHearing) as refused:
        step()
    return refused.value.details["field"]


def test_the_buffer_lies_between_nothing_and_four_hours() -> None:
    assert MAX_BUFFER == timedelta(hours=4)
    here = Booking("new", "c-new", "room-1", T, T + HOUR)
    there = Booking("old", "c-old", "room-1", T - 6 * HOUR, T - 5 * HOUR)
    ensure_free(here, [there], timedelta(hours=4))
    ensure_free(here, [there], timedelta(0))
    assert _field(lambda: find_clashes(here, [], timedelta(hours=4, seconds=1))) == "buffer"
    assert _field(lambda: find_clashes(here, [], -timedelta(seconds=1))) == "buffer"
    assert _field(lambda: find_clashes(here, [], 60)) == "buffer"  # type: ignore[arg-type]
    later = Booking("late", "c-late", "room-1", T + 5 * HOUR - timedelta(minutes=1), T + 6 * HOUR)
    assert [c.hearing_id for c in find_clashes(later, [here], MAX_BUFFER)] == ["new"]


def test_each_bad_booking_field_is_named() -> None:
    assert _field(lambda: Booking("", "c", "r", T, T + HOUR)) == "hearing_id"
    assert _field(lambda: Booking("h", " ", "r", T, T + HOUR)) == "case_id"
    assert _field(lambda: Booking("h", "c", None, T, T + HOUR)) == "courtroom_id"  # type: ignore[arg-type]
    assert _field(lambda: Booking("h", "c", "r", T.replace(tzinfo=None), T + HOUR)) == "start"
    assert _field(lambda: Booking("h", "c", "r", T, (T + HOUR).replace(tzinfo=None))) == "end"
    assert _field(lambda: Booking("h", "c", "r", T, T - HOUR)) == "end"


def test_a_booking_reads_roles_and_states_given_as_text() -> None:
    booking = Booking("h", "c", "r", T, T + HOUR, {"u": "judge"}, "cancelled")  # type: ignore[dict-item, arg-type]
    assert booking.people == {"u": HearingRole.JUDGE} and booking.state is HearingState.CANCELLED
    assert not booking.blocks
    assert Booking("h", "c", "r", T, T + HOUR).blocks


def test_a_planned_hearing_books_its_slot_in_its_state() -> None:
    plan = build_plan()
    booking = Booking.of("h-9", plan, HearingState.IN_SESSION)
    assert (booking.hearing_id, booking.case_id, booking.courtroom_id) == ("h-9", plan.case_id, plan.courtroom_id)
    assert (booking.start, booking.end, booking.state) == (plan.start, plan.end, HearingState.IN_SESSION)
    assert booking.people == {"u-judge": HearingRole.JUDGE, "u-clerk": HearingRole.CLERK,
                              "u-lawyer": HearingRole.REPRESENTATIVE, "u-prosecutor": HearingRole.PROSECUTOR}
    assert Booking.of("h-9", plan).state is HearingState.SCHEDULED


def test_the_clerk_reads_every_clash_in_words_in_order() -> None:
    people = {"j1": HearingRole.JUDGE, "adv-b": HearingRole.REPRESENTATIVE, "adv-a": HearingRole.REPRESENTATIVE}
    proposed = Booking("new", "c-new", "room-1", T, T + 2 * HOUR, people)
    early = Booking("e", "c-e", "room-1", T - timedelta(minutes=30), T + timedelta(minutes=30),
                    {"adv-b": HearingRole.PROSECUTOR, "adv-a": HearingRole.REPRESENTATIVE})
    late_z = Booking("z", "c-z", "room-2", T + HOUR, T + 2 * HOUR, {"j1": HearingRole.JUDGE})
    late_y = Booking("y", "c-y", "room-1", T + HOUR, T + 2 * HOUR, {})
    with pytest.raises(ScheduleConflict) as refused:
        ensure_free(proposed, [late_z, late_y, early])
    order = [(c["hearing_id"], c["kind"], c.get("user_id")) for c in refused.value.details["conflicts"]]
    assert order == [
        ("e", "courtroom", None), ("e", "representative", "adv-a"), ("e", "representative", "adv-b"),
        ("y", "courtroom", None), ("z", "judge", "j1"),
    ]
    assert refused.value.message == "; ".join([
        "courtroom room-1 is already booked for case c-e (hearing e) at 2026-01-15 09:30–10:30 UTC",
        "the representative adv-a is already booked for case c-e (hearing e) at 2026-01-15 09:30–10:30 UTC",
        "the representative adv-b is already booked for case c-e (hearing e) at 2026-01-15 09:30–10:30 UTC",
        "courtroom room-1 is already booked for case c-y (hearing y) at 2026-01-15 11:00–12:00 UTC",
        "the judge j1 is already booked for case c-z (hearing z) at 2026-01-15 11:00–12:00 UTC",
    ])
    assert refused.value.details["hearing_id"] == "new"
    courtroom = refused.value.details["conflicts"][0]
    assert courtroom == {"kind": "courtroom", "hearing_id": "e", "case_id": "c-e", "start": "2026-01-15T09:30:00+00:00",
                         "end": "2026-01-15T10:30:00+00:00", "courtroom_id": "room-1"}


def _refusal(step) -> InvalidHearing:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidHearing) as refused:
        step()
    return refused.value


def test_the_words_of_each_booking_refusal() -> None:
    for blank in ("hearing_id", "case_id", "courtroom_id"):
        values = {"hearing_id": "h", "case_id": "c", "courtroom_id": "r", blank: "  "}
        assert _refusal(lambda values=values: Booking(**values, start=T, end=T + HOUR)).message == (
            f"{blank} must not be empty")
    for end in (T, T - HOUR):
        backwards = _refusal(lambda end=end: Booking("h", "c", "r", T, end))
        assert (backwards.message, backwards.details) == ("a booking ends after it starts", {"field": "end"})
    buffer = _refusal(lambda: find_clashes(Booking("h", "c", "r", T, T + HOUR), [], MAX_BUFFER + HOUR))
    assert (buffer.message, buffer.details) == ("the buffer lies between 0 and 4:00:00", {"field": "buffer"})


def test_a_booking_keeps_its_times_in_utc_and_its_people_read_only() -> None:
    """Bookings come from forms in Almaty time and from the store in UTC; clashes and their texts are
    in UTC whatever was given, and the people a booking ties up cannot change under it."""
    almaty = timezone(timedelta(hours=5))
    given = {"u": "judge"}
    booking = Booking("h", "c", "r", T.astimezone(almaty), (T + HOUR).astimezone(almaty), given)  # type: ignore[arg-type]
    assert (booking.start.tzinfo, booking.end.tzinfo) == (UTC, UTC)
    assert (booking.start.isoformat(), booking.end.isoformat()) == (T.isoformat(), (T + HOUR).isoformat())
    assert type(booking.people["u"]) is HearingRole
    given["v"] = "clerk"
    assert list(booking.people) == ["u"]
    with pytest.raises(TypeError):
        booking.people["w"] = HearingRole.CLERK  # type: ignore[index]


def test_a_booking_passed_over_does_not_hide_the_clashes_after_it() -> None:
    """The hearing itself (a reschedule), a closed one and one far away are passed over; the next
    booking is still checked."""
    proposed = Booking("h", "c", "room-1", T, T + HOUR)
    passed_over = [Booking("h", "c", "room-1", T, T + HOUR),
                   Booking("done", "c-2", "room-1", T, T + HOUR, state=HearingState.CLOSED),
                   Booking("far", "c-3", "room-1", T + 9 * HOUR, T + 10 * HOUR)]
    clash = Booking("busy", "c-4", "room-1", T, T + HOUR)
    for skipped in passed_over:
        assert [c.hearing_id for c in find_clashes(proposed, [skipped, clash])] == ["busy"]
