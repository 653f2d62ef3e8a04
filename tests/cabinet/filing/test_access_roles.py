"""The role in which a caller takes a step in a case, and the facts the rules read from a login.

Whoever the policy lets act on a case must have a role in the case-status state machine; a relation
that permits acting but has no role would reach the service without one (a 500 instead of a refusal).
"""

from __future__ import annotations

import itertools

import pytest

from cabinet.filing.access import Action, Actor, Caller, Resource, acting_as, caller_of, permits
from cabinet.identity.principal import Principal
from cabinet.identity.roles import Grant, Role

#: Strongest first: the judge of the case, then a clerk, then a party, another party, a lawyer.
PRECEDENCE = [Actor.JUDGE_OF_CASE, Actor.CLERK, Actor.PARTY, Actor.OTHER_PARTY, Actor.LAWYER]


@pytest.mark.parametrize("resource", [Resource.CASE, Resource.CLOSED_CASE])
def test_everyone_who_may_act_on_a_case_acts_in_a_role(resource: Resource) -> None:
    acting = [actor for actor in Actor if permits({actor}, resource, Action.ACT)]
    assert set(acting) == set(PRECEDENCE)
    for actor in acting:
        assert acting_as({actor}) is actor


@pytest.mark.parametrize("actor", [Actor.OTHER_JUDGE, Actor.COURT_ADMIN, Actor.STRANGER, Actor.ANONYMOUS])
def test_who_may_not_act_has_no_role(actor: Actor) -> None:
    assert acting_as({actor}) is None
    assert acting_as([]) is None


@pytest.mark.parametrize(("stronger", "weaker"), list(itertools.combinations(PRECEDENCE, 2)))
def test_the_stronger_relation_wins(stronger: Actor, weaker: Actor) -> None:
    assert acting_as({weaker, stronger, Actor.OTHER_JUDGE}) is stronger
    assert acting_as([weaker, stronger]) is stronger


def test_a_login_becomes_the_facts_the_rules_read() -> None:
    assert caller_of(None) == Caller(None)
    principal = Principal(
        user_id=5, iin="900101400005", name="Судья", session_id=1,
        grants=frozenset({Grant(Role.JUDGE, 7), Grant(Role.JUDGE, 8), Grant(Role.CLERK, 9),
                          Grant(Role.COURT_ADMIN, 10)}),
    )
    assert caller_of(principal) == Caller(5, "900101400005", judge_courts=frozenset({7, 8}),
                                          clerk_courts=frozenset({9}), admin_courts=frozenset({10}))
