"""Every word the hearing room's script shows, marked for translation and rendered into the page.

The script has no strings of its own: the template renders this table, in the person's language,
into a ``<template>``, and the script reads a word by its key. So a message the script shows is in
the catalogs like any other (``tests/web/pages/test_catalogs.py`` fails on a missing one).
"""

from __future__ import annotations

from web.i18n import N_, gettext
from web.pages.vocabulary import HEARING_STATE

ROLES = {
    "judge": N_("Judge"), "clerk": N_("Clerk"), "plaintiff": N_("Plaintiff"), "defendant": N_("Defendant"),
    "representative": N_("Representative"), "prosecutor": N_("Prosecutor"), "witness": N_("Witness"),
    "expert": N_("Expert"), "interpreter": N_("Interpreter"), "observer": N_("Observer"),
}

PRESENCE = {
    "waiting": N_("In the waiting room"), "in_room": N_("In the hearing room"),
    "reconnecting": N_("Reconnecting"), "outside": N_("Not connected"), "removed": N_("Removed"),
}

ACTIONS = {
    "open_lobby": N_("Waiting room opened"), "start": N_("Session opened"), "pause": N_("Recess announced"),
    "resume": N_("Session resumed"), "suspend": N_("Session suspended"), "close": N_("Hearing closed"),
    "adjourn": N_("Hearing adjourned"), "cancel": N_("Hearing cancelled"), "admit": N_("Admitted"),
    "call": N_("Called"), "dismiss": N_("Sent to the waiting room"), "mute": N_("Muted"), "unmute": N_("Unmuted"),
    "remove": N_("Removed"), "raise_hand": N_("Hand raised"), "lower_hand": N_("Hand lowered"),
    "recording_pause": N_("Recording paused"), "recording_resume": N_("Recording resumed"), "chat": N_("Message"),
}
"""How the bench's live minutes name each logged action (the downloaded minutes are the server's)."""

ROOM_WORDS: dict[str, str] = {
    # The equipment check.
    "verdict_good": N_("Good: your connection is ready for the hearing."),
    "verdict_okay": N_("Okay: you can take part, but the picture may freeze. Close other programs "
                       "and move closer to your Wi-Fi router."),
    "verdict_bad": N_("Bad: your connection is too weak for video. Use a wired connection or mobile "
                      "data, or join with audio only."),
    "testing": N_("Testing the connection through the court's server…"),
    "test_failed": N_("The connection test could not reach the court's server. Check your network and "
                      "try again."),
    "measured": N_("Round trip: %(rtt)s ms. Packets lost: %(loss)s. Speed: %(kbps)s kbit/s."),
    "no_devices": N_("The browser did not give access to a camera and microphone. Allow them in the "
                     "address bar and reload the page."),
    # Waiting and the room.
    "waiting": N_("You are in the waiting room. The judge will admit you when the hearing is ready."),
    "deliberation": N_("The court has retired to the deliberation room"),
    "connecting": N_("Connecting…"),
    "reconnecting": N_("The connection was lost. Reconnecting…"),
    "reconnected": N_("Connected again."),
    "recording": N_("Recording"),
    "recording_paused": N_("Recording paused"),
    "not_recording": N_("Not recording"),
    "mute": N_("Turn microphone off"),
    "unmute": N_("Turn microphone on"),
    "camera_off": N_("Turn camera off"),
    "camera_on": N_("Turn camera on"),
    "raise_hand": N_("Raise hand"),
    "lower_hand": N_("Lower hand"),
    "audio_only_on": N_("Audio only"),
    "audio_only_off": N_("Show video again"),
    "suggest_audio_only": N_("Your connection is losing data. Switch to audio only to keep hearing "
                             "everyone."),
    "muted_by_judge": N_("The judge turned your microphone off."),
    "hand_raised": N_("Hand raised"),
    "quality": N_("Connection: %(verdict)s"),
    "quality_good": N_("good"),
    "quality_okay": N_("okay"),
    "quality_bad": N_("poor"),
    "you": N_("You"),
    # Why the page stopped.
    "ended_removed": N_("The judge removed you from the hearing."),
    "ended_replaced": N_("You opened this hearing in another window; this one has stopped."),
    "ended_hearing_closed": N_("The hearing has finished."),
    "ended_hearing_adjourned": N_("The hearing has been adjourned. You will be told the new date."),
    "ended_hearing_cancelled": N_("The hearing has been cancelled."),
    "ended_session_ended": N_("Your login has ended. Log in again to come back."),
    "ended_staff_grant_revoked": N_("Your role at this court has been withdrawn."),
    "refused": N_("You cannot enter this hearing now."),
    "refused_action": N_("This action was refused."),
    # The judge's bench.
    "admit": N_("Admit"), "call": N_("Call"), "dismiss": N_("Dismiss"), "remove": N_("Remove"),
    "mute_target": N_("Mute"), "unmute_target": N_("Unmute"),
    "alert_connection_lost": N_("%(name)s lost the connection."),
    "alert_left": N_("%(name)s did not come back."),
    "alert_poor_connection": N_("%(name)s has a poor connection."),
    "alert_judge_connection_lost": N_("The judge lost the connection; the hearing is suspended."),
    "remove_reason": N_("Removed by the judge for breaching order in the courtroom."),
    "check_good": N_("Good"), "check_okay": N_("Okay"), "check_bad": N_("Bad"),
    "check_failed": N_("Test failed"), "check_none": N_("Not checked"),
    "hand": N_("hand raised"),
    "mic_off": N_("Microphone off"), "mic_on": N_("Microphone on"),
    "cam_off": N_("Camera off"), "cam_on": N_("Camera on"),
}


def room_words(language: str) -> dict[str, dict[str, str]]:
    """The tables in ``language``, unformatted: the script fills the ``%(name)s`` placeholders."""
    tables = {"word": ROOM_WORDS, "role": ROLES, "presence": PRESENCE, "state": HEARING_STATE, "action": ACTIONS}
    return {kind: {key: gettext(language, text) for key, text in table.items()} for kind, table in tables.items()}
