"""Presence refusals in detail (codes, the state named, the field named) and the grace period's
exact edge, so a client can tell "you were removed" from "not now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from sessions.admission import AdmissionDecision, AdmissionGrant
from sessions.errors import IllegalPresenceTransition, InvalidHearing
from sessions.hearings import HearingRole
from sessions.lifecycle import MediaKind
from sessions.presence import DEFAULT_RECONNECT_GRACE, Capabilities, Presence, PresenceState

NOW = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


def in_room(role: HearingRole = HearingRole.PLAINTIFF) -> Presence:
    admission = AdmissionGrant("u-1", role, AdmissionDecision.AUTO_ADMITTED)
    return Presence.of(admission).join(admission)


def refusal(step) -> IllegalPresenceTransition:  # type: ignore[no-untyped-def]
    with pytest.raises(IllegalPresenceTransition) as refused:
        step()
    return refused.value


def test_a_wrong_move_names_the_action_and_the_state() -> None:
    error = refusal(lambda: in_room().admit())
    assert (error.code, error.details) == ("illegal_presence_transition", {"action": "admit", "state": "in_room"})
    assert error.message == "cannot admit somebody who is in room"
    outside = Presence("u-1", HearingRole.PLAINTIFF)
    for step, action in ((outside.call, "call"), (outside.dismiss, "dismiss"), (outside.leave, "leave"),
                         (lambda: outside.disconnect(NOW), "disconnect"),
                         (lambda: outside.reconnect(NOW), "reconnect")):
        error = refusal(step)
        assert error.details == {"action": action, "state": "outside"}
    joined_twice = refusal(lambda: in_room().join(AdmissionGrant("u-1", HearingRole.PLAINTIFF,
                                                             AdmissionDecision.AUTO_ADMITTED)))
    assert joined_twice.details == {"action": "join", "state": "in_room"}


def test_a_removed_person_is_told_so_whatever_they_try() -> None:
    removed = in_room().remove()
    assert (removed.state, removed.hand_raised, removed.resume_to, removed.dropped_at) == (
        PresenceState.REMOVED, False, None, None)
    for step in (removed.admit, removed.leave, lambda: removed.disconnect(NOW)):
        assert refusal(step).code == "removed"
    again = refusal(removed.remove)
    assert (again.message, again.details) == ("already removed", {"action": "remove"})
    dropped = in_room().raise_hand().disconnect(NOW).remove()
    assert (dropped.resume_to, dropped.dropped_at, dropped.hand_raised) == (None, None, False)


def test_the_grace_period_ends_after_exactly_its_length() -> None:
    assert DEFAULT_RECONNECT_GRACE == timedelta(seconds=30)
    dropped = in_room().disconnect(NOW)
    assert (dropped.resume_to, dropped.dropped_at) == (PresenceState.IN_ROOM, NOW)
    at_edge = NOW + timedelta(seconds=30)
    assert not dropped.has_expired(at_edge)
    assert dropped.reconnect(at_edge).state is PresenceState.IN_ROOM
    assert dropped.expire(at_edge) is dropped
    past = at_edge + timedelta(microseconds=1)
    assert dropped.has_expired(past)
    expired = refusal(lambda: dropped.reconnect(past))
    assert (expired.code, expired.details) == ("reconnect_grace_expired", {"action": "reconnect", "grace_s": 30.0})
    gone = dropped.expire(past)
    assert (gone.state, gone.resume_to, gone.dropped_at) == (PresenceState.OUTSIDE, None, None)
    assert not dropped.has_expired(NOW + timedelta(minutes=5), grace=timedelta(minutes=5))
    assert not in_room().has_expired(NOW + timedelta(days=1))


def test_a_dismissal_sends_back_and_clears_the_hand_but_never_for_staff() -> None:
    back = in_room().raise_hand().dismiss()
    assert (back.state, back.hand_raised) == (PresenceState.WAITING, False)
    staff = refusal(lambda: in_room(HearingRole.CLERK).dismiss())
    assert staff.details == {"action": "dismiss"}
    assert "staff" in staff.message
    left = in_room().raise_hand().leave()
    assert (left.state, left.hand_raised) == (PresenceState.OUTSIDE, False)


def test_muting_is_per_kind_and_only_speakers_raise_hands() -> None:
    party = in_room()
    video_off = party.mute(MediaKind.VIDEO)
    assert (video_off.audio_muted, video_off.video_muted) == (False, True)
    assert video_off.capabilities == Capabilities(True, False, True, True, True, True)
    assert party.mute().audio_muted and not party.mute().video_muted
    assert party.mute().unmute().audio_muted is False and party.mute(MediaKind.VIDEO).unmute().video_muted
    assert party.mute(MediaKind.VIDEO).unmute(MediaKind.VIDEO).video_muted is False
    assert not video_off.unmute(MediaKind.VIDEO).video_muted
    assert party.raise_hand().lower_hand().hand_raised is False
    error = refusal(lambda: in_room(HearingRole.JUDGE).raise_hand())
    assert error.details == {"action": "raise_hand", "state": "in_room"}
    waiting = Presence("u-1", HearingRole.PLAINTIFF, PresenceState.WAITING)
    assert refusal(waiting.raise_hand).details == {"action": "raise_hand", "state": "waiting"}


def test_each_inconsistent_field_is_named() -> None:
    def field(**kwargs: object) -> str:
        with pytest.raises(InvalidHearing) as refused:
            Presence(**{"user_id": "u-1", "role": HearingRole.PLAINTIFF, **kwargs})  # type: ignore[arg-type]
        return refused.value.details["field"]

    assert field(user_id=" ") == "user_id"
    assert field(user_id=7) == "user_id"
    assert field(state=PresenceState.RECONNECTING) == "state"
    assert field(state=PresenceState.RECONNECTING, resume_to=PresenceState.IN_ROOM) == "state"
    assert field(resume_to=PresenceState.IN_ROOM, dropped_at=NOW) == "state"
    assert field(state=PresenceState.RECONNECTING, resume_to=PresenceState.OUTSIDE, dropped_at=NOW) == "resume_to"
    assert field(state=PresenceState.RECONNECTING, resume_to=PresenceState.IN_ROOM,
                 dropped_at=NOW.replace(tzinfo=None)) == "dropped_at"
    assert field(state=PresenceState.WAITING, hand_raised=True) == "hand_raised"
    kept = Presence("u-1", "plaintiff", "reconnecting", resume_to="in_room", dropped_at=NOW,  # type: ignore[arg-type]
                    hand_raised=True)
    assert (kept.role, kept.state, kept.resume_to) == (HearingRole.PLAINTIFF, PresenceState.RECONNECTING, "in_room")
    with pytest.raises(InvalidHearing) as other:
        Presence("u-1", HearingRole.PLAINTIFF).join(AdmissionGrant("u-2", HearingRole.PLAINTIFF,
                                                               AdmissionDecision.AUTO_ADMITTED))
    assert other.value.details == {"field": "user_id"}


def test_joining_takes_the_role_the_admission_decided() -> None:
    presence = Presence("u-1", HearingRole.PLAINTIFF)
    watching = presence.join(AdmissionGrant("u-1", HearingRole.OBSERVER, AdmissionDecision.OBSERVER_VIEW_ONLY))
    assert (watching.role, watching.state) == (HearingRole.OBSERVER, PresenceState.IN_ROOM)
    assert watching.capabilities == Capabilities(receive=True)


def test_each_inconsistent_presence_says_what_rule_it_breaks() -> None:
    def message(**kwargs: object) -> str:
        with pytest.raises(InvalidHearing) as refused:
            Presence(**{"user_id": "u-1", "role": HearingRole.PLAINTIFF, **kwargs})  # type: ignore[arg-type]
        return refused.value.message

    assert message(user_id=" ") == "user_id must not be empty"
    assert message(state=PresenceState.RECONNECTING) == "resume_to and dropped_at are kept exactly while reconnecting"
    assert message(state=PresenceState.RECONNECTING, resume_to=PresenceState.REMOVED,
                   dropped_at=NOW) == "one reconnects to the waiting or hearing room"
    assert message(state=PresenceState.RECONNECTING, resume_to=PresenceState.WAITING,
                   dropped_at=NOW.replace(tzinfo=None)) == "dropped_at must be timezone-aware"
    assert message(state=PresenceState.OUTSIDE, hand_raised=True) == "hands are raised in the hearing room"
    with pytest.raises(InvalidHearing) as other:
        Presence("u-1", HearingRole.PLAINTIFF).join(AdmissionGrant("u-2", HearingRole.PLAINTIFF,
                                                               AdmissionDecision.AUTO_ADMITTED))
    assert other.value.message == "the admission is for somebody else"


def test_refused_moves_explain_themselves_in_words() -> None:
    assert refusal(lambda: in_room(HearingRole.JUDGE).dismiss()).message == (
        "court staff are not sent to the waiting room")
    dropped = in_room().disconnect(NOW)
    assert refusal(lambda: dropped.reconnect(NOW + timedelta(minutes=1))).message == (
        "the reconnection grace period is over; join again through the waiting room")
    assert refusal(lambda: in_room(HearingRole.OBSERVER).raise_hand()).message == (
        "only a participant in the hearing room who may speak raises a hand")
    waiting = Presence("u-1", HearingRole.WITNESS, PresenceState.WAITING)
    assert refusal(waiting.dismiss).message == "cannot dismiss somebody who is waiting"


def test_a_naive_clock_reading_is_refused_naming_now() -> None:
    naive = NOW.replace(tzinfo=None)
    for step in (lambda: in_room().disconnect(naive), lambda: in_room().disconnect(NOW).has_expired(naive),
                 lambda: in_room().disconnect(NOW).reconnect(naive)):
        with pytest.raises(InvalidHearing) as refused:
            step()
        assert (refused.value.details, refused.value.message) == ({"field": "now"}, "now must be timezone-aware")


def test_the_default_grace_applies_when_none_is_given() -> None:
    dropped = in_room().disconnect(NOW)
    at_edge, past = NOW + DEFAULT_RECONNECT_GRACE, NOW + DEFAULT_RECONNECT_GRACE + timedelta(microseconds=1)
    assert dropped.expire(at_edge) is dropped and dropped.expire(past).state is PresenceState.OUTSIDE
    assert dropped.reconnect(at_edge).state is PresenceState.IN_ROOM
    assert refusal(lambda: dropped.reconnect(past)).code == "reconnect_grace_expired"


def test_a_role_given_as_text_becomes_the_hearing_role_and_a_drop_time_is_kept_in_utc() -> None:
    almaty = timezone(timedelta(hours=5))
    kept = Presence("u-1", "clerk", "reconnecting", resume_to="in_room",  # type: ignore[arg-type]
                    dropped_at=datetime(2026, 1, 15, 15, 0, tzinfo=almaty))
    assert kept.role is HearingRole.CLERK and kept.role.is_staff
    assert kept.dropped_at == NOW and kept.dropped_at is not None and kept.dropped_at.tzinfo is UTC


def test_anyone_admitted_may_leave_the_waiting_room_too() -> None:
    waiting = Presence("u-1", HearingRole.WITNESS, PresenceState.WAITING)
    assert waiting.leave().state is PresenceState.OUTSIDE
    assert waiting.disconnect(NOW).leave().state is PresenceState.OUTSIDE


def test_a_longer_grace_given_by_the_caller_holds_the_place_longer() -> None:
    dropped = in_room().disconnect(NOW)
    later = NOW + timedelta(minutes=2)
    grace = timedelta(minutes=5)
    assert dropped.reconnect(later, grace).state is PresenceState.IN_ROOM
    assert dropped.expire(later, grace) is dropped
    assert dropped.expire(later, timedelta(minutes=1)).state is PresenceState.OUTSIDE
