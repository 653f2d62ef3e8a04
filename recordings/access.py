"""Who may see a hearing recording: one pure rule over plain facts the service loads.

The hearing's judge and the clerks of its court always may. The parties of the case and their
lawyers (representatives named in the case) may, unless the hearing was closed to the public and
the judge has not granted them access. Nobody else — another case's party, staff of another court,
the public who watched an open hearing, an anonymous caller — ever may.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)


class Relation(enum.Enum):
    JUDGE = "judge"
    CLERK = "clerk"
    PARTY = "party"
    LAWYER = "lawyer"
    NONE = "none"


@dataclass(frozen=True)
class RecordingFacts:
    court_id: int
    judge_user_id: int | None
    is_open: bool
    access_granted: bool


@dataclass(frozen=True)
class CallerFacts:
    user_id: int
    clerk_courts: frozenset[int]
    party_roles: frozenset[str]
    """The caller's roles among the case's parties (``plaintiff``, ``representative``...)."""


def relation(caller: CallerFacts, recording: RecordingFacts) -> Relation:
    if recording.judge_user_id is not None and caller.user_id == recording.judge_user_id:
        return Relation.JUDGE
    if recording.court_id in caller.clerk_courts:
        return Relation.CLERK
    if "representative" in caller.party_roles:
        return Relation.LAWYER
    if caller.party_roles:
        return Relation.PARTY
    return Relation.NONE


def may_view(caller: CallerFacts, recording: RecordingFacts) -> bool:
    found = relation(caller, recording)
    if found in (Relation.JUDGE, Relation.CLERK):
        return True
    if found in (Relation.PARTY, Relation.LAWYER):
        return recording.is_open or recording.access_granted
    return False


def may_grant(caller: CallerFacts, recording: RecordingFacts) -> bool:
    """Only the hearing's judge opens a closed hearing's recording to the parties."""
    return relation(caller, recording) is Relation.JUDGE
