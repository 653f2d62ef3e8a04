"""Typed refusals of the EDS package.

Verification failures are 401 because they answer "who are you?" with "we cannot tell"; key-file
and CA-usage mistakes are the caller's bad input (400). Each carries a stable ``code`` so the login
page and the CLI can explain the exact problem without parsing messages.
"""

from __future__ import annotations

from typing import ClassVar

from core.errors import SotkabError


class EdsError(SotkabError):
    """A signature or certificate did not pass verification."""

    status: ClassVar[int] = 401
    default_code: ClassVar[str] = "signature_invalid"


class KeyFileError(SotkabError):
    """A PKCS#12 key file could not be opened (wrong password, not a key file, no key inside)."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "key_file_invalid"


class CaError(SotkabError):
    """The certification authority was asked for something it cannot do (not initialised,
    unknown serial, invalid subject data)."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "ca_invalid_request"


class TrustStoreError(SotkabError):
    """A configured trust root cannot be read; raised at start-up so nothing runs half-trusted."""

    status: ClassVar[int] = 500
    default_code: ClassVar[str] = "trust_root_invalid"
