"""What somebody turned away at a hearing's door reads, and the exact instant the door opens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sessions.admission import AdmissionDecision, AdmissionGrant, Identity, StaffRole, decide_admission
from sessions.errors import AdmissionRefused, InvalidHearing, NotAuthenticated
from sessions.hearings import HearingPlan, HearingRole
from sessions.lifecycle import HearingState
from tests.sessions.conftest import CLERK, JUDGE, OBSERVER, PLAINTIFF, STRANGER, build_plan


def refused(identity: Identity, plan: HearingPlan, state: HearingState, when_offset: timedelta) -> AdmissionRefused:
    with pytest.raises(AdmissionRefused) as caught:
        decide_admission(identity, plan, state, plan.start + when_offset)
    return caught.value


def test_each_refusal_in_words() -> None:
    plan = build_plan()
    anonymous = refused(Identity.anonymous(), plan, HearingState.IN_SESSION, timedelta(0))
    assert isinstance(anonymous, NotAuthenticated)
    assert (anonymous.code, anonymous.details) == ("unauthenticated", {})
    assert anonymous.message == "log in with your electronic digital signature to join"
    outsider = refused(Identity(STRANGER, True), plan, HearingState.IN_SESSION, timedelta(0))
    assert (outsider.code, outsider.details) == ("not_a_participant", {"user_id": STRANGER})
    assert outsider.message == "this hearing is closed to the public and you are not listed as a participant"
    no_eds = refused(Identity(PLAINTIFF), plan, HearingState.IN_SESSION, timedelta(0))
    assert isinstance(no_eds, NotAuthenticated)
    assert (no_eds.code, no_eds.details) == ("unauthenticated", {"user_id": PLAINTIFF})
    assert no_eds.message == "participants join after logging in with their electronic digital signature"
    bench = refused(Identity(CLERK, True), plan, HearingState.IN_SESSION, timedelta(0))
    assert (bench.details, bench.message) == ({"user_id": CLERK, "role": "clerk"},
                                             "the account listed as clerk is not registered as court staff")
    assert not isinstance(bench, NotAuthenticated)
    closed = refused(Identity(JUDGE, True, frozenset({StaffRole.JUDGE})), plan, HearingState.ADJOURNED, timedelta(0))
    assert (closed.code, closed.details, closed.message) == (
        "hearing_closed", {"state": "adjourned"}, "the hearing is adjourned")
    early = refused(Identity(PLAINTIFF, True), plan, HearingState.SCHEDULED, -timedelta(minutes=16))
    assert (early.code, early.details) == ("hearing_not_open", {"opens_at": "2026-01-15T09:45:00+00:00"})
    assert early.message == "the waiting room opens at 2026-01-15 09:45 UTC"


def test_the_door_opens_at_the_lobby_time_exactly() -> None:
    plan = build_plan()
    assert plan.lobby_opens_at == plan.start - timedelta(minutes=15)
    party = Identity(PLAINTIFF, True)
    refused(party, plan, HearingState.SCHEDULED, -timedelta(minutes=15, microseconds=1))
    assert decide_admission(party, plan, HearingState.SCHEDULED, plan.lobby_opens_at).waits
    # The state a store passes as text is read as the lifecycle state.
    assert decide_admission(party, plan, "lobby_open", plan.lobby_opens_at).waits  # type: ignore[arg-type]


def test_an_admission_says_who_may_publish_and_who_waits() -> None:
    assert AdmissionGrant("u", HearingRole.PLAINTIFF, AdmissionDecision.AUTO_ADMITTED).may_publish
    assert not AdmissionGrant("u", HearingRole.PLAINTIFF, AdmissionDecision.OBSERVER_VIEW_ONLY).may_publish
    assert not AdmissionGrant("u", HearingRole.OBSERVER, AdmissionDecision.AUTO_ADMITTED).may_publish
    assert AdmissionGrant("u", HearingRole.WITNESS, AdmissionDecision.WAIT_IN_WAITING_ROOM).waits
    assert not AdmissionGrant("u", HearingRole.WITNESS, AdmissionDecision.AUTO_ADMITTED).waits


def test_a_listed_observer_and_the_public_watch_an_open_hearing_the_same_way() -> None:
    plan = build_plan(is_open=True, auto_admit=True)
    for user in (OBSERVER, STRANGER):
        admission = decide_admission(Identity(user, True), plan, HearingState.IN_SESSION, plan.start)
        assert (admission.user_id, admission.role, admission.decision) == (
            user, HearingRole.OBSERVER, AdmissionDecision.OBSERVER_VIEW_ONLY)
    public = decide_admission(Identity(STRANGER), plan, HearingState.IN_SESSION, plan.start)
    assert public.decision is AdmissionDecision.OBSERVER_VIEW_ONLY


def test_identity_refusals_name_their_field() -> None:
    for kwargs, field in (({"user_id": None, "eds_authenticated": True}, "eds_authenticated"),
                          ({"user_id": " "}, "user_id"), ({"user_id": 5}, "user_id"),
                          ({"user_id": "u", "eds_authenticated": "yes"}, "eds_authenticated")):
        with pytest.raises(InvalidHearing) as caught:
            Identity(**kwargs)  # type: ignore[arg-type]
        assert caught.value.details == {"field": field}
    assert Identity.anonymous() == Identity(None)


def test_identity_refusals_say_what_is_wrong() -> None:
    """The message is what a developer wiring a new login path reads; each names the broken rule."""
    for kwargs, message in (({"user_id": 5}, "user_id is text or None"),
                            ({"user_id": "u", "eds_authenticated": "yes"}, "eds_authenticated is true or false"),
                            ({"user_id": None, "eds_authenticated": True}, "an EDS login always names a user")):
        with pytest.raises(InvalidHearing) as caught:
            Identity(**kwargs)  # type: ignore[arg-type]
        assert caught.value.message == message


def test_staff_roles_from_any_collection_become_a_set_of_staff_roles() -> None:
    """A store hands roles over as a list of text; the identity keeps a hashable set of roles."""
    identity = Identity("u", True, ["judge", "clerk", "judge"])  # type: ignore[arg-type]
    assert isinstance(identity.staff_roles, frozenset)
    assert {type(role) for role in identity.staff_roles} == {StaffRole}
    assert identity.staff_roles == {StaffRole.JUDGE, StaffRole.CLERK}
    assert hash(identity) == hash(Identity("u", True, frozenset({StaffRole.CLERK, StaffRole.JUDGE})))
    with pytest.raises(ValueError):
        Identity("u", True, ["bailiff"])  # type: ignore[arg-type]


def test_a_naive_now_is_refused_naming_now() -> None:
    plan = build_plan()
    with pytest.raises(InvalidHearing) as caught:
        decide_admission(Identity(PLAINTIFF, True), plan, HearingState.IN_SESSION, plan.start.replace(tzinfo=None))
    assert (caught.value.details, caught.value.message) == ({"field": "now"}, "now must be timezone-aware")
