"""E-mail delivery through a real SMTP client (aiosmtplib).

Each message carries a Message-ID derived from the delivery, so if a retry after a dropped
connection does hand a message over twice, mail systems and the recipient can recognise the copy.

A notice with attachments goes as ``multipart/mixed``: the text, then each file base64-encoded so
its octets arrive unchanged (an .ics must keep its CRLF line ends). An iCalendar file's part says
``Content-Type: text/calendar; charset="utf-8"; method="REQUEST"`` (or ``CANCEL``), taken from the
file's own METHOD line, which is what makes mail clients offer to add or remove the event.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from cabinet.notifications.attachments import Attachment
from cabinet.notifications.channels import ChannelUnavailable, DeliveryRefused
from cabinet.notifications.notices import NoticeContent, render_email
from core.clock import Clock

log = logging.getLogger(__name__)


class SmtpMailer:
    """Sends notices from ``mail_from`` through the SMTP server at ``host:port``."""

    def __init__(self, host: str, port: int, mail_from: str, clock: Clock, *, timeout: float = 30.0) -> None:
        self.host = host
        self.port = port
        self.mail_from = mail_from
        self.clock = clock
        self.timeout = timeout

    def message(self, address: str, content: NoticeContent, *, link: str, reference: str,
                attachments: Sequence[Attachment] = ()) -> EmailMessage:
        text = render_email(content, link)
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = address
        message["Subject"] = text.subject
        message["Date"] = format_datetime(self.clock.now())
        domain = self.mail_from.rpartition("@")[2] or "sotkab.invalid"
        message["Message-ID"] = f"<{reference}@{domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text.text, charset="utf-8")
        for item in attachments:
            maintype, _, subtype = item.content_type.partition("/")
            params = {"charset": "utf-8"} if maintype == "text" else {}
            method = item.calendar_method
            if method is not None:
                params["method"] = method
            message.add_attachment(item.content, maintype=maintype, subtype=subtype, filename=item.filename,
                                   params=params)
        return message

    async def deliver(self, address: str, content: NoticeContent, *, link: str, reference: str,
                      attachments: Sequence[Attachment] = ()) -> str:
        message = self.message(address, content, link=link, reference=reference, attachments=attachments)
        try:
            await aiosmtplib.send(message, hostname=self.host, port=self.port, timeout=self.timeout)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refusal.code for refusal in exc.recipients]
            raise DeliveryRefused(f"recipient refused: {exc}", permanent=all(c >= 500 for c in codes)) from exc
        except aiosmtplib.SMTPConnectResponseError as exc:
            raise ChannelUnavailable(f"SMTP server {self.host}:{self.port} turned us away: {exc}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code == 421:
                raise ChannelUnavailable(f"SMTP server {self.host}:{self.port} is closing: {exc}") from exc
            raise DeliveryRefused(f"SMTP {exc.code}: {exc.message}", permanent=exc.code >= 500) from exc
        except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError,
                OSError) as exc:
            raise ChannelUnavailable(f"SMTP server {self.host}:{self.port} unreachable: {exc}") from exc
        except aiosmtplib.SMTPException as exc:
            raise DeliveryRefused(f"SMTP: {exc}", permanent=False) from exc
        return str(message["Message-ID"])
