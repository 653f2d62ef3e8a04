"""OpenAPI description of the cabinet's own routes outside its sub-packages: the published audit
checkpoints (merged by :mod:`core.openapi`)."""

from __future__ import annotations

from core.openapi import PUBLIC, TIMESTAMP, array, obj, ok, operation, string

PATHS = {
    "/api/v1/audit/checkpoints": {
        "get": operation(
            "The latest signed checkpoints of the audit chain", tags=["audit"], security=PUBLIC,
            description="Each pins the chain's head (`seq`, `hash`) at `at` with a detached CMS by the court's "
                        "system key over `{\"at\",\"hash\",\"seq\"}` (canonical JSON). Keep copies: "
                        "`sotkab audit verify` checks the database against them.",
            responses=ok(obj({"checkpoints": array(obj({
                "seq": {"type": "integer"}, "hash": string("SHA-256 hex of the entry at seq"), "at": TIMESTAMP,
                "cms": string("base64 DER CMS (detached)")}))})),
            errors={404: ["checkpoint_not_found"], 429: ["rate_limited"]}),
    },
}
