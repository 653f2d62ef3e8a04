"""A slot is refused when a judge, a courtroom or a lawyer would be in two places at once,
and the refusal says exactly what clashes with which hearing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sessions.errors import InvalidHearing, ScheduleConflict
from sessions.hearings import HearingPlan, HearingRole
from sessions.lifecycle import HearingState
from sessions.scheduling import Booking, ClashKind, ensure_free, find_clashes

T = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def booking(
    hearing_id: str,
    start: datetime = T,
    end: datetime | None = None,
    *,
    room: str = "room-1",
    people: dict[str, HearingRole] | None = None,
    state: HearingState = HearingState.SCHEDULED,
) -> Booking:
    return Booking(
        hearing_id, f"case-{hearing_id}", room, start, end or start + HOUR,
        people if people is not None else {f"judge-{hearing_id}": HearingRole.JUDGE}, state,
    )


def conflict(proposed: Booking, booked: list[Booking], buffer: timedelta = timedelta(0)) -> ScheduleConflict:
    with pytest.raises(ScheduleConflict) as caught:
        ensure_free(proposed, booked, buffer)
    return caught.value


def test_a_free_slot_passes() -> None:
    ensure_free(booking("new"), [booking("a", room="room-2"), booking("b", T + HOUR)])
    assert find_clashes(booking("new"), []) == []


def test_the_judge_already_sitting_elsewhere_is_named() -> None:
    proposed = booking("new", room="room-1", people={"j1": HearingRole.JUDGE})
    other = booking("other", T + timedelta(minutes=30), room="room-9", people={"j1": HearingRole.JUDGE})
    error = conflict(proposed, [other])
    assert (error.code, error.status) == ("schedule_conflict", 409)
    assert error.details == {
        "hearing_id": "new",
        "conflicts": [
            {
                "kind": "judge",
                "hearing_id": "other",
                "case_id": "case-other",
                "start": "2026-01-15T10:30:00+00:00",
                "end": "2026-01-15T11:30:00+00:00",
                "user_id": "j1",
                "role_there": "judge",
            }
        ],
    }
    assert "the judge j1 is already booked for case case-other (hearing other)" in error.message


def test_a_busy_courtroom_is_named() -> None:
    error = conflict(booking("new", room="room-3"), [booking("other", T - timedelta(minutes=30), room="room-3")])
    assert [(c["kind"], c["courtroom_id"], c["hearing_id"]) for c in error.details["conflicts"]] == [
        ("courtroom", "room-3", "other")
    ]
    assert "courtroom room-3 is already booked" in error.message


@pytest.mark.parametrize(
    ("role_here", "role_there", "kind"),
    [
        (HearingRole.REPRESENTATIVE, HearingRole.REPRESENTATIVE, ClashKind.REPRESENTATIVE),
        (HearingRole.REPRESENTATIVE, HearingRole.PROSECUTOR, ClashKind.REPRESENTATIVE),
        (HearingRole.PROSECUTOR, HearingRole.PROSECUTOR, ClashKind.PROSECUTOR),
        (HearingRole.CLERK, HearingRole.CLERK, ClashKind.CLERK),
    ],
)
def test_a_lawyer_booked_elsewhere_is_named(role_here: HearingRole, role_there: HearingRole, kind: ClashKind) -> None:
    proposed = booking("new", room="room-1", people={"j1": HearingRole.JUDGE, "pro": role_here})
    other = booking("other", room="room-2", people={"j2": HearingRole.JUDGE, "pro": role_there})
    (clash,) = conflict(proposed, [other]).details["conflicts"]
    assert (clash["kind"], clash["user_id"], clash["role_there"], clash["hearing_id"]) == (
        kind.value, "pro", role_there.value, "other",
    )


def test_every_clash_is_reported_in_a_stable_order() -> None:
    proposed = booking("new", people={"j1": HearingRole.JUDGE, "lawyer": HearingRole.REPRESENTATIVE})
    first = booking("a", T - timedelta(minutes=30), people={"j1": HearingRole.JUDGE})
    second = booking("b", T + timedelta(minutes=30), room="room-2", people={"lawyer": HearingRole.REPRESENTATIVE})
    kinds = [(c["hearing_id"], c["kind"]) for c in conflict(proposed, [second, first]).details["conflicts"]]
    assert kinds == [("a", "judge"), ("a", "courtroom"), ("b", "representative")]


def test_rescheduling_a_hearing_never_clashes_with_itself() -> None:
    current = booking("h", people={"j1": HearingRole.JUDGE})
    moved = booking("h", T + timedelta(minutes=30), people={"j1": HearingRole.JUDGE})
    ensure_free(moved, [current])


@pytest.mark.parametrize("state", [HearingState.CANCELLED, HearingState.CLOSED, HearingState.ADJOURNED])
def test_finished_hearings_free_their_slot(state: HearingState) -> None:
    ensure_free(booking("new", people={"j": HearingRole.JUDGE}), [booking("old", people={"j": HearingRole.JUDGE},
                                                                          state=state)])


@pytest.mark.parametrize("state", [HearingState.SCHEDULED, HearingState.LOBBY_OPEN, HearingState.IN_SESSION,
                                   HearingState.PAUSED, HearingState.SUSPENDED])
def test_live_hearings_hold_their_slot(state: HearingState) -> None:
    with pytest.raises(ScheduleConflict):
        ensure_free(booking("new"), [booking("old", state=state)])


def test_back_to_back_is_fine_unless_the_court_wants_a_buffer() -> None:
    after = booking("new", T + HOUR)
    ensure_free(after, [booking("before")])
    error = conflict(after, [booking("before")], buffer=timedelta(minutes=15))
    assert error.details["conflicts"][0]["kind"] == "courtroom"
    ensure_free(booking("new", T + HOUR + timedelta(minutes=15)), [booking("before")], timedelta(minutes=15))
    with pytest.raises(InvalidHearing):
        ensure_free(after, [], buffer=-timedelta(minutes=1))


def test_parties_and_witnesses_do_not_block_a_booking(make_plan: Callable[..., HearingPlan]) -> None:
    plan = make_plan()
    proposed = Booking.of("new", plan)
    assert set(proposed.people) == {"u-judge", "u-clerk", "u-lawyer", "u-prosecutor"}
    other = booking("other", plan.start, room="room-x", people={"u-plaintiff": HearingRole.JUDGE})
    ensure_free(proposed, [other])


def test_bookings_refuse_nonsense() -> None:
    with pytest.raises(InvalidHearing):
        booking("x", T, T)
    with pytest.raises(InvalidHearing):
        Booking("x", "c", "r", T.replace(tzinfo=None), T + HOUR)
    with pytest.raises(InvalidHearing):
        Booking("", "c", "r", T, T + HOUR)


minutes = st.integers(min_value=0, max_value=24 * 60)


@given(a=minutes, a_len=st.integers(1, 600), b=minutes, b_len=st.integers(1, 600), buf=st.integers(0, 120))
def test_overlap_is_symmetric_and_matches_the_arithmetic(a: int, a_len: int, b: int, b_len: int, buf: int) -> None:
    first = booking("a", T + timedelta(minutes=a), T + timedelta(minutes=a + a_len))
    second = booking("b", T + timedelta(minutes=b), T + timedelta(minutes=b + b_len))
    buffer = timedelta(minutes=buf)
    expected = a < b + b_len + buf and b < a + a_len + buf
    assert first.overlaps(second, buffer) == second.overlaps(first, buffer) == expected
    assert bool(find_clashes(first, [second], buffer)) == expected
