"""Who may see and do what with filings, cases, documents and judicial acts: one pure table.

The services work out how the caller relates to an object (:func:`relations_to`, from plain
facts the stores load) and ask :func:`permits`; nothing else in the package decides access.
An actor may hold several relations at once (a lawyer who is also a party of the same case); the
request is allowed when any of them allows it.

The objects are read in the caller's position:

- ``FILING_DRAFT`` — only its owner sees a draft; ``ACT`` is edit / upload / submit.
- ``SUBMITTED_FILING`` — a filing sent to the court; ``ACT`` is register / return (the clerk).
- ``CASE`` — an open-category case; ``ACT`` is taking a step in it: filing into it (parties, their
  lawyers) or moving its status (judge of the case, clerk). *Which* status changes each may make
  is the state machine's rule (:mod:`cabinet.case_status`), applied after this table.
- ``DOCUMENT`` — a document filed in a case; nobody alters it once filed.
- ``JUDICIAL_ACT`` — a ruling or decision; only the judge of the case issues one.
- ``CLOSED_CASE`` — a closed-category case (juveniles, family, state secrets): the participants
  and the judge and clerks of the court keep their access; colleagues of the court do not see it.

Court administrators run the court's staff and settings, not its cases: they see that a case or
filing exists (for workload and statistics) but not its documents.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from cabinet.identity.principal import Principal
from cabinet.identity.roles import Role


class Actor(enum.Enum):
    PARTY = "party"  # the filer/owner, or a party of the case
    OTHER_PARTY = "other_party"  # a party of the same case who is not the object's author
    LAWYER = "lawyer"  # a representative of a party of the case
    JUDGE_OF_CASE = "judge_of_case"
    OTHER_JUDGE = "other_judge"  # a judge of the same court
    CLERK = "clerk"  # a clerk of the court
    COURT_ADMIN = "court_admin"
    STRANGER = "stranger"  # logged in, no relation to the object
    ANONYMOUS = "anonymous"


class Resource(enum.Enum):
    FILING_DRAFT = "filing_draft"
    SUBMITTED_FILING = "submitted_filing"
    CASE = "case"
    DOCUMENT = "document"
    JUDICIAL_ACT = "judicial_act"
    CLOSED_CASE = "closed_case"


class Action(enum.Enum):
    VIEW = "view"
    DOWNLOAD = "download"
    ACT = "act"


V, D, X = Action.VIEW, Action.DOWNLOAD, Action.ACT
_ALL = frozenset({V, D, X})
_READ = frozenset({V, D})
_VIEW = frozenset({V})
_NONE: frozenset[Action] = frozenset()

_A, _R = Actor, Resource

#: The whole policy. A missing (actor, resource) pair means no access.
POLICY: dict[tuple[Actor, Resource], frozenset[Action]] = {
    (_A.PARTY, _R.FILING_DRAFT): _ALL,
    (_A.PARTY, _R.SUBMITTED_FILING): _READ,
    (_A.PARTY, _R.CASE): _ALL,
    (_A.PARTY, _R.DOCUMENT): _READ,
    (_A.PARTY, _R.JUDICIAL_ACT): _READ,
    (_A.PARTY, _R.CLOSED_CASE): _ALL,
    (_A.OTHER_PARTY, _R.CASE): _ALL,
    (_A.OTHER_PARTY, _R.DOCUMENT): _READ,
    (_A.OTHER_PARTY, _R.JUDICIAL_ACT): _READ,
    (_A.OTHER_PARTY, _R.CLOSED_CASE): _ALL,
    (_A.LAWYER, _R.SUBMITTED_FILING): _READ,
    (_A.LAWYER, _R.CASE): _ALL,
    (_A.LAWYER, _R.DOCUMENT): _READ,
    (_A.LAWYER, _R.JUDICIAL_ACT): _READ,
    (_A.LAWYER, _R.CLOSED_CASE): _ALL,
    (_A.JUDGE_OF_CASE, _R.SUBMITTED_FILING): _READ,
    (_A.JUDGE_OF_CASE, _R.CASE): _ALL,
    (_A.JUDGE_OF_CASE, _R.DOCUMENT): _READ,
    (_A.JUDGE_OF_CASE, _R.JUDICIAL_ACT): _ALL,
    (_A.JUDGE_OF_CASE, _R.CLOSED_CASE): _ALL,
    (_A.OTHER_JUDGE, _R.CASE): _VIEW,
    (_A.CLERK, _R.SUBMITTED_FILING): _ALL,
    (_A.CLERK, _R.CASE): _ALL,
    (_A.CLERK, _R.DOCUMENT): _READ,
    (_A.CLERK, _R.JUDICIAL_ACT): _READ,
    (_A.CLERK, _R.CLOSED_CASE): _ALL,
    (_A.COURT_ADMIN, _R.SUBMITTED_FILING): _VIEW,
    (_A.COURT_ADMIN, _R.CASE): _VIEW,
}


def allowed(actor: Actor, resource: Resource) -> frozenset[Action]:
    return POLICY.get((actor, resource), _NONE)


def permits(actors: Iterable[Actor], resource: Resource, action: Action) -> bool:
    return any(action in allowed(actor, resource) for actor in actors)


@dataclass(frozen=True)
class Caller:
    """The facts about the caller the rules need; ``user_id`` None is an anonymous caller."""

    user_id: int | None
    iin: str | None = None
    judge_courts: frozenset[int] = frozenset()
    clerk_courts: frozenset[int] = frozenset()
    admin_courts: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Subject:
    """The facts about a filing, case or document the rules need.

    ``author_iins`` are the people whose own filing or document it is (the filer, or for a case
    nobody in particular); ``party_iins`` and ``lawyer_iins`` are the case's (or for a filing not
    yet in a case, the filing's) parties and representatives.
    """

    court_id: int | None
    owner_id: int | None = None
    author_iins: frozenset[str] = frozenset()
    party_iins: frozenset[str] = frozenset()
    lawyer_iins: frozenset[str] = frozenset()
    judge_id: int | None = None


def relations_to(caller: Caller, subject: Subject) -> frozenset[Actor]:
    """Every way ``caller`` relates to ``subject``; ``{ANONYMOUS}`` or ``{STRANGER}`` when none."""
    if caller.user_id is None:
        return frozenset({Actor.ANONYMOUS})
    found: set[Actor] = set()
    if caller.user_id == subject.owner_id or (caller.iin is not None and caller.iin in subject.author_iins):
        found.add(Actor.PARTY)
    elif caller.iin is not None and caller.iin in subject.party_iins:
        found.add(Actor.PARTY if not subject.author_iins else Actor.OTHER_PARTY)
    if caller.iin is not None and caller.iin in subject.lawyer_iins:
        found.add(Actor.LAWYER)
    court = subject.court_id
    if court is not None:
        if subject.judge_id is not None and caller.user_id == subject.judge_id and court in caller.judge_courts:
            found.add(Actor.JUDGE_OF_CASE)
        elif court in caller.judge_courts:
            found.add(Actor.OTHER_JUDGE)
        if court in caller.clerk_courts:
            found.add(Actor.CLERK)
        if court in caller.admin_courts:
            found.add(Actor.COURT_ADMIN)
    return frozenset(found) or frozenset({Actor.STRANGER})


#: When a caller relates to a case in several ways, the state machine sees the strongest.
_ROLE_ORDER = (Actor.JUDGE_OF_CASE, Actor.CLERK, Actor.PARTY, Actor.OTHER_PARTY, Actor.LAWYER)


def acting_as(actors: Iterable[Actor]) -> Actor | None:
    present = set(actors)
    return next((actor for actor in _ROLE_ORDER if actor in present), None)


def caller_of(principal: Principal | None) -> Caller:
    if principal is None:
        return Caller(None)
    return Caller(principal.user_id, principal.iin, principal.courts_with(Role.JUDGE),
                  principal.courts_with(Role.CLERK), principal.courts_with(Role.COURT_ADMIN))
