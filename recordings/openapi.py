"""OpenAPI description of the recordings HTTP API (merged by :mod:`core.openapi`)."""

from __future__ import annotations

from core.openapi import (
    AUTH,
    PUBLIC,
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
)

TAGS = ["recordings"]
RECORDING_ID = path_param("id", {"type": "integer", "minimum": 1})
FILE_NAME = path_param("name", string("a file the manifest lists: a segment, composed.webm, minutes.txt, "
                                      "manifest.json, manifest.json.cms"))
_READ_ERRORS = {400: ["invalid_recording_request"], 403: ["recording_forbidden"], 404: ["recording_not_found"]}

_SUMMARY = {
    "id": {"type": "integer"}, "hearing_id": {"type": "integer"}, "case_number": string(), "court": string(),
    "courtroom": string(), "judge_user_id": nullable({"type": "integer"}),
    "state": string("recording, sealed"), "started_at": TIMESTAMP, "ended_at": nullable(TIMESTAMP),
    "ended_abnormally": {"type": "boolean"}, "is_open": {"type": "boolean"}, "access_granted": {"type": "boolean"},
    "manifest_sha256": nullable(string()), "audit_seq": nullable({"type": "integer"}),
}

SCHEMAS = {
    "RecordingSummary": obj(_SUMMARY),
    "Recording": obj({**_SUMMARY, "manifest": nullable({"type": "object",
                                                        "description": "the sealed manifest (recordings/API.md)"}),
                      "composition": nullable(obj({
                          "state": string("queued, running, done, failed"),
                          "progress": {"type": "number", "minimum": 0, "maximum": 100},
                          "attempts": {"type": "integer"}, "error": nullable(string()),
                          "finished_at": nullable(TIMESTAMP)}))}),
    "RecordingPage": obj({"items": array(ref("RecordingSummary")), "page": {"type": "integer"},
                          "per_page": {"type": "integer"}, "total": {"type": "integer"}}),
    "RecordingLink": obj({"id": {"type": "integer"}, "recording_id": {"type": "integer"}, "token": string(),
                          "url": string(), "expires_at": TIMESTAMP}),
    "RecordingVerification": obj({
        "ok": {"type": "boolean"},
        "findings": array(obj({"what": string("a file name, or manifest.json:<json path> for a field"),
                               "problem": string()})),
        "signer": nullable(string()), "minutes_signer": nullable(string()),
        "signature_trusted": nullable({"type": "boolean"}),
        "files_checked": {"type": "integer"}}),
}

