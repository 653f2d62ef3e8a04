"""The judge issues a judicial act from the desk, signed in the browser with the judge's SIGN key.

The page asks for the act (a ruling or a decision, what it decides, its title) and its file; the
script (``act.js``) opens the judge's SIGN key file in the page — the key and its password never
leave it — signs the file's bytes as a detached CMS, and posts file and signature to
``POST /api/v1/staff/cases/{number}/acts``, the same API and checks as any client: only the judge
of the case, only with their own SIGN key, only a signature over these very bytes. The page is
shown only to the case's judge; anyone else gets the refusal page the service's check gives.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlencode

from aiohttp import web

from cabinet.filing.access import Resource
from cabinet.filing.acts import TERMINATION_GROUNDS
from cabinet.filing.staff import StaffService
from core.resources import CLOCK, DB
from web.i18n import N_
from web.pages.access import logged_in
from web.pages.error_messages import ERROR_MESSAGES
from web.pages.refusals import LOGIN_MESSAGES
from web.pages.rendering import render

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

SIGNING_CODES = ("key_file_missing", "password_missing", "key_password_wrong", "key_file_invalid",
                 "unsupported_algorithm", "network_error", "unknown", "signing")
"""The page's own checks and progress, worded as on the login page."""

API_CODES = ("document_missing", "title_missing", "signature_required", "signer_not_allowed",
             "document_signature_invalid", "wrong_key_usage", "certificate_expired", "certificate_revoked",
             "certificate_untrusted", "certificate_not_yet_valid", "revocation_unknown", "malformed_signature",
             "signature_invalid", "not_judge_of_case", "case_not_found", "illegal_transition", "invalid_outcome",
             "invalid_act_type", "invalid_termination_ground", "reason_required", "document_too_large",
             "unsupported_document_type", "damaged_document", "document_empty", "document_type_mismatch",
             "upload_invalid", "cross_site_request", "unauthenticated", "rate_limited")
"""The refusals the acts API may give, shown in the person's language at the field they concern."""

_PAGE_MESSAGES = {
    "key_file_missing": N_("Choose your SIGN key file (its name starts with RSA256)."),
    "title_missing": N_("Enter the title of the act."),
}

TERMINATION_GROUND = {
    "settlement": N_("The parties settled"),
    "arbitration": N_("The dispute goes to arbitration"),
    "not_for_court": N_("The case is not for a court"),
    "pretrial_skipped": N_("The pre-trial procedure was not followed"),
    "incapable_filer": N_("Filed by a person without capacity"),
    "withdrawal": N_("The claim was withdrawn"),
}


def messages() -> dict[str, str]:
    texts = {code: LOGIN_MESSAGES[code] for code in SIGNING_CODES if code in LOGIN_MESSAGES}
    texts.update({code: ERROR_MESSAGES[code] for code in API_CODES if code in ERROR_MESSAGES})
    texts.update(_PAGE_MESSAGES)
    return texts


@routes.get("/staff/cases/{number:.+}/act")
async def act_form(request: web.Request) -> web.Response:
    principal = await logged_in(request)
    number = request.match_info["number"][:60]
    async with request.app[DB].transaction() as session:
        case, _role = await StaffService(session, request.app[CLOCK]).case_for_step(
            number, principal, Resource.JUDICIAL_ACT)
    grounds = [(ground.value, TERMINATION_GROUND[ground.value]) for ground in sorted(
        TERMINATION_GROUNDS, key=lambda g: g.value) if ground.value in TERMINATION_GROUND]
    return await render(request, "staff/act.html", {
        "number": case.number, "title": case.title, "grounds": grounds, "messages": messages(),
        "api": f"/api/v1/staff/cases/{quote(case.number, safe='/')}/acts",
        "done": "/staff/cases?" + urlencode({"done": "act_issued", "number": case.number}),
    })
