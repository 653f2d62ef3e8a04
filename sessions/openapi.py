"""OpenAPI description of the hearings HTTP API (merged by :mod:`core.openapi`)."""

from __future__ import annotations

from core.openapi import (
    AUTH,
    TIMESTAMP,
    array,
    json_body,
    nullable,
    obj,
    ok,
    operation,
    path_param,
    query_param,
    raw,
    ref,
    string,
    values_of,
)
from sessions.booking import Access
from sessions.equipment import MAX_BITRATE_KBPS, MAX_DEVICE_LABEL, MAX_RTT_MS, Verdict
from sessions.hearings import HearingFormat, HearingRole
from sessions.labels import Language
from sessions.lifecycle import HearingState

TAGS = ["hearings"]
HEARING_ID = path_param("id", {"type": "integer", "minimum": 1})
LANG = query_param("lang", values_of(Language, "default ru"))
_BOOKING_ERRORS = {400: ["invalid_hearing", "invalid_request", "invalid_json", "invalid_iin", "invalid_case_number",
                         "case_not_schedulable"],
                   403: ["not_court_staff", "not_allowed", "closed_category", "cross_site_request"],
                   404: ["case_not_found", "courtroom_not_found", "hearing_not_found"],
                   409: ["schedule_conflict", "illegal_hearing_transition", "illegal_transition"]}

SCHEMAS = {
    "UpcomingHearing": obj({
        "hearing_id": {"type": "integer"}, "case_number": string(), "courtroom": string(),
        "court": obj({"kk": string(), "ru": string(), "en": string()}), "start": TIMESTAMP, "end": TIMESTAMP,
        "format": values_of(HearingFormat), "role": values_of(HearingRole), "state": values_of(HearingState),
        "lobby_opens_at": TIMESTAMP, "joinable": {"type": "boolean"},
        "join_url": nullable(string("the hearing room page; null for a hearing held only in the courtroom")),
    }),
    "Hearing": obj({
        "id": {"type": "integer"}, "case_number": string(), "court": string(), "courtroom": nullable(string()),
        "start": TIMESTAMP, "end": TIMESTAMP, "duration_minutes": {"type": "integer"},
        "format": values_of(HearingFormat), "is_open": {"type": "boolean"}, "state": values_of(HearingState),
        "language": values_of(Language),
        "judge": nullable(string()), "access": values_of(Access),
        "auto_admit": {"type": "boolean"}, "lobby_lead_minutes": {"type": "integer"}, "sequence": {"type": "integer"},
        "pause_reason": nullable(string()), "suspend_reason": nullable(string()), "adjourned_to": nullable(TIMESTAMP),
        "recording_paused": {"type": "boolean"},
        "participants": array(obj({"user_id": {"type": "integer"}, "role": values_of(HearingRole), "name": string(),
                                   "represents_user_id": nullable({"type": "integer"}), "presence": string(),
                                   "muted_audio": {"type": "boolean"}, "muted_video": {"type": "boolean"},
                                   "hand_raised": {"type": "boolean"}})),
        "events": {"type": "integer"},
    }, required=["id", "case_number", "court", "start", "end", "duration_minutes", "format", "is_open", "state"],
        description="The staff and the hearing's participants see everything; others (`access: public`) "
                    "the public line only."),
    "EquipmentCheckBody": obj({
        "rtt_ms": nullable({"type": "number", "minimum": 0, "maximum": MAX_RTT_MS}),
        "packet_loss": nullable({"type": "number", "minimum": 0, "maximum": 1}),
        "bitrate_kbps": nullable({"type": "number", "minimum": 0, "maximum": MAX_BITRATE_KBPS}),
        "camera": string(maxLength=MAX_DEVICE_LABEL), "microphone": string(maxLength=MAX_DEVICE_LABEL),
    }, required=[], closed=True, description="The three figures together, or none (the test did not reach the relay)."),
    "EquipmentCheck": obj({
        "hearing_id": {"type": "integer"}, "user_id": {"type": "integer"}, "name": string(),
        "role": values_of(HearingRole), "verdict": values_of(Verdict),
        "rtt_ms": nullable({"type": "number"}), "packet_loss": nullable({"type": "number"}),
        "bitrate_kbps": nullable({"type": "number"}), "camera": string(), "microphone": string(),
        "checked_at": TIMESTAMP,
    }),
    "HearingBooking": obj({
        "case": string("case number", maxLength=64), "courtroom": string(maxLength=100),
        "start": string("ISO 8601 with its zone", maxLength=64), "duration_minutes": {"type": "integer",
                                                                                     "minimum": 0, "maximum": 1440},
        "format": values_of(HearingFormat),
        "participants": array(obj({"iin": string(), "role": values_of(HearingRole),
                                   "represents_iin": nullable(string())}, required=["iin", "role"]),
                              "1 to 100 people"),
        "is_open": nullable({"type": "boolean"}), "auto_admit": {"type": "boolean"},
        "lobby_lead_minutes": {"type": "integer", "minimum": 0, "maximum": 1440},
        "language": values_of(Language, "the language of the proceedings and the minutes; default ru"),
    }, required=["case", "courtroom", "start", "duration_minutes", "format", "participants"]),
}

