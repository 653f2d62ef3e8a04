"""Who enters a hearing, and how — every role, every refusal code."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from sessions.admission import (
    AdmissionDecision,
    AdmissionGrant,
    Identity,
    RefusalCode,
    StaffRole,
    decide_admission,
)
from sessions.errors import AdmissionRefused, InvalidHearing, NotAuthenticated
from sessions.hearings import HearingPlan, HearingRole
from sessions.lifecycle import HearingState

USER_OF_ROLE = {
    HearingRole.JUDGE: "u-judge",
    HearingRole.CLERK: "u-clerk",
    HearingRole.PLAINTIFF: "u-plaintiff",
    HearingRole.DEFENDANT: "u-defendant",
    HearingRole.REPRESENTATIVE: "u-lawyer",
    HearingRole.PROSECUTOR: "u-prosecutor",
    HearingRole.WITNESS: "u-witness",
    HearingRole.EXPERT: "u-expert",
    HearingRole.INTERPRETER: "u-interpreter",
    HearingRole.OBSERVER: "u-observer",
}
STAFF = {HearingRole.JUDGE: StaffRole.JUDGE, HearingRole.CLERK: StaffRole.CLERK}
WAITING = AdmissionDecision.WAIT_IN_WAITING_ROOM


def eds(role: HearingRole) -> Identity:
    staff = frozenset({STAFF[role]}) if role in STAFF else frozenset()
    return Identity(USER_OF_ROLE[role], eds_authenticated=True, staff_roles=staff)


def refusal(call: Callable[[], AdmissionGrant]) -> AdmissionRefused:
    with pytest.raises(AdmissionRefused) as caught:
        call()
    return caught.value


EXPECTED = {
    HearingRole.JUDGE: AdmissionDecision.ENTER_DIRECTLY,
    HearingRole.CLERK: AdmissionDecision.ENTER_DIRECTLY,
    HearingRole.PLAINTIFF: WAITING,
    HearingRole.DEFENDANT: WAITING,
    HearingRole.REPRESENTATIVE: WAITING,
    HearingRole.PROSECUTOR: WAITING,
    HearingRole.WITNESS: WAITING,
    HearingRole.EXPERT: WAITING,
    HearingRole.INTERPRETER: WAITING,
    HearingRole.OBSERVER: AdmissionDecision.OBSERVER_VIEW_ONLY,
}


@pytest.mark.parametrize("role", list(HearingRole))
def test_every_role_enters_its_own_way(plan: HearingPlan, role: HearingRole) -> None:
    admission = decide_admission(eds(role), plan, HearingState.LOBBY_OPEN, plan.start)
    assert admission == AdmissionGrant(USER_OF_ROLE[role], role, EXPECTED[role])
    assert admission.may_publish is (role is not HearingRole.OBSERVER)
    assert admission.waits is (EXPECTED[role] is WAITING)


@pytest.mark.parametrize("role", list(HearingRole))
def test_with_auto_admit_everybody_but_the_witness_skips_the_waiting_room(
    make_plan: Callable[..., HearingPlan], role: HearingRole
) -> None:
    plan = make_plan(auto_admit=True)
    decision = decide_admission(eds(role), plan, HearingState.IN_SESSION, plan.start).decision
    if role is HearingRole.WITNESS:
        assert decision is WAITING
    elif EXPECTED[role] is WAITING:
        assert decision is AdmissionDecision.AUTO_ADMITTED
    else:
        assert decision is EXPECTED[role]


def test_the_public_watches_an_open_hearing_without_being_seen_or_heard(
    make_plan: Callable[..., HearingPlan],
) -> None:
    plan = make_plan(is_open=True)
    for identity in (Identity("u-journalist", eds_authenticated=True), Identity("u-journalist")):
        admission = decide_admission(identity, plan, HearingState.IN_SESSION, plan.start)
        assert admission.decision is AdmissionDecision.OBSERVER_VIEW_ONLY
        assert admission.role is HearingRole.OBSERVER and not admission.may_publish


def test_unauthenticated_nobody_joins_anonymously(make_plan: Callable[..., HearingPlan]) -> None:
    plan = make_plan(is_open=True)
    error = refusal(lambda: decide_admission(Identity.anonymous(), plan, HearingState.IN_SESSION, plan.start))
    assert error.code == RefusalCode.UNAUTHENTICATED == "unauthenticated"
    assert isinstance(error, NotAuthenticated) and error.status == 401


@pytest.mark.parametrize("role", list(HearingRole))
def test_unauthenticated_participants_must_have_logged_in_with_eds(plan: HearingPlan, role: HearingRole) -> None:
    identity = Identity(USER_OF_ROLE[role], eds_authenticated=False, staff_roles=eds(role).staff_roles)
    error = refusal(lambda: decide_admission(identity, plan, HearingState.IN_SESSION, plan.start))
    assert error.code == "unauthenticated"


def test_not_a_participant_of_a_closed_hearing(plan: HearingPlan) -> None:
    stranger = Identity("u-stranger", eds_authenticated=True, staff_roles=frozenset({StaffRole.JUDGE}))
    error = refusal(lambda: decide_admission(stranger, plan, HearingState.IN_SESSION, plan.start))
    assert (error.code, error.status, error.details) == ("not_a_participant", 403, {"user_id": "u-stranger"})


def test_not_a_participant_wins_over_timing_so_closed_hearings_reveal_nothing(plan: HearingPlan) -> None:
    stranger = Identity("u-stranger", eds_authenticated=True)
    error = refusal(lambda: decide_admission(stranger, plan, HearingState.CLOSED, plan.end))
    assert error.code == "not_a_participant"


@pytest.mark.parametrize("role", list(HearingRole))
def test_hearing_not_open_before_the_lobby_opens_for_anyone(plan: HearingPlan, role: HearingRole) -> None:
    too_early = plan.lobby_opens_at - timedelta(seconds=1)
    error = refusal(lambda: decide_admission(eds(role), plan, HearingState.SCHEDULED, too_early))
    assert error.code == "hearing_not_open"
    assert error.details == {"opens_at": plan.lobby_opens_at.isoformat()}
    assert "09:45 UTC" in error.message


def test_the_lobby_opens_on_the_clock_even_before_anyone_records_it(plan: HearingPlan) -> None:
    admission = decide_admission(eds(HearingRole.PLAINTIFF), plan, HearingState.SCHEDULED, plan.lobby_opens_at)
    assert admission.decision is WAITING


def test_a_lobby_opened_early_by_the_clerk_admits_early(plan: HearingPlan) -> None:
    early = plan.lobby_opens_at - timedelta(hours=1)
    assert decide_admission(eds(HearingRole.PLAINTIFF), plan, HearingState.LOBBY_OPEN, early).decision is WAITING


@pytest.mark.parametrize("state", [HearingState.CLOSED, HearingState.CANCELLED, HearingState.ADJOURNED])
@pytest.mark.parametrize("role", list(HearingRole))
def test_hearing_closed_after_close_cancel_or_adjournment(
    plan: HearingPlan, state: HearingState, role: HearingRole
) -> None:
    error = refusal(lambda: decide_admission(eds(role), plan, state, plan.start))
    assert (error.code, error.details) == ("hearing_closed", {"state": state.value})


@pytest.mark.parametrize("state", [HearingState.IN_SESSION, HearingState.PAUSED, HearingState.SUSPENDED])
def test_people_may_join_a_running_paused_or_suspended_hearing(plan: HearingPlan, state: HearingState) -> None:
    assert decide_admission(eds(HearingRole.WITNESS), plan, state, plan.end).decision is WAITING


@pytest.mark.parametrize("role", [HearingRole.JUDGE, HearingRole.CLERK])
def test_staff_role_required_for_the_bench(plan: HearingPlan, role: HearingRole) -> None:
    not_staff = Identity(USER_OF_ROLE[role], eds_authenticated=True)
    error = refusal(lambda: decide_admission(not_staff, plan, HearingState.IN_SESSION, plan.start))
    assert error.code == "staff_role_required" and error.details["role"] == role.value
    wrong_staff = Identity(USER_OF_ROLE[role], True, frozenset(set(StaffRole) - {STAFF[role]}))
    assert refusal(lambda: decide_admission(wrong_staff, plan, HearingState.IN_SESSION, plan.start)).code == (
        "staff_role_required"
    )


def test_every_refusal_code_is_exercised() -> None:
    assert {c.value for c in RefusalCode} == {
        "unauthenticated", "not_a_participant", "hearing_not_open", "hearing_closed", "staff_role_required",
    }


def test_identities_are_consistent() -> None:
    with pytest.raises(InvalidHearing):
        Identity(None, eds_authenticated=True)
    with pytest.raises(InvalidHearing):
        Identity("  ")
    assert Identity("u", True, frozenset({"clerk"})).staff_roles == {StaffRole.CLERK}  # type: ignore[arg-type]


def test_a_naive_now_is_refused(plan: HearingPlan) -> None:
    with pytest.raises(InvalidHearing):
        decide_admission(eds(HearingRole.JUDGE), plan, HearingState.IN_SESSION, plan.start.replace(tzinfo=None))
