"""OpenAPI description of identity: EDS login, logout, who am I, role grants (merged by :mod:`core.openapi`)."""

from __future__ import annotations

from cabinet.eds.verifier import FailureCode
from cabinet.identity.language import Language
from cabinet.identity.roles import Role
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
    ref,
    string,
    values_of,
)

TAGS = ["identity"]
LOGIN_FAILURES = [c.value for c in FailureCode]

SCHEMAS = {
    "RoleGrant": obj({"role": values_of(Role), "court": nullable(string("court code; null for a lawyer"))}),
    "Certificate": obj({
        "valid": {"type": "boolean"}, "intact": {"type": "boolean"}, "trusted": {"type": "boolean"},
        "code": nullable(values_of(FailureCode)), "message": string(), "purpose": string(),
        "checked_at": TIMESTAMP, "signing_time": nullable(TIMESTAMP), "key_type": nullable(string()),
        "roles": array(string()), "signer": nullable({"type": "object"}),
        "certificate": nullable({"type": "object"}), "revocation": nullable({"type": "object"}),
    }, description="The verifier's account of the login signature and its certificate."),
    "GrantRequest": obj({
        "iin": string("the person's IIN", maxLength=12), "role": values_of(Role),
        "court": string("court code; omitted for a lawyer", maxLength=10),
        "name": string("the person's name, used if they have never logged in", maxLength=300),
    }, required=["iin", "role"]),
}

_GRANT_ERRORS = {400: ["invalid_request", "invalid_json", "invalid_role", "invalid_iin", "court_required",
                       "court_not_allowed"],
                 403: ["self_grant", "not_court_admin", "other_court", "not_system_admin", "not_operator",
                       "cross_site_request"],
                 404: ["user_not_found", "court_not_found", "grant_not_found"], 409: ["already_granted"]}

PATHS = {
    "/api/v1/auth/challenge": {
        "post": operation("A single-use login challenge", tags=TAGS, security=PUBLIC,
                          description="Sign the base64-decoded `nonce` with the EDS AUTH key (CMS) and send it "
                                      "to `/api/v1/auth/login` before `expires_at`.",
                          responses=ok(obj({"nonce": string("base64"), "expires_at": TIMESTAMP})),
                          errors={429: ["rate_limited"]}),
    },
    "/api/v1/auth/login": {
        "post": operation(
            "Log in with an EDS signature over a challenge", tags=TAGS, security=PUBLIC,
            body=json_body(obj({"nonce": string(maxLength=200),
                                "signature": string("base64 CMS made with the AUTH key (the whole body is at "
                                                    "most 16 KiB)", maxLength=16_384)})),
            responses=ok(obj({
                "token": string("bearer token; also set as the `sotkab_session` cookie"),
                "expires_at": TIMESTAMP, "created_account": {"type": "boolean"},
                "user": obj({"iin": string(), "name": string(), "roles": array(ref("RoleGrant"))}),
                "certificate": ref("Certificate"),
            }), headers={"Set-Cookie": {"description": "`sotkab_session=<token>; HttpOnly; SameSite=Lax`",
                                        "schema": string()}}),
            errors={400: ["invalid_request", "invalid_json"],
                    401: ["nonce_unknown", "nonce_expired", "nonce_reused", "certificate_without_iin", *LOGIN_FAILURES],
                    413: ["body_too_large"], 429: ["rate_limited"]}),
    },
    "/api/v1/auth/logout": {
        "post": operation("End the session", tags=TAGS, security=AUTH,
                          responses=ok(obj({"logged_out": {"type": "boolean", "const": True}})),
                          errors={403: ["cross_site_request"]}),
    },
    "/api/v1/me": {
        "get": operation("Who is logged in", tags=TAGS, security=AUTH,
                         responses=ok(obj({"iin": string(), "name": string(), "surname": string(),
                                           "given_name": string(), "patronymic": string(),
                                           "language": nullable(values_of(Language, "chosen; null: Kazakh")),
                                           "roles": array(ref("RoleGrant"))}))),
    },
    "/api/v1/me/language": {
        "put": operation("Choose the language notices and e-mails are written in", tags=TAGS, security=AUTH,
                         body=json_body(obj({"language": values_of(Language)}, required=["language"])),
                         responses=ok(obj({"language": values_of(Language)})),
                         errors={400: ["invalid_request", "invalid_json", "language_unknown"],
                                 403: ["cross_site_request"]}),
    },
    "/api/v1/admin/grants": {
        "post": operation("Grant a staff role at a court (court administrator) or lawyer status "
                          "(system administrator)", tags=TAGS,
                          security=AUTH, body=json_body(ref("GrantRequest")),
                          responses=ok(obj({"iin": string(), "role": values_of(Role),
                                            "court": nullable(string())}), "Granted", status=201),
                          errors=_GRANT_ERRORS),
        "delete": operation("Revoke a role grant (court administrator)", tags=TAGS, security=AUTH,
                            body=json_body(ref("GrantRequest")),
                            responses=ok(obj({"iin": string(), "role": values_of(Role), "court": nullable(string()),
                                              "revoked": {"type": "boolean", "const": True}}), "Revoked"),
                            errors=_GRANT_ERRORS),
    },
}