PATHS = {
    "/api/v1/me/hearings": {
        "get": operation("My hearings still to come, with whether each can be joined now", tags=TAGS, security=AUTH,
                         description="`joinable` turns true when the waiting room opens (lead time or opened by "
                                     "the court) for a hearing with a video link; `join_url` is the room page.",
                         responses=ok(obj({"hearings": array(ref("UpcomingHearing"))}))),
    },
    "/api/v1/hearings": {
        "post": operation("Book a hearing of a case (court staff)", tags=TAGS, security=AUTH,
                          body=json_body(ref("HearingBooking")), responses=ok(ref("Hearing"), "Booked", status=201),
                          errors=_BOOKING_ERRORS),
    },
    "/api/v1/hearings/{id}": {
        "get": operation("A hearing", tags=TAGS, security=AUTH, parameters=[HEARING_ID],
                         responses=ok(ref("Hearing")), errors={403: ["not_allowed"], 404: ["hearing_not_found"]}),
        "patch": operation("Move a hearing (time, length, courtroom; court staff)", tags=TAGS, security=AUTH,
                           parameters=[HEARING_ID],
                           body=json_body(obj({"start": nullable(string(maxLength=64)),
                                               "duration_minutes": nullable({"type": "integer", "minimum": 0,
                                                                             "maximum": 1440}),
                                               "courtroom": nullable(string(maxLength=100)),
                                               "reason": nullable(string(maxLength=2000))}, required=[])),
                           responses=ok(ref("Hearing")), errors=_BOOKING_ERRORS),
    },
    "/api/v1/hearings/{id}/cancel": {
        "post": operation("Cancel a hearing with a reason (court staff)", tags=TAGS, security=AUTH,
                          parameters=[HEARING_ID], body=json_body(obj({"reason": string(maxLength=2000)})),
                          responses=ok(ref("Hearing")), errors=_BOOKING_ERRORS),
    },
    "/api/v1/hearings/{id}/minutes": {
        "get": operation("The hearing's minutes drawn from its event log (court staff)", tags=TAGS, security=AUTH,
                         parameters=[HEARING_ID, LANG],
                         responses=raw({"text/plain": {"schema": string()}}, "The minutes"),
                         errors={400: ["unsupported_language"], 403: ["not_court_staff", "not_allowed"],
                                 404: ["hearing_not_found"]}),
    },
    "/api/v1/hearings/{id}/equipment-check": {
        "put": operation("Store the caller's own equipment check for the hearing", tags=TAGS, security=AUTH,
                         parameters=[HEARING_ID],
                         description="What the room page's connection test measured through the court's relay "
                                     "and the devices chosen; the verdict is graded by the server (`failed` "
                                     "without figures). The person is the caller; the latest check replaces "
                                     "the earlier. Unknown fields (a `user_id`, a `verdict`) are refused.",
                         body=json_body(ref("EquipmentCheckBody")), responses=ok(ref("EquipmentCheck")),
                         errors={400: ["invalid_request", "invalid_json"], 401: ["unauthenticated"],
                                 403: ["not_a_participant", "removed", "cross_site_request"],
                                 404: ["hearing_not_found"], 413: ["body_too_large"]}),
    },
    "/api/v1/hearings/{id}/equipment-checks": {
        "get": operation("Every person's latest equipment check (the court's judges and clerks)", tags=TAGS,
                         security=AUTH, parameters=[HEARING_ID],
                         responses=ok(obj({"checks": array(ref("EquipmentCheck"))})),
                         errors={401: ["unauthenticated"], 403: ["not_court_staff"], 404: ["hearing_not_found"]}),
    },
    "/api/v1/hearings/{id}/invitation.ics": {
        "get": operation("The caller's invitation (RFC 5545)", tags=TAGS, security=AUTH,
                         parameters=[HEARING_ID, LANG],
                         responses=raw({"text/calendar": {"schema": string()}}, "An iCalendar file"),
                         errors={400: ["unsupported_language"], 403: ["not_a_participant"],
                                 404: ["hearing_not_found", "no_invitation"]}),
    },
}