PATHS = {
    "/api/v1/recordings": {
        "get": operation("Search recordings (clerks and judges of the court)", tags=TAGS, security=AUTH,
                         parameters=[query_param("case", string("case number")), query_param("court", string()),
                                     query_param("courtroom", string()),
                                     query_param("judge", {"type": "integer"}, "the judge's user id"),
                                     query_param("from", string("ISO 8601 with zone")),
                                     query_param("to", string("ISO 8601 with zone")),
                                     query_param("page", {"type": "integer", "minimum": 1}),
                                     query_param("per_page", {"type": "integer", "minimum": 1, "maximum": 100})],
                         responses=ok(ref("RecordingPage")),
                         errors={400: ["invalid_recording_request"], 403: ["not_court_staff"]}),
    },
    "/api/v1/recordings/expired": {
        "get": operation("Recordings of the clerk's courts past their retention period", tags=TAGS, security=AUTH,
                         responses=ok(obj({"items": array(obj({
                             "id": {"type": "integer"}, "case_number": string(), "started_at": TIMESTAMP,
                             "category": nullable(string()), "expired_at": TIMESTAMP}))})),
                         errors={403: ["not_court_clerk"]}),
    },
    "/api/v1/recordings/{id}/delete": {
        "post": operation("Delete an expired recording's media (a clerk, confirmed, with a reason); the manifest, "
                          "minutes and a tombstone remain", tags=TAGS, security=AUTH, parameters=[RECORDING_ID],
                          body=json_body(obj({"confirm": {"type": "boolean", "const": True},
                                              "reason": string(maxLength=2000)})),
                          responses=ok(obj({"recording_id": {"type": "integer"}, "deleted_at": TIMESTAMP,
                                            "deleted_by": string(), "reason": string(), "retention_until": TIMESTAMP,
                                            "manifest_sha256": nullable(string()),
                                            "removed": array(obj({"file": string(), "sha256": string(),
                                                                  "size": nullable({"type": "integer"})}))}),
                                       "The tombstone"),
                          errors={400: ["invalid_recording_request", "invalid_request", "invalid_json"],
                                  403: ["not_court_clerk", "cross_site_request"], 404: ["recording_not_found"],
                                  409: ["recording_not_sealed", "retention_not_expired"]}),
    },
    "/api/v1/recordings/{id}": {
        "get": operation("A recording and its sealed manifest (audited)", tags=TAGS, security=AUTH,
                         parameters=[RECORDING_ID], responses=ok(ref("Recording")), errors=_READ_ERRORS),
    },
    "/api/v1/recordings/{id}/verify": {
        "get": operation("Recompute every hash and the court's signature (audited)", tags=TAGS, security=AUTH,
                         parameters=[RECORDING_ID], responses=ok(ref("RecordingVerification")),
                         errors={**_READ_ERRORS, 409: ["recording_not_sealed"]}),
    },
    "/api/v1/recordings/{id}/access": {
        "post": operation("Grant or withdraw the parties' access to a closed hearing's recording (its judge)",
                          tags=TAGS, security=AUTH, parameters=[RECORDING_ID],
                          body=json_body(obj({"granted": {"type": "boolean"}})),
                          responses=ok(ref("RecordingSummary")),
                          errors={400: ["invalid_recording_request", "invalid_request", "invalid_json"],
                                  403: ["recording_forbidden", "cross_site_request"],
                                  404: ["recording_not_found"]}),
    },
    "/api/v1/recordings/{id}/export": {
        "get": operation("The sealed recording as one tar archive (manifest, signatures, minutes, segments; "
                         "audited)", tags=TAGS, security=AUTH, parameters=[RECORDING_ID],
                         responses=raw({"application/x-tar": {"schema": string(format="binary")}}, "The archive"),
                         errors={**_READ_ERRORS, 409: ["recording_not_sealed"]}),
    },
    "/api/v1/recordings/{id}/minutes-signature": {
        "post": operation("The clerk signs the sealed minutes (base64 detached CMS over minutes.txt, SIGN key)",
                          tags=TAGS, security=AUTH, parameters=[RECORDING_ID],
                          body=json_body(obj({"signature": string("base64 CMS", maxLength=100_000)})),
                          responses=ok(obj({"recording_id": {"type": "integer"}, "signed_by": string(),
                                            "file": string()}), "Signed", status=201),
                          errors={400: ["invalid_recording_request", "minutes_signature_invalid", "invalid_request",
                                        "invalid_json"],
                                  403: ["not_court_clerk", "not_your_signature", "cross_site_request"],
                                  404: ["recording_not_found"],
                                  409: ["recording_not_sealed", "minutes_already_signed"]}),
    },
    "/api/v1/recordings/{id}/links": {
        "post": operation("Make a share link to the recording (expires in `days`, default 3, at most 30)",
                          tags=TAGS, security=AUTH, parameters=[RECORDING_ID],
                          body=json_body(obj({"days": {"type": "integer", "minimum": 1, "maximum": 30}},
                                             required=[]), required=False),
                          responses=ok(ref("RecordingLink"), "Made; the token is shown only now", status=201),
                          errors={400: ["invalid_recording_request", "invalid_request", "invalid_json"],
                                  403: ["recording_forbidden", "cross_site_request"],
                                  404: ["recording_not_found"]}),
    },
    "/api/v1/recordings/{id}/links/{link}": {
        "delete": operation("Revoke a share link (its maker, the hearing's judge, a clerk of the court)",
                            tags=TAGS, security=AUTH,
                            parameters=[RECORDING_ID, path_param("link", {"type": "integer", "minimum": 1})],
                            responses=ok(obj({"revoked": {"type": "boolean"}})),
                            errors={400: ["invalid_recording_request"],
                                    403: ["recording_forbidden", "cross_site_request"],
                                    404: ["recording_not_found", "link_not_found"]}),
    },
    "/api/v1/recording-links/{token}/files/{name}": {
        "get": operation("One file through a share link (no login; ranges as for the file endpoint; audited)",
                         tags=TAGS, security=PUBLIC,
                         parameters=[path_param("token", string("the link's secret")), FILE_NAME],
                         responses={**raw({"video/webm": {"schema": string(format="binary")},
                                           "application/json": {"schema": string()}}, "The file"),
                                    **raw({"multipart/byteranges": {"schema": string(format="binary")}},
                                          "The requested ranges", status=206)},
                         errors={404: ["link_not_found", "recording_not_found", "recording_file_not_found"],
                                 410: ["link_expired", "link_revoked"], 416: ["range_not_satisfiable"]}),
    },
    "/api/v1/recordings/{id}/files/{name}": {
        "get": operation("One file of a sealed recording, whole or by HTTP byte ranges (audited)", tags=TAGS,
                         security=AUTH,
                         parameters=[RECORDING_ID, FILE_NAME,
                                     query_param("download", string("1: as an attachment"))],
                         responses={**raw({"video/webm": {"schema": string(format="binary")},
                                           "application/json": {"schema": string()},
                                           "text/plain": {"schema": string()},
                                           "application/pkcs7-signature": {"schema": string(format="binary")}},
                                          "The file"),
                                    **raw({"multipart/byteranges": {"schema": string(format="binary")}},
                                          "The requested ranges (one range: that part alone)", status=206)},
                         errors={**_READ_ERRORS, 404: ["recording_not_found", "recording_file_not_found"],
                                 409: ["recording_not_sealed"], 416: ["range_not_satisfiable"]}),
    },
}
