"""A hearing plan is valid by construction: one judge, real people, aware times, sane durations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from sessions.errors import InvalidHearing
from sessions.hearings import (
    MAX_DURATION,
    MAX_LOBBY_LEAD_TIME,
    MIN_DURATION,
    HearingFormat,
    HearingPlan,
    HearingRole,
    Participant,
)

JUDGE_ONLY = (Participant("j", HearingRole.JUDGE, "Judge"),)
ALMATY = timezone(timedelta(hours=5))


def invalid(field: str) -> Callable[[InvalidHearing], bool]:
    return lambda e: e.code == "invalid_hearing" and e.details.get("field") == field


def test_a_plan_knows_its_end_lobby_time_and_judge(plan: HearingPlan) -> None:
    assert plan.end - plan.start == timedelta(hours=1)
    assert plan.lobby_opens_at == plan.start - timedelta(minutes=15)
    assert plan.judge.user_id == "u-judge"
    witness = plan.participant("u-witness")
    assert witness is not None and witness.role is HearingRole.WITNESS
    assert plan.participant("nobody") is None
    assert plan.participant(None) is None
    assert [p.user_id for p in plan.with_role(HearingRole.JUDGE, HearingRole.CLERK)] == ["u-judge", "u-clerk"]


def test_times_in_any_zone_are_kept_in_utc(make_plan: Callable[..., HearingPlan]) -> None:
    local = datetime(2026, 1, 15, 15, 0, tzinfo=ALMATY)
    plan = make_plan(start=local)
    assert plan.start.utcoffset() == timedelta(0)
    assert plan.start == local


def test_a_naive_start_is_refused(make_plan: Callable[..., HearingPlan]) -> None:
    with pytest.raises(InvalidHearing) as caught:
        make_plan(start=datetime(2026, 1, 15, 10, 0))
    assert invalid("start")(caught.value)
    assert caught.value.status == 400


@pytest.mark.parametrize("duration", [MIN_DURATION, timedelta(hours=3), MAX_DURATION])
def test_durations_within_bounds_are_accepted(make_plan: Callable[..., HearingPlan], duration: timedelta) -> None:
    assert make_plan(duration=duration).duration == duration


@pytest.mark.parametrize(
    "duration", [timedelta(0), MIN_DURATION - timedelta(seconds=1), MAX_DURATION + timedelta(seconds=1), -MIN_DURATION]
)
def test_durations_out_of_bounds_are_refused(make_plan: Callable[..., HearingPlan], duration: timedelta) -> None:
    with pytest.raises(InvalidHearing) as caught:
        make_plan(duration=duration)
    assert invalid("duration")(caught.value)


@pytest.mark.parametrize("lead", [timedelta(0), MAX_LOBBY_LEAD_TIME])
def test_lobby_lead_time_may_be_zero_or_up_to_the_maximum(
    make_plan: Callable[..., HearingPlan], lead: timedelta
) -> None:
    assert make_plan(lobby_lead_time=lead).lobby_opens_at == make_plan().start - lead


@pytest.mark.parametrize("lead", [-timedelta(minutes=1), MAX_LOBBY_LEAD_TIME + timedelta(minutes=1)])
def test_lobby_lead_time_out_of_bounds_is_refused(make_plan: Callable[..., HearingPlan], lead: timedelta) -> None:
    with pytest.raises(InvalidHearing) as caught:
        make_plan(lobby_lead_time=lead)
    assert invalid("lobby_lead_time")(caught.value)


def test_a_hearing_without_a_judge_is_refused(make_plan: Callable[..., HearingPlan]) -> None:
    with pytest.raises(InvalidHearing) as caught:
        make_plan(participants=(Participant("p", HearingRole.PLAINTIFF, "P"),))
    assert caught.value.details["judges"] == 0


def test_a_hearing_with_two_judges_is_refused(make_plan: Callable[..., HearingPlan]) -> None:
    with pytest.raises(InvalidHearing) as caught:
        make_plan(participants=(*JUDGE_ONLY, Participant("j2", HearingRole.JUDGE, "Second")))
    assert caught.value.details["judges"] == 2


def test_one_user_takes_part_in_one_capacity_only(make_plan: Callable[..., HearingPlan]) -> None:
    with pytest.raises(InvalidHearing) as caught:
        make_plan(participants=(*JUDGE_ONLY, Participant("j", HearingRole.WITNESS, "Judge again")))
    assert caught.value.details["user_id"] == "j"


def test_representative_and_interpreter_act_for_listed_people(make_plan: Callable[..., HearingPlan]) -> None:
    plan = make_plan(
        participants=(
            *JUDGE_ONLY,
            Participant("w", HearingRole.WITNESS, "Witness"),
            Participant("i", HearingRole.INTERPRETER, "Interpreter", represents="w"),
            Participant("r", HearingRole.REPRESENTATIVE, "Lawyer", represents="w"),
        )
    )
    interpreter = plan.participant("i")
    assert interpreter is not None and interpreter.represents == "w"


def test_a_representative_of_somebody_not_listed_is_refused(make_plan: Callable[..., HearingPlan]) -> None:
    with pytest.raises(InvalidHearing) as caught:
        make_plan(participants=(*JUDGE_ONLY, Participant("r", HearingRole.REPRESENTATIVE, "Lawyer", represents="x")))
    assert invalid("represents")(caught.value)


def test_nobody_represents_the_judge(make_plan: Callable[..., HearingPlan]) -> None:
    with pytest.raises(InvalidHearing):
        make_plan(participants=(*JUDGE_ONLY, Participant("r", HearingRole.REPRESENTATIVE, "Lawyer", represents="j")))
    with pytest.raises(InvalidHearing):
        make_plan(participants=(*JUDGE_ONLY, Participant("i", HearingRole.INTERPRETER, "Int", represents="j")))


NON_REPRESENTING = [r for r in HearingRole if r not in (HearingRole.REPRESENTATIVE, HearingRole.INTERPRETER)]


@pytest.mark.parametrize("role", NON_REPRESENTING)
def test_only_representatives_and_interpreters_represent(role: HearingRole) -> None:
    with pytest.raises(InvalidHearing) as caught:
        Participant("x", role, "Someone", represents="y")
    assert invalid("represents")(caught.value)


def test_nobody_represents_themselves() -> None:
    with pytest.raises(InvalidHearing):
        Participant("x", HearingRole.REPRESENTATIVE, "Self", represents="x")


@pytest.mark.parametrize("name", ["", "   ", "Bad\nName", "x" * 201])
def test_display_names_must_be_printable_and_present(name: str) -> None:
    with pytest.raises(InvalidHearing) as caught:
        Participant("x", HearingRole.PLAINTIFF, name)
    assert invalid("display_name")(caught.value)


def test_roles_and_formats_given_as_text_become_enums(make_plan: Callable[..., HearingPlan]) -> None:
    person = Participant(" u1 ", "witness", " Olga ")  # type: ignore[arg-type]
    assert person.role is HearingRole.WITNESS and person.user_id == "u1" and person.display_name == "Olga"
    assert make_plan(format="mixed").format is HearingFormat.MIXED
    with pytest.raises(InvalidHearing):
        Participant("u1", "bailiff", "X")  # type: ignore[arg-type]
    with pytest.raises(InvalidHearing):
        make_plan(format="telepathy")


def test_publicity_and_auto_admit_are_strict_booleans(make_plan: Callable[..., HearingPlan]) -> None:
    with pytest.raises(InvalidHearing):
        make_plan(is_open="yes")
    with pytest.raises(InvalidHearing):
        make_plan(auto_admit=1)


def test_rescheduling_validates_the_new_slot(plan: HearingPlan) -> None:
    moved = plan.rescheduled(plan.start + timedelta(days=1), timedelta(minutes=90))
    assert moved.start == plan.start + timedelta(days=1) and moved.duration == timedelta(minutes=90)
    assert moved.participants == plan.participants
    with pytest.raises(InvalidHearing):
        plan.rescheduled(datetime(2026, 2, 1, 10, 0))


def test_role_properties_drive_the_other_rules() -> None:
    assert {r for r in HearingRole if r.is_staff} == {HearingRole.JUDGE, HearingRole.CLERK}
    assert {r for r in HearingRole if not r.may_publish} == {HearingRole.OBSERVER}
    assert {r for r in HearingRole if r.waits_to_be_called} == {HearingRole.WITNESS}
    assert not HearingFormat.IN_COURTROOM.has_remote_link and HearingFormat.MIXED.has_remote_link
