"""What a person reads when logging in or signing goes wrong: one message per refusal code.

The codes are the login API's (``cabinet.identity.login``, ``cabinet.eds.verifier``,
``cabinet.identity.challenges``) and the page's own (key file, password, NCALayer). The login page
renders every message in the person's language into a ``<template>``; its script shows the one
whose code it met. The strings are marked here and translated in the catalogs.
"""

from __future__ import annotations

from web.i18n import N_

LOGIN_MESSAGES: dict[str, str] = {
    # Checked in the page before anything is sent.
    "key_file_missing": N_("Choose your AUTH key file (its name starts with AUTH_RSA256)."),
    "password_missing": N_("Enter the password of your key file."),
    "key_password_wrong": N_("The password does not open this key file. Check the keyboard layout and "
                             "Caps Lock, and try again."),
    "key_file_invalid": N_("This file is not an EDS key file. Choose the .p12 file whose name starts "
                           "with AUTH_RSA256."),
    "unsupported_algorithm": N_("The browser cannot sign with this kind of key (GOST). Log in with "
                                "NCALayer instead."),
    # The server's refusals.
    "malformed_signature": N_("The signature could not be read. Try again; if it happens again, log in "
                              "with NCALayer."),
    "signature_invalid": N_("The signature does not match the login request. Try again."),
    "certificate_expired": N_("Your certificate has expired. Get a new one from the National "
                              "Certification Authority (pki.gov.kz)."),
    "certificate_not_yet_valid": N_("Your certificate is not valid yet. Check the date on your computer "
                                    "or wait until the certificate starts."),
    "certificate_revoked": N_("Your certificate has been revoked and cannot be used. Get a new one "
                              "from the National Certification Authority (pki.gov.kz)."),
    "certificate_untrusted": N_("Your certificate was not issued by a certification authority that "
                                "this court trusts."),
    "revocation_unknown": N_("We could not check whether your certificate has been revoked. Try "
                             "again in a few minutes."),
    "wrong_key_usage": N_("This key is for signing documents. To log in, choose the AUTH key (its "
                          "name starts with AUTH_RSA256)."),
    "nonce_unknown": N_("This login request did not come from this court. Reload the page and try "
                        "again."),
    "nonce_expired": N_("The login request has expired. Try again."),
    "nonce_reused": N_("This login request has already been used. Try again."),
    "invalid_request": N_("The login request was incomplete. Reload the page and try again."),
    "rate_limited": N_("Too many attempts. Wait a minute and try again."),
    "network_error": N_("The court's server did not answer. Check your connection and try again."),
    "ncalayer_unavailable": N_("NCALayer is not running. Start it and try again."),
    "ncalayer_cancelled": N_("Signing was cancelled in NCALayer."),
    "ncalayer_failed": N_("NCALayer could not sign. Check that your key is available and try again."),
    "unknown": N_("The login did not succeed. Try again; if it happens again, contact the court's "
                  "support."),
    # Progress, read out by screen readers.
    "signing": N_("Signing with your key…"),
    "logged_in": N_("You are logged in."),
}

REFUSAL_CODES = frozenset(LOGIN_MESSAGES) - {"signing", "logged_in"}
