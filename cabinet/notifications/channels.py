"""What a delivery channel (e-mail, SMS) promises the sender, and the two ways it can fail.

The sender treats failures differently because a court must not lose a notice:

* :class:`ChannelUnavailable` — the server or operator could not be reached (connection refused,
  timeout, "421 service not available"). Nothing is wrong with the message, so the delivery is
  deferred with backoff and never runs out of attempts: when the server returns, it goes out.
* :class:`DeliveryRefused` — the server answered and refused this message. ``permanent`` (a 5xx
  such as "no such mailbox") fails the delivery at once; a temporary refusal (4xx) is retried
  with backoff until the retry policy's attempts are spent, then the delivery fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from cabinet.notifications.attachments import Attachment
from cabinet.notifications.notices import NoticeContent


class ChannelUnavailable(Exception):
    """The channel could not be reached; the message was not handed over."""


class DeliveryRefused(Exception):
    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    """Hands one notice to one address; returns the provider's reference for the message.

    ``attachments`` are the notice's files; a channel that cannot carry files (SMS) ignores them,
    since the message links to the notice, where they are listed.
    """

    async def deliver(self, address: str, content: NoticeContent, *, link: str, reference: str,
                      attachments: Sequence[Attachment] = ()) -> str: ...
