"""OpenAPI description of public access (merged by :mod:`core.openapi`)."""

from __future__ import annotations

from cabinet.case_numbers import CaseKind
from cabinet.case_status import CaseStatus
from core.openapi import (
    DATE,
    PUBLIC,
    TIMESTAMP,
    array,
    nullable,
    obj,
    ok,
    operation,
    path_param,
    query_param,
    ref,
    string,
    values_of,
)
from sessions.lifecycle import HearingState
from sessions.public.calendar import PUBLISHED_ROLES

TAGS = ["public"]
CACHED = {"Cache-Control": {"description": "`public, max-age=30`", "schema": string()}}

SCHEMAS = {
    "PublicCourt": obj({
        "code": string("the court's registry code", examples=["7594"]),
        "region": string(),
        "name": obj({"kk": string(), "ru": string(), "en": string()}),
    }),
    "PublicCategory": obj({"code": string(pattern="^[0-9]{2}$"), "title": string()}),
    "PublicHearingSlot": obj({
        "start": TIMESTAMP, "end": TIMESTAMP, "duration_minutes": {"type": "integer", "minimum": 1},
        "courtroom": nullable(string()), "format": values_of(["online", "in_courtroom", "mixed"]),
        "open": {"type": "boolean", "description": "whether the public may attend (and observe online)"},
    }),
    "PublicCase": obj({
        "number": string(examples=["7594-26-01-2/000001"]),
        "court": ref("PublicCourt"),
        "case_kind": values_of(CaseKind),
        "category": ref("PublicCategory"),
        "status": values_of(CaseStatus),
        "filed_at": TIMESTAMP,
        "registered_at": TIMESTAMP,
        "judge": nullable(obj({"name": string()})),
        "next_hearing": nullable(ref("PublicHearingSlot")),
    }, description="What a court tells anyone about an open-category case; never its parties."),
    "PublicHearing": {
        "allOf": [ref("PublicHearingSlot"), obj({
            "state": values_of(HearingState),
            "judge": nullable(obj({"name": string()})),
            "closed_category": {"type": "boolean"},
            "case": nullable(obj({"number": string(), "case_kind": values_of(CaseKind),
                                  "category": ref("PublicCategory")})),
            "parties": nullable(array(obj({"role": values_of(PUBLISHED_ROLES), "name": string()}))),
        })],
        "description": "A line of the cause list. Open hearing of an open case: case and parties (people as "
                       "surname and initials, organisations by name). Hearing closed to the public: case "
                       "without parties. Closed-category case: neither (`case` and `parties` null).",
    },
    "CauseList": obj({
        "court": ref("PublicCourt"), "date": DATE, "timezone": string(enum=["+05:00"]),
        "hearings": array(ref("PublicHearing")),
    }),
}

PATHS = {
    "/api/v1/public/cases/{number}": {
        "get": operation(
            "A case by its number (no login)", tags=TAGS, security=PUBLIC,
            description="Status, court, kind and category, judge, filing and registration dates, next hearing. "
                        "Closed categories (juveniles, family, state secrets, sexual offences) answer exactly "
                        "as an unknown number. The `/` of the number may be sent as is or as `%2F`.",
            parameters=[path_param("number", string("`<court>-<yy>-<category>-<kind>/<seq6>`", maxLength=200,
                                                    examples=["7594-26-01-2/000001"]))],
            responses=ok(ref("PublicCase"), headers=CACHED),
            errors={400: ["invalid_case_number"], 404: ["case_not_found"]}),
    },
    "/api/v1/public/hearings": {
        "get": operation(
            "A court's cause list of one day (no login)", tags=TAGS, security=PUBLIC,
            description="Every hearing of the court starting that day (court time, UTC+5), cancelled and "
                        "adjourned ones with their state.",
            parameters=[query_param("court", string("court code", pattern="^[0-9A-Z]{2,10}$"), required=True),
                        query_param("date", DATE | {"description": "default: today in court time"})],
            responses=ok(ref("CauseList"), headers=CACHED),
            errors={400: ["invalid_query", "invalid_court_code", "invalid_date", "unknown_parameter",
                          "repeated_parameter"], 404: ["court_not_found"]}),
    },
}
